// "Minnow: New Project…": pick a template (the examples shipped with the extension, the same
// ones `minnow new` copies), pick a folder, copy the application and write the VS Code files
// that make F5, the build task and IntelliSense work without further setup; then open it.

import * as vscode from 'vscode';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { MINNOW_SCHEMA } from '../debug-adapter/target';
import { BUILD_TASK_LABEL, launchConfig } from './debugConfig';
import { PROBLEM_MATCHERS } from './tasks';
import { trace } from './trace';

export interface Template {
  name: string;
  description: string;
  dir: string;
  /** The first source file, opened after creation. */
  main?: string;
}

/** Remembered across the window reload that opening a folder causes. */
export const OPEN_AFTER_CREATE = 'minnow.openAfterCreate';

export function listTemplates(examples: string): Template[] {
  if (!existsSync(examples)) return [];
  const out: Template[] = [];
  for (const name of readdirSync(examples).sort()) {
    const dir = join(examples, name);
    const manifest = join(dir, 'minnow.json');
    if (!existsSync(manifest)) continue;
    let description = '';
    let main: string | undefined;
    try {
      const m = JSON.parse(readFileSync(manifest, 'utf8')) as { description?: unknown; sources?: unknown };
      if (typeof m.description === 'string') description = m.description;
      if (Array.isArray(m.sources) && typeof m.sources[0] === 'string') main = m.sources[0];
    } catch {
      description = '(its minnow.json does not parse)';
    }
    out.push({ name, description, dir, main });
  }
  // the smallest first: "hello" before the rest
  return out.sort((a, b) => (a.name === 'hello' ? -1 : b.name === 'hello' ? 1 : a.name.localeCompare(b.name)));
}

/** What is written into .vscode/ of a new project. */
export function vscodeFiles(appName: string): Record<string, unknown> {
  return {
    'launch.json': {
      version: '0.2.0',
      configurations: [launchConfig(appName, '${workspaceFolder}', { preLaunchTask: BUILD_TASK_LABEL })],
    },
    'tasks.json': {
      version: '2.0.0',
      tasks: [
        { type: 'minnow', command: 'build', label: BUILD_TASK_LABEL, problemMatcher: PROBLEM_MATCHERS, group: { kind: 'build', isDefault: true } },
        { type: 'minnow', command: 'run', label: 'minnow: run', problemMatcher: PROBLEM_MATCHERS },
      ],
    },
    'settings.json': {
      // IntelliSense from the compile commands the kernel Makefile writes
      'C_Cpp.default.compileCommands': '${workspaceFolder}/build/compile_commands.json',
      'clangd.arguments': ['--compile-commands-dir=${workspaceFolder}/build'],
      // a failed build shows the Problems panel instead of asking whether to boot anyway
      'debug.onTaskErrors': 'showErrors',
      'files.exclude': { 'build/obj': true },
    },
  };
}

function isEmptyDir(dir: string): boolean {
  return !existsSync(dir) || readdirSync(dir).length === 0;
}

/** Template files that are not copied: build output, disk images, editor state. */
function copied(name: string): boolean {
  return name !== 'build' && name !== '.vscode' && !name.endsWith('.img');
}

/**
 * Like `minnow new`: the application takes the folder's name when that is a valid name
 * (the schema's pattern), so that build/<name>.elf and argv[0] say what the user chose.
 */
function renameApp(target: string, fallback: string): string {
  const manifest = join(target, 'minnow.json');
  const folder = basename(target);
  const pattern = MINNOW_SCHEMA.properties?.name?.pattern;
  if (!pattern || !new RegExp(pattern).test(folder)) return fallback;
  const json = JSON.parse(readFileSync(manifest, 'utf8')) as Record<string, unknown>;
  if (json.name === folder) return folder;
  json.name = folder;
  writeFileSync(manifest, JSON.stringify(json, null, 2) + '\n');
  return folder;
}

/** Copies the template and writes .vscode/; returns the file to open. */
export function createProject(template: Template, target: string): string {
  mkdirSync(target, { recursive: true });
  cpSync(template.dir, target, { recursive: true, force: true, filter: (src) => src === template.dir || copied(basename(src)) });
  const name = renameApp(target, template.name);
  const vsdir = join(target, '.vscode');
  mkdirSync(vsdir, { recursive: true });
  for (const [file, content] of Object.entries(vscodeFiles(name))) {
    writeFileSync(join(vsdir, file), JSON.stringify(content, null, 2) + '\n');
  }
  return join(target, template.main ?? 'minnow.json');
}

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
