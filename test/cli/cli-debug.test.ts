// `minnow debug`: one "gdb: target remote 127.0.0.1:PORT" line and a gdb command that works
// when pasted, a port that answers the Remote Serial Protocol, and no QEMU left behind when the
// CLI is stopped.

import assert from 'node:assert/strict';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { appFrom, cleanupTmp, cli, isAlive, killStragglers, startCli } from './helpers';

interface Session {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  port: number;
  gdbLine: string;
}

async function startDebug(args: string[]): Promise<Session> {
  const child = startCli(['debug', ...args]);
  let out = '';
  let err = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  const deadline = Date.now() + 60000;
  while (!/\n.*\n/.test(out)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`minnow debug did not print the gdb lines (exit ${child.exitCode}):\n${out}\n${err}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const [first, second] = out.split('\n');
  const m = /^gdb: target remote 127\.0\.0\.1:(\d+)$/.exec(first);
  assert.ok(m, `first line: ${JSON.stringify(first)}`);
  return { child, stdout: () => out, stderr: () => err, port: Number(m[1]), gdbLine: second };
}

/**
 * Sends one RSP packet and returns the first packet of the reply. Like gdb, it retransmits
 * (every 2 s) while no answer comes: bytes that reach COM2 before the guest has set up its UART
 * can be lost (notes/machine.md).
 */
function rsp(port: number, packet: string, timeoutMs = 30000): Promise<string> {
  const sum = [...packet].reduce((a, c) => (a + c.charCodeAt(0)) & 0xff, 0);
  const frame = `$${packet}#${sum.toString(16).padStart(2, '0')}`;
  return new Promise((resolve, reject) => {
    let resend: NodeJS.Timeout | undefined;
    const s = connect(port, '127.0.0.1', () => {
      s.write(frame);
      resend = setInterval(() => s.write(frame), 2000);
    });
    let got = '';
    const done = (): void => {
      clearTimeout(timer);
      clearInterval(resend);
    };
    const timer = setTimeout(() => {
      done();
      s.destroy();
      reject(new Error(`no RSP reply on port ${port}; got ${JSON.stringify(got)}`));
    }, timeoutMs);
    s.on('data', (b) => {
      got += b.toString('latin1');
      const m = /\$([^#]*)#[0-9a-fA-F]{2}/.exec(got);
      if (m) {
        done();
        s.end('+');
        resolve(m[1]);
      }
    });
    s.on('error', (e) => {
      done();
      reject(e);
    });
  });
}

function qemuPidsOnPort(port: number): number[] {
  const r = spawnSync('pgrep', ['-f', `127.0.0.1[,:]port=${port}|tcp:127.0.0.1:${port}`], { encoding: 'utf8' });
  return r.stdout.split('\n').filter(Boolean).map(Number);
}

async function ended(child: ChildProcess, ms = 10000): Promise<boolean> {
  const end = Date.now() + ms;
  while (child.exitCode === null && child.signalCode === null && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  return child.exitCode !== null || child.signalCode !== null;
}

describe('cli: debug', function () {
  this.timeout(180000);
  afterEach(killStragglers);
  after(cleanupTmp);

  it("--qemu-gdbstub: prints the attach lines, and gdb attaches with the printed command", async () => {
    const app = appFrom('hello');
    const s = await startDebug([app, '--qemu-gdbstub']);
    const elf = join(app, 'build', 'hello.elf');
    assert.equal(s.gdbLine, `gdb -ex 'target remote 127.0.0.1:${s.port}' ${elf}`);
    assert.equal(s.stdout().split('\n').filter((l) => l.startsWith('gdb: target remote')).length, 1);
    assert.doesNotMatch(s.stdout(), /Hello/, 'the CPU is frozen until gdb lets it go');
    // The printed command in batch mode: attach at the reset vector, read rip, detach (the VM runs on).
    const gdb = spawnSync('gdb', ['-nx', '-batch', '-ex', 'set remotetimeout 30', '-ex', `target remote 127.0.0.1:${s.port}`, '-ex', 'info registers rip', '-ex', 'detach', elf], { encoding: 'utf8', timeout: 60000 });
    assert.match(gdb.stdout, /rip\s+0x[0-9a-f]+/, gdb.stdout + gdb.stderr);
    assert.ok(await ended(s.child, 30000), 'debug ends when the application does');
    assert.equal(s.child.exitCode, 0, s.stderr());
    assert.match(s.stdout(), /Hello from Minnow! I am hello\.\n$/);
  });

  it('stopping minnow debug stops its QEMU', async () => {
    const app = appFrom('hello');
    const s = await startDebug([app, '--qemu-gdbstub']);
    const pids = qemuPidsOnPort(s.port);
    assert.equal(pids.length, 1, 'one QEMU listens on the printed port');
    assert.ok(isAlive(pids[0]));
    s.child.kill('SIGTERM');
    assert.ok(await ended(s.child));
    const end = Date.now() + 5000;
    while (isAlive(pids[0]) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    assert.equal(isAlive(pids[0]), false, `QEMU ${pids[0]} outlived minnow debug`);
  });

  it('--wait: the kernel stub holds before main; the printed gdb command breaks in main', async () => {
    const app = appFrom('hello');
    const s = await startDebug([app, '--wait', '--', 'dbg']);
    const elf = join(app, 'build', 'hello.elf');
    assert.equal(s.gdbLine, `gdb -ex 'target remote 127.0.0.1:${s.port}' ${elf}`);
    assert.match(s.stderr(), /wait in its gdbstub before main/);
    await new Promise((r) => setTimeout(r, 300));
    assert.doesNotMatch(s.stdout(), /Hello from Minnow/, 'main has not run yet');
    const gdb = spawnSync(
      'gdb',
      // remotetimeout: the machine may be busy (TCG under load); the default 2 s is too tight
      ['-nx', '-batch', '-ex', 'set remotetimeout 30', '-ex', `target remote 127.0.0.1:${s.port}`, '-ex', 'break main', '-ex', 'continue', '-ex', 'print argc', '-ex', 'continue', elf],
      { encoding: 'utf8', timeout: 60000 },
    );
    assert.match(gdb.stdout, /Breakpoint 1, main \(argc=2/, gdb.stdout + gdb.stderr);
    assert.match(gdb.stdout, /\$1 = 2/);
    assert.ok(await ended(s.child, 30000), 'debug ends when the application does');
    assert.equal(s.child.exitCode, 0, s.stderr());
    assert.match(s.stdout(), /Hello from Minnow! I am hello\.\nargv\[1\] = dbg\n$/);
  });

  it("--wait: gdb's kill ends the VM, reported as the debugger's doing, not a crash", async () => {
    const app = appFrom('hello');
    const s = await startDebug([app, '--wait']);
    const elf = join(app, 'build', 'hello.elf');
    const gdb = spawnSync(
      'gdb',
      ['-nx', '-batch', '-ex', 'set remotetimeout 30', '-ex', `target remote 127.0.0.1:${s.port}`, '-ex', 'kill', elf],
      { encoding: 'utf8', timeout: 60000 },
    );
    assert.equal(gdb.status, 0, gdb.stdout + gdb.stderr);
    assert.ok(await ended(s.child, 30000), 'debug ends with the VM');
    assert.equal(s.child.exitCode, 126, s.stderr());
    assert.match(s.stderr(), /^minnow: ended by the debugger \(kill\); exit status 126$/m);
    assert.doesNotMatch(s.stderr(), /kernel crashed/);
  });

  it('--wait: the kernel stub answers the Remote Serial Protocol on the printed port', async () => {
    const s = await startDebug([appFrom('hello'), '--wait']);
    assert.match(await rsp(s.port, '?'), /^[ST][0-9a-f]{2}/i);
    s.child.kill('SIGINT');
    assert.ok(await ended(s.child));
  });

  it('--gdb-transport com2: the stub answers on COM2 instead of its virtio console', async () => {
    const app = appFrom('hello');
    const s = await startDebug([app, '--wait', '--gdb-transport', 'com2']);
    const [pid] = qemuPidsOnPort(s.port);
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    assert.ok(cmdline.includes('isa-serial,chardev=gdb,index=1'), cmdline.join(' '));
    assert.ok(!cmdline.some((a) => a.startsWith('virtconsole')), 'no virtio console for the stub');
    assert.match(await rsp(s.port, '?'), /^[ST][0-9a-f]{2}/i);
    s.child.kill('SIGINT');
    assert.ok(await ended(s.child));
  });

  it('refuses an unknown --gdb-transport, naming both', async () => {
    const r = await cli(['debug', appFrom('hello'), '--gdb-transport', 'usb']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--gdb-transport is "usb"/);
    assert.match(r.stderr, /virtio.*com2/);
  });

  it("a qemuArgs value QEMU refuses: QEMU's message and exit 125, no attach lines", async () => {
    const app = appFrom('hello');
    const manifest = JSON.parse(readFileSync(join(app, 'minnow.json'), 'utf8'));
    writeFileSync(join(app, 'minnow.json'), JSON.stringify({ ...manifest, qemuArgs: ['-bogus-option'] }));
    const r = await cli(['debug', app, '--wait']);
    assert.equal(r.code, 125, r.stdout + r.stderr);
    assert.doesNotMatch(r.stdout, /target remote/);
    assert.match(r.stderr, /minnow: error: QEMU did not start: qemu-system-x86_64: -bogus-option: invalid option\n {2}fix: Check the QEMU arguments/);
  });

  it('without --wait the application runs and debug exits with its code', async () => {
    const app = appFrom('hello');
    const s = await startDebug([app, '--', 'x']);
    assert.ok(await ended(s.child, 30000));
    assert.equal(s.child.exitCode, 0, s.stderr());
    assert.match(s.stdout(), /^gdb: target remote 127\.0\.0\.1:\d+\ngdb -ex .*\nHello from Minnow! I am hello\.\nargv\[1\] = x\n$/);
  });
});
