// The Minnow extension: registers the debugger (configuration provider, adapter factory), the
// `minnow` tasks, the commands, the Kernel view, the guest console terminal and the status bar
// item. Activation only registers; nothing here spawns a process or reads much from disk.

import { LOAD_START } from './loadTime';
import * as vscode from 'vscode';
import { performance } from 'node:perf_hooks';
import { guessAppDir } from './apps';
import { DEBUG_TYPE, MinnowAdapterFactory, MinnowConfigurationProvider, MinnowDynamicProvider } from './debugConfig';
import { GuestConsole } from './guestConsole';
import { KernelView } from './kernelView';
import { InstancesView } from './instancesView';
import { newProject, openCreatedProject } from './newProject';
import { minnowRequest } from './requests';
import { SessionWatcher } from './sessions';
import { Install } from './settings';
import { InstanceStatus } from './statusBar';
import { MinnowTaskProvider, runTask, TASK_TYPE } from './tasks';
import type { TaskCommand } from './tasks';
import { checkToolchain } from './toolchain';
import { trace } from './trace';

/** When the bundle finished evaluating: LOAD_START..LOAD_END is the extension's loading cost. */
const LOAD_END = performance.now();

export function activate(context: vscode.ExtensionContext): void {
  const t0 = performance.now();
  const install = new Install(context.extensionPath);
  const output = vscode.window.createOutputChannel('Minnow');
  const view = new KernelView();
  const guest = new GuestConsole(undefined);
  const status = new InstanceStatus();
  const adapters = new MinnowAdapterFactory(install);
  // a failed build ends the launch: the adapter process started for it goes too
  const tasks = new MinnowTaskProvider(install, () => adapters.spare.drop());
  const watcher = new SessionWatcher(view, guest, status);
  const sub = context.subscriptions;

  sub.push(output, view, guest, status);
  const tree = vscode.window.createTreeView('minnow.kernel', { treeDataProvider: view, showCollapseAll: false });
  sub.push(tree, view.attach(tree));
  const instances = new InstancesView();
  const instancesTree = vscode.window.createTreeView('minnow.instances', { treeDataProvider: instances, showCollapseAll: false });
  sub.push(instances, instancesTree, instances.attach(instancesTree));
  sub.push(adapters);
  sub.push(vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, new MinnowConfigurationProvider((folder) => adapters.prepare(folder))));
  sub.push(
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, new MinnowDynamicProvider(), vscode.DebugConfigurationProviderTriggerKind.Dynamic),
  );
  sub.push(vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, adapters));
  sub.push(...watcher.register());
  sub.push(vscode.tasks.registerTaskProvider(TASK_TYPE, tasks));
  sub.push(
    vscode.tasks.onDidStartTask((e) => {
      const def = e.execution.task.definition;
      if (def.type === TASK_TYPE) trace('task-start', { command: def.command });
      if (def.type !== TASK_TYPE || def.command !== 'run') return;
      status.start({ kind: 'task', execution: e.execution, name: e.execution.task.name, started: Date.now() });
    }),
    vscode.tasks.onDidEndTask((e) => status.end((i) => i.kind === 'task' && i.execution === e.execution)),
    vscode.tasks.onDidStartTaskProcess((e) => {
      const def = e.execution.task.definition;
      // the build task runs in this process (extension/buildTask.ts) and traces its own start
      if (def.type === TASK_TYPE && def.command !== 'build') trace('task-process-start', { command: def.command, pid: e.processId ?? null });
    }),
    vscode.tasks.onDidEndTaskProcess((e) => {
      const def = e.execution.task.definition;
      if (def.type === TASK_TYPE && def.command !== 'build') trace('task-end', { command: def.command, exitCode: e.exitCode ?? null });
    }),
  );

  const withApp = (command: TaskCommand) => async (): Promise<void> => {
    const dir = guessAppDir(vscode.workspace.workspaceFolders?.[0]);
    if (!dir) {
      const choice = await vscode.window.showWarningMessage('Minnow: no minnow.json in this workspace.', 'New Project…');
      if (choice) await vscode.commands.executeCommand('minnow.newProject');
      return;
    }
    await runTask(tasks, command, dir);
  };
  sub.push(
    vscode.commands.registerCommand('minnow.newProject', () => newProject(context, install.examples)),
    vscode.commands.registerCommand('minnow.build', withApp('build')),
    vscode.commands.registerCommand('minnow.run', withApp('run')),
    vscode.commands.registerCommand('minnow.checkToolchain', () => checkToolchain(output)),
    vscode.commands.registerCommand('minnow.stopInstance', () => status.stop()),
    vscode.commands.registerCommand('minnow.refreshKernelView', () => view.reload()),
    vscode.commands.registerCommand('minnow.instances.refresh', () => instances.reload()),
    vscode.commands.registerCommand('minnow.instances.stop', (row) => instances.stop(row)),
    vscode.commands.registerCommand('minnow.instances.attach', (row) => instances.attachDebugger(row)),
    vscode.commands.registerCommand('minnow.instances.logs', (row) => instances.logs(row)),
    vscode.commands.registerCommand('minnow.instances.remove', (row) => instances.remove(row)),
    vscode.commands.registerCommand('minnow.showConsole', () => guest.show(false)),
    vscode.commands.registerCommand('minnow.selectThread', (id: number) => selectThread(id)),
  );

  void openCreatedProject(context);
  const now = performance.now();
  const round = (ms: number): number => Math.round(ms * 10) / 10;
  // load: evaluating the bundle; hostGap: VS Code preparing the ExtensionContext (not ours)
  trace('activated', { ms: round(now - t0), load: round(LOAD_END - LOAD_START), hostGap: round(t0 - LOAD_END), extensionPath: context.extensionPath, version: String(context.extension.packageJSON.version) });
}

/**
 * Selects a kernel thread in the Call Stack. VS Code has no API for that; the adapter can do it
 * (README.md, "Contracts between the parts", `minnow/focusThread`: it answers with a `stopped` event for that thread, which
 * VS Code focuses). Without it, the Call Stack is at least brought forward.
 */
async function selectThread(threadId: number): Promise<void> {
  const session = vscode.debug.activeDebugSession;
  trace('select-thread', { id: threadId });
  if (session?.type === DEBUG_TYPE) {
    try {
      await minnowRequest(session, 'minnow/focusThread', { threadId });
      return;
    } catch {
      // an adapter without minnow/focusThread
    }
  }
  await vscode.commands.executeCommand('workbench.debug.action.focusCallStackView');
}

export function deactivate(): void {
  trace('deactivated');
}
