// The build cache of kernel objects (target/buildcache.ts): a fresh project on a warm cache compiles
// only its own sources, an edited kernel source rebuilds just that object, two builds at once both
// work, an unwritable cache folder is a warning and not a failure, and `minnow clean --cache`
// empties it. Real builds with make and gcc; what was compiled is read from make's "CC" lines.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanupTmp, cli, compiled, killStragglers, ROOT, tmp } from './helpers';

/** The environment of a CLI run with its own cache folder (and, optionally, its own kernel). */
function envWith(vars: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.MINNOW_BUILD_CACHE;
  delete env.MINNOW_KERNEL;
  for (const [k, v] of Object.entries(vars)) if (v !== undefined) env[k] = v;
  return env;
}

/** A new project made by `minnow new` from the hello template. */
async function fresh(env: NodeJS.ProcessEnv): Promise<string> {
  const dir = join(tmp('minnow-cache-app-'), 'app');
  const r = await cli(['new', 'hello', dir], { env });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  return dir;
}

async function build(app: string, env: NodeJS.ProcessEnv): Promise<string> {
  const r = await cli(['build', app], { env });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  return r.stdout + r.stderr;
}

/** Entries of a cache folder (temporary folders of builds in progress have ".tmp-" in their name; manifests/ is the memo of file hashes). */
function entries(cache: string): string[] {
  return existsSync(cache) ? readdirSync(cache).filter((n) => n !== 'manifests') : [];
}

describe('cli: build cache', function () {
  this.timeout(600000);
  after(() => {
    killStragglers();
    cleanupTmp();
  });

  it('builds the kernel once: a fresh project on a warm cache compiles only main.c, and gdb finds the kernel sources', async () => {
    const env = envWith({ MINNOW_BUILD_CACHE: join(tmp('minnow-cache-'), 'c') });
    const first = compiled(await build(await fresh(env), env));
    assert.ok(first.includes('core/sched.c') && first.includes('main.c'), `a cold cache builds the kernel: ${first.join(' ')}`);
    const app = await fresh(env);
    const out = await build(app, env);
    assert.deepEqual(compiled(out), ['main.c'], out);
    assert.ok(existsSync(join(app, 'build', 'app.elf')));
    assert.ok(!existsSync(join(app, 'build', 'obj', 'kernel')), 'no kernel objects in the project');
    // the objects in the cache carry the kernel sources' absolute paths
    const gdb = spawnSync('gdb', ['-nx', '-batch', '-ex', 'info line sched_ready', join(app, 'build', 'app.elf')], { encoding: 'utf8', timeout: 60000 });
    assert.match(gdb.stdout, new RegExp(`Line \\d+ of "${join(ROOT, 'kernel', 'core', 'sched.c')}"`), gdb.stdout + gdb.stderr);
    assert.equal((await cli(['build', app], { env })).stderr.trim(), `minnow: up to date: ${join(app, 'build', 'app.elf')}`, 'a second build is a no-op');
  });

  it('rebuilds just the kernel object whose source was edited (a copied kernel tree)', async () => {
    const kernel = join(tmp('minnow-cache-kernel-'), 'kernel');
    cpSync(join(ROOT, 'kernel'), kernel, { recursive: true, preserveTimestamps: true });
    const env = envWith({ MINNOW_BUILD_CACHE: join(tmp('minnow-cache-'), 'c'), MINNOW_KERNEL: kernel });
    const app = await fresh(env);
    await build(app, env);
    appendFileSync(join(kernel, 'core', 'sched.c'), '\n/* a user fixing the scheduler */\n');
    const out = await build(app, env);
    assert.deepEqual(compiled(out), ['core/sched.c'], out);
    const gdb = spawnSync('gdb', ['-nx', '-batch', '-ex', 'info line sched_ready', join(app, 'build', 'app.elf')], { encoding: 'utf8', timeout: 60000 });
    assert.match(gdb.stdout, new RegExp(`of "${join(kernel, 'core', 'sched.c')}"`), gdb.stdout + gdb.stderr);
    // both trees stay in the cache: another project on the edited kernel compiles only its main.c
    assert.equal(entries(env.MINNOW_BUILD_CACHE!).filter((n) => !n.includes('.tmp-')).length, 2);
    assert.deepEqual(compiled(await build(await fresh(env), env)), ['main.c']);
  });

  it('a kernel folder replaced by another checkout with OLDER dates: the changed sources are compiled again, with and without the cache', async () => {
    // make compares dates: objects newer than the new checkout's files would be kept
    const root = tmp('minnow-cache-kernel-');
    const kernel = join(root, 'kernel');
    const other = join(root, 'other');
    cpSync(join(ROOT, 'kernel'), kernel, { recursive: true, preserveTimestamps: true });
    cpSync(join(ROOT, 'kernel'), other, { recursive: true });
    const init = join(other, 'core', 'init.c');
    writeFileSync(init, readFileSync(init, 'utf8').replace('PVH entry to main', 'PVH entry (other checkout)'));
    appendFileSync(join(other, 'include', 'stdio.h'), '\n/* the other checkout */\n');
    const old = new Date('2020-01-01T00:00:00Z');
    const age = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) age(join(dir, e.name));
        utimesSync(join(dir, e.name), old, old);
      }
    };
    age(other);
    for (const cache of [join(tmp('minnow-cache-'), 'c'), 'off']) {
      rmSync(kernel, { recursive: true, force: true });
      cpSync(join(ROOT, 'kernel'), kernel, { recursive: true, preserveTimestamps: true });
      const env = envWith({ MINNOW_BUILD_CACHE: cache, MINNOW_KERNEL: kernel });
      const app = await fresh(env);
      await build(app, env);
      assert.ok(!readFileSync(join(app, 'build', 'app.elf')).includes('other checkout'));
      // the other checkout takes the kernel folder's place (its files are years older than the objects)
      rmSync(kernel, { recursive: true, force: true });
      cpSync(other, kernel, { recursive: true, preserveTimestamps: true });
      const out = await build(app, env);
      const cc = compiled(out);
      assert.ok(cc.includes('core/init.c') && cc.includes('main.c'), `cache ${cache}: the changed source and what includes the changed header are compiled: ${cc.join(' ')}`);
      assert.ok(!cc.includes('core/sched.c'), `cache ${cache}: the unchanged ones are not: ${cc.join(' ')}`);
      assert.ok(readFileSync(join(app, 'build', 'app.elf')).includes('PVH entry (other checkout)'), `cache ${cache}: the ELF has the other checkout's kernel`);
      assert.match((await cli(['build', app], { env })).stderr, /minnow: up to date/, 'and is up to date after');
    }
  });

  it('two projects built at once on an empty cache both give bootable ELFs', async () => {
    const env = envWith({ MINNOW_BUILD_CACHE: join(tmp('minnow-cache-'), 'c') });
    const [a, b] = [await fresh(env), await fresh(env)];
    writeFileSync(join(b, 'main.c'), '#include <stdio.h>\nint main(void)\n{\n\tprintf("second project\\n");\n\treturn 3;\n}\n');
    const [ra, rb] = await Promise.all([cli(['build', a], { env }), cli(['build', b], { env })]);
    assert.equal(ra.code, 0, ra.stdout + ra.stderr);
    assert.equal(rb.code, 0, rb.stdout + rb.stderr);
    assert.equal(entries(env.MINNOW_BUILD_CACHE!).length, 1, `one entry, no temporary folder left: ${entries(env.MINNOW_BUILD_CACHE!).join(' ')}`);
    for (const [app, text, code] of [[a, 'Hello from Minnow!', 0], [b, 'second project', 3]] as const) {
      const run = await cli(['run', app, '--accel', 'tcg', '--timeout', '120'], { env, timeoutMs: 200000 });
      assert.equal(run.code, code, run.stdout + run.stderr);
      assert.ok(run.stdout.includes(text), run.stdout + run.stderr);
      assert.ok(!run.stdout.includes('  CC '), 'run found the build up to date');
    }
  });

  it('an unwritable cache folder: one warning naming it and the fix, and the build still works', async () => {
    // a file where the cache folder should be (chmod would not stop root, who runs CI)
    const home = join(tmp('minnow-cache-'), 'not-a-folder');
    writeFileSync(home, 'a file\n');
    const env = envWith({ XDG_CACHE_HOME: home });
    const app = await fresh(env);
    const r = await cli(['build', app], { env });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const warnings = r.stderr.split('\n').filter((l) => l.startsWith('minnow: warning:'));
    assert.equal(warnings.length, 1, r.stderr);
    assert.ok(warnings[0].includes(join(home, 'minnow', 'kernel-objects')), warnings[0]);
    assert.match(warnings[0], /building without the cache\. Fix: .*writable folder/);
    assert.ok(compiled(r.stdout).includes('core/sched.c'), 'the kernel was built in the project');
    assert.ok(existsSync(join(app, 'build', 'obj', 'kernel', 'core', 'sched.c.o')));
    assert.ok(existsSync(join(app, 'build', 'app.elf')));
  });

  it('minnow clean --cache empties the cache and leaves the project; minnow clean removes build/', async () => {
    const cache = join(tmp('minnow-cache-'), 'c');
    const env = envWith({ MINNOW_BUILD_CACHE: cache });
    const app = await fresh(env);
    await build(app, env);
    assert.equal(entries(cache).length, 1);
    const r = await cli(['clean', '--cache'], { env });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stderr, new RegExp(`emptied the build cache ${cache} \\(1 entry, [0-9.]+ MiB\\)`));
    assert.ok(!existsSync(cache), 'the cache folder is gone');
    assert.ok(existsSync(join(app, 'build', 'app.elf')), 'the project is left alone');
    // the next build fills the cache again
    assert.ok(compiled(await build(await fresh(env), env)).includes('core/sched.c'));
    assert.equal(entries(cache).length, 1);
    const c = await cli(['clean', app], { env });
    assert.equal(c.code, 0, c.stdout + c.stderr);
    assert.ok(!existsSync(join(app, 'build')));
    assert.equal(entries(cache).length, 1, 'minnow clean without --cache keeps the cache');
  });
});
