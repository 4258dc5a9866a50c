// The "Minnow console" terminal: the guest's COM1 output (the adapter's `output` events of
// category "stdout") and, the other way, the lines the user types, sent with the custom DAP
// request `minnow/consoleInput`. The guest does not echo, so the terminal edits the line locally
// (printable characters, backspace) and sends it on Enter.

import * as vscode from 'vscode';
import { minnowRequest } from './requests';
import { trace } from './trace';

const CSI_ERASE_LEFT = '\b \b';

export class GuestConsole implements vscode.Pseudoterminal, vscode.Disposable {
  private readonly written = new vscode.EventEmitter<string>();
  private readonly closed = new vscode.EventEmitter<void>();
  readonly onDidWrite = this.written.event;
  readonly onDidClose = this.closed.event;
  private terminal: vscode.Terminal | undefined;
  private opened = false;
  private pending = '';
  private line = '';

  constructor(private session: vscode.DebugSession | undefined) {}

  /** Follows a new session (the terminal is reused across sessions). */
  attach(session: vscode.DebugSession): void {
    this.session = session;
    this.line = '';
    this.write(`\x1b[2m--- ${session.name} ---\x1b[0m\n`);
  }

  detach(session: vscode.DebugSession, how: string): void {
    if (this.session?.id !== session.id) return;
    this.session = undefined;
    this.write(`\n\x1b[2m--- ${how} ---\x1b[0m\n`);
  }

  show(preserveFocus: boolean): void {
    if (!this.terminal || this.terminal.exitStatus) {
      this.terminal = vscode.window.createTerminal({ name: 'Minnow console', pty: this, iconPath: new vscode.ThemeIcon('terminal') });
    }
    this.terminal.show(preserveFocus);
  }

  /** Creates the terminal without showing it, so guest output is there when the user looks. */
  ensure(): void {
    if (!this.terminal || this.terminal.exitStatus) {
      this.terminal = vscode.window.createTerminal({ name: 'Minnow console', pty: this, iconPath: new vscode.ThemeIcon('terminal') });
    }
  }

  write(text: string): void {
    const crlf = text.replace(/\r?\n/g, '\r\n');
    if (this.opened) this.written.fire(crlf);
    else this.pending += crlf;
  }

  open(): void {
    this.opened = true;
    if (this.pending) {
      this.written.fire(this.pending);
      this.pending = '';
    }
  }

  close(): void {
    this.opened = false;
    this.terminal = undefined;
  }

  handleInput(data: string): void {
    for (const ch of data) {
      if (ch === '\r') {
        const text = this.line + '\n';
        this.line = '';
        this.written.fire('\r\n');
        void this.send(text);
      } else if (ch === '\x7f' || ch === '\b') {
        if (this.line) {
          this.line = this.line.slice(0, -1);
          this.written.fire(CSI_ERASE_LEFT);
        }
      } else if (ch === '\x03') {
        this.line = '';
        this.written.fire('^C\r\n');
      } else if (ch >= ' ') {
        this.line += ch;
        this.written.fire(ch);
      }
    }
  }

  private async send(text: string): Promise<void> {
    const session = this.session;
    if (!session) {
      this.written.fire('\x1b[33m(no Minnow instance is running; input dropped)\x1b[0m\r\n');
      return;
    }
    try {
      await minnowRequest(session, 'minnow/consoleInput', { text });
      trace('console-input', { length: text.length });
    } catch (e) {
      this.written.fire(`\x1b[31m(input not delivered: ${e instanceof Error ? e.message : String(e)})\x1b[0m\r\n`);
    }
  }

  dispose(): void {
    this.terminal?.dispose();
    this.written.dispose();
    this.closed.dispose();
  }
}
