// `minnow build [dir]`: make the application's ELF with its kernel. make's and gcc's output go
// to stdout/stderr unchanged, so editors' gcc problem matchers can read them.

import { buildApp, loadApp, trace } from '../../target';
import { parseArgs, positionalsAtMost } from '../args';
import { BUILD_SPECS } from '../common';
import type { Io } from '../io';

export const BUILD_USAGE = 'minnow build [dir] [options]';
export const BUILD_OPTION_SPECS = BUILD_SPECS;

export async function buildCommand(argv: string[], io: Io): Promise<number> {
  trace('cli-build', { started: Math.round(performance.timeOrigin) });
  const p = parseArgs(argv, BUILD_SPECS, 'build');
  positionalsAtMost(p, 1, 'build', BUILD_USAGE);
  const app = loadApp(p.positionals[0] ?? '.');
  const r = await buildApp(app, { kernelDir: p.options.kernel as string | undefined, onOutput: (text, stream) => (stream === 'stderr' ? io.err(text) : io.out(text)) });
  trace('cli-built');
  io.err(`minnow: ${r.rebuilt ? 'built' : 'up to date:'} ${app.elf}\n`);
  return 0;
}
