// A trace of what Minnow's programs did, one JSON object per line ({ t: ms since the epoch,
// event, ...data }), appended only when the environment variable MINNOW_TRACE names a file. The
// extension, the debug adapter and the CLI write to the same file (the adapter and the CLI
// inherit the variable from the extension host), so one file tells where the time of an F5 went;
// the end-to-end tests wait on it instead of guessing from pixels; users can attach it to bug
// reports. Writing is synchronous (appendFileSync) so that lines from the processes never interleave.

import { appendFileSync } from 'node:fs';

const traceFile = process.env.MINNOW_TRACE;

export function tracing(): boolean {
  return Boolean(traceFile);
}

export function trace(event: string, data: Record<string, unknown> = {}): void {
  if (!traceFile) return;
  try {
    appendFileSync(traceFile, JSON.stringify({ t: Date.now(), event, ...data }) + '\n');
  } catch {
    // tracing must never break the program
  }
}
