// The extension's trace (target/trace.ts: one JSON object per line in the file MINNOW_TRACE
// names). The end-to-end tests wait on it (activation, sessions, kernel-view refreshes, the parts
// of an F5) instead of guessing from pixels; users can attach it to bug reports.

export { trace, tracing } from '../target';
