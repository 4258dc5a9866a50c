// The thing being debugged: QEMU (when launched), gdb, and the connection between them. It builds
// and boots through target/, connects gdb to the stub, and watches both processes: when either
// dies without being asked to, `ended` says which one and why. It knows nothing of DAP.

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { GdbExited, GdbSession, mi } from './gdb';
import {
  buildApp,
  kernelDir,
  loadApp,
  isMinnowError,
  parsePublish,
  publishPorts,
  qemuEndedEarly,
  qemuOptionsFor,
  startQemu,
  type QemuExit,
  type QemuInstance,
  trace,
  tracing,
} from '../target';
import { checkAttributes } from './attributes';
import { loadComponents } from '../target/components';
import { errors } from './errors';

export interface LaunchArgs {
  app?: string;
  cwd?: string;
  stopOnEntry?: boolean;
  gdbstub?: 'kernel' | 'qemu';
  /** the kernel stub's transport: virtio (default on microvm) or com2 */
  gdbTransport?: 'virtio' | 'com2';
  accel?: 'auto' | 'tcg' | 'kvm';
  build?: boolean;
  qemuPath?: string;
  gdbPath?: string;
  qemuArgs?: string[];
  /** published ports, docker's syntax ("8080:80", "5353:53/udp"), added to minnow.json's "ports" */
  ports?: string[];
  /** CPUs to boot (QEMU -smp); overrides minnow.json's "cpus" */
  cpus?: number;
  gdbCommands?: string[];
  /** write every MI line to the Debug Console (for bug reports) */
  trace?: boolean;
}

export interface AttachArgs {
  /** host:port of a running stub, e.g. from `minnow debug` */
  target: string;
  /** the ELF that runs there */
  program: string;
  gdbPath?: string;
  gdbCommands?: string[];
  stopOnEntry?: boolean;
  trace?: boolean;
}

export interface DebuggeeHooks {
  output(text: string, category: 'console' | 'stdout' | 'stderr' | 'important'): void;
  progress(message: string): void;
  /** the session is over: the app exited, QEMU or gdb died; `message` says what happened */
  ended(message: string, exitCode?: number): void;
}

/** gdb's settings, given as -iex on its command line: no MI round trip for each of them. */
const GDB_SETUP: string[][] = [
  ['pagination', 'off'],
  ['confirm', 'off'],
  ['width', '0'],
  ['height', '0'],
  ['breakpoint', 'pending', 'on'],
  // no Z0/z0 pair per breakpoint at every resume and stop: both stubs keep their own table (the
  // kernel's takes its int3s out while stopped, QEMU's never writes memory)
  ['breakpoint', 'always-inserted', 'on'],
  ['print', 'elements', '200'],
  ['remotetimeout', '10'],
  // a refused connection fails at once: gdb's default retries it for its connect-timeout (15 s)
  // and then says "Connection timed out" about a port where nothing listens
  ['tcp', 'auto-retry', 'off'],
];

function traceGdb(dir: '<' | '>', line: string): void {
  trace('gdb', { dir, line: line.length > 160 ? `${line.slice(0, 160)}…` : line });
}

const gdbSetupArgs = (): string[] => GDB_SETUP.flatMap((words) => ['-iex', `set ${words.join(' ')}`]);

/**
 * A gdb started when this adapter process started, before any launch asked for it: the extension
 * starts the adapter while the build task runs and names the gdb to start (MINNOW_GDB_AHEAD), so
 * gdb's own start overlaps the build too. The first launch that uses the same gdb takes it.
 */
let ahead: { path: string; gdb: GdbSession; started: Promise<void> } | undefined;

export function startGdbAhead(path: string): void {
  const gdb = new GdbSession();
  const started = gdb.start(path, gdbSetupArgs());
  started.catch(() => undefined);
  ahead = { path, gdb, started };
}

/** The gdb started ahead, if it is the one wanted (another one is ended). */
function takeGdbAhead(path: string): { gdb: GdbSession; started: Promise<void> } | undefined {
  const a = ahead;
  ahead = undefined;
  if (a && a.path !== path) a.gdb.kill();
  return a?.path === path ? a : undefined;
}

/** The adapter is going down: a gdb started ahead that no launch took goes too. */
export function killGdbAhead(): void {
  ahead?.gdb.kill();
  ahead = undefined;
}

export class Debuggee {
  readonly gdb: GdbSession;
  /** set when this debuggee's gdb was started ahead (its start is then only awaited) */
  private readonly gdbStarted?: Promise<void>;
  qemu?: QemuInstance;
  elf = '';
  kind: 'launch' | 'attach' = 'launch';
  stubKind: 'kernel' | 'qemu' = 'kernel';
  /** the function the CPU stood in when gdb connected (gdbstub_* when the kernel waits before main) */
  connectStopFunc?: string;
  /** guest path → host folder (9p "mounts") or image ("disks") of the launched app, for kernelInfo */
  mountHosts: Record<string, string> = {};
  private closing = false;
  private endedOnce = false;
  /** while launch() runs, a QEMU exit fails the launch (in QEMU's words) instead of ending a session */
  private booting = false;
  private qemuExit?: QemuExit;

  /** `launchGdb`: the gdb a launch will use, which may have been started ahead. */
  constructor(private readonly hooks: DebuggeeHooks, launchGdb?: string) {
    const a = launchGdb === undefined ? undefined : takeGdbAhead(launchGdb);
    this.gdb = a?.gdb ?? new GdbSession();
    this.gdbStarted = a?.started;
  }

  /** Builds (unless build: false), boots QEMU with the stub waiting, starts gdb and connects. */
  async launch(args: LaunchArgs): Promise<void> {
    this.kind = 'launch';
    this.booting = true;
    try {
      await this.boot(args);
    } finally {
      this.booting = false;
    }
    if (this.qemuExit) throw qemuEndedEarly(this.qemuExit);
  }

  private async boot(args: LaunchArgs): Promise<void> {
    trace('adapter-boot');
    checkAttributes('launch', args);
    const dir = resolve(args.app ?? args.cwd ?? process.cwd());
    const app = loadApp(dir);
    for (const m of [...app.mounts.map((x) => ({ guest: x.guest, host: x.host })), ...app.disks.map((x) => ({ guest: x.guest, host: x.image }))]) {
      this.mountHosts[m.guest.replace(/\/+$/, '') || '/'] = m.host;
    }
    publishPorts(app, args.ports ?? [], loadComponents(kernelDir()), (i) => `launch.json "ports[${i}]"`);
    if (args.build !== false) {
      this.hooks.progress(`Building ${app.name}`);
      const r = await buildApp(app, { onOutput: (t) => this.hooks.output(t, 'console') });
      this.elf = r.elf;
    } else {
      this.elf = app.elf;
      if (!existsSync(this.elf)) {
        throw errors.badAttribute('build', `is false but ${this.elf} does not exist`, 'Build the application first, or remove "build": false.');
      }
    }
    // gdb starts and loads the symbols while QEMU boots; a wrong gdbPath still fails the launch
    this.hooks.progress('Booting QEMU');
    this.stubKind = args.gdbstub ?? 'kernel';
    const gdbReady = this.startGdb(args.gdbPath, args.trace)
      .then(() => mi.fileExecAndSymbols(this.gdb, this.elf))
      .then(() => trace('adapter-gdb-symbols'));
    const qemuReady = startQemu({
      ...qemuOptionsFor(app),
      accel: args.accel ?? 'auto',
      cpus: args.cpus ?? app.cpus,
      qemuPath: args.qemuPath,
      extraArgs: [...app.qemuArgs, ...(args.qemuArgs ?? [])],
      gdbstub: { kind: this.stubKind, wait: true, transport: args.gdbTransport },
      onConsole: (t) => this.hooks.output(t, 'stdout'),
    });
    void qemuReady.then(() => trace('adapter-qemu-listening'), () => undefined);
    const [g, q] = await Promise.allSettled([gdbReady, qemuReady]);
    if (q.status === 'fulfilled') {
      this.qemu = q.value;
      void this.qemu.exited.then((e) => this.onQemuExit(e));
    }
    if (g.status === 'rejected') throw g.reason;
    if (q.status === 'rejected') throw q.reason;
    this.hooks.progress('Connecting gdb');
    await this.connectWhileQemuRuns(this.qemu!, `127.0.0.1:${this.qemu!.port}`, args.gdbCommands);
  }

  /**
   * connect, but QEMU can still die after it listened (a bad -device is refused after the
   * chardevs are up): the launch then fails with QEMU's message, not with gdb's lost connection.
   */
  private async connectWhileQemuRuns(qemu: QemuInstance, target: string, gdbCommands?: string[]): Promise<void> {
    const early = new Error('qemu ended');
    const died = qemu.exited.then(() => Promise.reject(early));
    died.catch(() => undefined);
    const connected = this.connect(target, gdbCommands);
    connected.catch(() => undefined);
    try {
      await Promise.race([connected, died]);
    } catch (e) {
      // gdb may see the connection drop before Node sees QEMU exit
      if (e !== early) await Promise.race([died, new Promise((r) => setTimeout(r, 1000))]).catch(() => undefined);
      if (this.qemuExit) throw qemuEndedEarly(this.qemuExit);
      throw e;
    }
  }

  async attach(args: AttachArgs): Promise<void> {
    this.kind = 'attach';
    checkAttributes('attach', args);
    if (!existsSync(args.program)) {
      throw errors.badAttribute('program', `(${String(args.program)}) is not an existing ELF file`, 'Point it at the application\'s build/<name>.elf.');
    }
    this.elf = resolve(args.program);
    await this.startGdb(args.gdbPath, args.trace);
    await mi.fileExecAndSymbols(this.gdb, this.elf);
    await this.connect(args.target, args.gdbCommands);
  }

  private async startGdb(gdbPath: string | undefined, showMi?: boolean): Promise<void> {
    const path = gdbPath || 'gdb';
    if (showMi) this.gdb.trace = (dir, line) => this.hooks.output(`${dir} ${line}\n`, 'console');
    if (tracing()) {
      // commands and their answers (not the streams) with their times, for MINNOW_TRACE
      const shown = this.gdb.trace;
      this.gdb.trace = (dir, line) => {
        shown?.(dir, line);
        if (dir === '>' || /^\d*[\^*=]/.test(line)) traceGdb(dir, line);
      };
    }
    this.gdb.on('exit', (e) => this.onGdbExit(e));
    try {
      if (this.gdbStarted) await this.gdbStarted;
      else await this.gdb.start(path, gdbSetupArgs());
      trace('adapter-gdb-started');
    } catch (e) {
      if (e instanceof GdbExited) throw errors.gdbNotFound(path, gdbPath !== undefined, e.detail || e.message);
      throw e;
    }
  }

  private async connect(target: string, gdbCommands: string[] = []): Promise<void> {
    const stopped = this.gdb.waitStopped(20_000);
    stopped.catch(() => undefined);
    try {
      await mi.targetRemote(this.gdb, target);
      trace('adapter-target-remote');
    } catch (e) {
      if (e instanceof Error && !(e instanceof GdbExited)) {
        if (/Connection refused/i.test(e.message)) throw errors.nothingListens(target);
        throw errors.connectFailed(target, e.message);
      }
      throw e;
    }
    // the stub reports where the CPU stands; wait for it so the first requests see a stopped target
    const first = await Promise.race([stopped, new Promise<undefined>((r) => setTimeout(() => r(undefined), 1500))]);
    this.connectStopFunc = first?.frame?.func;
    trace('adapter-connected', { func: this.connectStopFunc ?? null });
    for (const c of gdbCommands) {
      const text = await this.gdb.cli(c);
      if (text) this.hooks.output(text, 'console');
    }
  }

  private onQemuExit(e: QemuExit): void {
    this.qemuExit = e;
    if (this.closing || this.booting) return;
    let message: string;
    if (e.reason === 'exit') message = `The application exited with code ${e.appExitCode}.`;
    else if (e.reason === 'crash') message = 'The kernel crashed (see the console above); QEMU exited.';
    else {
      const tail = e.stderrTail.trim().split('\n').slice(-3).join(' | ');
      message = `QEMU exited unexpectedly (${e.summary})${tail ? `: ${tail}` : ''}.`;
    }
    this.end(message, e.appExitCode ?? (e.crashed ? 127 : e.status ?? undefined));
  }

  private onGdbExit(e: GdbExited): void {
    if (this.closing) return;
    this.end(`gdb exited unexpectedly (${e.signal ? `signal ${e.signal}` : `code ${e.code}`})${e.detail ? `: ${e.detail}` : ''}.`);
  }

  private end(message: string, exitCode?: number): void {
    if (this.endedOnce) return;
    this.endedOnce = true;
    this.hooks.ended(message, exitCode);
  }

  /** Ends everything: detach (attach) or kill (launch), gdb exits, QEMU is stopped. */
  async shutdown(detach = this.kind === 'attach'): Promise<void> {
    this.closing = true;
    if (this.gdb.alive) {
      try {
        // QEMU we started is simply killed; a kernel we attached to is detached from (it runs on)
        // or killed through the stub (`k`). Every one of them needs a stopped target first: gdb
        // refuses even -gdb-exit while the target runs ("Cannot execute this command while the
        // target is running", a restart or stop of a running kernel), and would wait to be killed
        if (this.gdb.running) {
          const stopped = this.gdb.waitStopped(2000);
          stopped.catch(() => undefined);
          await this.gdb.interrupt().then(() => stopped).catch(() => undefined);
        }
        if (this.kind === 'attach' || detach) {
          if (detach) await mi.targetDetach(this.gdb).catch(() => undefined);
          else await this.gdb.cli('kill', { timeoutMs: 3000 }).catch(() => undefined);
        }
      } finally {
        await this.gdb.exit(1000);
      }
    }
    if (this.qemu) await this.qemu.kill();
  }

  /** Last resort when the adapter itself is going down: no waiting. */
  killNow(): void {
    this.closing = true;
    this.gdb.kill();
    if (this.qemu) void this.qemu.kill();
  }
}
