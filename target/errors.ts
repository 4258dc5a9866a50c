// The one error type for mistakes a user can fix: a missing tool, a wrong minnow.json field, an
// unknown template, a build that failed. It carries the problem (message) and what to do about
// it (fix). Anything else that is thrown is an internal error: a bug in Minnow, shown with a stack.

export class MinnowError extends Error {
  /** What the user should do, one or two sentences ("Install it: sudo apt-get install ..."). */
  readonly fix: string;

  constructor(message: string, fix: string) {
    super(message);
    this.name = 'MinnowError';
    this.fix = fix;
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
