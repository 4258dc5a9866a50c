// A minimal Debug Adapter Protocol client for the DAP figures: runs `node dist/debugAdapter.js`
// in a process group of its own (so QEMU and gdb, which the adapter starts, go with it), frames
// messages with Content-Length, pairs responses with requests by seq, and lets a caller wait for
// an event. Only what the benchmark needs.

import type { ChildProcess } from 'node:child_process';
import { killChild, spawnGroup } from './proc';

interface Message {
  type: 'request' | 'response' | 'event';
  seq: number;
  command?: string;
  event?: string;
  request_seq?: number;
  success?: boolean;
  message?: string;
  body?: Record<string, unknown>;
}

type Waiter = { event: string; resolve(m: Message): void; reject(e: Error): void; timer: NodeJS.Timeout };

export class DapClient {
  private readonly child: ChildProcess;
  private buf = Buffer.alloc(0);
  private seq = 1;
  private readonly pending = new Map<number, { resolve(m: Message): void; reject(e: Error): void }>();
  private waiters: Waiter[] = [];
  private exited = false;
  stderr = '';
  /** The tail of the adapter's output events (console text, the guest's COM1), for errors. */
  output = '';
  /** Every event's name in order of arrival (for error messages). */
  events: string[] = [];

  constructor(adapter: string, env: NodeJS.ProcessEnv = {}) {
    this.child = spawnGroup(process.execPath, [adapter], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    this.child.stdout!.on('data', (d: Buffer) => this.onData(d));
    this.child.stderr!.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString('utf8')).slice(-4000)));
    this.child.once('exit', (code, signal) => {
      this.exited = true;
      const e = new Error(`the adapter exited (${code ?? signal}); stderr: ${this.stderr.slice(-500)}`);
      for (const p of this.pending.values()) p.reject(e);
      for (const w of this.waiters) (clearTimeout(w.timer), w.reject(e));
      this.pending.clear();
      this.waiters = [];
    });
  }

  private onData(d: Buffer): void {
    this.buf = Buffer.concat([this.buf, d]);
    for (;;) {
      const end = this.buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const m = /Content-Length: *(\d+)/i.exec(this.buf.subarray(0, end).toString('ascii'));
      if (!m) throw new Error('DAP: a header without Content-Length');
      const len = Number(m[1]);
      if (this.buf.length < end + 4 + len) return;
      const msg = JSON.parse(this.buf.subarray(end + 4, end + 4 + len).toString('utf8')) as Message;
      this.buf = this.buf.subarray(end + 4 + len);
      this.dispatch(msg);
    }
  }

  private dispatch(msg: Message): void {
    if (msg.type === 'response') {
      const p = this.pending.get(msg.request_seq!);
      this.pending.delete(msg.request_seq!);
      if (!p) return;
      if (msg.success) p.resolve(msg);
      else p.reject(new Error(`DAP ${msg.command} failed: ${msg.message ?? ''} ${JSON.stringify(msg.body ?? {})}`));
    } else if (msg.type === 'event') {
      this.events.push(msg.event!);
      if (msg.event === 'output') this.output = (this.output + String(msg.body?.output ?? '')).slice(-2000);
      const i = this.waiters.findIndex((w) => w.event === msg.event);
      if (i >= 0) {
        const [w] = this.waiters.splice(i, 1);
        clearTimeout(w.timer);
        w.resolve(msg);
      }
    } else if (msg.type === 'request') {
      // reverse requests (runInTerminal, ...): refuse, the benchmark has no terminal
      this.write({ type: 'response', seq: this.seq++, request_seq: msg.seq, command: msg.command, success: false, message: 'not supported' });
    }
  }

  private write(msg: object): void {
    const json = JSON.stringify(msg);
    this.child.stdin!.write(`Content-Length: ${Buffer.byteLength(json, 'utf8')}\r\n\r\n${json}`);
  }

  request(command: string, args: object = {}, timeoutMs = 60_000): Promise<Message> {
    if (this.exited) return Promise.reject(new Error(`the adapter has exited; stderr: ${this.stderr.slice(-500)}`));
    const seq = this.seq++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => (this.pending.delete(seq), reject(new Error(`DAP ${command}: no response in ${timeoutMs} ms`))), timeoutMs);
      this.pending.set(seq, {
        resolve: (m) => (clearTimeout(timer), resolve(m)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      this.write({ type: 'request', seq, command, arguments: args });
    });
  }

  /** Resolves at the next `event` that arrives after this call. */
  waitEvent(event: string, timeoutMs = 60_000): Promise<Message> {
    return new Promise((resolve, reject) => {
      const w: Waiter = {
        event,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((x) => x !== w);
          const seen = this.events.slice(-12).join(' ');
          reject(new Error(`DAP: no ${event} event in ${timeoutMs} ms (events: ${seen}); output: ${this.output.slice(-600)} stderr: ${this.stderr.slice(-300)}`));
        }, timeoutMs),
      };
      this.waiters.push(w);
    });
  }

  /** Disconnects (terminating the debuggee) and kills the adapter's process group. */
  async close(): Promise<void> {
    if (!this.exited) await this.request('disconnect', { terminateDebuggee: true }, 5000).catch(() => undefined);
    await killChild(this.child);
  }
}
