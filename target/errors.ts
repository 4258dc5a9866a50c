// The one error type for mistakes a user can fix: a missing tool, a wrong minnow.json field, an
// unknown template, a build that failed, a launch attribute or request the adapter cannot take.
// It carries the problem (message), what to do about it (fix) and its kind, whose number is the
// error id clients see (DAP error responses, `minnow --json` one day): stable, so tests and tools
// can tell errors apart without matching words. Anything else that is thrown is an internal
// error: a bug in Minnow, shown with a stack.

/** Every kind of user error and its stable id. */
export const ERROR_IDS = {
  /** a launch attribute, a setting, an option of the CLI that is wrong */
  config: 1001,
  gdbMissing: 1002,
  qemuMissing: 1003,
  /** the build failed or could not run */
  build: 1004,
  /** gdb could not reach the stub */
  connect: 1005,
  notStopped: 1006,
  /** gdb rejected an expression or an assignment */
  expression: 1007,
  gdbGone: 1008,
  badRequest: 1009,
  memory: 1010,
  /** minnow.json is missing or wrong */
  manifest: 1011,
  /** a host folder, disk image or kernel folder that is missing or unusable */
  path: 1012,
  /** QEMU did not start or stopped before it was ready */
  qemu: 1013,
  /** a host port that is taken */
  port: 1014,
  /** a detached instance: unknown, running, or its state folder unusable */
  instance: 1015,
  /** a tool other than QEMU and gdb (make, gcc, mtools...) */
  toolMissing: 1016,
  /** the command line of the CLI */
  usage: 1017,
  internal: 1999,
} as const;

export type ErrorKind = Exclude<keyof typeof ERROR_IDS, 'internal'>;

/**
 * Who reads a fix: someone at the command line (flags, minnow commands) or someone with a launch
 * configuration (the debug adapter, the VS Code extension: attributes in launch.json). target/
 * serves both, so a fix that names a setting is worded for each.
 */
export type Audience = 'cli' | 'launch';

/** A fix in each audience's words. */
export type Advice = Readonly<Record<Audience, string>>;

/** A setting in the reader's words: the CLI's flag, or the launch attribute "in launch.json". */
export type Say = (flag: string, attribute: string) => string;

/**
 * A fix that names a setting, written once: `say(flag, attribute)` is the CLI's flag for the
 * command line and the launch attribute, "in launch.json", for a launch configuration.
 * advise((say) => `Use ${say('--accel tcg', '"accel": "tcg"')}.`)
 */
export function advise(fix: (say: Say, audience: Audience) => string): Advice {
  return {
    cli: fix((flag) => flag, 'cli'),
    launch: fix((_flag, attribute) => `${attribute} in launch.json`, 'launch'),
  };
}

export class MinnowError extends Error {
  /** What the user should do, one or two sentences ("Install it: sudo apt-get install ..."), for each audience. */
  readonly advice: Advice;
  readonly kind: ErrorKind;
  /** show as a notification (true) or only in the place that asked (a hover, a watch: false) */
  readonly showUser: boolean;

  constructor(message: string, fix: string | Advice, kind: ErrorKind = 'config', showUser = true) {
    super(message);
    this.name = 'MinnowError';
    this.advice = typeof fix === 'string' ? { cli: fix, launch: fix } : fix;
    this.kind = kind;
    this.showUser = showUser;
  }

  /** The fix as the command line says it (the CLI, instances it started); see fixFor. */
  get fix(): string {
    return this.advice.cli;
  }

  /** The fix in the words of whoever shows the error. */
  fixFor(audience: Audience): string {
    return this.advice[audience];
  }

  get id(): number {
    return ERROR_IDS[this.kind];
  }
}

export function isMinnowError(e: unknown): e is MinnowError {
  return e instanceof MinnowError;
}

/** The apt command that installs the given Debian packages. */
export function aptInstall(packages: string[]): string {
  const sudo = typeof process.getuid === 'function' && process.getuid() === 0 ? '' : 'sudo ';
  return `${sudo}apt-get update && ${sudo}apt-get install -y --no-install-recommends ${packages.join(' ')}`;
}
