// What a QEMU exit status means for a Minnow guest (the run contract in README.md):
// the kernel writes v (0..127) to the isa-debug-exit port and QEMU exits with (v << 1) | 1.
// v is the application's exit code (0..124), or 125 when the code it gave did not fit (negative, or
// 125 and above: the kernel prints which one on the console), except 126, which the kernel's gdbstub writes when gdb
// kills the VM (`kill`, the `k` packet), and 127, which the kernel writes when it crashed. An even
// status means the VM ended some other way (triple fault, reset, a QEMU shutdown), and status 1
// with a QEMU error on stderr means QEMU itself refused to start.

/** v the kernel writes for an application's code outside 0..124 (MINNOW_EXIT_APP_MAX). */
export const EXIT_OUT_OF_RANGE = 125;
/** v the kernel writes when it faults, panics or an assert fails (MINNOW_EXIT_CRASH). */
export const EXIT_CRASH = 127;
/** v the kernel's gdbstub writes when gdb kills the VM (MINNOW_EXIT_DEBUGGER): not a crash. */
export const EXIT_DEBUGGER = 126;

export type ExitReason =
  | 'exit' // the application exited; appExitCode holds its code
  | 'crash' // the kernel crashed (fault report on the console)
  | 'killed-by-debugger' // gdb's kill ended the VM through the kernel's stub
  | 'no-exit-device' // the VM ended without writing an exit code
  | 'qemu-error' // QEMU itself failed (bad argument, missing file...): see stderrTail
  | 'timeout' // killed by Minnow after the timeout
  | 'killed'; // killed by a signal (kill(), or from outside)

export interface QemuExit {
  /** QEMU's exit status, null when it was killed by a signal. */
  status: number | null;
  signal: NodeJS.Signals | null;
  reason: ExitReason;
  /** The application's exit code (0..124, or EXIT_OUT_OF_RANGE) when reason is 'exit'. */
  appExitCode?: number;
  /** True when the kernel reported a crash (v = 127). */
  crashed: boolean;
  /** One line for humans: "exit code 3", "kernel crashed", "QEMU failed: ...". */
  summary: string;
  /** The last few KB of QEMU's stderr. */
  stderrTail: string;
}

/** The first error line QEMU printed (not a warning), e.g. "qemu-system-x86_64: -m 1Q: ...". */
export function qemuErrorLine(stderr: string): string | undefined {
  return stderr
    .split('\n')
    .map((l) => l.trim())
    // warnings and "module ui-ui-gtk not found" (a missing optional GUI package) are not failures
    .find((l) => /^\S*qemu\S*: /.test(l) && !/^\S*: warning:/.test(l) && !/^\S*: module \S+ not found/.test(l));
}

export interface ExitFacts {
  status: number | null;
  signal: NodeJS.Signals | null;
  stderrTail: string;
  timedOut?: boolean;
  /** Minnow stopped it (QemuInstance.kill). */
  killed?: boolean;
}

/** QEMU catches SIGTERM/SIGINT/SIGHUP, says so on stderr and exits with status 0. */
function caughtSignal(stderr: string): NodeJS.Signals | undefined {
  const m = /terminating on signal (\d+)/.exec(stderr);
  if (!m) return undefined;
  const names: Record<string, NodeJS.Signals> = { '1': 'SIGHUP', '2': 'SIGINT', '15': 'SIGTERM' };
  return names[m[1]] ?? 'SIGTERM';
}

export function mapExit(f: ExitFacts): QemuExit {
  const base = { status: f.status, signal: f.signal, stderrTail: f.stderrTail, crashed: false };
  if (f.timedOut) {
    return { ...base, reason: 'timeout', summary: 'timed out: QEMU was stopped' };
  }
  const caught = f.status === 0 ? caughtSignal(f.stderrTail) : undefined;
  if (f.status === null || f.killed || caught) {
    const sig = f.signal ?? caught;
    return { ...base, signal: sig ?? null, reason: 'killed', summary: `QEMU was stopped${sig ? ` by ${sig}` : ''}` };
  }
  const qemuError = qemuErrorLine(f.stderrTail);
  if (f.status === 1 && qemuError) {
    return { ...base, reason: 'qemu-error', summary: `QEMU failed: ${qemuError}` };
  }
  if (f.status % 2 === 1) {
    const v = (f.status - 1) / 2;
    if (v === EXIT_CRASH) {
      return { ...base, crashed: true, reason: 'crash', summary: 'kernel crashed (see the fault report above)' };
    }
    if (v === EXIT_DEBUGGER) {
      return { ...base, reason: 'killed-by-debugger', summary: 'ended by the debugger (kill)' };
    }
    if (v === EXIT_OUT_OF_RANGE) {
      return { ...base, reason: 'exit', appExitCode: v, summary: `exit code ${v}: the application's code did not fit 0..124 (the console names it)` };
    }
    return { ...base, reason: 'exit', appExitCode: v, summary: `exit code ${v}` };
  }
  const why = qemuError ? `: ${qemuError}` : ' (a triple fault, a reset or a shutdown)';
  return { ...base, reason: 'no-exit-device', summary: `the VM ended without an exit code, QEMU status ${f.status}${why}` };
}
