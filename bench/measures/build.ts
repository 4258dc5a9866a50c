// Build times of the hello application, in scratch projects so that no one's build folder is
// touched:
//  - build-clean: `minnow build` (the CLI process, as a user or the editor's build task runs it)
//    of examples/hello from an empty build folder without the build cache (the whole kernel and
//    the app, as every build did before the cache: the baseline);
//  - build-fresh-warm-cache: `minnow build` of a new project made by `minnow new hello` (empty
//    build folder), with the kernel's objects in the build cache (target/buildcache.ts): node's
//    start, main.c compiled, then the two-pass link; the goal (≤ 500 ms);
//  - build-incremental: after touching main.c (recompile main.c, relink), through the target API
//    (the make call of `minnow build`, without node's start).
// Clean and incremental builds alternate; each incremental build follows a finished build. The
// cache is a scratch folder of the run's, so the user's is neither used nor touched.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildApp, loadApp, type AppConfig } from '../../target';
import { REPO, type Context, type Measure } from '../lib/context';
import { naRow, row } from '../lib/stats';

const CLI = path.join(REPO, 'dist', 'cli.js');

function copyApp(ctx: Context, name = 'hello'): AppConfig {
  const dir = path.join(ctx.tmp, 'build-bench', name);
  fs.mkdirSync(dir, { recursive: true });
  for (const f of ['main.c', 'minnow.json']) fs.copyFileSync(path.join(REPO, 'examples', 'hello', f), path.join(dir, f));
  return loadApp(dir);
}

/** Runs the CLI with the repository's kernel and the given build cache; throws with its output on failure. */
function cli(args: string[], cache: string): { ms: number; stderr: string } {
  const env = { ...process.env, MINNOW_KERNEL: path.join(REPO, 'kernel'), MINNOW_BUILD_CACHE: cache };
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [CLI, ...args], { env, encoding: 'utf8', timeout: 600_000 });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`minnow ${args.join(' ')} failed (${r.status ?? r.signal}):\n${(r.stdout + r.stderr).slice(-2000)}`);
  return { ms, stderr: r.stderr };
}

/** `minnow build dir`, which must build (not find the ELF up to date). */
function cliBuild(dir: string, cache: string): number {
  const r = cli(['build', dir], cache);
  if (!/minnow: built /.test(r.stderr)) throw new Error(`minnow build ${dir} did not build: ${r.stderr.slice(-500)}`);
  return r.ms;
}

async function timedBuild(app: AppConfig, expectRebuilt: boolean, cache = true): Promise<number> {
  let log = '';
  const t0 = performance.now();
  const r = await buildApp(app, { cache, onOutput: (t) => (log += t) }).catch((e: Error) => {
    throw new Error(`${e.message}\n${log.slice(-2000)}`);
  });
  const ms = performance.now() - t0;
  if (r.rebuilt !== expectRebuilt) throw new Error(`build: expected rebuilt=${expectRebuilt}, make said ${r.rebuilt}`);
  return ms;
}

/** Moves main.c's mtime forward, so make sees it newer than its object without sleeping. */
function touch(file: string): void {
  const later = new Date(Math.max(Date.now(), fs.statSync(file).mtimeMs + 1000) + 1000);
  fs.utimesSync(file, later, later);
}

export const build: Measure = {
  name: 'build',
  rows: [
    { name: 'build-clean', unit: 'ms' },
    { name: 'build-fresh-warm-cache', unit: 'ms' },
    { name: 'build-incremental', unit: 'ms' },
  ],
  async run(ctx) {
    if (!fs.existsSync(CLI)) return build.rows.map((r) => naRow(r.name, r.unit, 'dist/cli.js not built (node scripts/build.mjs)'));
    const cache = path.join(ctx.tmp, 'build-bench', 'cache');
    const saved = process.env.MINNOW_BUILD_CACHE;
    process.env.MINNOW_BUILD_CACHE = cache;
    try {
      const app = copyApp(ctx);
      const clean: number[] = [];
      const warm: number[] = [];
      const incremental: number[] = [];
      const n = ctx.runs(5);
      await timedBuild(copyApp(ctx, 'warm-up'), true); // fills the cache
      for (let i = 0; i < n; i++) {
        fs.rmSync(app.buildDir, { recursive: true, force: true });
        if (i < 3) clean.push(cliBuild(app.dir, 'off'));
        const fresh = path.join(ctx.tmp, 'build-bench', `fresh-${i}`);
        cli(['new', 'hello', fresh], cache);
        warm.push(cliBuild(fresh, cache));
        if (i >= (ctx.quick ? 1 : 3)) continue;
        const freshApp = loadApp(fresh);
        touch(path.join(fresh, 'main.c'));
        incremental.push(await timedBuild(freshApp, true));
      }
      const jobs = `make -j${os.availableParallelism()}`;
      return [
        row({ name: 'build-clean', unit: 'ms', samples: clean, note: `minnow build, ${jobs}, kernel + hello, no cache (the baseline)` }),
        row({ name: 'build-fresh-warm-cache', unit: 'ms', samples: warm, note: 'minnow build of a new project (minnow new hello), kernel objects from the build cache' }),
        row({ name: 'build-incremental', unit: 'ms', samples: incremental, note: 'main.c touched, make through the target API' }),
      ];
    } finally {
      if (saved === undefined) delete process.env.MINNOW_BUILD_CACHE;
      else process.env.MINNOW_BUILD_CACHE = saved;
    }
  },
};
