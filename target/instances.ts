// Instances: VMs started in the background (`minnow run -d`), listed by `minnow ps` and the
// extension's Instances view, stopped and removed by name. Each instance is a folder under the
// user's cache (XDG_CACHE_HOME, else ~/.cache, then minnow/instances/<name>) holding:
//
//   spec.json     what to boot (the startQemu options, written by `run -d`)
//   state.json    the instance's record: pids, ports, status and, once it ended, how it ended
//   console.log   everything the guest wrote on its console (COM1)
//   qemu.log      QEMU's own stderr; supervisor.log: the supervisor's (a bug report, if any)
//   <name>.elf    a copy of the image (and its .debug), so a rebuild of the app does not change
//                 what a debugger attaching later sees
//
// A detached VM needs someone to wait for it, or its exit code is lost: `run -d` starts a small
// supervisor (this same CLI, verb __supervise, in a session of its own) that starts QEMU, appends
// the console to console.log, and writes the exit into state.json when QEMU ends. `stop` sends
// the supervisor SIGTERM. Processes are identified by pid AND start time (/proc/<pid>/stat), so a
// pid reused after a reboot is not mistaken for the VM. An entry whose processes are all gone
// without an exit record (the machine rebooted, both were killed) is stale and is removed when
// the instances are next listed.

import { spawn } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import { MinnowError } from './errors';
import type { QemuExit } from './exit';
import { startQemu, type StartQemuOptions } from './qemu';

/** What `run -d` asks for: the startQemu options without callbacks, plus what ps shows. */
export interface InstanceSpec {
  name: string;
  app: string;
  appDir: string;
  qemu: Omit<StartQemuOptions, 'onConsole' | 'onStderr'>;
  /** Host ports forwarded to the guest (minnow.json network.hostForwards, "tcp:8080-80"). */
  hostForwards: string[];
  /** Remove the entry when the VM ends (`run -d --rm`). */
  removeWhenDone?: boolean;
}

export interface ProcessId {
  pid: number;
  /** Start time in clock ticks since boot (/proc/<pid>/stat field 22); 0 where unknown. */
  start: number;
}

/** How an instance ended, as shown by ps: "exited (3)", "exited (killed)". */
export type EndReason = QemuExit['reason'] | 'stopped';

export interface InstanceState {
  name: string;
  app: string;
  appDir: string;
  machine: string;
  elf: string;
  status: 'starting' | 'running' | 'exited';
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  supervisor: ProcessId;
  qemu?: ProcessId;
  /** The gdbstub's port on 127.0.0.1, for instances started with --debug. */
  gdbPort?: number;
  virtioConsolePort?: number;
  hostForwards: string[];
  exit?: { reason: EndReason; code?: number; signal?: string; summary: string };
  /** Set when the VM could not be started: the MinnowError's message and fix. */
  error?: { message: string; fix: string };
}

export interface Instance extends InstanceState {
  dir: string;
  /** Is the VM (QEMU) still there? */
  alive: boolean;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
const STATE = 'state.json';
const SPEC = 'spec.json';
export const CONSOLE_LOG = 'console.log';
const START_TIMEOUT_MS = 60000;
const STOP_GRACE_MS = 10000;

/** The folder of every instance's folder. */
export function instancesDir(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'minnow', 'instances');
}

export function checkInstanceName(name: string): void {
  if (!NAME.test(name)) {
    throw new MinnowError(`"${name}" is not a valid instance name`, 'Use letters, digits, "_", "." and "-" (up to 63, starting with a letter or digit).', 'instance');
  }
}

/** Start time of a live, non-zombie process, or undefined when there is none with that pid. */
function processStart(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z' || fields[0] === 'X') return undefined;
    return Number(fields[19]);
  } catch {
    // no /proc (not Linux): fall back on signal 0, without the start-time check
    if (existsSync('/proc/self/stat')) return undefined;
    try {
      process.kill(pid, 0);
      return 0;
    } catch {
      return undefined;
    }
  }
}

export function processId(pid: number): ProcessId {
  return { pid, start: processStart(pid) ?? 0 };
}

export function isRunning(p: ProcessId | undefined): boolean {
  if (!p) return false;
  const start = processStart(p.pid);
  return start !== undefined && (p.start === 0 || start === p.start);
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** Written whole or not at all: a reader never sees half a record. */
export function writeState(dir: string, state: InstanceState): void {
  const tmp = join(dir, `.${STATE}.${process.pid}`);
  writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n');
  renameSync(tmp, join(dir, STATE));
}

function readState(dir: string): InstanceState | undefined {
  return readJson<InstanceState>(join(dir, STATE));
}

/**
 * Every instance, oldest first. Stale entries (nothing running, no exit recorded) are removed,
 * and an instance whose supervisor died while QEMU ran on is still listed as running.
 */
export function listInstances(): Instance[] {
  const root = instancesDir();
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return [];
  }
  const out: Instance[] = [];
  for (const name of names) {
    if (!NAME.test(name)) continue;
    const dir = join(root, name);
    const s = readState(dir);
    if (!s) {
      // `run -d` creates the folder, then the record: a folder without one for a minute is debris
      if (Date.now() - mtime(dir) > START_TIMEOUT_MS) rmSync(dir, { recursive: true, force: true });
      continue;
    }
    const alive = isRunning(s.qemu);
    if (s.status !== 'exited' && !alive && !isRunning(s.supervisor)) {
      rmSync(dir, { recursive: true, force: true });
      continue;
    }
    out.push({ ...s, dir, alive });
  }
  return out.sort((a, b) => a.createdAt - b.createdAt || a.name.localeCompare(b.name));
}

function mtime(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

/** The instance of that name, or a MinnowError saying how to see which there are. */
export function getInstance(name: string): Instance {
  const found = listInstances().find((i) => i.name === name);
  if (!found) throw new MinnowError(`there is no instance named "${name}"`, 'See the instances with: minnow ps --all', 'instance');
  return found;
}

/** A name for a new instance of `app`: app-1, app-2, ... (the first one not taken). */
function freeName(app: string, taken: Set<string>): string {
  const base = app.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 56) || 'app';
  for (let n = 1; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}

/** How `run -d` reaches the supervisor: this program again, with the hidden verb. */
export interface SupervisorCommand {
  /** node, or whatever runs the CLI */
  execPath: string;
  /** the arguments before the verb: the CLI's script (process.execArgv + process.argv[1]) */
  args: string[];
}

/** "the VM is up" for `run -d`: the record of the started instance (or its start failure). */
export async function startInstance(spec: Omit<InstanceSpec, 'name'> & { name?: string }, how: SupervisorCommand): Promise<InstanceState> {
  const root = instancesDir();
  try {
    mkdirSync(root, { recursive: true });
  } catch (e) {
    throw new MinnowError(`cannot create the instances folder ${root}: ${(e as Error).message}`, 'Make it writable, or set XDG_CACHE_HOME to a folder you can write.', 'instance');
  }
  let name = spec.name;
  let dir = '';
  for (let attempt = 0; ; attempt++) {
    const existing = listInstances();
    if (name !== undefined) {
      checkInstanceName(name);
      const old = existing.find((i) => i.name === name);
      if (old) {
        const fix = old.status === 'exited' ? `Remove the old one (minnow rm ${name}) or choose another --name.` : `Stop it (minnow stop ${name}) or choose another --name.`;
        throw new MinnowError(`an instance named "${name}" already exists (${statusText(old)})`, fix, 'instance');
      }
    }
    const chosen = name ?? freeName(spec.app, new Set(existing.map((i) => i.name)));
    dir = join(root, chosen);
    try {
      mkdirSync(dir); // the lock: one of two `run -d` of one name gets EEXIST
      name = chosen;
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 20) {
        throw new MinnowError(`cannot create the instance folder ${dir}: ${(e as Error).message}`, 'Make the cache folder writable, or set XDG_CACHE_HOME to one you can write.', 'instance');
      }
      if (spec.name !== undefined) {
        throw new MinnowError(`an instance named "${spec.name}" is being started by another minnow`, 'Choose another --name.', 'instance');
      }
    }
  }
  const elf = join(dir, basename(spec.qemu.elf));
  copyFileSync(spec.qemu.elf, elf);
  const debug = spec.qemu.elf.replace(/\.elf$/, '.debug');
  if (existsSync(debug)) copyFileSync(debug, join(dir, basename(debug)));
  const full: InstanceSpec = { ...spec, name, qemu: { ...spec.qemu, elf } };
  writeFileSync(join(dir, SPEC), JSON.stringify(full, null, 2) + '\n');
  writeFileSync(join(dir, CONSOLE_LOG), '');
  const log = openSync(join(dir, 'supervisor.log'), 'a');
  const child = spawn(how.execPath, [...how.args, '__supervise', dir], { detached: true, stdio: ['ignore', log, log], cwd: dir });
  closeSync(log);
  child.unref();
  const supervisor = processId(child.pid!);
  writeState(dir, {
    name,
    app: spec.app,
    appDir: spec.appDir,
    machine: spec.qemu.machine ?? 'microvm',
    elf,
    status: 'starting',
    createdAt: Date.now(),
    supervisor,
    hostForwards: spec.hostForwards,
  });
  // the supervisor says "running" (or records the failure) once QEMU is up
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    await sleep(50);
    const s = readState(dir);
    if (s?.error) {
      rmSync(dir, { recursive: true, force: true });
      throw new MinnowError(s.error.message, s.error.fix, 'instance');
    }
    if (s && s.status !== 'starting') return s;
    if (!isRunning(supervisor) || Date.now() > deadline) {
      const why = readTail(join(dir, 'supervisor.log'));
      if (isRunning(supervisor)) process.kill(supervisor.pid, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      throw new MinnowError(`the instance "${name}" did not start${why ? `: ${why}` : ''}`, 'Run it in the foreground (minnow run without -d) to see what goes wrong.', 'instance');
    }
  }
}

function readTail(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-3).join(' / ');
  } catch {
    return '';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * The supervisor's body (`minnow __supervise <dir>`): boots the VM, keeps its console, records
 * how it ended, and stops it on SIGTERM. Resolves when the VM has ended.
 */
export async function superviseInstance(dir: string): Promise<void> {
  const spec = readJson<InstanceSpec>(join(dir, SPEC));
  const initial = readState(dir);
  if (!spec || !initial) throw new Error(`no instance record in ${dir}`);
  let state: InstanceState = { ...initial, supervisor: processId(process.pid) };
  const consoleFd = openSync(join(dir, CONSOLE_LOG), 'a');
  const qemuLog = openSync(join(dir, 'qemu.log'), 'a');
  let stopping = false;
  // before startQemu registers its own handlers (which SIGKILL QEMU): with ours there too, the
  // process does not die of the signal but goes on to record the exit
  const onStop = (): void => {
    stopping = true;
  };
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, onStop);
  let q;
  try {
    q = await startQemu({
      ...spec.qemu,
      onConsole: (text) => writeSync(consoleFd, text),
      onStderr: (text) => writeSync(qemuLog, text),
    });
  } catch (e) {
    const err = e as MinnowError;
    writeState(dir, { ...state, status: 'exited', finishedAt: Date.now(), error: { message: err.message, fix: err.fix ?? 'See the message above.' } });
    return;
  }
  state = { ...state, status: 'running', startedAt: Date.now(), qemu: processId(q.pid), gdbPort: q.port, virtioConsolePort: q.virtioConsolePort };
  writeState(dir, state);
  const stopNow = (): void => void q.kill();
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, stopNow);
  if (stopping) stopNow();
  const exit = await q.exited;
  closeSync(consoleFd);
  closeSync(qemuLog);
  const reason: EndReason = stopping ? 'stopped' : exit.reason;
  const summary = stopping ? 'stopped by minnow stop' : exit.summary;
  writeState(dir, { ...state, status: 'exited', finishedAt: Date.now(), exit: { reason, code: exit.appExitCode, signal: exit.signal ?? undefined, summary } });
  if (spec.removeWhenDone) rmSync(dir, { recursive: true, force: true });
}

/** ps's STATUS: "running", "exited (0)", "exited (killed)", "exited (crashed)"... */
export function statusText(i: InstanceState & { alive?: boolean }): string {
  if (i.status === 'starting') return 'starting';
  if (i.status === 'running') return 'running';
  const e = i.exit;
  if (!e) return i.error ? 'exited (failed to start)' : 'exited';
  switch (e.reason) {
    case 'exit':
      return `exited (${e.code ?? 0})`;
    case 'crash':
      return 'exited (crashed)';
    case 'killed':
      return 'exited (killed)';
    case 'stopped':
      return 'exited (stopped)';
    case 'timeout':
      return 'exited (timeout)';
    case 'killed-by-debugger':
      return 'exited (debugger)';
    case 'qemu-error':
      return 'exited (QEMU failed)';
    case 'no-exit-device':
      return 'exited (no exit code)';
  }
}

/** The exit status `minnow run` would have given, for a finished instance (undefined: still running). */
export function instanceExitCode(i: InstanceState): number | undefined {
  const e = i.exit;
  if (i.status !== 'exited' || !e) return undefined;
  const codes: Record<EndReason, number> = { exit: e.code ?? 0, crash: 127, 'killed-by-debugger': 126, timeout: 124, killed: 137, stopped: 143, 'qemu-error': 125, 'no-exit-device': 125 };
  return codes[e.reason];
}

/** ps's PORTS: the gdbstub, the virtio console and the forwarded host ports, all on 127.0.0.1. */
export function instancePorts(i: InstanceState): string[] {
  const out: string[] = [];
  if (i.gdbPort !== undefined) out.push(`gdb 127.0.0.1:${i.gdbPort}`);
  if (i.virtioConsolePort !== undefined) out.push(`console 127.0.0.1:${i.virtioConsolePort}`);
  for (const f of i.hostForwards) {
    const [proto, ports] = f.split(':');
    const [host, guest] = (ports ?? '').split('-');
    out.push(`${proto} 127.0.0.1:${host}->${guest}`);
  }
  return out;
}

/**
 * Stops a running instance: SIGTERM to its supervisor (which stops QEMU and records the exit);
 * when the supervisor is gone, QEMU itself is stopped and the exit recorded here. Resolves when
 * QEMU is gone. An instance that has already ended is left as it is.
 */
export async function stopInstance(name: string): Promise<Instance> {
  const i = getInstance(name);
  if (i.status === 'exited') return i;
  const signal = (p: ProcessId | undefined, sig: NodeJS.Signals): void => {
    if (!p || !isRunning(p)) return;
    try {
      process.kill(p.pid, sig);
    } catch {
      // gone meanwhile
    }
  };
  const supervised = isRunning(i.supervisor);
  if (supervised) signal(i.supervisor, 'SIGTERM');
  else signal(i.qemu, 'SIGTERM');
  const deadline = Date.now() + STOP_GRACE_MS;
  while ((isRunning(i.qemu) || isRunning(i.supervisor)) && Date.now() < deadline) await sleep(50);
  if (isRunning(i.qemu) || isRunning(i.supervisor)) {
    signal(i.qemu, 'SIGKILL');
    signal(i.supervisor, 'SIGKILL');
    while (isRunning(i.qemu) || isRunning(i.supervisor)) await sleep(20);
  }
  const now = readState(i.dir);
  if (now && now.status !== 'exited') {
    writeState(i.dir, { ...now, status: 'exited', finishedAt: Date.now(), exit: { reason: 'stopped', summary: 'stopped by minnow stop' } });
  }
  return { ...(readState(i.dir) ?? i), dir: i.dir, alive: false };
}

/** Removes a finished instance's record and logs; a running one only with force (it is stopped first). */
export async function removeInstance(name: string, force = false): Promise<void> {
  const i = getInstance(name);
  if (i.status !== 'exited') {
    if (!force) throw new MinnowError(`the instance "${name}" is running`, `Stop it first (minnow stop ${name}), or use minnow rm -f ${name}.`, 'instance');
    await stopInstance(name);
  }
  rmSync(i.dir, { recursive: true, force: true });
}

/** The console log's path (it exists from the instance's creation on). */
export function consoleLog(i: Instance): string {
  return join(i.dir, CONSOLE_LOG);
}
