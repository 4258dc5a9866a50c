// The extension's settings and the places derived from them: the kernel sources an application
// is built against, the programs Minnow ships (dist/cli.js, dist/debugAdapter.js), and the
// environment those programs run with.

import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export type Accel = 'auto' | 'tcg' | 'kvm';

export interface MinnowSettings {
  qemuPath: string;
  gdbPath: string;
  accel: Accel;
  kernelPath: string;
}

export function settings(scope?: vscode.ConfigurationScope): MinnowSettings {
  const c = vscode.workspace.getConfiguration('minnow', scope);
  const accel = c.get<string>('accel', 'auto');
  return {
    qemuPath: c.get<string>('qemuPath', '').trim(),
    gdbPath: c.get<string>('gdbPath', '').trim(),
    accel: accel === 'tcg' || accel === 'kvm' ? accel : 'auto',
    kernelPath: c.get<string>('kernelPath', '').trim(),
  };
}

/** Where Minnow's own files are inside the installed extension (or the repository checkout). */
export class Install {
  constructor(readonly root: string) {}

  get cli(): string {
    return join(this.root, 'dist', 'cli.js');
  }

  get adapter(): string {
    return join(this.root, 'dist', 'debugAdapter.js');
  }

  get examples(): string {
    return join(this.root, 'examples');
  }

  /** minnow.kernelPath if set, else the kernel sources shipped in the extension. */
  kernelDir(scope?: vscode.ConfigurationScope): string {
    const custom = settings(scope).kernelPath;
    return custom || join(this.root, 'kernel');
  }

  hasProgram(path: string): boolean {
    return existsSync(path);
  }

  /**
   * Environment for the CLI and the adapter. They run with the extension host's own Node
   * (process.execPath); in desktop VS Code that is Electron, which ELECTRON_RUN_AS_NODE turns
   * into plain Node.
   */
  env(scope?: vscode.ConfigurationScope): Record<string, string> {
    const s = settings(scope);
    const env: Record<string, string> = { ELECTRON_RUN_AS_NODE: '1', MINNOW_KERNEL: this.kernelDir(scope) };
    // the CLI and the Target layer read MINNOW_QEMU; gdb and accel reach the adapter as launch
    // attributes and the run task as --accel
    if (s.qemuPath) env.MINNOW_QEMU = s.qemuPath;
    return env;
  }
}
