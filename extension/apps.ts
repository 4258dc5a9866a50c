// Finding Minnow applications (folders with a minnow.json) in the workspace, and checking a
// manifest before anything is built, with the Target layer's validation so that the editor,
// the CLI and the adapter report the same problems in the same words.

import * as vscode from 'vscode';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadApp, isMinnowError, MANIFEST } from '../target';
import type { AppConfig } from '../target';

export { MANIFEST };

export function hasManifest(dir: string): boolean {
  return existsSync(join(dir, MANIFEST));
}

/**
 * The application the user most likely means: the folder of the active editor's file or one of
 * its parents (inside the workspace folder) with a minnow.json, else the workspace folder if it
 * has one.
 */
export function guessAppDir(folder: vscode.WorkspaceFolder | undefined): string | undefined {
  const root = folder?.uri.fsPath;
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active?.scheme === 'file') {
    let dir = dirname(active.fsPath);
    while (root ? dir.startsWith(root) : true) {
      if (hasManifest(dir)) return dir;
      const up = dirname(dir);
      if (up === dir) break;
      dir = up;
    }
  }
  if (root && hasManifest(root)) return root;
  for (const f of vscode.workspace.workspaceFolders ?? []) {
    if (hasManifest(f.uri.fsPath)) return f.uri.fsPath;
  }
  return undefined;
}

export type Checked = { ok: true; app: AppConfig } | { ok: false; problem: string; fix: string };

/** The last answer per folder, kept while its minnow.json is the same file (size and mtime). */
const lastCheck = new Map<string, { stamp: string; checked: Checked }>();

function manifestStamp(dir: string): string {
  try {
    const st = statSync(join(dir, MANIFEST));
    return `${st.size}:${st.mtimeMs}`;
  } catch {
    return 'absent';
  }
}

/**
 * loadApp with user errors turned into a value; internal errors still throw. One F5 asks several
 * times (resolving the configuration, again with variables substituted, naming the session): the
 * manifest is read once and a good answer reused until the file changes.
 */
export function checkApp(dir: string): Checked {
  const stamp = manifestStamp(dir);
  const last = lastCheck.get(dir);
  if (last && last.stamp === stamp) return last.checked;
  let checked: Checked;
  try {
    checked = { ok: true, app: loadApp(dir) };
  } catch (e) {
    if (!isMinnowError(e)) throw e;
    checked = { ok: false, problem: e.message, fix: e.fixFor('launch') };
  }
  // a problem is asked again next time: the fix may be in another file (a source, a folder)
  if (checked.ok) lastCheck.set(dir, { stamp, checked });
  else lastCheck.delete(dir);
  return checked;
}

/** Shows a manifest problem with a button that opens minnow.json (at the line, if named). */
export async function showManifestProblem(dir: string, problem: string, fix: string): Promise<void> {
  const file = join(dir, MANIFEST);
  const open = existsSync(file) ? 'Open minnow.json' : undefined;
  const choice = await vscode.window.showErrorMessage(`Minnow: ${problem}. ${fix}`, ...(open ? [open] : []));
  if (choice === open) {
    const m = /minnow\.json:(\d+):(\d+)/.exec(problem);
    const pos = m ? new vscode.Position(Number(m[1]) - 1, Number(m[2]) - 1) : new vscode.Position(0, 0);
    await vscode.window.showTextDocument(vscode.Uri.file(file), { selection: new vscode.Range(pos, pos) });
  }
}
