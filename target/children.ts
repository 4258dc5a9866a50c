// Every process Minnow starts (make, QEMU) is registered here and killed when Node goes away,
// however it goes: a normal exit, SIGINT/SIGTERM/SIGHUP, or an uncaught exception. A QEMU left
// behind would keep its gdb port and burn a CPU. The signal handlers keep Node's default
// behaviour: after killing the children they re-raise the signal unless the program has its own
// handler for it.

import type { ChildProcess } from 'node:child_process';

const live = new Set<ChildProcess>();
/** Children spawned `detached` (a process group of their own): signals go to the whole group. */
const groups = new WeakSet<ChildProcess>();
let installed = false;

function signal(child: ChildProcess, sig: NodeJS.Signals): void {
  try {
    if (groups.has(child) && child.pid !== undefined) process.kill(-child.pid, sig);
    else child.kill(sig);
  } catch {
    // already gone
  }
}

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** SIGKILL every registered child that is still running. Synchronous: safe in 'exit'. */
export function killAllChildren(): void {
  for (const child of live) {
    if (child.exitCode === null && child.signalCode === null) signal(child, 'SIGKILL');
  }
  live.clear();
}

function onSignal(sig: NodeJS.Signals): void {
  killAllChildren();
  if (process.listenerCount(sig) <= 1) {
    // Ours was the only handler: behave as if there had been none.
    process.removeListener(sig, onSignal);
    process.kill(process.pid, sig);
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', killAllChildren);
  process.on('uncaughtExceptionMonitor', killAllChildren);
  for (const sig of SIGNALS) process.on(sig, onSignal);
}

/**
 * Track `child` until it exits; it is killed if Node exits first. `group`: it was spawned
 * detached, and its whole process group (make and the gcc processes it runs) is killed.
 */
export function registerChild(child: ChildProcess, group = false): void {
  install();
  if (group) groups.add(child);
  live.add(child);
  child.once('exit', () => live.delete(child));
  child.once('error', () => {
    if (child.pid === undefined) live.delete(child);
  });
}

/** Number of registered children still running (for tests). */
export function liveChildren(): number {
  return live.size;
}

/**
 * Ask `child` to stop (SIGTERM), SIGKILL it after `graceMs`, and resolve once it is gone.
 * Resolves at once when it has already exited.
 */
export function killAndWait(child: ChildProcess, graceMs = 2000): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => signal(child, 'SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    signal(child, 'SIGTERM');
  });
}
