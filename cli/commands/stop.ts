// `minnow stop NAME...|--all`: stops running instances (their exit is recorded as "stopped") and
// prints each name once it is gone. `minnow rm [-f] NAME...|--all`: removes finished instances'
// records and logs (-f stops running ones first; --all without -f leaves running ones alone).

import { listInstances, removeInstance, stopInstance, getInstance } from '../../target';
import { parseArgs, UsageError, type Parsed, type Specs } from '../args';
import type { Io } from '../io';

export const STOP_USAGE = 'minnow stop NAME...|--all';
export const STOP_SPECS: Specs = {
  all: { kind: 'boolean', short: 'a', help: 'every running instance' },
};

export const RM_USAGE = 'minnow rm [-f] NAME...|--all';
export const RM_SPECS: Specs = {
  force: { kind: 'boolean', short: 'f', help: 'stop running instances first instead of refusing' },
  all: { kind: 'boolean', short: 'a', help: 'every finished instance (and running ones too with -f)' },
};

function names(p: Parsed, verb: string, usage: string, all: () => string[]): string[] {
  if (p.options.all) {
    if (p.positionals.length > 0) throw new UsageError(`give names or --all to minnow ${verb}, not both`, `Usage: ${usage}`);
    return all();
  }
  if (p.positionals.length === 0) throw new UsageError(`which instance? minnow ${verb} needs a NAME or --all`, `Usage: ${usage} (minnow ps --all lists the names)`);
  // every name checked before anything is done: a typo does not leave half the work done
  for (const n of p.positionals) getInstance(n);
  return p.positionals;
}

export async function stopCommand(argv: string[], io: Io): Promise<number> {
  const p = parseArgs(argv, STOP_SPECS, 'stop');
  const todo = names(p, 'stop', STOP_USAGE, () => listInstances().filter((i) => i.status !== 'exited').map((i) => i.name));
  await Promise.all(
    todo.map(async (n) => {
      await stopInstance(n);
      io.out(`${n}\n`);
    }),
  );
  return 0;
}

export async function rmCommand(argv: string[], io: Io): Promise<number> {
  const p = parseArgs(argv, RM_SPECS, 'rm');
  const force = p.options.force === true;
  const todo = names(p, 'rm', RM_USAGE, () => listInstances().filter((i) => force || i.status === 'exited').map((i) => i.name));
  const running = force ? undefined : todo.find((n) => getInstance(n).status !== 'exited');
  if (running) throw new UsageError(`the instance "${running}" is running`, `Stop it first (minnow stop ${running}), or use minnow rm -f ${running}.`);
  for (const n of todo) {
    await removeInstance(n, force);
    io.out(`${n}\n`);
  }
  return 0;
}
