// Child processes of the benchmarks: each one is spawned with an argument array in a process
// group of its own (detached), so that killing the group also ends whatever it started (make's
// gcc, for instance). Every live group is killed at the end of the run and on any exit path.

import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

const groups = new Set<number>();

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Kills every process group the benchmarks started and that is still alive. */
export function killAllGroups(): void {
  for (const pid of groups) killGroup(pid);
  groups.clear();
}

process.on('exit', killAllGroups);

/** spawn() in a new process group, remembered until it exits. */
export function spawnGroup(cmd: string, args: readonly string[], opts: SpawnOptions = {}): ChildProcess {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts, detached: true });
  const pid = child.pid;
  if (pid !== undefined) {
    groups.add(pid);
    child.once('exit', () => groups.delete(pid));
  }
  return child;
}

/** Kills the child's whole group and waits for the child itself to be gone. */
export async function killChild(child: ChildProcess): Promise<void> {
  if (child.pid === undefined) return;
  const gone = child.exitCode !== null || child.signalCode !== null;
  const exited = gone ? Promise.resolve() : new Promise<void>((r) => child.once('exit', () => r()));
  killGroup(child.pid);
  groups.delete(child.pid);
  await exited;
}

export interface RunResult {
  /** Wall time from spawn to exit, ms. */
  ms: number;
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Runs a command to completion with a deadline; the time covers the whole process. */
export function runTimed(cmd: string, args: readonly string[], timeoutMs: number, opts: SpawnOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawnGroup(cmd, args, opts);
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout?.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
    child.stderr?.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
    const timer = setTimeout(() => {
      timedOut = true;
      void killChild(child);
    }, timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('exit', (status, signal) => {
      const ms = performance.now() - t0;
      clearTimeout(timer);
      // 'exit' can come before the pipes are drained; 'close' follows once they are.
      child.once('close', () => resolve({ ms, status, signal, stdout, stderr, timedOut }));
    });
  });
}
