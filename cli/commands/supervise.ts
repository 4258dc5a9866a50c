// The hidden verb `minnow __supervise <instance dir>`: the background process that `run -d`
// starts to watch one instance's QEMU (target/instances.ts). Not for users; not in --help.

import { superviseInstance } from '../../target';
import type { Io } from '../io';

export const SUPERVISE_VERB = '__supervise';

export async function superviseCommand(argv: string[], io: Io): Promise<number> {
  if (argv.length !== 1) {
    io.err('minnow: __supervise is used by minnow run -d, with one instance folder\n');
    return 2;
  }
  await superviseInstance(argv[0]);
  return 0;
}
