// "Minnow: New Project…": pick a template (the examples shipped with the extension, the same
// ones `minnow new` copies), pick a folder, copy the application and write the VS Code files
// that make F5, the build task and IntelliSense work without further setup; then open it.

import * as vscode from 'vscode';
import { existsSync, statSync } from 'node:fs';
import { createProject, isEmptyDir, listTemplates } from './templates';
import { trace } from './trace';

/** Remembered across the window reload that opening a folder causes. */
export const OPEN_AFTER_CREATE = 'minnow.openAfterCreate';

export async function newProject(context: vscode.ExtensionContext, examples: string): Promise<void> {
  const templates = listTemplates(examples);
  if (templates.length === 0) {
    void vscode.window.showErrorMessage(`Minnow: no templates found in ${examples}. Reinstall the extension.`);
    return;
  }
  const picked = await vscode.window.showQuickPick(
    templates.map((t) => ({ label: t.name, detail: t.description, template: t })),
    { title: 'Minnow: New Project (1/2): template', placeHolder: 'Pick the application to start from', matchOnDetail: true },
  );
  if (!picked) return;
  const folders = await vscode.window.showOpenDialog({
    title: 'Minnow: New Project (2/2): folder for the application',
    canSelectFolders: true,
    canSelectFiles: false,
    canSelectMany: false,
    openLabel: 'Create Here',
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
  });
  const target = folders?.[0]?.fsPath;
  if (!target) return;
  if (existsSync(target) && !statSync(target).isDirectory()) {
    void vscode.window.showErrorMessage(`Minnow: ${target} is a file, not a folder.`);
    return;
  }
  if (!isEmptyDir(target)) {
    const overwrite = 'Add Files Anyway';
    const choice = await vscode.window.showWarningMessage(
      `${target} is not empty. Creating the "${picked.template.name}" project there overwrites files with the same names (main.c, minnow.json, .vscode/*).`,
      { modal: true },
      overwrite,
    );
    if (choice !== overwrite) return;
  }
  const open = createProject(picked.template, target);
  trace('new-project', { template: picked.template.name, target });
  const uri = vscode.Uri.file(target);
  const current = vscode.workspace.workspaceFolders?.some((f) => f.uri.fsPath === target);
  if (current) {
    await vscode.window.showTextDocument(vscode.Uri.file(open));
    return;
  }
  // Opening a folder restarts the extension host; the new one opens the main source.
  await context.globalState.update(OPEN_AFTER_CREATE, { folder: target, file: open });
  await vscode.commands.executeCommand('vscode.openFolder', uri, { forceNewWindow: false });
}

/** After the reload caused by opening a new project: show its main source once. */
export async function openCreatedProject(context: vscode.ExtensionContext): Promise<void> {
  const pending = context.globalState.get<{ folder: string; file: string }>(OPEN_AFTER_CREATE);
  if (!pending) return;
  if (!vscode.workspace.workspaceFolders?.some((f) => f.uri.fsPath === pending.folder)) return;
  await context.globalState.update(OPEN_AFTER_CREATE, undefined);
  if (existsSync(pending.file)) await vscode.window.showTextDocument(vscode.Uri.file(pending.file));
}
