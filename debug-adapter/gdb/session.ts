// A gdb/MI session: every command carries a numeric token and is matched to its result record by
// that token (never by arrival order), each with its own timeout; async records become typed
// events; when gdb exits every pending command is rejected with GdbExited. Commands are written
// at once, with no queue or lock in front of them, so an interrupt is never stuck behind another
// command. All arguments go through `quote`, the one quoting function of the layer.

import { GdbError, GdbExited, GdbTimeout } from './errors';
import {
  parseMiLine,
  str,
  tuple,
  type MiAsyncRecord,
  type MiRecord,
  type MiResultRecord,
  type MiTuple,
} from './parser';
import { GdbTransport, type TransportHandlers } from './transport';
import { toFrame, type MiFrame } from './types';

export interface StoppedEvent {
  /** MI reason: breakpoint-hit, end-stepping-range, signal-received, watchpoint-trigger, ... */
  reason: string;
  threadId?: number;
  frame?: MiFrame;
  signalName?: string;
  bkptno?: number;
  /** true when the stop was made by `whileStopped` and the target is about to resume */
  internal: boolean;
  raw: MiTuple;
}

export interface AbortedEvent {
  /** the command that answered ^running and later ^error, so the target did not run */
  command: string;
  message: string;
}

export type SessionEvents = {
  stopped: StoppedEvent;
  running: { threadId: string };
  /** console (~), target (@) and log (&) streams */
  stream: { kind: 'console' | 'target' | 'log'; text: string };
  /** any other async record: =thread-created, =breakpoint-modified, +download, ... */
  notify: MiAsyncRecord;
  aborted: AbortedEvent;
  /** a line that did not parse; shown as log text */
  unknown: string;
  exit: GdbExited;
};

type Listener<T> = (e: T) => void;

export interface SendOptions {
  timeoutMs?: number;
}

interface Pending {
  command: string;
  resolve(r: MiResultRecord): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

export const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Quotes one MI argument: bare when it is a plain word, else a c-string with backslash, quote and
 * control characters escaped. Every argument of every command passes through here.
 */
export function quote(arg: string): string {
  if (arg !== '' && /^[^\x00-\x20\x7f"\\'{}\[\],;#]+$/.test(arg)) return arg;
  let out = '"';
  for (const ch of arg) {
    switch (ch) {
      case '\\':
        out += '\\\\';
        break;
      case '"':
        out += '\\"';
        break;
      case '\n':
        out += '\\n';
        break;
      case '\r':
        out += '\\r';
        break;
      case '\t':
        out += '\\t';
        break;
      default:
        out += ch.charCodeAt(0) < 0x20 ? `\\${ch.charCodeAt(0).toString(8).padStart(3, '0')}` : ch;
    }
  }
  return out + '"';
}

/** What the session needs of the process; tests replace it with a recorded transcript. */
export interface GdbIo {
  readonly pid: number | undefined;
  readonly alive: boolean;
  write(line: string): void;
  kill(signal?: NodeJS.Signals): void;
}

export class GdbSession {
  private nextToken = 1;
  private readonly pending = new Map<number, Pending>();
  /** tokens that answered ^running: a later ^error with the same token means "did not run" */
  private readonly ranTokens = new Map<number, string>();
  private readonly listeners: { [K in keyof SessionEvents]?: Listener<SessionEvents[K]>[] } = {};
  private transport?: GdbIo;
  private exitInfo?: GdbExited;
  private internalStops = 0;
  /** whether the target is running, as far as *running/*stopped told us */
  running = false;
  /** every line in and out, for the adapter's trace log */
  trace?: (dir: '<' | '>', line: string) => void;

  /** Starts gdb. Resolves when it answers its first command, so a wrong path fails here. */
  async start(gdbPath: string, extraArgs: string[] = [], cwd?: string): Promise<void> {
    this.transport = new GdbTransport(gdbPath, extraArgs, this.handlers(), cwd);
    await this.send('-gdb-set', ['mi-async', 'on']);
  }

  /** Uses `io` instead of a gdb process; returns what feeds it lines and the exit. */
  useIo(io: GdbIo): TransportHandlers {
    this.transport = io;
    return this.handlers();
  }

  private handlers(): TransportHandlers {
    return {
      line: (l) => this.onLine(l),
      exit: (code, signal, detail) => this.onExit(new GdbExited(code, signal, detail)),
    };
  }

  get pid(): number | undefined {
    return this.transport?.pid;
  }

  get alive(): boolean {
    return this.transport?.alive ?? false;
  }

  on<K extends keyof SessionEvents>(event: K, fn: Listener<SessionEvents[K]>): () => void {
    const arr = (this.listeners[event] ??= []) as Listener<SessionEvents[K]>[];
    arr.push(fn);
    return () => {
      const i = arr.indexOf(fn);
      if (i >= 0) arr.splice(i, 1);
    };
  }

  private emit<K extends keyof SessionEvents>(event: K, e: SessionEvents[K]): void {
    for (const fn of [...((this.listeners[event] ?? []) as Listener<SessionEvents[K]>[])]) {
      try {
        fn(e);
      } catch {
        // a listener's bug must not break the stream
      }
    }
  }

  /** Sends `operation args...` and resolves with the ^done/^running/^connected record. */
  send(operation: string, args: readonly string[] = [], opts: SendOptions = {}): Promise<MiResultRecord> {
    const command = [operation, ...args.map(quote)].join(' ');
    if (this.exitInfo) return Promise.reject(this.exitInfo);
    if (!this.transport) return Promise.reject(new GdbExited(null, null, 'gdb was not started'));
    const token = this.nextToken++;
    const ms = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    return new Promise<MiResultRecord>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(token);
        reject(new GdbTimeout(command, ms));
      }, ms);
      this.pending.set(token, { command, resolve, reject, timer });
      const line = `${token}${command}`;
      this.trace?.('>', line);
      this.transport!.write(line);
    });
  }

  /** Sends a CLI command through -interpreter-exec and returns the console text it printed. */
  async cli(command: string, opts: SendOptions = {}): Promise<string> {
    let text = '';
    const off = this.on('stream', (s) => {
      if (s.kind === 'console') text += s.text;
    });
    try {
      await this.send('-interpreter-exec', ['console', command], opts);
      return text;
    } finally {
      off();
    }
  }

  /** Interrupts the running target at once; the stop arrives as a `stopped` event. */
  interrupt(): Promise<MiResultRecord> {
    return this.send('-exec-interrupt', [], { timeoutMs: 5000 });
  }

  /** Resolves at the next stopped event (or rejects when gdb exits or time runs out). */
  waitStopped(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<StoppedEvent> {
    return new Promise((resolve, reject) => {
      const offs: (() => void)[] = [];
      const done = (): void => {
        clearTimeout(timer);
        offs.forEach((f) => f());
      };
      const timer = setTimeout(() => {
        done();
        reject(new GdbTimeout('(wait for *stopped)', timeoutMs));
      }, timeoutMs);
      offs.push(this.on('stopped', (e) => (done(), resolve(e))));
      offs.push(this.on('exit', (e) => (done(), reject(e))));
    });
  }

  /**
   * Runs `fn` with the target stopped: when it runs, interrupts it, runs fn and resumes it, so
   * that breakpoints can be changed while the program runs without the user seeing a stop.
   * If the target stopped for a real reason meanwhile (a breakpoint), it stays stopped and the
   * stop is reported normally.
   */
  async whileStopped<T>(fn: () => Promise<T>): Promise<T> {
    if (!this.running) return fn();
    this.internalStops++;
    let stop: StoppedEvent;
    try {
      const stopped = this.waitStopped(5000);
      await this.interrupt();
      stop = await stopped;
    } finally {
      this.internalStops--;
    }
    try {
      return await fn();
    } finally {
      if (stop.internal && !this.running && this.alive) {
        await this.send('-exec-continue').catch(() => undefined);
      }
    }
  }

  /** Ends gdb: -gdb-exit, then SIGKILL if it is still there after `graceMs`. */
  async exit(graceMs = 1000): Promise<void> {
    if (!this.transport || !this.transport.alive) return;
    const gone = new Promise<void>((r) => this.on('exit', () => r()));
    this.transport.write(`${this.nextToken++}-gdb-exit`);
    const t = setTimeout(() => this.transport?.kill('SIGKILL'), graceMs);
    await gone;
    clearTimeout(t);
  }

  kill(): void {
    this.transport?.kill('SIGKILL');
  }

  private onLine(line: string): void {
    this.trace?.('<', line);
    this.handle(parseMiLine(line));
  }

  /** Exposed for the unit tests, which replay recorded transcripts. */
  handle(rec: MiRecord): void {
    switch (rec.kind) {
      case 'prompt':
        return;
      case 'unknown':
        if (rec.line.trim() !== '') this.emit('unknown', rec.line);
        return;
      case 'console':
      case 'target':
      case 'log':
        this.emit('stream', { kind: rec.kind, text: rec.text });
        return;
      case 'result':
        return this.onResult(rec);
      default:
        return this.onAsync(rec);
    }
  }

  private onResult(rec: MiResultRecord): void {
    const p = rec.token === undefined ? undefined : this.pending.get(rec.token);
    if (!p) {
      // A second answer to a command that already answered ^running: gdb could not resume
      // (e.g. a breakpoint at a bad address) and the target is stopped again, without *stopped.
      const ran = rec.token === undefined ? undefined : this.ranTokens.get(rec.token);
      if (ran !== undefined && rec.resultClass === 'error') {
        this.ranTokens.delete(rec.token!);
        this.running = false;
        this.emit('aborted', { command: ran, message: str(rec.results.msg) ?? 'command aborted' });
      }
      return; // stray results (late answers to timed-out commands) are dropped
    }
    this.pending.delete(rec.token!);
    clearTimeout(p.timer);
    if (rec.resultClass === 'error') {
      p.reject(new GdbError(p.command, str(rec.results.msg) ?? 'unknown gdb error', str(rec.results.code)));
      return;
    }
    if (rec.resultClass === 'running') {
      this.ranTokens.set(rec.token!, p.command);
      if (this.ranTokens.size > 64) this.ranTokens.delete(this.ranTokens.keys().next().value!);
    }
    p.resolve(rec);
  }

  private onAsync(rec: MiAsyncRecord): void {
    if (rec.kind === 'exec' && rec.asyncClass === 'stopped') {
      this.running = false;
      const r = rec.results;
      const reason = str(r.reason) ?? 'unknown';
      const signalName = str(r['signal-name']);
      const internal = this.internalStops > 0 && (reason === 'signal-received' || reason === 'unknown') &&
        (signalName === undefined || signalName === 'SIGINT' || signalName === '0');
      const fr = tuple(r.frame);
      const tid = Number(str(r['thread-id']));
      const bk = Number(str(r.bkptno));
      this.emit('stopped', {
        reason,
        threadId: Number.isFinite(tid) ? tid : undefined,
        frame: fr ? toFrame(fr) : undefined,
        signalName,
        bkptno: Number.isFinite(bk) ? bk : undefined,
        internal,
        raw: r,
      });
      return;
    }
    if (rec.kind === 'exec' && rec.asyncClass === 'running') {
      this.running = true;
      this.emit('running', { threadId: str(rec.results['thread-id']) ?? 'all' });
      return;
    }
    this.emit('notify', rec);
  }

  private onExit(e: GdbExited): void {
    this.exitInfo = e;
    this.running = false;
    for (const [, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(e);
    }
    this.pending.clear();
    this.emit('exit', e);
  }
}
