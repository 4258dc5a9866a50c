// `minnow run [dir]`: build if needed, boot, stream the guest console to stdout, exit with the
// application's exit code. Build output and Minnow's own messages go to stderr so that stdout
// is exactly what the guest printed.

import { qemuOptionsFor, startQemu } from '../../target';
import { parseArgs, positionalsAtMost, type Specs } from '../args';
import { forwardStdin, loadAndBuild, qemuStderr, reportExit, vmChoices, VM_SPECS, warnAboutKvm } from '../common';
import type { Io } from '../io';
import { checkDetachOptions, DETACH_SPECS, runDetached } from './detached';

export const RUN_USAGE = 'minnow run [dir] [options] [-- args for main]';
export const RUN_SPECS: Specs = { ...VM_SPECS, ...DETACH_SPECS };

export async function runCommand(argv: string[], io: Io): Promise<number> {
  const p = parseArgs(argv, RUN_SPECS, 'run');
  positionalsAtMost(p, 1, 'run', RUN_USAGE);
  checkDetachOptions(p);
  const app = await loadAndBuild(p, io.err, { qemu: true });
  if (p.options.detach) return runDetached(p, app, io);
  const v = vmChoices(p, app);
  warnAboutKvm(v, io.err);
  const q = await startQemu({
    ...qemuOptionsFor(app),
    ...v,
    onConsole: io.out,
    onStderr: qemuStderr(io.err),
  });
  const stopStdin = forwardStdin(q);
  const exit = await q.exited;
  stopStdin();
  return reportExit(exit, (line) => io.err(line + '\n'));
}
