// Builds the applications the benchmarks boot, with the target API (the same make call as
// `minnow build`), each into the run's scratch folder so that no one else's build directory is
// touched. Each application is built once per run.

import * as path from 'node:path';
import { buildApp, loadApp, type AppConfig } from '../../target';
import { REPO, type Context } from './context';

const built = new Map<string, Promise<AppConfig>>();

/** The app in `dir` (relative to the repo) with its build folder moved under ctx.tmp. */
export function benchApp(ctx: Context, dir: string, buildName = path.basename(dir)): AppConfig {
  const app = loadApp(path.resolve(REPO, dir));
  const buildDir = path.join(ctx.tmp, 'build', buildName);
  return { ...app, buildDir, elf: path.join(buildDir, `${app.name}.elf`) };
}

/** Builds `dir` once per run; resolves to the app (its elf exists). */
export function buildOnce(ctx: Context, dir: string): Promise<AppConfig> {
  let p = built.get(dir);
  if (!p) {
    p = (async () => {
      const app = benchApp(ctx, dir);
      let log = '';
      try {
        await buildApp(app, { onOutput: (t) => (log += t) });
      } catch (e) {
        throw new Error(`build of ${dir} failed: ${(e as Error).message}\n${log.slice(-3000)}`);
      }
      return app;
    })();
    built.set(dir, p);
  }
  return p;
}
