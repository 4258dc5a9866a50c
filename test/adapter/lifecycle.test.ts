// The adapter's life cycle against real processes: no QEMU or gdb outlives a session, deaths end
// the session with a message, wrong settings are named, restart, attach to `minnow debug`, QEMU's
// own gdbstub, busy ports and many launch/terminate cycles.

import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { freePort } from '../../target';
import {
  APP,
  ELF,
  MAIN_C,
  ROOT,
  alive,
  appArgs,
  breakpointUpdates,
  launch,
  marker,
  processes,
  startClient,
  stopped,
  topFrame,
  waitGone,
  type Client,
} from './helpers';

const NO_BUILD = { build: false };

describe('adapter: life cycle', function () {
  this.timeout(300_000);
  let c: Client | undefined;

  before(async function () {
    this.timeout(900_000);
    const b = await startClient(600_000);
    try {
      await launch(b, appArgs({ build: true }), {});
      await b.dc.waitForEvent('terminated', 120_000);
    } finally {
      await b.dc.stop();
    }
  });

  afterEach(async () => {
    if (!c) return;
    await c.dc.terminateRequest().catch(() => undefined);
    await c.dc.stop().catch(() => undefined);
    c = undefined;
  });

  it('terminate leaves no QEMU or gdb process', async () => {
    c = await startClient();
    const s = stopped(c);
    await launch(c, appArgs(NO_BUILD), { [MAIN_C]: [{ line: marker('BP1') }] });
    await s;
    const p = await processes(c);
    assert.ok(alive(p.qemu) && alive(p.gdb));
    await c.dc.terminateRequest();
    assert.ok(await waitGone([p.qemu, p.gdb], 5000), 'QEMU and gdb are gone');
  });

  it('disconnect (launch) kills QEMU and gdb; the adapter exiting does too', async () => {
    c = await startClient();
    const s = stopped(c);
    await launch(c, appArgs(NO_BUILD), { [MAIN_C]: [{ line: marker('BP1') }] });
    await s;
    const p = await processes(c);
    await c.dc.disconnectRequest({});
    assert.ok(await waitGone([p.qemu, p.gdb], 5000));
    await c.dc.stop();

    c = await startClient();
    const s2 = stopped(c);
    await launch(c, appArgs(NO_BUILD), { [MAIN_C]: [{ line: marker('BP1') }] });
    await s2;
    const p2 = await processes(c);
    await c.dc.stop(); // closes the adapter's stdin: the adapter exits
    c = undefined;
    assert.ok(await waitGone([p2.qemu, p2.gdb], 5000), 'children die with the adapter');
  });

  it('even a SIGKILLed adapter leaves no QEMU or gdb behind', async () => {
    c = await startClient();
    const s = stopped(c);
    await launch(c, appArgs(NO_BUILD), { [MAIN_C]: [{ line: marker('BP1') }] });
    await s;
    const p = (await c.dc.customRequest('minnow/processes')).body as { adapter: number; qemu: number; gdb: number };
    c = undefined; // DebugClient.stop() would wait for an adapter that is already gone
    process.kill(p.adapter, 'SIGKILL');
    assert.ok(await waitGone([p.qemu, p.gdb], 5000), 'gdb sees EOF on stdin, QEMU on its console');
  });

  it('killing QEMU mid-session ends the session within 2 s with a message', async () => {
    c = await startClient();
    const s = stopped(c);
    await launch(c, appArgs(NO_BUILD), { [MAIN_C]: [{ line: marker('BP1') }] });
    await s;
    const p = await processes(c);
    const t0 = Date.now();
    const ended = c.dc.waitForEvent('terminated', 10_000);
    process.kill(p.qemu!, 'SIGKILL');
    await ended;
    assert.ok(Date.now() - t0 < 2000, `ended after ${Date.now() - t0} ms`);
    assert.match(c.text(), /QEMU exited unexpectedly/);
    assert.ok(await waitGone([p.gdb], 3000), 'gdb is gone too');
  });

  it('killing gdb mid-session ends the session within 2 s with a message', async () => {
    c = await startClient();
    const s = stopped(c);
    await launch(c, appArgs(NO_BUILD), { [MAIN_C]: [{ line: marker('BP1') }] });
    await s;
    const p = await processes(c);
    const t0 = Date.now();
    const ended = c.dc.waitForEvent('terminated', 10_000);
    process.kill(p.gdb!, 'SIGKILL');
    await ended;
    assert.ok(Date.now() - t0 < 2000);
    assert.match(c.text(), /gdb exited unexpectedly \(signal SIGKILL\)/);
    assert.ok(await waitGone([p.qemu], 3000), 'QEMU is gone too');
  });

  it('a wrong gdbPath, qemuPath, gdbstub or gdbTransport is an error that names the setting', async () => {
    c = await startClient();
    const init = await c.dc.initializeRequest({ adapterID: 'minnow', pathFormat: 'path' });
    // a launched VM cannot outlive the adapter (it is its child): the choice is not offered
    assert.equal(init.body?.supportTerminateDebuggee, false);
    const e1 = await c.dc.launchRequest(appArgs({ ...NO_BUILD, gdbPath: '/nonexistent/gdb' }) as DebugProtocol.LaunchRequestArguments).then(() => undefined, (e: Error) => e);
    assert.match(String(e1?.message), /gdbPath/);
    await c.dc.stop();

    c = await startClient();
    await c.dc.initializeRequest({ adapterID: 'minnow', pathFormat: 'path' });
    const e2 = await c.dc.launchRequest(appArgs({ ...NO_BUILD, qemuPath: '/nonexistent/qemu' }) as DebugProtocol.LaunchRequestArguments).then(() => undefined, (e: Error) => e);
    assert.match(String(e2?.message), /qemuPath/);
    await c.dc.stop();

    c = await startClient();
    await c.dc.initializeRequest({ adapterID: 'minnow', pathFormat: 'path' });
    const e3 = await c.dc.launchRequest(appArgs({ ...NO_BUILD, gdbstub: 'bogus' }) as DebugProtocol.LaunchRequestArguments).then(() => undefined, (e: Error) => e);
    assert.match(String(e3?.message), /"gdbstub" is "bogus".*Use "kernel"/);
    await c.dc.stop();

    c = await startClient();
    await c.dc.initializeRequest({ adapterID: 'minnow', pathFormat: 'path' });
    const e4 = await c.dc.launchRequest(appArgs({ ...NO_BUILD, gdbTransport: 'usb' }) as DebugProtocol.LaunchRequestArguments).then(() => undefined, (e: Error) => e);
    assert.match(String(e4?.message), /"gdbTransport" is "usb".*"virtio".*"com2"/);
  });

  it('a launch error advises the launch attribute, never the CLI flag', async () => {
    const launchError = async (args: Record<string, unknown>): Promise<string> => {
      c = await startClient();
      await c.dc.initializeRequest({ adapterID: 'minnow', pathFormat: 'path' });
      const e = await c.dc.launchRequest(args as DebugProtocol.LaunchRequestArguments).then(() => undefined, (err: Error) => err);
      await c.dc.stop();
      c = undefined;
      return String(e?.message);
    };
    const empty = mkdtempSync(join(tmpdir(), 'minnow-noapp-'));
    try {
      const noApp = await launchError({ app: empty, accel: 'tcg' });
      assert.match(noApp, /^no minnow\.json in .*\. Point "app" in launch\.json at an application folder/);
      assert.doesNotMatch(noApp, /minnow build/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
    const port = await launchError(appArgs({ ...NO_BUILD, ports: ['80'] }));
    assert.match(port, /launch\.json "ports\[0\]": "80" names only the guest's port.*Give both, host first: "ports": \["8080:80"\] in launch\.json\./);
    assert.doesNotMatch(port, /-p /);
  });

  it("a qemuArgs value QEMU refuses fails the launch with QEMU's own message", async () => {
    // -bogus-option is refused while QEMU parses its command line, before the stub's port is
    // open; a bad -device only after QEMU listened there (and gdb may already be connecting)
    const cases: [string[], RegExp][] = [
      [['-bogus-option'], /QEMU did not start: qemu-system-x86_64: -bogus-option: invalid option\. Check the QEMU arguments \("qemuArgs"/],
      [['-device', 'no-such-dev'], /QEMU did not start: qemu-system-x86_64: -device no-such-dev: 'no-such-dev' is not a valid device model name\./],
    ];
    for (const [qemuArgs, expected] of cases) {
      c = await startClient();
      await c.dc.initializeRequest({ adapterID: 'minnow', pathFormat: 'path' });
      const err = await c.dc.launchRequest(appArgs({ ...NO_BUILD, qemuArgs }) as DebugProtocol.LaunchRequestArguments).then(() => undefined, (e: Error) => e);
      assert.match(String(err?.message), expected);
      assert.doesNotMatch(String(err?.message), /gdb/);
      await c.dc.stop();
      c = undefined;
    }
  });

  it('a compile error fails the launch with the build error and gcc\'s diagnostic', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'minnow-broken-'));
    writeFileSync(join(dir, 'minnow.json'), JSON.stringify({ name: 'broken', sources: ['main.c'] }));
    writeFileSync(join(dir, 'main.c'), 'int main(void)\n{\n\treturn missing_symbol;\n}\n');
    c = await startClient(240_000); // make may compile much of the kernel before it meets main.c
    await c.dc.initializeRequest({ adapterID: 'minnow', pathFormat: 'path' });
    const err = await c.dc.launchRequest({ app: dir, accel: 'tcg' } as DebugProtocol.LaunchRequestArguments).then(() => undefined, (e: Error) => e);
    assert.match(String(err?.message), /build of broken failed.*Fix the errors/);
    assert.match(c.text('console'), /main\.c:3:\d+: error: .missing_symbol. undeclared/);
    rmSync(dir, { recursive: true, force: true });
  });

  it('restart reboots and stops at the same breakpoint again', async () => {
    c = await startClient();
    const s = stopped(c);
    await launch(c, appArgs(NO_BUILD), { [MAIN_C]: [{ line: marker('BP1') }] });
    await s;
    await restartsToBP1(c, {});
  });

  /** restart: a new QEMU and gdb stop at #BP1 again, the old ones are gone */
  async function restartsToBP1(k: Client, args: DebugProtocol.RestartArguments): Promise<void> {
    const p = await processes(k);
    const again = stopped(k);
    const r = await k.dc.restartRequest(args).then(() => undefined, (err: Error) => err);
    assert.equal(r, undefined, `restart failed: ${r?.message}`);
    const e = await again;
    assert.equal(e.reason, 'breakpoint');
    assert.equal((await topFrame(k, e.threadId!)).line, marker('BP1'));
    const p2 = await processes(k);
    assert.notEqual(p2.qemu, p.qemu);
    assert.ok(await waitGone([p.qemu, p.gdb], 3000), 'the old QEMU and gdb are gone');
  }

  /** A session whose kernel runs the busy loop after #BP1 (mode 1), #BP1 still set. */
  async function spinning(): Promise<Client> {
    const k = await startClient();
    const s = stopped(k);
    await launch(k, appArgs(NO_BUILD), { [MAIN_C]: [{ line: marker('BP1') }] });
    const e0 = await s;
    const f = await topFrame(k, e0.threadId!);
    await k.dc.customRequest('setExpression', { expression: 'mode', value: '1', frameId: f.id });
    await k.dc.continueRequest({ threadId: e0.threadId! });
    await new Promise((r) => setTimeout(r, 500)); // spinning in the loop by now
    return k;
  }

  it('restart while the kernel runs (a busy loop) reboots it, as a restart when stopped does', async () => {
    c = await spinning();
    // VS Code sends the launch configuration again as `arguments`
    await restartsToBP1(c, { arguments: appArgs(NO_BUILD) } as DebugProtocol.RestartArguments);
    assert.doesNotMatch(c.text(), /Cannot execute this command while the target is running/);
  });

  it('disconnect with restart: true while the kernel runs ends QEMU and gdb without an error', async () => {
    c = await spinning();
    const p = await processes(c);
    // what a client that does not use restartRequest sends before it launches again
    await c.dc.disconnectRequest({ restart: true });
    assert.ok(await waitGone([p.qemu, p.gdb], 5000), 'QEMU and gdb are gone');
    assert.doesNotMatch(c.text(), /Cannot execute this command while the target is running/);
  });

  it('stopOnEntry stops in main; gdbCommands run after connecting', async () => {
    c = await startClient();
    const s = stopped(c);
    await launch(c, appArgs({ ...NO_BUILD, stopOnEntry: true, gdbCommands: ['set $minnow_test = 42'] }), {});
    const e = await s;
    assert.equal(e.reason, 'entry');
    const f = await topFrame(c, e.threadId!);
    assert.equal(f.name, 'main');
    const v = await c.dc.evaluateRequest({ expression: '$minnow_test', frameId: f.id, context: 'watch' });
    assert.equal(v.body.result, '42');
  });

  it('gdbTransport "com2" debugs over the UART: stop in main, next', async () => {
    c = await startClient();
    const s = stopped(c);
    await launch(c, appArgs({ ...NO_BUILD, stopOnEntry: true, gdbTransport: 'com2' }), {});
    const e = await s;
    assert.equal((await topFrame(c, e.threadId!)).name, 'main');
    const line = (await topFrame(c, e.threadId!)).line;
    const s2 = stopped(c);
    await c.dc.nextRequest({ threadId: e.threadId! });
    const e2 = await s2;
    assert.equal(e2.reason, 'step');
    const f2 = await topFrame(c, e2.threadId!);
    assert.equal(f2.name, 'main');
    assert.notEqual(f2.line, line, 'next moved to another line');
  });

  it('attach to a port where nothing listens says so, not "Connection timed out"', async () => {
    const port = await freePort();
    c = await startClient();
    await c.dc.initializeRequest({ adapterID: 'minnow', pathFormat: 'path' });
    const t0 = Date.now();
    const err = await c.dc.attachRequest({ target: `127.0.0.1:${port}`, program: ELF } as DebugProtocol.AttachRequestArguments).then(() => undefined, (e: Error) => e);
    console.log(`      refused in ${Date.now() - t0} ms`);
    assert.match(String(err?.message), new RegExp(`^Nothing listens on 127\\.0\\.0\\.1:${port}\\. Start the kernel with a gdbstub first \\(minnow debug prints`));
  });

  it('error texts with braces reach the client as they are, not doubled', async () => {
    c = await startClient();
    await c.dc.initializeRequest({ adapterID: 'minnow', pathFormat: 'path' });
    const err = await c.dc.customRequest('minnow/consoleInput', { text: { a: 1 } }).then(() => undefined, (e: Error) => e);
    assert.equal(err?.message, 'minnow/consoleInput needs text, a string (got {"a":1}).');
  });

  describe('attach to `minnow debug`', () => {
    let cli: ChildProcess | undefined;
    after(() => {
      if (cli?.exitCode === null) cli.kill('SIGTERM');
    });

    async function minnowDebug(): Promise<{ target: string; output: () => string }> {
      cli = spawn(process.execPath, [join(ROOT, 'bin', 'minnow'), 'debug', APP, '--wait'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      const target = await new Promise<string>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no gdb line from minnow debug: ${out}`)), 120_000);
        const on = (d: Buffer): void => {
          out += d.toString();
          const m = /target remote (127\.0\.0\.1:\d+)/.exec(out);
          if (m) {
            clearTimeout(t);
            resolve(m[1]);
          }
        };
        cli!.stdout!.on('data', on);
        cli!.stderr!.on('data', on);
      });
      return { target, output: () => out };
    }

    it('attaches, stops at a breakpoint and detaches on disconnect', async () => {
      const { target, output } = await minnowDebug();
      c = await startClient();
      const s = stopped(c);
      await launch(c, { target, program: ELF }, { [MAIN_C]: [{ line: marker('BP1') }] }, undefined, 'attach');
      const e = await s;
      assert.equal(e.reason, 'breakpoint');
      assert.equal((await topFrame(c, e.threadId!)).line, marker('BP1'));
      const p = await processes(c);
      await c.dc.disconnectRequest({});
      assert.ok(await waitGone([p.gdb], 3000));
      // detached, the kernel runs main to its end and `minnow debug` exits with main's status
      const code = cli!.exitCode ?? (await new Promise<number | null>((r) => cli!.once('exit', (c) => r(c))));
      assert.equal(code, 0);
      assert.match(output(), /total=\d+/);
    });

    it('terminate ends the kernel it attached to', async () => {
      const { target } = await minnowDebug();
      c = await startClient();
      const s = stopped(c);
      await launch(c, { target, program: ELF, stopOnEntry: true }, {}, undefined, 'attach');
      const e = await s;
      assert.equal(e.reason, 'entry');
      // `minnow debug --wait` waits in the stub before main: stopOnEntry runs on to main
      assert.equal((await topFrame(c, e.threadId!)).name, 'main');
      const exited = cli!.exitCode !== null ? Promise.resolve(cli!.exitCode) : new Promise<number | null>((r) => cli!.once('exit', (code) => r(code)));
      await c.dc.terminateRequest();
      const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('still running'), 10_000))]);
      assert.notEqual(code, 'still running');
    });
  });

  describe('a gdb started ahead (MINNOW_GDB_AHEAD, as the extension starts the adapter while the build runs)', () => {
    /** when a process started, in seconds since boot (/proc/<pid>/stat, field 22, in 1/100 s) */
    const startedAt = (pid: number): number => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[19]) / 100;
    const uptime = (): number => Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);

    it('is the launch\'s gdb when the launch wants the same one', async () => {
      c = await startClient(60_000, { MINNOW_GDB_AHEAD: 'gdb' });
      const s = stopped(c);
      // a launch sends initialized before it boots (and starts a gdb of its own)
      const asked = c.dc.waitForEvent('initialized').then(uptime);
      await launch(c, appArgs({ ...NO_BUILD, stopOnEntry: true }));
      assert.equal((await s).reason, 'entry');
      const p = await processes(c);
      assert.ok(startedAt(p.gdb!) < (await asked), `gdb ${p.gdb} started ${startedAt(p.gdb!)} s, the launch began at ${await asked} s`);
    });

    it('is ended when the launch names another gdb, which is started then', async () => {
      c = await startClient(60_000, { MINNOW_GDB_AHEAD: 'gdb' });
      const s = stopped(c);
      await launch(c, appArgs({ ...NO_BUILD, stopOnEntry: true, gdbPath: '/usr/bin/gdb' }));
      assert.equal((await s).reason, 'entry');
      const p = await processes(c);
      const adapter = (await c.dc.customRequest('minnow/processes')).body.adapter as number;
      const gdbs = readFileSync(`/proc/${adapter}/task/${adapter}/children`, 'utf8').trim().split(/\s+/).filter((pid) => pid && /^gdb$/.test(readFileSync(`/proc/${pid}/comm`, 'utf8').trim()));
      assert.deepEqual(gdbs, [String(p.gdb)], 'the gdb started ahead is gone');
    });
  });

  it("QEMU's own gdbstub stops in early boot code", async () => {
    c = await startClient();
    const now = breakpointUpdates(c);
    const s = stopped(c);
    let set: DebugProtocol.Breakpoint[] = [];
    await launch(c, appArgs({ ...NO_BUILD, gdbstub: 'qemu' }), {}, async (dc) => {
      set = (await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'kernel_start' }] })).body.breakpoints;
    });
    assert.equal(now(set[0]).verified, true);
    const e = await s;
    assert.equal(e.reason, 'function breakpoint');
    const f = await topFrame(c, e.threadId!);
    assert.equal(f.name, 'kernel_start');
    assert.equal(f.source?.path, join(ROOT, 'kernel', 'core', 'init.c'));
  });

  describe('ports', () => {
    let blockers: Server[] = [];
    after(() => blockers.forEach((b) => b.close()));

    it('two sessions at once get different ports, and a busy port is avoided', async () => {
      // occupy a bunch of ports so that a naive choice would collide
      for (let i = 0; i < 20; i++) {
        const srv = createServer();
        await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
        blockers.push(srv);
      }
      const busy = new Set(blockers.map((b) => (b.address() as { port: number }).port));
      const a = await startClient();
      const b = await startClient();
      try {
        const sa = stopped(a);
        const sb = stopped(b);
        await Promise.all([
          launch(a, appArgs(NO_BUILD), { [MAIN_C]: [{ line: marker('BP1') }] }),
          launch(b, appArgs(NO_BUILD), { [MAIN_C]: [{ line: marker('BP1') }] }),
        ]);
        await Promise.all([sa, sb]);
        const pa = await processes(a);
        const pb = await processes(b);
        assert.notEqual(pa.port, pb.port);
        assert.ok(!busy.has(pa.port!) && !busy.has(pb.port!));
      } finally {
        for (const x of [a, b]) {
          await x.dc.terminateRequest().catch(() => undefined);
          await x.dc.stop().catch(() => undefined);
        }
      }
    });

    it('"ports" publishes a host port on 127.0.0.1; a malformed or a taken one is named', async () => {
      const srv = createServer();
      await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
      blockers.push(srv);
      const free = await new Promise<number>((r) => {
        const t = createServer();
        t.listen(0, '127.0.0.1', () => {
          const port = (t.address() as { port: number }).port;
          t.close(() => r(port));
        });
      });
      c = await startClient();
      await launch(c, appArgs({ ...NO_BUILD, ports: [`${free}:80`] }), {});
      const hex = free.toString(16).toUpperCase().padStart(4, '0');
      const rows = readFileSync('/proc/net/tcp', 'utf8').split('\n').map((l) => l.trim().split(/\s+/));
      assert.deepEqual(rows.filter((r) => r[1]?.endsWith(`:${hex}`) && r[3] === '0A').map((r) => r[1]), [`0100007F:${hex}`], "QEMU listens on 127.0.0.1 only");
      await c.dc.terminateRequest();
      await c.dc.stop();

      c = await startClient();
      await c.dc.initializeRequest({ adapterID: 'minnow', pathFormat: 'path' });
      const bad = await c.dc.launchRequest(appArgs({ ...NO_BUILD, ports: ['0.0.0.0:8080:80'] }) as DebugProtocol.LaunchRequestArguments).then(() => undefined, (e: Error) => e);
      assert.match(String(bad?.message), /launch\.json "ports\[0\]": "0\.0\.0\.0:8080:80" publishes on 0\.0\.0\.0; Minnow publishes on 127\.0\.0\.1 only/);
      await c.dc.stop();

      c = await startClient();
      await c.dc.initializeRequest({ adapterID: 'minnow', pathFormat: 'path' });
      const taken = (srv.address() as { port: number }).port;
      const busy = await c.dc.launchRequest(appArgs({ ...NO_BUILD, ports: [`${taken}:80`] }) as DebugProtocol.LaunchRequestArguments).then(() => undefined, (e: Error) => e);
      assert.match(String(busy?.message), new RegExp(`host port ${taken} \\(tcp, 127\\.0\\.0\\.1\\) is already in use`));
    });
  });

  it('100 launch/terminate cycles leak no process', async function () {
    const cycles = Number(process.env.MINNOW_CYCLES ?? 100);
    this.timeout(cycles * 15_000);
    const pids: number[] = [];
    const t0 = Date.now();
    // two sessions at a time, as a user with two windows would: half the wall time, and ports,
    // pids and temporary files must not collide
    const worker = async (n: number): Promise<void> => {
      for (let i = 0; i < n; i++) {
        const x = await startClient();
        try {
          const s = stopped(x);
          await launch(x, appArgs({ ...NO_BUILD, stopOnEntry: true }), {});
          const e = await s;
          assert.equal(e.reason, 'entry', `cycle ${i}`);
          const p = await processes(x);
          pids.push(p.qemu!, p.gdb!);
          await x.dc.terminateRequest();
        } finally {
          await x.dc.stop();
        }
      }
    };
    await Promise.all([worker(Math.ceil(cycles / 2)), worker(Math.floor(cycles / 2))]);
    assert.equal(pids.length, 2 * cycles);
    assert.ok(await waitGone(pids, 10_000), `still alive: ${pids.filter(alive).join(', ')}`);
    console.log(`      ${cycles} cycles in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  });
});
