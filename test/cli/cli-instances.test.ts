// Instances: `minnow run -d`, ps, logs [-f], stop, rm, with real QEMU processes run by the real
// supervisor, in a cache folder of the test's own (XDG_CACHE_HOME). Checked from outside: the
// processes (/proc), the gdbstub port (a real gdb attaches), the state folder on disk.

import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { appWith, cleanupTmp, cli, isAlive, killStragglers, tmp, type CliResult } from './helpers';

// main(argc, argv): "tick <i>" every 100 ms, argv[1] times (0: for ever), then exits with argv[2]
const TICKER = `#include <minnow.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 0;
	int code = argc > 2 ? atoi(argv[2]) : 0;

	printf("ticker up\\n");
	for (int i = 1; n == 0 || i <= n; i++) {
		sleep_ms(100);
		printf("tick %d\\n", i);
	}
	return code;
}
`;

interface PsRow {
  name: string;
  app: string;
  status: string;
  statusText: string;
  alive: boolean;
  qemu?: { pid: number };
  supervisor: { pid: number };
  gdbPort?: number;
  ports: string[];
  exit?: { reason: string; code?: number };
  dir: string;
  elf: string;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Live (not zombie) processes whose command line contains text, as "pid cmdline". */
function livingWith(text: string): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n) && Number(n) !== process.pid)) {
    let cmd = '';
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    } catch {
      continue; // exited meanwhile
    }
    if (cmd.includes(text) && isAlive(Number(pid))) out.push(`${pid} ${cmd}`);
  }
  return out;
}

async function until(what: string, test: () => Promise<boolean> | boolean, ms = 60000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await test())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('cli: instances (run -d, ps, logs, stop, rm)', function () {
  this.timeout(300000);
  let app: string;
  let cache: string;
  let env: NodeJS.ProcessEnv;
  const m = (args: string[]): Promise<CliResult> => cli(args, { env });
  const ps = async (): Promise<PsRow[]> => {
    const r = await m(['ps', '--all', '--json']);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as PsRow[];
  };
  const row = async (name: string): Promise<PsRow | undefined> => (await ps()).find((i) => i.name === name);

  before(async () => {
    app = appWith(TICKER, { name: 'ticker' });
    cache = tmp('minnow-cache-');
    env = { ...process.env, XDG_CACHE_HOME: cache };
    const r = await m(['build', app]);
    assert.equal(r.code, 0, r.stderr);
  });
  afterEach(async () => {
    await m(['rm', '-f', '--all']);
  });
  after(() => {
    killStragglers();
    cleanupTmp();
  });

  it('run -d prints the name, ps shows it running with its pid, and the exit code once it ends', async () => {
    const r = await m(['run', '-d', app, '--no-build', '--', '20', '3']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'ticker-1\n');
    const running = await row('ticker-1');
    assert.ok(running, 'listed');
    assert.equal(running.status, 'running');
    assert.ok(running.qemu && isAlive(running.qemu.pid), 'QEMU runs');
    const table = await m(['ps']);
    assert.match(table.stdout, /^NAME +APP +MACHINE +STATUS +UPTIME +PID +PORTS$/m);
    assert.match(table.stdout, new RegExp(`^ticker-1 +ticker +microvm +running +\\d+s +${running.qemu.pid}\\b`, 'm'));
    await until('the exit', async () => (await row('ticker-1'))?.status === 'exited');
    const done = await row('ticker-1');
    assert.equal(done?.statusText, 'exited (3)');
    assert.ok(!isAlive(running.qemu.pid) && !isAlive(running.supervisor.pid), 'QEMU and the supervisor are gone');
    assert.doesNotMatch((await m(['ps'])).stdout, /ticker-1/, 'ps without --all shows running ones only');
    assert.match((await m(['ps', '-a'])).stdout, /^ticker-1 .* exited \(3\) /m);
    const logs = await m(['logs', 'ticker-1']);
    assert.equal(logs.code, 0, logs.stderr);
    assert.equal(logs.stdout, `ticker up\n${Array.from({ length: 20 }, (_, k) => `tick ${k + 1}\n`).join('')}`);
  });

  it('names are unique: a second run -d of one name refuses, running or finished', async () => {
    const a = await m(['run', '-d', '--name', 'same', app, '--no-build']);
    assert.equal(a.code, 0, a.stderr);
    const b = await m(['run', '-d', '--name', 'same', app, '--no-build']);
    assert.equal(b.code, 1);
    assert.match(b.stderr, /^minnow: error: an instance named "same" already exists \(running\)$/m);
    assert.match(b.stderr, /fix: Stop it \(minnow stop same\)/);
    // two unnamed ones get different names
    const c = await m(['run', '-d', app, '--no-build']);
    const d = await m(['run', '-d', app, '--no-build']);
    assert.notEqual(c.stdout, d.stdout);
    assert.equal((await m(['stop', 'same'])).stdout, 'same\n');
    assert.equal((await row('same'))?.statusText, 'exited (stopped)');
    const e = await m(['run', '-d', '--name', 'same', app, '--no-build']);
    assert.equal(e.code, 1);
    assert.match(e.stderr, /already exists \(exited \(stopped\)\)[\s\S]*fix: Remove the old one \(minnow rm same\)/);
    const bad = await m(['run', '-d', '--name', 'no/slash', app, '--no-build']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /"no\/slash" is not a valid instance name/);
  });

  it('logs -f follows the console until the instance ends', async () => {
    const r = await m(['run', '-d', '--name', 'follow', app, '--no-build', '--', '8', '0']);
    assert.equal(r.code, 0, r.stderr);
    const f = await m(['logs', '-f', 'follow']);
    assert.equal(f.code, 0, f.stderr);
    assert.equal(f.stdout, `ticker up\n${[1, 2, 3, 4, 5, 6, 7, 8].map((i) => `tick ${i}\n`).join('')}`);
  });

  it('kill -9 of a detached QEMU shows as "exited (killed)"; stop and rm of it', async () => {
    await m(['run', '-d', '--name', 'victim', app, '--no-build']);
    const r = await row('victim');
    assert.ok(r?.qemu);
    process.kill(r.qemu.pid, 'SIGKILL');
    await until('the record', async () => (await row('victim'))?.status === 'exited');
    assert.equal((await row('victim'))?.statusText, 'exited (killed)');
    assert.match((await m(['ps', '-a'])).stdout, /^victim .* exited \(killed\) /m);
    const rm = await m(['rm', 'victim']);
    assert.equal(rm.stdout, 'victim\n');
    assert.equal(await row('victim'), undefined);
    assert.ok(!existsSync(r.dir), 'its folder is gone');
  });

  it('an entry whose processes all vanished without a record is cleaned as stale', async () => {
    await m(['run', '-d', '--name', 'stale', app, '--no-build']);
    const r = await row('stale');
    assert.ok(r?.qemu);
    process.kill(r.supervisor.pid, 'SIGKILL');
    process.kill(r.qemu.pid, 'SIGKILL');
    await until('both gone', () => !isAlive(r.qemu!.pid) && !isAlive(r.supervisor.pid));
    assert.equal(await row('stale'), undefined);
    assert.ok(!existsSync(r.dir));
  });

  it('a supervisor killed while QEMU runs on: still listed running, and stop still stops QEMU', async () => {
    await m(['run', '-d', '--name', 'orphan', app, '--no-build']);
    const r = await row('orphan');
    assert.ok(r?.qemu);
    process.kill(r.supervisor.pid, 'SIGKILL');
    await until('supervisor gone', () => !isAlive(r.supervisor.pid));
    assert.equal((await row('orphan'))?.status, 'running');
    assert.equal((await m(['stop', 'orphan'])).code, 0);
    assert.ok(!isAlive(r.qemu.pid));
    assert.equal((await row('orphan'))?.statusText, 'exited (stopped)');
  });

  it('--debug records the gdbstub port, and a real gdb attaches to it', async () => {
    const r = await m(['run', '-d', '--debug', '--name', 'dbg', app, '--no-build']);
    assert.equal(r.code, 0, r.stderr);
    const i = await row('dbg');
    assert.ok(i?.gdbPort, 'port recorded');
    assert.deepEqual(i.ports, [`gdb 127.0.0.1:${i.gdbPort}`]);
    assert.match(r.stderr, new RegExp(`gdb: target remote 127.0.0.1:${i.gdbPort}`));
    const g = spawnSync('gdb', ['-batch', '-nx', '-ex', `target remote 127.0.0.1:${i.gdbPort}`, '-ex', 'info threads', '-ex', 'detach', i.elf], { encoding: 'utf8', timeout: 60000 });
    assert.match(g.stdout, /"main"/, g.stdout + g.stderr);
    assert.equal((await m(['stop', 'dbg'])).code, 0);
    assert.equal(await portOpen(i.gdbPort), false, 'the port is closed');
  });

  it('stop --all, rm refusing a running one, rm -f, and bad names', async () => {
    await m(['run', '-d', '--name', 'one', app, '--no-build']);
    await m(['run', '-d', '--name', 'two', app, '--no-build']);
    const rm = await m(['rm', 'one']);
    assert.equal(rm.code, 2);
    assert.match(rm.stderr, /the instance "one" is running[\s\S]*fix: Stop it first \(minnow stop one\), or use minnow rm -f one/);
    const stop = await m(['stop', '--all']);
    assert.equal(stop.code, 0, stop.stderr);
    assert.deepEqual(stop.stdout.split('\n').filter(Boolean).sort(), ['one', 'two']);
    assert.deepEqual((await ps()).map((i) => i.statusText), ['exited (stopped)', 'exited (stopped)']);
    const missing = await m(['logs', 'nope']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /there is no instance named "nope"[\s\S]*fix: See the instances with: minnow ps --all/);
    const none = await m(['stop']);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /needs a NAME or --all/);
    const noD = await m(['run', '--name', 'x', app, '--no-build']);
    assert.equal(noD.code, 2);
    assert.match(noD.stderr, /--name works only with -d/);
  });

  it('an unwritable cache folder is a clear error', async function () {
    if (process.getuid?.() === 0) {
      // root writes anywhere: a file where the folder should be makes the same failure
      const bad = tmp('minnow-badcache-');
      writeFileSync(join(bad, 'minnow'), 'not a folder');
      const r = await cli(['run', '-d', app, '--no-build'], { env: { ...env, XDG_CACHE_HOME: bad } });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /minnow: error: cannot create the instances folder .*minnow\/instances[\s\S]*fix: .*XDG_CACHE_HOME/);
      return;
    }
    const ro = tmp('minnow-rocache-');
    mkdirSync(join(ro, 'c'));
    chmodSync(join(ro, 'c'), 0o500);
    const r = await cli(['run', '-d', app, '--no-build'], { env: { ...env, XDG_CACHE_HOME: join(ro, 'c') } });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /cannot create the instances folder/);
  });

  it('50 run -d / stop cycles leave no process, no port and no state', async () => {
    const seen: { qemu: number; sup: number; port: number }[] = [];
    for (let n = 0; n < 50; n++) {
      const r = await m(['run', '-d', '--debug', '--rm', '--name', `cycle`, app, '--no-build']);
      assert.equal(r.code, 0, `cycle ${n}: ${r.stderr}`);
      const i = await row('cycle');
      assert.ok(i?.qemu && i.gdbPort, `cycle ${n}: listed with its port`);
      seen.push({ qemu: i.qemu.pid, sup: i.supervisor.pid, port: i.gdbPort });
      // the check after the loop can see an instance's processes: here, they run
      if (n === 0) assert.ok(livingWith(app).length + livingWith(join(cache, 'minnow', 'instances')).length > 0, 'a running instance is found by its command line');
      const s = await m(['stop', 'cycle']);
      assert.equal(s.code, 0, `cycle ${n}: ${s.stderr}`);
      await until(`cycle ${n}'s entry to go (--rm)`, async () => (await row('cycle')) === undefined, 20000);
    }
    for (const s of seen) {
      assert.ok(!isAlive(s.qemu) && !isAlive(s.sup), `pid ${s.qemu}/${s.sup} gone`);
      assert.equal(await portOpen(s.port), false, `port ${s.port} closed`);
    }
    assert.equal(new Set(seen.map((s) => s.qemu)).size, 50, 'each cycle started a QEMU of its own');
    // nothing else of the instances either: no live process names the app's ELF or the state folder
    assert.deepEqual(livingWith(app).concat(livingWith(join(cache, 'minnow', 'instances'))), [], 'no process left');
    assert.deepEqual(await ps(), [], 'ps --all lists nothing');
    assert.deepEqual(readdirSync(join(cache, 'minnow', 'instances')), []);
  });
});
