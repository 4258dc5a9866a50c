// Build times of examples/hello through the target API (the make call of `minnow build`), in a
// scratch copy of the application so that no one's build folder is touched:
//  - build-clean: from an empty build folder (the whole kernel and the app);
//  - build-incremental: after touching main.c (recompile main.c, relink).
// Clean and incremental builds alternate; each incremental build follows a finished build.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildApp, loadApp, type AppConfig } from '../../target';
import { REPO, type Context, type Measure } from '../lib/context';
import { row } from '../lib/stats';

function copyApp(ctx: Context): AppConfig {
  const dir = path.join(ctx.tmp, 'build-bench', 'hello');
  fs.mkdirSync(dir, { recursive: true });
  for (const f of ['main.c', 'minnow.json']) fs.copyFileSync(path.join(REPO, 'examples', 'hello', f), path.join(dir, f));
  return loadApp(dir);
}

async function timedBuild(app: AppConfig, expectRebuilt: boolean): Promise<number> {
  let log = '';
  const t0 = performance.now();
  const r = await buildApp(app, { onOutput: (t) => (log += t) }).catch((e: Error) => {
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
    { name: 'build-incremental', unit: 'ms' },
  ],
  async run(ctx) {
    const app = copyApp(ctx);
    const clean: number[] = [];
    const incremental: number[] = [];
    const n = ctx.runs(3);
    for (let i = 0; i < n; i++) {
      fs.rmSync(app.buildDir, { recursive: true, force: true });
      clean.push(await timedBuild(app, true));
      for (let j = 0; j < (ctx.quick ? 1 : 3); j++) {
        touch(path.join(app.dir, 'main.c'));
        incremental.push(await timedBuild(app, true));
      }
    }
    const jobs = `make -j${os.availableParallelism()}`;
    return [
      row({ name: 'build-clean', unit: 'ms', samples: clean, note: `${jobs}, kernel + hello` }),
      row({ name: 'build-incremental', unit: 'ms', samples: incremental }),
    ];
  },
};
