// The adapter's one error catalogue. Every handler throws; `toResponse` is the one place that turns
// what was thrown into a DAP error response. It knows who is to blame: a user error (a wrong
// setting, an expression gdb rejects, a tool that is missing) is shown with what to do about it;
// an internal error (a bug in Minnow, an unexpected gdb answer) is logged with its stack.

import { GdbError, GdbExited, GdbTimeout } from './gdb';
import { ERROR_IDS, isMinnowError, MinnowError, type ErrorKind } from '../target';

// The adapter's user errors are the project's one user-error type, MinnowError (target/errors.ts),
// made here with the adapter's wording.

/** Error ids: stable, so tests and clients can tell them apart (the catalogue: target/errors.ts). */
export const ErrorId = ERROR_IDS;

const userError = (kind: ErrorKind, message: string, fix = '', showUser = true): MinnowError => new MinnowError(message, fix, kind, showUser);

export const errors = {
  badAttribute: (name: string, problem: string, fix: string) =>
    userError('config', `The launch attribute "${name}" ${problem}.`, fix),
  gdbNotFound: (path: string, fromSetting: boolean, detail: string) =>
    userError('gdbMissing',
      `gdb could not be started from "${path}"${fromSetting ? ' (the "gdbPath" setting)' : ''}: ${detail}.`,
      fromSetting
        ? 'Fix "gdbPath" in launch.json, or remove it to use gdb from PATH.'
        : 'Install gdb (sudo apt-get install gdb) or set "gdbPath" in launch.json.',
    ),
  connectFailed: (target: string, detail: string) =>
    userError('connect',
      `gdb could not connect to ${target}: ${detail.replace(/\.+$/, '')}.`,
      'Check that the kernel was started with a gdbstub (minnow debug) and that the host:port in "target" is right.',
    ),
  nothingListens: (target: string) =>
    userError('connect',
      `Nothing listens on ${target}.`,
      'Start the kernel with a gdbstub first (minnow debug prints the host:port to attach to), or fix "target" in launch.json.',
    ),
  notStopped: () =>
    userError('notStopped', 'The kernel is running.', 'Pause it first (F6).', false),
  expression: (message: string) => userError('expression', message, '', false),
  /** an assignment gdb refused, with the reason when gdb's own message hides it */
  assignment: (message: string, fix: string) => userError('expression', message, fix, false),
  gdbGone: (e: GdbExited) =>
    userError('gdbGone', e.message, 'The debug session has ended; start it again (F5).'),
  badRequest: (what: string) => userError('badRequest', what, '', false),
  memory: (address: string, message: string) =>
    userError('memory', `Cannot access memory at ${address}: ${message}`, '', false),
};

export interface DapError {
  id: number;
  format: string;
  showUser: boolean;
  /** for the log: internal errors keep their stack */
  internal: boolean;
  detail?: string;
}

/** The one conversion from whatever was thrown to a DAP error. */
export function toDapError(e: unknown): DapError {
  if (isMinnowError(e)) {
    // target/'s messages end without a full stop, the adapter's own with one
    const sentence = /[.!?]$/.test(e.message) ? e.message : `${e.message}.`;
    // a fix that names a setting names the launch attribute here, not the CLI's flag
    const fix = e.fixFor('launch');
    return { id: e.id, format: fix ? `${sentence} ${fix}` : e.message, showUser: e.showUser, internal: false };
  }
  if (e instanceof GdbError) {
    // gdb rejected what the user asked for (an expression, a location): its message says why
    return { id: ErrorId.expression, format: e.message, showUser: false, internal: false };
  }
  if (e instanceof GdbExited) return toDapError(errors.gdbGone(e));
  if (e instanceof GdbTimeout) {
    return { id: ErrorId.internal, format: `Internal error: ${e.message}`, showUser: true, internal: true, detail: e.stack };
  }
  const err = e instanceof Error ? e : new Error(String(e));
  return {
    id: ErrorId.internal,
    format: `Internal error in the Minnow debug adapter: ${err.message}`,
    showUser: true,
    internal: true,
    detail: err.stack,
  };
}
