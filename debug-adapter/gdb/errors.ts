// Typed failures of the gdb layer. Callers tell them apart with instanceof: an MI ^error from a
// command (GdbError), gdb gone (GdbExited), or no answer in time (GdbTimeout).

export class GdbError extends Error {
  constructor(
    readonly command: string,
    message: string,
    /** MI error code, e.g. "undefined-command" */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'GdbError';
  }
}

export class GdbExited extends Error {
  constructor(
    readonly code: number | null,
    readonly signal: NodeJS.Signals | null,
    /** the last lines gdb wrote to stderr, or a spawn error's message */
    readonly detail: string,
  ) {
    super(
      `gdb exited (${signal ? `signal ${signal}` : `code ${code}`})` + (detail ? `: ${detail}` : ''),
    );
    this.name = 'GdbExited';
  }
}

export class GdbTimeout extends Error {
  constructor(
    readonly command: string,
    readonly ms: number,
  ) {
    super(`gdb did not answer "${command}" within ${ms} ms`);
    this.name = 'GdbTimeout';
  }
}
