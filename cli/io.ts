// Where the CLI writes. Commands take an Io instead of touching process.stdout, which keeps
// them testable and makes the stdout/stderr split explicit: stdout carries what the user asked
// for (the guest console, a listing), stderr carries progress, build output and errors.

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export const processIo: Io = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
};

/** Resolves when stdout and stderr have handed everything to the OS. */
export function flushed(): Promise<void> {
  const drain = (s: NodeJS.WriteStream): Promise<void> => new Promise((r) => (s.writableLength === 0 ? r() : s.write('', () => r())));
  return Promise.all([drain(process.stdout), drain(process.stderr)]).then(() => undefined);
}
