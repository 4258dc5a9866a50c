// `minnow clean [dir]`: removes the application's build folder; `--cache` empties the build cache
// of kernel objects that projects share (target/buildcache.ts) instead, `--all` does both.

import { existsSync, rmSync } from 'node:fs';
import { buildCacheDir, buildCacheSize, cleanBuildCache, loadApp } from '../../target';
import { parseArgs, positionalsAtMost, type Specs } from '../args';
import type { Io } from '../io';

export const CLEAN_USAGE = 'minnow clean [dir] [--cache | --all]';
export const CLEAN_SPECS: Specs = {
  cache: { kind: 'boolean', help: "empty the build cache of kernel objects shared by all projects, not the project's build folder" },
  all: { kind: 'boolean', help: "both: the project's build folder and the build cache" },
};

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

export async function cleanCommand(argv: string[], io: Io): Promise<number> {
  const p = parseArgs(argv, CLEAN_SPECS, 'clean');
  positionalsAtMost(p, 1, 'clean', CLEAN_USAGE);
  const cache = p.options.cache === true || p.options.all === true;
  const project = p.options.cache !== true || p.options.all === true;
  if (project) {
    const app = loadApp(p.positionals[0] ?? '.');
    const had = existsSync(app.buildDir);
    rmSync(app.buildDir, { recursive: true, force: true });
    io.err(`minnow: ${had ? 'removed' : 'nothing to remove:'} ${app.buildDir}\n`);
  }
  if (cache) {
    const dir = buildCacheDir();
    const { bytes, entries } = buildCacheSize(dir);
    cleanBuildCache(dir);
    io.err(`minnow: emptied the build cache ${dir} (${entries} entr${entries === 1 ? 'y' : 'ies'}, ${mib(bytes)})\n`);
  }
  return 0;
}
