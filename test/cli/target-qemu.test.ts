// The target layer against real make and real QEMU (and, for behaviour QEMU will not show on
// demand, a fake QEMU in fixtures/): build, boot, console, exit codes, ports, kill, and that no
// QEMU outlives the Node process that started it.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { buildApp, freePort, liveChildren, loadApp, MinnowError, probePort, startQemu, type AppConfig } from '../../target';
import { appFrom, cleanupTmp, isAlive, ROOT, tmp } from './helpers';

const FAKE = join(__dirname, 'fixtures', 'fake-qemu.js');

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return cond();
}

function expectMinnowError(p: Promise<unknown>, message: RegExp, fix: RegExp): Promise<void> {
  return p.then(
    () => assert.fail('expected a MinnowError'),
    (e) => {
      assert.ok(e instanceof MinnowError, `not a MinnowError: ${String(e)}`);
      assert.match(e.message, message);
      assert.match(e.fix, fix);
    },
  );
}

describe('target: build and QEMU', function () {
  this.timeout(120000);
  let app: AppConfig;

  before(async () => {
    app = loadApp(appFrom('hello'));
    await buildApp(app);
  });
  after(cleanupTmp);

  it('buildApp reports rebuilt only when the ELF changed', async () => {
    const again = await buildApp(app);
    assert.equal(again.rebuilt, false);
    assert.equal(again.elf, app.elf);
  });

  it('buildApp stops make when its signal aborts', async () => {
    const fresh = loadApp(appFrom('hello'));
    const ac = new AbortController();
    let output = '';
    const build = buildApp(fresh, {
      signal: ac.signal,
      onOutput: (t) => {
        output += t;
        ac.abort();
      },
    });
    await expectMinnowError(build, /build cancelled/, /again/);
    assert.ok(output.length > 0);
    assert.equal(liveChildren(), 0, 'make is gone');
    const left = spawnSync('pgrep', ['-f', fresh.buildDir], { encoding: 'utf8' }).stdout.trim();
    assert.equal(left, '', 'no compiler of the cancelled build is left');
  });

  it('boots hello on microvm, streams the console and maps exit code 0', async () => {
    let console = '';
    const q = await startQemu({ elf: app.elf, accel: 'tcg', name: 'hello', argv: ['a', 'b c'], onConsole: (t) => (console += t) });
    assert.equal(q.accel, 'tcg');
    const exit = await q.exited;
    assert.equal(exit.reason, 'exit', exit.summary + exit.stderrTail);
    assert.equal(exit.appExitCode, 0);
    assert.match(console, /I am hello\./);
    assert.match(console, /argv\[1\] = a\r?\n/);
    assert.match(console, /argv\[2\] = b c\r?\n/);
  });

  it('boots hello on q35 (qboot)', async () => {
    let console = '';
    const q = await startQemu({ elf: app.elf, machine: 'q35', accel: 'tcg', name: 'hello', onConsole: (t) => (console += t) });
    const exit = await q.exited;
    assert.equal(exit.appExitCode, 0, exit.summary + exit.stderrTail);
    assert.match(console, /I am hello\./);
    assert.doesNotMatch(console, /SeaBIOS/);
  });

  it('kill() resolves only when QEMU is gone', async () => {
    const q = await startQemu({ elf: app.elf, accel: 'tcg', gdbstub: { kind: 'qemu', wait: true } });
    assert.ok(isAlive(q.pid));
    await q.kill();
    assert.equal(isAlive(q.pid), false);
    assert.equal((await q.exited).reason, 'killed');
  });

  it('waits until QEMU listens on the gdbstub port', async () => {
    const q = await startQemu({ elf: app.elf, accel: 'tcg', gdbstub: { kind: 'qemu', wait: true } });
    try {
      assert.ok(q.port && q.port > 0);
      assert.equal(await probePort(q.port), 'busy');
      const reply = await new Promise<string>((resolve, reject) => {
        const s = connect(q.port!, '127.0.0.1', () => s.write('$?#3f'));
        let got = '';
        s.on('data', (b) => {
          got += b.toString();
          if (/\$[^#]*#[0-9a-f]{2}/.test(got)) {
            s.destroy();
            resolve(got);
          }
        });
        s.on('error', reject);
      });
      assert.match(reply, /\$[ST]05/);
    } finally {
      await q.kill();
    }
  });

  it('stops QEMU after timeoutMs with reason timeout', async () => {
    const q = await startQemu({ elf: app.elf, accel: 'tcg', gdbstub: { kind: 'qemu', wait: true }, timeoutMs: 300 });
    const exit = await q.exited;
    assert.equal(exit.reason, 'timeout');
    assert.equal(isAlive(q.pid), false);
  });

  it('refuses a fixed port that is taken', async () => {
    const srv: Server = createServer();
    const port = await freePort();
    await new Promise<void>((r) => srv.listen(port, '127.0.0.1', r));
    try {
      await expectMinnowError(startQemu({ elf: app.elf, accel: 'tcg', gdbstub: { kind: 'kernel', port } }), new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use`), /^Choose another --port, or leave it out/);
    } finally {
      srv.close();
    }
  });

  it('retries with a new port when QEMU says the address is in use', async () => {
    const marker = join(tmp(), 'marker');
    let stderr = '';
    const q = await startQemu({ elf: app.elf, qemuPath: FAKE, accel: 'tcg', gdbstub: { kind: 'kernel' }, extraArgs: ['-fake-mode', 'busy-once', '-fake-marker', marker], onStderr: (t) => (stderr += t) });
    try {
      assert.doesNotMatch(stderr, /Address already in use/, 'the failed attempt stays hidden');
      const ports = readFileSync(marker, 'utf8').trim().split('\n').map(Number);
      assert.equal(ports.length, 2, 'two attempts');
      assert.equal(q.port, ports[1]);
      assert.equal(await probePort(q.port!), 'busy');
    } finally {
      await q.kill();
    }
  });

  it('delivers partial console lines at once and types into the console', async () => {
    let console = '';
    const q = await startQemu({ elf: app.elf, qemuPath: FAKE, accel: 'tcg', extraArgs: ['-fake-mode', 'console'], onConsole: (t) => (console += t) });
    assert.ok(await until(() => console.endsWith('prompt> '), 5000), `console so far: ${JSON.stringify(console)}`);
    q.writeConsole('hi there\n');
    assert.ok(await until(() => console.includes('got: hi there\n'), 5000));
    q.writeConsole('exit 9\n');
    const exit = await q.exited;
    assert.equal(exit.appExitCode, 9);
  });

  it('names qemuPath and the apt command when QEMU is missing', async () => {
    await expectMinnowError(startQemu({ elf: app.elf, qemuPath: '/nonexistent/qemu' }), /QEMU not found at \/nonexistent\/qemu$/, /--qemu.*apt-get .*qemu-system-x86/);
    const saved = process.env.PATH;
    process.env.PATH = tmp();
    try {
      await expectMinnowError(startQemu({ elf: app.elf }), /QEMU \(qemu-system-x86_64\) is not installed/, /apt-get .*install .*qemu-system-x86/);
    } finally {
      process.env.PATH = saved;
    }
  });

  it('refuses a missing ELF', async () => {
    await expectMinnowError(startQemu({ elf: join(tmp(), 'none.elf') }), /does not exist/, /minnow build/);
  });

  for (const how of ['exit', 'throw', 'SIGTERM', 'SIGINT', 'SIGHUP']) {
    it(`kills QEMU when Node ends by ${how}`, async () => {
      const mode = how.startsWith('SIG') ? 'wait' : how;
      const child = spawn(process.execPath, ['--require', 'tsx/cjs', join(__dirname, 'fixtures', 'hold-qemu.ts'), mode, app.elf], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (b) => (out += b.toString()));
      child.stderr.on('data', () => undefined);
      try {
        assert.ok(await until(() => /pid \d+\n/.test(out), 30000), 'the child never reported a QEMU pid');
        const pid = Number(/pid (\d+)/.exec(out)![1]);
        if (how.startsWith('SIG')) child.kill(how as NodeJS.Signals);
        assert.ok(await until(() => child.exitCode !== null || child.signalCode !== null, 10000), 'the child did not end');
        if (how.startsWith('SIG')) assert.equal(child.signalCode, how, 'Node keeps the default signal behaviour');
        assert.ok(await until(() => !isAlive(pid), 5000), `QEMU ${pid} survived its Node parent`);
      } finally {
        child.kill('SIGKILL');
      }
    });
  }

  it('has the fake QEMU fixture in place', () => {
    assert.ok(existsSync(FAKE));
  });
});
