// A trace of what the extension did, one JSON object per line, written only when the environment
// variable MINNOW_TRACE names a file. The end-to-end tests wait on it (activation, sessions,
// kernel-view refreshes) instead of guessing from pixels; users can attach it to bug reports.

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
    // tracing must never break the extension
  }
}
