// `minnow build`: the ELF, its .debug file and compile_commands.json, incremental rebuilds observed
// through make's output and the objects' mtimes, gcc diagnostics passed through, and each error
// with its fix.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { appFrom, appWith, cleanupTmp, cli, killStragglers, pathWithout, ROOT, tmp } from './helpers';

/** mtime of every object file under build/obj, by path relative to it. */
function objectTimes(app: string): Map<string, number> {
  const root = join(app, 'build', 'obj');
  const out = new Map<string, number>();
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.o')) out.set(relative(root, p), statSync(p).mtimeMs);
    }
  };
  walk(root);
  return out;
}

/**
 * Sources that make's output says it compiled: the quiet "  CC      main.c" lines name them relative
 * to the app or kernel folder (generated files under obj/ are left out, they belong to the link).
 */
function compiled(output: string): string[] {
  return output
    .split('\n')
    .map((l) => /^ {2}(CC|AS) +(\S+)$/.exec(l)?.[2])
    .filter((f): f is string => f !== undefined && !f.startsWith('obj/'));
}

describe('cli: build', function () {
  this.timeout(300000);
  after(() => {
    killStragglers();
    cleanupTmp();
  });

  it('builds build/<name>.elf, its debug info in build/<name>.debug, and compile_commands.json', async () => {
    const app = appFrom('hello');
    const r = await cli(['build', app]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const elf = readFileSync(join(app, 'build', 'hello.elf'));
    assert.equal(elf.subarray(0, 4).toString('latin1'), '\x7fELF');
    assert.equal(elf[4], 2, 'ELF64');
    assert.ok(!elf.includes('.debug_info'), 'the DWARF is split off');
    assert.ok(elf.includes('.gnu_debuglink') && elf.includes('hello.debug\0'), 'the ELF names its .debug file');
    assert.ok(!elf.includes('.symtab'), 'the ELF is stripped: its symbols live in the .debug file');
    const dbg = readFileSync(join(app, 'build', 'hello.debug'));
    assert.ok(dbg.includes('.debug_info') && dbg.includes('.symtab'), 'the .debug file has DWARF and symbols');
    // a guard against linking what hello does not name (files, network): the kernel alone, with SMP
    // start-up and the fd layer, is ~66 KiB
    assert.ok(statSync(join(app, 'build', 'hello.elf')).size <= 96 * 1024, 'hello.elf fits in 96 KiB');
    // gdb finds the .debug file through the debuglink, next to the ELF
    const gdb = spawnSync('gdb', ['-nx', '-batch', '-ex', 'info line main', join(app, 'build', 'hello.elf')], { encoding: 'utf8', timeout: 60000 });
    assert.match(gdb.stdout, /Line \d+ of ".*\/main\.c" starts at address/, gdb.stdout + gdb.stderr);
    const cdb = JSON.parse(readFileSync(join(app, 'build', 'compile_commands.json'), 'utf8')) as { file: string }[];
    assert.ok(cdb.some((e) => e.file === join(app, 'main.c')));
    assert.match(r.stderr, /minnow: built .*hello\.elf/);
  });

  it('builds the current folder when no folder is given', async () => {
    const app = appFrom('hello');
    const r = await cli(['build'], { cwd: app });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.ok(statSync(join(app, 'build', 'hello.elf')).size > 0);
  });

  it('rebuilds incrementally: touching main.c recompiles only main.c and relinks', async () => {
    // without the build cache, the kernel's objects live in build/obj too and must stay as they are
    // (test/cli/cli-buildcache.test.ts has the cache's own incremental builds)
    const env = { ...process.env, MINNOW_BUILD_CACHE: 'off' };
    const app = appFrom('hello');
    const first = await cli(['build', app], { env });
    assert.equal(first.code, 0, first.stdout + first.stderr);
    assert.ok(compiled(first.stdout).length > 3, 'the first build compiles the kernel too');
    const elfBefore = statSync(join(app, 'build', 'hello.elf')).mtimeMs;

    const same = await cli(['build', app], { env });
    assert.equal(same.code, 0);
    assert.deepEqual(compiled(same.stdout), [], 'nothing to do when nothing changed');
    assert.match(same.stderr, /up to date/);
    assert.equal(statSync(join(app, 'build', 'hello.elf')).mtimeMs, elfBefore);

    const before = objectTimes(app);
    const later = new Date(Date.now() + 2000);
    utimesSync(join(app, 'main.c'), later, later);
    const second = await cli(['build', app], { env });
    assert.equal(second.code, 0, second.stdout + second.stderr);
    assert.deepEqual(compiled(second.stdout), ['main.c']);
    assert.match(second.stdout, /^ {2}LD +hello\.elf$/m, 'relinked');
    assert.match(second.stdout, /^ {2}SPLIT +hello\.debug$/m, 'debug info split off again');
    const after = objectTimes(app);
    const changed = [...after].filter(([k, t]) => before.get(k) !== t).map(([k]) => k);
    assert.ok(changed.includes('app/main.c.o'), `main.c.o was rebuilt (changed: ${changed.join(', ')})`);
    assert.deepEqual(changed.filter((k) => k.startsWith('kernel/')), [], 'no kernel object was rebuilt');
    assert.ok(statSync(join(app, 'build', 'hello.elf')).mtimeMs > elfBefore);
  });

  for (const cache of ['off', 'a fresh one'] as const) {
    it(`builds again after the kernel folder or the project folder moved (an extension update), build cache ${cache}`, async () => {
      const env = { ...process.env, MINNOW_BUILD_CACHE: cache === 'off' ? 'off' : join(tmp(), 'cache') };
      const app = appFrom('hello');
      const oldKernel = join(tmp(), 'kernel');
      cpSync(join(ROOT, 'kernel'), oldKernel, { recursive: true });
      const first = await cli(['build', app, '--kernel', oldKernel], { env });
      assert.equal(first.code, 0, first.stdout + first.stderr);
      rmSync(oldKernel, { recursive: true });
      // the objects' dependency files name sources of the removed kernel folder
      const again = await cli(['build', app, '--kernel', join(ROOT, 'kernel')], { env });
      assert.equal(again.code, 0, again.stdout + again.stderr);
      assert.ok(compiled(again.stdout).length > 3 && compiled(again.stdout).includes('main.c'), 'everything was compiled again');
      assert.ok(!again.stderr.includes('warning'), again.stderr);
      const moved = `${app}-moved`;
      renameSync(app, moved);
      const third = await cli(['build', moved], { env });
      assert.equal(third.code, 0, third.stdout + third.stderr);
      assert.ok(compiled(third.stdout).includes('main.c'));
      rmSync(moved, { recursive: true });
    });
  }

  it("passes gcc's diagnostics through unchanged (file:line:col)", async () => {
    const app = appWith('int main(void)\n{\n\treturn undeclared_thing;\n}\n');
    const r = await cli(['build', app]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`${join(app, 'main.c').replace(/[.]/g, '\\.')}:3:\\d+: error: .undeclared_thing. undeclared`));
    assert.match(r.stderr, /minnow: error: build of app failed \(make exited with 2\)/);
    assert.match(r.stderr, /fix: Fix the errors reported above/);
  });

  it('says there is no minnow.json, and how to make one', async () => {
    const r = await cli(['build', tmp()]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /minnow: error: no minnow\.json in /);
    assert.match(r.stderr, /fix: .*minnow new hello/);
  });

  it('names a wrong minnow.json field and the fix', async () => {
    const app = appWith('int main(void) { return 0; }\n', { machine: 'pc' });
    const r = await cli(['build', app]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /"machine" is "pc", which is not one of: microvm, q35/);
    assert.match(r.stderr, /fix: Use one of: microvm, q35\./);
  });

  it('names the line and column of broken JSON', async () => {
    const app = appFrom('hello');
    writeFileSync(join(app, 'minnow.json'), '{\n  "name": "hello"\n  "sources": ["main.c"]\n}\n');
    const r = await cli(['build', app]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /minnow\.json:3:3: invalid JSON/);
  });

  it('says gcc is missing, with the apt command', async () => {
    const app = appFrom('hello');
    const r = await cli(['build', app], { env: { ...process.env, PATH: pathWithout(['gcc']) } });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /minnow: error: gcc is not installed or not on PATH/);
    assert.match(r.stderr, /fix: Install: .*apt-get install .*gcc/);
  });

  it('says make is missing, with the apt command', async () => {
    const app = appFrom('hello');
    const r = await cli(['build', app], { env: { ...process.env, PATH: pathWithout(['make']) } });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /make is not installed/);
    assert.match(r.stderr, /apt-get install .*make/);
  });

  it('refuses a kernel folder without a Makefile', async () => {
    const r = await cli(['build', appFrom('hello'), '--kernel', tmp()]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /has no Makefile/);
  });

  it('fetches lwIP on the first build of an application with "net", and says why when it cannot', async () => {
    // an empty lwIP folder: the build runs kernel/tools/fetch-lwip.sh against Debian's mirror
    const fresh = join(tmp('minnow-lwip-'), 'lwip');
    const app = appFrom('echo');
    const ok = await cli(['build', app], { env: { ...process.env, MINNOW_LWIP_DIR: fresh } });
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stderr, /fetching lwIP 2\.1\.3/);
    assert.ok(statSync(join(fresh, 'src', 'core', 'tcp_in.c')).isFile(), 'lwIP is in the folder');
    assert.ok(statSync(join(app, 'build', 'echo.elf')).isFile());
    // a mirror that cannot be reached: the script's reason and fix, not make's "No rule"
    const unreachable = join(tmp('minnow-lwip-'), 'lwip');
    const bad = await cli(['build', appFrom('echo')], {
      env: { ...process.env, MINNOW_LWIP_DIR: unreachable, MINNOW_DEBIAN_MIRROR: 'http://127.0.0.1:9/debian', XDG_CACHE_HOME: tmp('minnow-xdg-') },
    });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /minnow: error: cannot fetch lwIP 2\.1\.3 for the "net" component: apt-get update failed/);
    assert.match(bad.stderr, /fix: .*MINNOW_DEBIAN_MIRROR/);
  });
});
