// Build times of examples/hello through the target API (the make call of `minnow build`), in a
// scratch copy of the application so that no one's build folder is touched:
//  - build-clean: from an empty build folder without the build cache (the whole kernel and the
//    app, as every build did before the cache: the baseline);
//  - build-fresh-warm-cache: a new copy of the project (empty build folder) with the kernel's
//    objects in the build cache (target/buildcache.ts): main.c compiled, then the link;
//  - build-incremental: after touching main.c (recompile main.c, relink).
// Clean and incremental builds alternate; each incremental build follows a finished build. The
// cache is a scratch folder of the run's, so the user's is neither used nor touched.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildApp, loadApp, type AppConfig } from '../../target';
import { REPO, type Context, type Measure } from '../lib/context';
import { row } from '../lib/stats';

function copyApp(ctx: Context, name = 'hello'): AppConfig {
  const dir = path.join(ctx.tmp, 'build-bench', name);
  fs.mkdirSync(dir, { recursive: true });
  for (const f of ['main.c', 'minnow.json']) fs.copyFileSync(path.join(REPO, 'examples', 'hello', f), path.join(dir, f));
  return loadApp(dir);
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
    const saved = process.env.MINNOW_BUILD_CACHE;
    process.env.MINNOW_BUILD_CACHE = path.join(ctx.tmp, 'build-bench', 'cache');
    try {
      const app = copyApp(ctx);
      const clean: number[] = [];
      const warm: number[] = [];
      const incremental: number[] = [];
      const n = ctx.runs(3);
      await timedBuild(copyApp(ctx, 'warm-up'), true); // fills the cache
      for (let i = 0; i < n; i++) {
        fs.rmSync(app.buildDir, { recursive: true, force: true });
        clean.push(await timedBuild(app, true, false));
        const fresh = copyApp(ctx, `fresh-${i}`);
        warm.push(await timedBuild(fresh, true));
        for (let j = 0; j < (ctx.quick ? 1 : 3); j++) {
          touch(path.join(fresh.dir, 'main.c'));
          incremental.push(await timedBuild(fresh, true));
        }
      }
      const jobs = `make -j${os.availableParallelism()}`;
      return [
        row({ name: 'build-clean', unit: 'ms', samples: clean, note: `${jobs}, kernel + hello, no cache (the baseline)` }),
        row({ name: 'build-fresh-warm-cache', unit: 'ms', samples: warm, note: 'a new project, kernel objects from the build cache' }),
        row({ name: 'build-incremental', unit: 'ms', samples: incremental }),
      ];
    } finally {
      if (saved === undefined) delete process.env.MINNOW_BUILD_CACHE;
      else process.env.MINNOW_BUILD_CACHE = saved;
    }
  },
};
