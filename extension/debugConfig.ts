// F5 for Minnow: the configuration provider (F5 with no launch.json, the launch.json snippets,
// the dynamic "Minnow: <app>" entries) and the adapter factory that runs dist/debugAdapter.js as
// a separate process, exactly as any other DAP client would. A launch's adapter process is
// started as soon as F5 resolves it, while its build task runs (extension/adapterProcess.ts).

import * as vscode from 'vscode';
import { basename } from 'node:path';
import { checkApp, guessAppDir, hasManifest, showManifestProblem } from './apps';
import { Install, settings } from './settings';
import { SpareAdapter } from './adapterProcess';
import { BUILD_TASK_LABEL, DEBUG_TYPE, launchConfig } from './templates';
import { trace } from './trace';

export { DEBUG_TYPE };

/**
 * The preLaunchTask that builds `dir`: the provided task's label ("minnow: build") when `dir`
 * is a workspace folder (VS Code shows the label in its messages), else a task identifier.
 */
export function buildTaskFor(dir: string): string | { type: string; command: string; app: string } {
  const isFolder = vscode.workspace.workspaceFolders?.some((f) => f.uri.fsPath === dir);
  return isFolder ? BUILD_TASK_LABEL : { type: DEBUG_TYPE, command: 'build', app: dir };
}

/** Whether a preLaunchTask is Minnow's build task (by label, or as a task identifier). */
export function isMinnowBuildTask(task: unknown): boolean {
  if (task === BUILD_TASK_LABEL) return true;
  const t = task as { type?: unknown; command?: unknown } | null;
  return typeof t === 'object' && t !== null && t.type === DEBUG_TYPE && t.command === 'build';
}

export class MinnowConfigurationProvider implements vscode.DebugConfigurationProvider {
  /** `prepare`: a launch is about to start in this folder (its adapter process may start now). */
  constructor(private readonly prepare: (folder: vscode.WorkspaceFolder | undefined) => void = () => undefined) {}

  provideDebugConfigurations(folder: vscode.WorkspaceFolder | undefined): vscode.DebugConfiguration[] {
    const dir = folder?.uri.fsPath;
    const name = dir && hasManifest(dir) ? basename(dir) : 'the application';
    return [launchConfig(name, '${workspaceFolder}', { preLaunchTask: BUILD_TASK_LABEL })];
  }

  async resolveDebugConfiguration(
    folder: vscode.WorkspaceFolder | undefined,
    config: vscode.DebugConfiguration,
  ): Promise<vscode.DebugConfiguration | undefined> {
    trace('launch-resolve', { request: config.request ?? null });
    if (!config.type && !config.request && !config.name) {
      // F5 with no launch.json: debug the application the user is looking at.
      const dir = guessAppDir(folder);
      trace('f5-no-launch-json', { dir: dir ?? null });
      if (!dir) {
        // not awaited: F5 ends here, the offer stays until the user answers
        void vscode.window
          .showInformationMessage('Minnow: there is no minnow.json here, so there is no application to debug. Create one from a template?', 'New Project…')
          .then((choice) => (choice ? vscode.commands.executeCommand('minnow.newProject') : undefined));
        return undefined;
      }
      // The build runs as a task first so that compile errors land in the Problems panel.
      config = launchConfig(basename(dir), dir, { preLaunchTask: buildTaskFor(dir) });
    }
    if (config.request === 'launch') {
      const s = settings(folder);
      config.accel ??= s.accel;
      if (s.qemuPath) config.qemuPath ??= s.qemuPath;
      if (s.gdbPath) config.gdbPath ??= s.gdbPath;
      config.app ??= folder?.uri.fsPath ?? '${workspaceFolder}';
      // F5 builds once: when Minnow's build task runs first, the adapter does not build again
      if (isMinnowBuildTask(config.preLaunchTask)) config.build ??= false;
      // Check minnow.json now: VS Code runs the preLaunchTask (the build) before the
      // WithSubstitutedVariables hook, and a broken manifest should stop F5 with its reason.
      const dir = withWorkspaceFolder(String(config.app), folder);
      if (!dir.includes('${') && !this.manifestOk(dir)) return undefined;
      this.prepare(folder);
    } else if (config.request === 'attach') {
      const s = settings(folder);
      if (s.gdbPath) config.gdbPath ??= s.gdbPath;
    }
    return config;
  }

  /** Checks minnow.json before the build task runs: a broken manifest stops F5 with the reason. */
  async resolveDebugConfigurationWithSubstitutedVariables(
    _folder: vscode.WorkspaceFolder | undefined,
    config: vscode.DebugConfiguration,
  ): Promise<vscode.DebugConfiguration | undefined> {
    if (config.request !== 'launch') return config;
    if (!this.manifestOk(String(config.app))) return undefined;
    trace('launch-final', { app: String(config.app), build: config.build ?? true, preLaunchTask: config.preLaunchTask ?? null });
    return config;
  }

  private manifestOk(dir: string): boolean {
    const checked = checkApp(dir);
    if (!checked.ok) {
      trace('launch-refused', { dir, problem: checked.problem });
      void showManifestProblem(dir, checked.problem, checked.fix);
      return false;
    }
    trace('launch-resolved', { dir, name: checked.app.name });
    return true;
  }
}

function withWorkspaceFolder(value: string, folder: vscode.WorkspaceFolder | undefined): string {
  return folder ? value.replace(/\$\{workspaceFolder\}/g, folder.uri.fsPath) : value;
}

/** Dynamic configurations: one "Minnow: debug <app>" entry per application in the workspace. */
export class MinnowDynamicProvider implements vscode.DebugConfigurationProvider {
  provideDebugConfigurations(folder: vscode.WorkspaceFolder | undefined): vscode.DebugConfiguration[] {
    const dir = folder?.uri.fsPath;
    if (!dir || !hasManifest(dir)) return [];
    return [launchConfig(basename(dir), dir, { preLaunchTask: buildTaskFor(dir) })];
  }
}

export class MinnowAdapterFactory implements vscode.DebugAdapterDescriptorFactory, vscode.Disposable {
  /** the adapter process started for the launch being resolved (see prepare) */
  readonly spare = new SpareAdapter();

  constructor(private readonly install: Install) {}

  /** A launch in `folder` was resolved: its adapter process starts now, while the build runs. */
  prepare(folder: vscode.WorkspaceFolder | undefined): void {
    if (this.install.hasProgram(this.install.adapter)) this.spare.prepare(this.install.adapter, this.install.env(folder), settings(folder).gdbPath || 'gdb');
  }

  createDebugAdapterDescriptor(session: vscode.DebugSession): vscode.ProviderResult<vscode.DebugAdapterDescriptor> {
    const program = this.install.adapter;
    if (!this.install.hasProgram(program)) {
      throw new Error(`The Minnow debug adapter is missing (${program}). Reinstall the extension.`);
    }
    const env = this.install.env(session.workspaceFolder);
    const ready = session.configuration.request === 'launch' ? this.spare.take(env) : undefined;
    trace('adapter-start', { program, kernel: env.MINNOW_KERNEL, started: ready ? 'ahead' : 'now' });
    if (ready) return new vscode.DebugAdapterInlineImplementation(ready);
    return new vscode.DebugAdapterExecutable(process.execPath, [program], { env });
  }

  dispose(): void {
    this.spare.dispose();
  }
}
