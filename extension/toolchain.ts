// "Minnow: Check Toolchain": which of gcc, make, QEMU and gdb are found, and the one command
// that installs the missing ones (the same check as `minnow check`).

import * as vscode from 'vscode';
import { checkTools, installCommand } from '../target';
import { settings } from './settings';
import { trace } from './trace';

export async function checkToolchain(output: vscode.OutputChannel): Promise<void> {
  const s = settings();
  const overrides: Record<string, string> = {};
  if (s.qemuPath) overrides['qemu-system-x86_64'] = s.qemuPath;
  if (s.gdbPath) overrides.gdb = s.gdbPath;
  const tools = checkTools(overrides);
  const missing = tools.filter((t) => !t.path);
  output.appendLine(`Minnow toolchain check (${new Date().toLocaleString()}):`);
  for (const t of tools) {
    output.appendLine(`  ${t.path ? 'ok     ' : 'MISSING'} ${t.bin.padEnd(20)} ${t.path ?? `(package ${t.pkg})`}  ${t.role}`);
  }
  trace('toolchain', { missing: missing.map((t) => t.bin) });
  if (missing.length === 0) {
    output.appendLine('  everything Minnow needs is installed.');
    void vscode.window.showInformationMessage(`Minnow: the toolchain is complete (${tools.map((t) => t.bin).join(', ')}).`);
    return;
  }
  const cmd = installCommand(missing);
  output.appendLine(`  install the missing tools with:\n    ${cmd}`);
  const runIt = 'Run in Terminal';
  const copy = 'Copy Command';
  const choice = await vscode.window.showWarningMessage(
    `Minnow: missing ${missing.map((t) => t.bin).join(', ')}. Install with: ${cmd}`,
    runIt,
    copy,
  );
  if (choice === copy) await vscode.env.clipboard.writeText(cmd);
  if (choice === runIt) {
    const term = vscode.window.createTerminal({ name: 'Minnow: install toolchain' });
    term.show();
    term.sendText(cmd, false);
  }
}
