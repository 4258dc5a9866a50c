/*
 * Just enough GDB/MI to drive a real gdb from the tests: a token per
 * command, the result record, the console text a CLI command printed, and
 * the *stopped records. (The adapter has the real MI layer; this suite
 * stays independent of it so that a stub bug and an adapter bug never look
 * alike.)
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface MiResult {
  cls: string; // done, running, error, connected, exit
  line: string;
  console: string; // text of ~"..." stream records printed by this command
}

function unquote(s: string): string {
  // MI c-strings: \n, \t, \", \\ and octal escapes
  return JSON.parse(s.replace(/\\([0-7]{3})/g, (_m, o: string) => `\\u00${parseInt(o, 8).toString(16).padStart(2, '0')}`));
}

export class Gdb {
  private buf = '';
  private token = 1;
  private pending = new Map<number, { resolve: (r: MiResult) => void; console: string }>();
  private stops: string[] = [];
  private stopWaiters: Array<(s: string) => void> = [];
  private current?: number;
  /** everything gdb printed, for failure messages */
  log = '';
  readonly exited: Promise<number | null>;
  private child: ChildProcess;

  constructor(elf: string) {
    this.child = spawn('gdb', ['--interpreter=mi3', '-nx', '-q', elf], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (d: Buffer) => this.onData(d.toString('utf8')));
    this.child.stderr!.on('data', (d: Buffer) => (this.log += d.toString('utf8')));
    this.exited = new Promise((resolve) => this.child.on('exit', (c) => resolve(c)));
  }

  private onData(text: string): void {
    this.log += text;
    this.buf += text;
    let nl: number;
    while ((nl = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, nl).replace(/\r$/, '');
      this.buf = this.buf.slice(nl + 1);
      this.onLine(line);
    }
  }

  private onLine(line: string): void {
    const m = /^(\d+)\^(\w+)/.exec(line);
    if (m) {
      const tok = Number(m[1]);
      const p = this.pending.get(tok);
      if (p) {
        this.pending.delete(tok);
        if (this.current === tok) this.current = undefined;
        p.resolve({ cls: m[2], line, console: p.console });
      }
      return;
    }
    if (line.startsWith('~') || line.startsWith('&')) {
      if (this.current !== undefined) {
        const p = this.pending.get(this.current);
        if (p && line.startsWith('~')) p.console += unquote(line.slice(1));
      }
      return;
    }
    if (line.startsWith('*stopped')) {
      const w = this.stopWaiters.shift();
      if (w) w(line);
      else this.stops.push(line);
    }
  }

  /** Sends an MI command; resolves with its result record. */
  cmd(command: string, timeoutMs = 60000): Promise<MiResult> {
    const tok = this.token++;
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`gdb: no answer to ${command}\n${this.log.slice(-3000)}`)), timeoutMs);
      this.pending.set(tok, {
        resolve: (r) => {
          clearTimeout(t);
          resolve(r);
        },
        console: '',
      });
      this.current = tok;
      this.child.stdin!.write(`${tok}${command}\n`);
    });
  }

  /** A CLI command through MI; returns what it printed. Throws on ^error. */
  async cli(command: string, timeoutMs = 60000): Promise<string> {
    const r = await this.cmd(`-interpreter-exec console ${JSON.stringify(command)}`, timeoutMs);
    if (r.cls === 'error') throw new Error(`gdb: ${command}: ${r.line}`);
    return r.console;
  }

  /** The next *stopped record (one already received counts). */
  nextStop(timeoutMs = 60000): Promise<string> {
    const s = this.stops.shift();
    if (s) return Promise.resolve(s);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`gdb: no *stopped\n${this.log.slice(-3000)}`)), timeoutMs);
      this.stopWaiters.push((line) => {
        clearTimeout(t);
        resolve(line);
      });
    });
  }

  /** Forgets *stopped records not yet waited for. */
  clearStops(): void {
    this.stops = [];
  }

  /** Runs a resuming CLI command (continue, next...) and waits for the stop. */
  async resume(command: string, timeoutMs = 60000): Promise<string> {
    this.stops = [];
    const stopped = this.nextStop(timeoutMs);
    await this.cli(command, timeoutMs);
    return stopped;
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }
}
