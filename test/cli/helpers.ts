// Shared by the CLI tests: run bin/minnow as a user would (a real process, real make, real
// QEMU), make throw-away application folders from the examples, and clean them up.

import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');
export const BIN = join(ROOT, 'bin', 'minnow');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** written to the CLI's stdin (a pipe), which is then closed; without it stdin is /dev/null */
  input?: string;
}

const running = new Set<ChildProcess>();

/** Starts bin/minnow; the caller reads its output. Killed by killStragglers(). */
export function startCli(args: string[], opts: CliOptions = {}): ChildProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? ROOT,
    env: opts.env ?? process.env,
    stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  if (opts.input !== undefined) child.stdin!.end(opts.input);
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

/** Runs bin/minnow to completion (or kills it after timeoutMs, default 170 s: builds are slow on a loaded machine). */
export function cli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  const child = startCli(args, opts);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 170000);
  return new Promise((resolve) => {
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

export function killStragglers(): void {
  for (const c of running) c.kill('SIGKILL');
  running.clear();
}

const tmpDirs: string[] = [];

/** A fresh temp folder, removed by cleanupTmp(). */
export function tmp(prefix = 'minnow-test-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  tmpDirs.push(d);
  return d;
}

export function cleanupTmp(): void {
  for (const d of tmpDirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** A copy of examples/<template> (without build/) in a temp folder; returns the app folder. */
export function appFrom(template = 'hello', files: Record<string, string> = {}): string {
  const dir = join(tmp(), template);
  // like `minnow new`: no build output, no disk image made by an earlier run
  cpSync(join(ROOT, 'examples', template), dir, { recursive: true, filter: (src) => basename(src) !== 'build' && !src.endsWith('.img') });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** An application made from scratch: one main.c and a minnow.json. */
export function appWith(mainC: string, manifest: Record<string, unknown> = {}): string {
  const dir = join(tmp(), 'app');
  cpSync(join(ROOT, 'examples', 'hello'), dir, { recursive: true, filter: (src) => basename(src) !== 'build' });
  writeFileSync(join(dir, 'main.c'), mainC);
  writeFileSync(join(dir, 'minnow.json'), JSON.stringify({ name: 'app', sources: ['main.c'], ...manifest }, null, 2));
  return dir;
}

/**
 * A PATH folder with every program of the current PATH except `hide`, to test "tool missing"
 * without uninstalling anything.
 */
export function pathWithout(hide: string[]): string {
  const bin = tmp('minnow-path-');
  const seen = new Set<string>();
  for (const dir of (process.env.PATH ?? '').split(':')) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const n of names) {
      if (seen.has(n) || hide.includes(n)) continue;
      seen.add(n);
      try {
        symlinkSync(join(dir, n), join(bin, n));
      } catch {
        // a name we cannot link: irrelevant here
      }
    }
  }
  return bin;
}

/** False once the process is gone or a zombie. */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Sources make compiled, from its quiet "  CC      core/sched.c" lines (generated obj/ files left out). */
export function compiled(output: string): string[] {
  return output
    .split('\n')
    .map((l) => /^ {2}(CC|AS) +(\S+)$/.exec(l)?.[2])
    .filter((f): f is string => f !== undefined && !f.startsWith('obj/'))
    .sort();
}
