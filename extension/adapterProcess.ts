// The debug adapter (dist/debugAdapter.js) as a process the extension starts itself, a little
// ahead: when F5 resolves a launch, before its build task runs, so that Node's start and the
// adapter's loading overlap the build instead of following it. The session then talks to that
// process through its stdin and stdout (DAP's Content-Length framing), exactly as VS Code does
// with a DebugAdapterExecutable; the adapter is the same separate program either way. A process
// no session takes (the build failed, F5 was cancelled) is ended after SPARE_MS, or at once when
// another launch prepares its own.

import * as vscode from 'vscode';
import { spawn, type ChildProcess } from 'node:child_process';
import { trace } from './trace';

const SPARE_MS = 60_000;
const HEADER = /Content-Length: (\d+)\r\n\r\n/;

export class AdapterProcess implements vscode.DebugAdapter {
  private readonly child: ChildProcess;
  private readonly sent = new vscode.EventEmitter<vscode.DebugProtocolMessage>();
  readonly onDidSendMessage = this.sent.event;
  private buffer = Buffer.alloc(0);
  private exited = false;
  private ended = false;

  constructor(program: string, env: Record<string, string>) {
    this.child = spawn(process.execPath, [program], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (b: Buffer) => this.read(b));
    this.child.stderr!.on('data', (b: Buffer) => trace('adapter-stderr', { text: b.toString().slice(0, 500) }));
    this.child.stdin!.on('error', () => undefined);
    this.child.once('error', (e) => trace('adapter-error', { message: e.message }));
    this.child.once('exit', (code, signal) => {
      this.exited = true;
      trace('adapter-exit', { code: code ?? null, signal: signal ?? null });
      // the session must not wait on a process that is gone (VS Code ends it at this event)
      if (!this.ended) this.sent.fire({ type: 'event', event: 'terminated', seq: 0 } as vscode.DebugProtocolMessage);
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  handleMessage(message: vscode.DebugProtocolMessage): void {
    if (this.exited) return;
    const json = JSON.stringify(message);
    this.child.stdin!.write(`Content-Length: ${Buffer.byteLength(json, 'utf8')}\r\n\r\n${json}`, 'utf8');
  }

  private read(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const head = HEADER.exec(this.buffer.toString('latin1', 0, Math.min(this.buffer.length, 64)));
      if (!head) return;
      const start = head.index + head[0].length;
      const end = start + Number(head[1]);
      if (this.buffer.length < end) return;
      const body = this.buffer.toString('utf8', start, end);
      this.buffer = this.buffer.subarray(end);
      try {
        const m = JSON.parse(body) as { type?: string; event?: string };
        if (m.type === 'event' && m.event === 'terminated') this.ended = true;
        this.sent.fire(m as vscode.DebugProtocolMessage);
      } catch {
        trace('adapter-error', { message: 'a message from the adapter is not JSON' });
      }
    }
  }

  /** The session is over: stdin closes (the adapter ends gdb and QEMU and exits), SIGKILL after 5 s. */
  dispose(): void {
    this.ended = true;
    if (this.exited) return;
    this.child.stdin!.end();
    const t = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    this.child.once('exit', () => clearTimeout(t));
  }
}

/** One adapter process started ahead for the next launch, with the environment it was started with. */
export class SpareAdapter implements vscode.Disposable {
  private spare?: { proc: AdapterProcess; key: string; timer: NodeJS.Timeout };

  /**
   * Starts a process for a launch about to begin (any earlier spare is ended); `gdb`: the gdb it
   * starts at once (MINNOW_GDB_AHEAD), which a launch with another gdbPath does not use.
   */
  prepare(program: string, env: Record<string, string>, gdb: string): void {
    this.drop();
    const proc = new AdapterProcess(program, { ...env, MINNOW_GDB_AHEAD: gdb });
    trace('adapter-prepared', { pid: proc.pid ?? null });
    this.spare = { proc, key: JSON.stringify(env), timer: setTimeout(() => this.drop(), SPARE_MS) };
  }

  /** The spare, if it was started with this environment; it is the caller's from here on. */
  take(env: Record<string, string>): AdapterProcess | undefined {
    const s = this.spare;
    if (!s || s.key !== JSON.stringify(env)) return undefined;
    clearTimeout(s.timer);
    this.spare = undefined;
    return s.proc;
  }

  /** Ends the spare nobody took (a failed build, a cancelled F5). */
  drop(): void {
    if (!this.spare) return;
    clearTimeout(this.spare.timer);
    this.spare.proc.dispose();
    this.spare = undefined;
  }

  dispose(): void {
    this.drop();
  }
}
