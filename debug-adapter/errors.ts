// The adapter's one error catalogue. Every handler throws; `toResponse` is the one place that turns
// what was thrown into a DAP error response. It knows who is to blame: a user error (a wrong
// setting, an expression gdb rejects, a tool that is missing) is shown with what to do about it;
// an internal error (a bug in Minnow, an unexpected gdb answer) is logged with its stack.

import { GdbError, GdbExited, GdbTimeout } from './gdb';
import { isMinnowError } from '../target';

export class UserError extends Error {
  constructor(
    readonly id: number,
    message: string,
    /** what the user should do about it; empty when the message says it all */
    readonly fix: string = '',
    /** show as a notification (true) or only in the place that asked (hover, watch: false) */
    readonly showUser = true,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/** Error ids: stable, so tests and clients can tell them apart. */
export const ErrorId = {
  config: 1001,
  gdbMissing: 1002,
  qemuMissing: 1003,
  build: 1004,
  connect: 1005,
  notStopped: 1006,
  expression: 1007,
  gdbGone: 1008,
  badRequest: 1009,
  memory: 1010,
  internal: 1999,
} as const;

export const errors = {
  badAttribute: (name: string, problem: string, fix: string) =>
    new UserError(ErrorId.config, `The launch attribute "${name}" ${problem}.`, fix),
  gdbNotFound: (path: string, fromSetting: boolean, detail: string) =>
    new UserError(
      ErrorId.gdbMissing,
      `gdb could not be started from "${path}"${fromSetting ? ' (the "gdbPath" setting)' : ''}: ${detail}.`,
      fromSetting
        ? 'Fix "gdbPath" in launch.json, or remove it to use gdb from PATH.'
        : 'Install gdb (sudo apt-get install gdb) or set "gdbPath" in launch.json.',
    ),
  connectFailed: (target: string, detail: string) =>
    new UserError(
      ErrorId.connect,
      `gdb could not connect to ${target}: ${detail}.`,
      'Check that the kernel was started with a gdbstub (minnow debug) and that the host:port in "target" is right.',
    ),
  notStopped: () =>
    new UserError(ErrorId.notStopped, 'The kernel is running.', 'Pause it first (F6).', false),
  expression: (message: string) => new UserError(ErrorId.expression, message, '', false),
  gdbGone: (e: GdbExited) =>
    new UserError(ErrorId.gdbGone, e.message, 'The debug session has ended; start it again (F5).'),
  badRequest: (what: string) => new UserError(ErrorId.badRequest, what, '', false),
  memory: (address: string, message: string) =>
    new UserError(ErrorId.memory, `Cannot access memory at ${address}: ${message}`, '', false),
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
  if (e instanceof UserError) {
    return { id: e.id, format: e.fix ? `${e.message} ${e.fix}` : e.message, showUser: e.showUser, internal: false };
  }
  if (isMinnowError(e)) {
    return { id: ErrorId.config, format: `${e.message}. ${e.fix}`, showUser: true, internal: false };
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
