// The build cache on a filesystem that cannot take it, for real: a full disk (a tiny tmpfs), a disk
// that fills up during the build (a tmpfs out of inodes: make's compilers fail with "No space left
// on device" half-way) and a read-only filesystem (a read-only tmpfs, and a read-only bind mount of
// a complete cache). Each gives one clear warning naming the cache folder and the fix, or none when
// the read-only cache can still be read, and the build works. Mounting needs root (CI runs as
// root); where mount is refused the tests are reported pending with the reason, never as passed.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanupTmp, cli, compiled, killStragglers, tmp } from './helpers';

function envWith(vars: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.MINNOW_BUILD_CACHE;
  delete env.MINNOW_KERNEL;
  return { ...env, ...vars };
}

const mounted: string[] = [];

/** mount(8) with these arguments onto a new folder; undefined (and why) when mount is refused. */
function mount(args: string[]): { dir?: string; why?: string } {
  const dir = join(tmp('minnow-cache-mnt-'), 'm');
  mkdirSync(dir);
  const r = spawnSync('mount', [...args, dir], { encoding: 'utf8' });
  if (r.status !== 0) return { why: `mount ${args.join(' ')} failed: ${(r.stderr || r.error?.message || '').trim()}` };
  mounted.push(dir);
  return { dir };
}

/** mount() or, when mount is refused, the test reported pending with the reason. */
function mountOrSkip(ctx: Mocha.Context, args: string[]): string {
  const m = mount(args);
  if (m.dir) return m.dir;
  console.log(`      pending: ${m.why}`);
  return ctx.skip();
}

function unmountAll(): void {
  for (const dir of mounted.splice(0).reverse()) spawnSync('umount', ['-l', dir]);
}

async function fresh(env: NodeJS.ProcessEnv): Promise<string> {
  const dir = join(tmp('minnow-cache-app-'), 'app');
  const r = await cli(['new', 'hello', dir], { env });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  return dir;
}

function warnings(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.startsWith('minnow: warning:'));
}

/**
 * `minnow build` of a new project with this cache folder, which must succeed without the cache:
 * exactly one warning (returned, with make's stderr), the kernel built in the project, no entry
 * or temporary folder left in the cache, and the ELF boots.
 */
async function buildsWithoutCache(cache: string): Promise<{ warning: string; stderr: string }> {
  const env = envWith({ MINNOW_BUILD_CACHE: cache });
  const app = await fresh(env);
  const r = await cli(['build', app], { env });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const w = warnings(r.stderr);
  assert.equal(w.length, 1, r.stderr);
  assert.ok(compiled(r.stdout).includes('core/sched.c'), 'the kernel was built in the project');
  assert.ok(existsSync(join(app, 'build', 'obj', 'kernel', 'core', 'sched.c.o')));
  if (existsSync(cache)) assert.deepEqual(readdirSync(cache).filter((n) => n !== 'manifests'), [], 'no entry or temporary folder left in the cache');
  await boots(app, env);
  return { warning: w[0], stderr: r.stderr };
}

/** The fresh project built and booted: its ELF runs and prints the greeting. */
async function boots(app: string, env: NodeJS.ProcessEnv): Promise<void> {
  const run = await cli(['run', app, '--accel', 'tcg', '--timeout', '120'], { env, timeoutMs: 200000 });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.ok(run.stdout.includes('Hello from Minnow!'), run.stdout + run.stderr);
}

describe('cli: build cache on a full or read-only disk', function () {
  this.timeout(600000);
  after(() => {
    killStragglers();
    unmountAll();
    cleanupTmp();
  });

  it('a full disk (a 4 MiB tmpfs): one warning with the free space and the fix, the kernel built in the project', async function () {
    const cache = join(mountOrSkip(this, ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs']), 'kernel-objects');
    const { warning } = await buildsWithoutCache(cache);
    assert.match(warning, new RegExp(`the disk of the build cache ${cache} has only [0-4] MiB free; building without the cache\\. Fix: free space there`));
  });

  it('a disk that fills up during the build (a tmpfs out of inodes): the warning says why, the build is done again without the cache', async function () {
    // 70 MiB pass the free-space check; 40 inodes run out after a few objects
    const cache = join(mountOrSkip(this, ['-t', 'tmpfs', '-o', 'size=70m,nr_inodes=40', 'tmpfs']), 'kernel-objects');
    const { warning, stderr } = await buildsWithoutCache(cache);
    assert.match(stderr, /No space left on device/, 'the compilers hit the full disk');
    assert.ok(warning.includes(`the build cache ${cache} failed (No space left on device)`), warning);
    assert.match(warning, /building again without the cache\. Fix: free space there/);
  });

  it('a fill that failed is not tried again: the next build says so in one line and compiles only what changed; minnow clean --cache tries again', async function () {
    const cache = join(mountOrSkip(this, ['-t', 'tmpfs', '-o', 'size=70m,nr_inodes=40', 'tmpfs']), 'kernel-objects');
    const env = envWith({ MINNOW_BUILD_CACHE: cache });
    const app = await fresh(env);
    const first = await cli(['build', app], { env });
    assert.equal(first.code, 0, first.stdout + first.stderr);
    assert.ok(warnings(first.stderr)[0]?.includes(`the build cache ${cache} failed (No space left on device)`), first.stderr);
    // the next build of the project: main.c edited
    writeFileSync(join(app, 'main.c'), `${readFileSync(join(app, 'main.c'), 'utf8')}\n/* edited */\n`);
    const second = await cli(['build', app], { env });
    assert.equal(second.code, 0, second.stdout + second.stderr);
    const w = warnings(second.stderr);
    assert.equal(w.length, 1, second.stderr);
    assert.match(w[0], new RegExp(`the build cache ${cache} could not take these kernel objects \\(No space left on device, .* UTC\\); building without the cache until its disk has more room or \`minnow clean --cache\``));
    assert.ok(!second.stderr.split('\n').some((l) => !l.startsWith('minnow:') && /No space left/.test(l)), `no write to the full cache was tried: ${second.stderr}`);
    assert.deepEqual(compiled(second.stdout), ['main.c'], 'the kernel objects built in the project are kept');
    await boots(app, env);
    // minnow clean --cache forgets the failure: the build tries the cache again
    assert.equal((await cli(['clean', '--cache'], { env })).code, 0);
    const third = await cli(['build', await fresh(env)], { env });
    assert.equal(third.code, 0, third.stdout + third.stderr);
    assert.ok(warnings(third.stderr)[0]?.includes(`the build cache ${cache} failed (No space left on device)`), third.stderr);
  });

  it('a read-only filesystem without the entry: one warning naming it (EROFS) and the fix, the build works', async function () {
    const cache = join(mountOrSkip(this, ['-t', 'tmpfs', '-o', 'ro,size=8m', 'tmpfs']), 'kernel-objects');
    const { warning } = await buildsWithoutCache(cache);
    assert.ok(warning.includes(`cannot write the build cache ${cache} (EROFS`), warning);
    assert.match(warning, /building without the cache\. Fix: .*writable folder/);
  });

  it('a complete cache mounted read-only (a shared cache): used as it is, without a warning', async function () {
    const cache = join(tmp('minnow-cache-'), 'c');
    const env = envWith({ MINNOW_BUILD_CACHE: cache });
    const first = await cli(['build', await fresh(env)], { env });
    assert.equal(first.code, 0, first.stdout + first.stderr);
    const ro = mountOrSkip(this, ['--bind', cache]);
    // a bind mount is made read-only by a remount (older mount(8) ignore "ro" on the bind itself)
    const remount = spawnSync('mount', ['-o', 'remount,bind,ro', ro], { encoding: 'utf8' });
    assert.equal(remount.status, 0, remount.stderr);
    const probe = spawnSync('mkdir', [join(ro, 'probe')], { encoding: 'utf8' });
    assert.notEqual(probe.status, 0, 'the bind mount is read-only');
    const roEnv = envWith({ MINNOW_BUILD_CACHE: ro });
    const app = await fresh(roEnv);
    const r = await cli(['build', app], { env: roEnv });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(warnings(r.stderr), [], r.stderr);
    assert.deepEqual(compiled(r.stdout), ['main.c'], 'the kernel objects came from the read-only cache');
    await boots(app, roEnv);
  });
});
