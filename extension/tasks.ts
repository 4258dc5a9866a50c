// The `minnow` task type: "build" and "run" for each application in the workspace. "build" runs
// the CLI's build inside the extension host (extension/buildTask.ts: no process to start, so F5's
// preLaunchTask builds at once); "run" runs the Minnow CLI (dist/cli.js) with the extension host's
// Node, its console in the task's terminal. Both use the gcc problem matcher
// so that compile errors land in the Problems panel at their line. VS Code itself has no $gcc
// (the C/C++ extension contributes it), so package.json contributes the same pattern as
// $minnow-gcc, which works with or without the C/C++ extension; $minnow-ld adds link errors.

import * as vscode from 'vscode';
import { basename } from 'node:path';
import { hasManifest } from './apps';
import { Install, settings } from './settings';
import { BuildTerminal } from './buildTask';
import { PROBLEM_MATCHERS, TASK_TYPE } from './templates';
import { trace } from './trace';

export { TASK_TYPE };
export type TaskCommand = 'build' | 'run';

export interface MinnowTaskDefinition extends vscode.TaskDefinition {
  type: typeof TASK_TYPE;
  command: TaskCommand;
  app?: string;
}

function isCommand(c: unknown): c is TaskCommand {
  return c === 'build' || c === 'run';
}

function folderOf(scope: vscode.Task['scope']): vscode.WorkspaceFolder | undefined {
  return typeof scope === 'object' ? scope : vscode.workspace.workspaceFolders?.[0];
}

export class MinnowTaskProvider implements vscode.TaskProvider {
  /** `buildFailed`: a build task ended with an error (the launch it was for will not start). */
  constructor(
    private readonly install: Install,
    private readonly buildFailed: () => void = () => undefined,
  ) {}

  provideTasks(): vscode.Task[] {
    trace('task-provide');
    const tasks: vscode.Task[] = [];
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const dir = folder.uri.fsPath;
      if (!hasManifest(dir)) continue;
      // no `app` for a folder's own application: then a tasks.json entry { type, command }
      // customizes this task instead of adding a second "minnow: build"
      for (const command of ['build', 'run'] as const) {
        tasks.push(this.make({ type: TASK_TYPE, command }, folder));
      }
    }
    return tasks;
  }

  resolveTask(task: vscode.Task): vscode.Task | undefined {
    const def = task.definition;
    if (def.type !== TASK_TYPE || !isCommand(def.command)) return undefined;
    trace('task-resolve', { command: def.command });
    // Keep the definition object as given: VS Code matches tasks.json entries by it.
    return this.make(def as MinnowTaskDefinition, folderOf(task.scope), task);
  }

  make(def: MinnowTaskDefinition, folder: vscode.WorkspaceFolder | undefined, from?: vscode.Task): vscode.Task {
    const app = def.app ? resolveVariables(def.app, folder) : folder?.uri.fsPath ?? '.';
    let exec: vscode.ProcessExecution | vscode.CustomExecution;
    if (def.command === 'build') {
      const kernelDir = this.install.kernelDir(folder);
      exec = new vscode.CustomExecution(async () => new BuildTerminal(app, kernelDir, this.buildFailed));
    } else {
      const args = [this.install.cli, def.command, app];
      const accel = settings(folder).accel;
      if (accel !== 'auto') args.push('--accel', accel);
      exec = new vscode.ProcessExecution(process.execPath, args, { cwd: app, env: this.install.env(folder) });
    }
    const name = from?.name ?? (def.command === 'build' ? 'build' : 'run');
    const task = new vscode.Task(def, folder ?? vscode.TaskScope.Workspace, name, TASK_TYPE, exec, PROBLEM_MATCHERS);
    task.detail = def.command === 'build' ? `build ${basename(app)} with its kernel` : `boot ${basename(app)} under QEMU, console in the terminal`;
    if (def.command === 'build') task.group = vscode.TaskGroup.Build;
    task.presentationOptions = { reveal: vscode.TaskRevealKind.Silent, clear: true, showReuseMessage: false };
    return task;
  }
}

function resolveVariables(value: string, folder: vscode.WorkspaceFolder | undefined): string {
  return folder ? value.replace(/\$\{workspaceFolder\}/g, folder.uri.fsPath) : value;
}

/** Runs the build or run task of the application the user means. */
export async function runTask(provider: MinnowTaskProvider, command: TaskCommand, dir: string): Promise<vscode.TaskExecution> {
  const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(dir));
  const def: MinnowTaskDefinition = folder?.uri.fsPath === dir ? { type: TASK_TYPE, command } : { type: TASK_TYPE, command, app: dir };
  const task = provider.make(def, folder);
  if (command === 'run') task.presentationOptions = { reveal: vscode.TaskRevealKind.Always, clear: true, focus: true };
  return vscode.tasks.executeTask(task);
}
