// Child processes of the benchmarks: each one is spawned with an argument array in a process
// group of its own (detached), so that killing the group also ends whatever it started (make's
// gcc, for instance). Every live group is killed at the end of the run and on any exit path.

import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

/** pid → child, for every group still alive */
const groups = new Map<number, ChildProcess>();

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Kills every process group the benchmarks started and that is still alive. */
export function killAllGroups(): void {
  for (const pid of groups.keys()) killGroup(pid);
  groups.clear();
}

/**
 * killAllGroups, then wait (at most `ms`) until Node has reaped each child: a process that exits
 * at once would leave them to init as zombies.
 */
export function killAllGroupsAndWait(ms = 2000): Promise<void> {
  const children = [...groups.values()].filter((c) => c.exitCode === null && c.signalCode === null);
  const gone = children.map((c) => new Promise<void>((r) => c.once('exit', () => r())));
  killAllGroups();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((r) => (timer = setTimeout(r, ms)));
  return Promise.race([Promise.all(gone), late]).then(() => clearTimeout(timer));
}

process.on('exit', killAllGroups);

/** spawn() in a new process group, remembered until it exits. */
export function spawnGroup(cmd: string, args: readonly string[], opts: SpawnOptions = {}): ChildProcess {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts, detached: true });
  const pid = child.pid;
  if (pid !== undefined) {
    groups.set(pid, child);
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
