// The host tools Minnow needs, where they are, and how to install the missing ones. Used by
// `minnow check` and by the build and QEMU code to turn "ENOENT" into an error with the fix.

import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { aptInstall } from './errors';

export interface Tool {
  /** The program name looked up on PATH. */
  bin: string;
  /** The Debian/Ubuntu package that provides it. */
  pkg: string;
  /** What Minnow uses it for. */
  role: string;
}

export const TOOLS: readonly Tool[] = [
  { bin: 'qemu-system-x86_64', pkg: 'qemu-system-x86', role: 'runs the unikernel' },
  { bin: 'gcc', pkg: 'gcc', role: 'compiles the kernel and the application' },
  { bin: 'ld', pkg: 'binutils', role: 'links them into one ELF' },
  { bin: 'make', pkg: 'make', role: 'drives the incremental build' },
  { bin: 'gdb', pkg: 'gdb', role: 'debugs (minnow debug, the VS Code debugger)' },
];

export const QBOOT_ROM = '/usr/share/qemu/qboot.rom';

function isExecutableFile(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Absolute path of `bin` (a name looked up on PATH, or a path), or undefined if not found. */
export function which(bin: string, pathEnv: string | undefined = process.env.PATH): string | undefined {
  if (bin.includes('/')) return isExecutableFile(bin) ? bin : undefined;
  for (const dir of (pathEnv ?? '').split(delimiter)) {
    if (!dir || !isAbsolute(dir)) continue;
    const p = join(dir, bin);
    if (isExecutableFile(p)) return p;
  }
  return undefined;
}

export interface ToolStatus extends Tool {
  path?: string;
}

/** Each needed tool with its path, or without one when missing. `overrides` maps bin → path. */
export function checkTools(overrides: Partial<Record<string, string>> = {}): ToolStatus[] {
  return TOOLS.map((t) => ({ ...t, bin: overrides[t.bin] ?? t.bin, path: which(overrides[t.bin] ?? t.bin) }));
}

/** The install command for the packages of these missing tools. */
export function installCommand(missing: readonly Tool[]): string {
  return aptInstall([...new Set(missing.map((t) => t.pkg))]);
}

export function toolFor(bin: string): Tool | undefined {
  return TOOLS.find((t) => t.bin === bin);
}

export function hasQbootRom(): boolean {
  return existsSync(QBOOT_ROM);
}
