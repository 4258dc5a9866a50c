// The "Minnow Instances" view in Run and Debug: the VMs started in the background (`minnow run -d`,
// the same list as `minnow ps`), running and finished, with their ports. From a row: stop it,
// attach the debugger to one started with --debug (its gdbstub port is in its record), open its
// console log, remove a finished one. The list is read from the instances folder again every
// few seconds while the view is visible, and at once after each action.

import * as vscode from 'vscode';
import { consoleLog, listInstances, removeInstance, stopInstance, type Instance } from '../target';
import { attachConfig, instanceRows, type InstanceRow } from './instances';
import { trace } from './trace';

const POLL_MS = 3000;

export class InstancesView implements vscode.TreeDataProvider<InstanceRow>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<InstanceRow | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private list: Instance[] = [];
  private error: string | undefined;
  private timer: NodeJS.Timeout | undefined;

  /** Polls while the view is visible. */
  attach(view: vscode.TreeView<unknown>): vscode.Disposable {
    const follow = (visible: boolean): void => {
      if (visible && !this.timer) {
        this.reload();
        this.timer = setInterval(() => this.reload(), POLL_MS);
      } else if (!visible && this.timer) {
        clearInterval(this.timer);
        this.timer = undefined;
      }
    };
    follow(view.visible);
    return view.onDidChangeVisibility((e) => follow(e.visible));
  }

  reload(): void {
    try {
      this.list = listInstances();
      this.error = undefined;
    } catch (e) {
      this.list = [];
      this.error = e instanceof Error ? e.message : String(e);
    }
    this.changed.fire(undefined);
  }

  getTreeItem(row: InstanceRow): vscode.TreeItem {
    const item = new vscode.TreeItem(row.label, vscode.TreeItemCollapsibleState.None);
    item.description = row.description;
    item.tooltip = row.tooltip;
    item.contextValue = row.contextValue;
    item.iconPath = new vscode.ThemeIcon(row.icon);
    item.id = `instance:${row.name}`;
    return item;
  }

  getChildren(row?: InstanceRow): InstanceRow[] {
    if (row) return [];
    if (this.error) return [{ name: '', label: `Cannot read the instances: ${this.error}`, description: '', tooltip: this.error, contextValue: 'minnow.instance.finished', icon: 'error' }];
    return instanceRows(this.list);
  }

  private find(row: InstanceRow | undefined): Instance | undefined {
    return row ? this.list.find((i) => i.name === row.name) : undefined;
  }

  /** Runs `action` on the row's instance; a failure is shown as "Minnow: cannot <what> <name>: why". */
  private async act(row: InstanceRow | undefined, what: string, action: (i: Instance) => Promise<unknown>): Promise<void> {
    const i = this.find(row);
    if (!i) return;
    trace('instance-action', { name: i.name, what });
    try {
      await action(i);
    } catch (e) {
      void vscode.window.showErrorMessage(`Minnow: cannot ${what} ${i.name}: ${e instanceof Error ? e.message : String(e)}`);
    }
    this.reload();
  }

  stop(row: InstanceRow | undefined): Promise<void> {
    return this.act(row, 'stop', (i) => stopInstance(i.name));
  }

  remove(row: InstanceRow | undefined): Promise<void> {
    return this.act(row, 'remove', (i) => removeInstance(i.name));
  }

  logs(row: InstanceRow | undefined): Promise<void> {
    return this.act(row, 'open the console log of', (i) => Promise.resolve(vscode.window.showTextDocument(vscode.Uri.file(consoleLog(i)), { preview: true })));
  }

  async attachDebugger(row: InstanceRow | undefined): Promise<void> {
    const i = this.find(row);
    if (!i) return;
    const config = attachConfig(i);
    if (!config) {
      void vscode.window.showWarningMessage(`Minnow: ${i.name} has no gdbstub to attach to: start it with minnow run -d --debug.`);
      return;
    }
    trace('instance-attach', { name: i.name, target: config.target });
    await vscode.debug.startDebugging(vscode.workspace.workspaceFolders?.[0], config);
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    this.changed.dispose();
  }
}
