// The gdb process: spawned with an argument array (never a shell), its stdout cut into lines,
// the tail of its stderr kept for error messages, and one `exit` callback whatever the cause
// (normal exit, signal, or failure to start at all).

import { spawn, type ChildProcess } from 'node:child_process';

export interface TransportHandlers {
  line(line: string): void;
  exit(code: number | null, signal: NodeJS.Signals | null, detail: string): void;
}

export const GDB_MI_ARGS = ['--interpreter=mi3', '--nx', '-q'];

export class GdbTransport {
  private readonly child: ChildProcess;
  private pending: Buffer = Buffer.alloc(0);
  private stderrTail = '';
  private spawnError = '';
  private exited = false;

  constructor(gdbPath: string, extraArgs: string[], private readonly h: TransportHandlers, cwd?: string) {
    this.child = spawn(gdbPath, [...GDB_MI_ARGS, ...extraArgs], {
      stdio: ['pipe', 'pipe', 'pipe'],
      cwd,
      // gdb must not see a terminal or paging; LC_ALL=C keeps messages stable for matching
      env: { ...process.env, LC_ALL: 'C.UTF-8', TERM: 'dumb' },
    });
    this.child.stdout!.on('data', (d: Buffer) => this.onData(d));
    this.child.stderr!.on('data', (d: Buffer) => {
      this.stderrTail = (this.stderrTail + d.toString('utf8')).slice(-2000);
    });
    this.child.stdin!.on('error', () => undefined); // EPIPE when gdb died: reported by exit
    this.child.on('error', (e) => {
      this.spawnError = e.message;
      // a spawn failure emits no 'exit' or 'close'
      if (this.child.pid === undefined) this.finish(null, null);
    });
    this.child.on('close', (code, signal) => this.finish(code, signal));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return !this.exited;
  }

  write(line: string): void {
    if (this.exited || !this.child.stdin!.writable) return;
    this.child.stdin!.write(line + '\n');
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (!this.exited) this.child.kill(signal);
  }

  private onData(d: Buffer): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, d]) : d;
    let nl: number;
    while ((nl = this.pending.indexOf(10)) >= 0) {
      const line = this.pending.subarray(0, nl).toString('utf8');
      this.pending = this.pending.subarray(nl + 1);
      this.h.line(line);
    }
  }

  private finish(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.exited) return;
    this.exited = true;
    if (this.pending.length) this.h.line(this.pending.toString('utf8'));
    const detail = this.spawnError || this.stderrTail.trim().split('\n').slice(-3).join(' | ');
    this.h.exit(code, signal, detail);
  }
}
