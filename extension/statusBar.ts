// The status bar item shown while a Minnow instance runs (a debug session or a "run" task):
// the application's name and how long it took to boot; clicking it stops the instance.

import * as vscode from 'vscode';
import { trace } from './trace';

export type Instance =
  | { kind: 'session'; session: vscode.DebugSession; name: string; started: number; bootMs?: number; attachedTo?: string }
  | { kind: 'task'; execution: vscode.TaskExecution; name: string; started: number; bootMs?: number };

export class InstanceStatus implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private instance: Instance | undefined;

  constructor() {
    this.item = vscode.window.createStatusBarItem('minnow.instance', vscode.StatusBarAlignment.Left, 10);
    this.item.name = 'Minnow instance';
    this.item.command = 'minnow.stopInstance';
  }

  get current(): Instance | undefined {
    return this.instance;
  }

  start(instance: Instance): void {
    this.instance = instance;
    void vscode.commands.executeCommand('setContext', 'minnow.instanceRunning', true);
    this.render();
    this.item.show();
    trace('status-show', { text: this.item.text });
  }

  /** The guest produced its first output or stopped (at `at`, default now): it has booted. */
  booted(match: (i: Instance) => boolean, at = Date.now()): void {
    const i = this.instance;
    if (!i || i.bootMs !== undefined || !match(i) || (i.kind === 'session' && i.attachedTo)) return;
    i.bootMs = at - i.started;
    this.render();
    trace('status-booted', { text: this.item.text, bootMs: i.bootMs });
  }

  end(match: (i: Instance) => boolean): void {
    if (!this.instance || !match(this.instance)) return;
    this.instance = undefined;
    void vscode.commands.executeCommand('setContext', 'minnow.instanceRunning', false);
    this.item.hide();
    trace('status-hide', {});
  }

  async stop(): Promise<void> {
    const i = this.instance;
    if (!i) {
      void vscode.window.showInformationMessage('Minnow: no instance is running.');
      return;
    }
    if (i.kind === 'session') await vscode.debug.stopDebugging(i.session);
    else i.execution.terminate();
  }

  private render(): void {
    const i = this.instance;
    if (!i) return;
    const pending = i.kind === 'task' ? 'running' : 'booting…';
    let boot = i.bootMs === undefined ? pending : `booted in ${(i.bootMs / 1000).toFixed(2)} s`;
    // an attached instance booted elsewhere (minnow debug); Minnow did not time it
    if (i.kind === 'session' && i.attachedTo) boot = `attached to ${i.attachedTo}`;
    this.item.text = `$(vm-running) ${i.name} · ${boot}`;
    this.item.tooltip = `Minnow: ${i.name} is running (${i.kind === 'session' ? 'debugging' : 'run task'}). Click to stop it.`;
  }

  dispose(): void {
    this.item.dispose();
  }
}
