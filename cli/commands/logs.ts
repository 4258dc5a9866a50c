// `minnow logs [-f] NAME`: what the instance's guest wrote on its console, kept in its
// console.log. With -f it goes on printing what comes, until the instance ends (or Ctrl-C).

import { readSync, openSync, closeSync, fstatSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { consoleLog, getInstance, listInstances } from '../../target';
import { parseArgs, positionalsAtMost, UsageError, type Specs } from '../args';
import type { Io } from '../io';

export const LOGS_USAGE = 'minnow logs [-f] NAME';
export const LOGS_SPECS: Specs = {
  follow: { kind: 'boolean', short: 'f', help: 'keep printing the console as it comes, until the instance ends' },
};

const POLL_MS = 100;

export async function logsCommand(argv: string[], io: Io): Promise<number> {
  const p = parseArgs(argv, LOGS_SPECS, 'logs');
  positionalsAtMost(p, 1, 'logs', LOGS_USAGE);
  const name = p.positionals[0];
  if (!name) throw new UsageError('which instance? minnow logs needs a NAME', `Usage: ${LOGS_USAGE} (minnow ps --all lists the names)`);
  const inst = getInstance(name);
  const fd = openSync(consoleLog(inst), 'r');
  const buf = Buffer.alloc(64 * 1024);
  let at = 0;
  // a UTF-8 sequence cut between two reads is held back until its end arrives
  const text = new StringDecoder('utf8');
  const drain = (): void => {
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, at);
      if (n <= 0) return;
      at += n;
      const t = text.write(buf.subarray(0, n));
      if (t) io.out(t);
    }
  };
  const finish = (): number => {
    const rest = text.end();
    if (rest) io.out(rest);
    return 0;
  };
  try {
    drain();
    if (!p.options.follow) return finish();
    for (;;) {
      await new Promise((r) => setTimeout(r, POLL_MS));
      const now = listInstances().find((i) => i.name === name);
      if (fstatSync(fd).size > at) drain();
      if (!now || now.status === 'exited') {
        drain();
        return finish();
      }
    }
  } finally {
    closeSync(fd);
  }
}
