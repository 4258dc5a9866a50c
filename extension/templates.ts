// What "New Project" writes, without any VS Code API (so unit tests can run it): the templates
// (examples/*/minnow.json with their one-line descriptions), the copy of one into a folder (the
// same rules as `minnow new`: no build output or disk images, the application takes the folder's
// name), and the .vscode/ files that make F5, the build task and IntelliSense work at once.
// The names shared with debugConfig.ts and tasks.ts live here too.

import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { MINNOW_SCHEMA } from '../target';

export const DEBUG_TYPE = 'minnow';
export const TASK_TYPE = 'minnow';

/** The label of the build task; launch configurations name it as their preLaunchTask. */
export const BUILD_TASK_LABEL = 'minnow: build';

/** gcc's file:line:column diagnostics, and the linker's file:line ones (package.json). */
export const PROBLEM_MATCHERS = ['$minnow-gcc', '$minnow-ld'];

export interface LaunchConfig {
  type: string;
  request: string;
  name: string;
  [key: string]: unknown;
}

export function launchConfig(name: string, app: string, extra: Record<string, unknown> = {}): LaunchConfig {
  return { type: DEBUG_TYPE, request: 'launch', name: `Minnow: debug ${name}`, app, stopOnEntry: false, ...extra };
}

export interface Template {
  name: string;
  description: string;
  dir: string;
  /** The first source file, opened after creation. */
  main?: string;
}

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

export function isEmptyDir(dir: string): boolean {
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
