// The build task's execution: the Minnow CLI's build (target/ buildApp: make with the shared
// build cache) run inside the extension host, behind a pseudoterminal. No process is spawned for
// the task itself (no pty, no Node started for dist/cli.js): F5's preLaunchTask starts building at
// once. The terminal shows what `minnow build` prints, in the same words, so the task looks and
// reads as before, its lines feed the $minnow-gcc/$minnow-ld problem matchers, and its exit code
// (0, or 1 when the build failed) is what VS Code's onTaskErrors prompt sees.

import * as vscode from 'vscode';
import { buildApp, isMinnowError, loadApp } from '../target';
import { trace } from './trace';

/** The exit codes of `minnow build` (cli/common.ts EXIT): 0, 1 for an error, 70 for a bug. */
const EXIT_ERROR = 1;
const EXIT_BUG = 70;

export class BuildTerminal implements vscode.Pseudoterminal {
  private readonly written = new vscode.EventEmitter<string>();
  private readonly closed = new vscode.EventEmitter<number>();
  readonly onDidWrite = this.written.event;
  readonly onDidClose = this.closed.event;
  private readonly abort = new AbortController();

  constructor(
    private readonly appDir: string,
    private readonly kernelDir: string,
    private readonly failed: () => void = () => undefined,
  ) {}

  open(): void {
    trace('task-process-start', { command: 'build', pid: null, inProcess: true });
    void this.build().then((code) => {
      trace('task-end', { command: 'build', exitCode: code });
      if (code !== 0) this.failed();
      this.closed.fire(code);
    });
  }

  close(): void {
    // the user ended the task (or its terminal): make and its compilers are killed
    this.abort.abort();
  }

  private write(text: string): void {
    this.written.fire(text.replace(/\r?\n/g, '\r\n'));
  }

  private async build(): Promise<number> {
    try {
      const app = loadApp(this.appDir);
      const r = await buildApp(app, { kernelDir: this.kernelDir, signal: this.abort.signal, onOutput: (text) => this.write(text) });
      this.write(`minnow: ${r.rebuilt ? 'built' : 'up to date:'} ${app.elf}\n`);
      return 0;
    } catch (e) {
      if (isMinnowError(e)) {
        const [head, ...more] = e.fix.split('\n');
        this.write(`minnow: error: ${e.message}\n  fix: ${head}\n${more.map((l) => `  ${l}\n`).join('')}`);
        return EXIT_ERROR;
      }
      this.write(`minnow: internal error (a bug in Minnow; please report it):\n${(e as Error).stack ?? String(e)}\n`);
      return EXIT_BUG;
    }
  }
}
