// Starting and stopping QEMU for a Minnow ELF. The console (COM1) arrives through onConsole as
// soon as QEMU writes it, partial lines included (a prompt without a newline must show); UTF-8
// sequences split across reads are held back until complete. When a gdbstub port is used, the
// returned promise waits until QEMU listens on it, and a port lost to another process between
// our check and QEMU's bind ("Address already in use") is retried with a new port. Published
// ports (hostfwd) are checked before boot and awaited after it, so a host port that is taken
// is one clear error either way (target/publish.ts).

import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, ftruncateSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { probeKvm, resolveAccel, type Accel } from './accel';
import { registerChild, killAndWait } from './children';
import type { AppConfig, DiskConfig, Machine } from './config';
import { MinnowError, advise, aptInstall } from './errors';
import { mapExit, qemuErrorLine, type QemuExit } from './exit';
import { freePort, probePort, waitForListener } from './ports';
import { startVirtiofsd } from './virtiofs';
import { buildQemuArgs, type DeviceOptions, type GdbstubOptions } from './qemuargs';
import { QBOOT_ROM, which } from './tools';
import { checkHostPorts, failedForward, ownsForwards, parseHostForward, portInUseError, waitForForwards } from './publish';

/**
 * The byte that ends the guest's console input (Ctrl-D, as on a terminal): the kernel's console
 * reads it as end of file (kernel/core/console.c). Closing QEMU's stdin would not do: QEMU would
 * only stop reading it.
 */
export const CONSOLE_EOF = '\x04';

export interface StartQemuOptions {
  elf: string;
  machine?: Machine;
  accel?: Accel;
  /** QEMU -m, default "8M". */
  memory?: string;
  /** CPUs (-smp), default 1. */
  cpus?: number;
  /** argv[0] for main. */
  name?: string;
  /** argv[1..] for main. */
  argv?: readonly string[];
  /** Extra kernel options ("minnow.verbose"). */
  kernelOptions?: readonly string[];
  /** Default: env MINNOW_QEMU, else qemu-system-x86_64 on PATH. */
  qemuPath?: string;
  /** Appended after Minnow's own arguments (minnow.json qemuArgs, launch qemuArgs). */
  extraArgs?: readonly string[];
  gdbstub?: GdbstubOptions;
  devices?: DeviceOptions;
  /** Console text (COM1), chunk by chunk. */
  onConsole?(text: string): void;
  /** QEMU's own stderr, chunk by chunk (also kept in QemuExit.stderrTail). */
  onStderr?(text: string): void;
  /** Stop QEMU after this many ms; the exit then has reason 'timeout'. */
  timeoutMs?: number;
  /** Working directory of QEMU (default: the ELF's folder is not assumed; process.cwd()). */
  cwd?: string;
}

export interface QemuInstance {
  pid: number;
  /** The gdbstub port (kernel or QEMU stub), when one was asked for. */
  port?: number;
  accel: 'tcg' | 'kvm';
  /** 127.0.0.1 port of the virtio console's host side, when virtio_console is linked. */
  virtioConsolePort?: number;
  /** The full argument vector, qemu binary first. */
  command: string[];
  /** Settles when QEMU has exited and its output has been delivered. Never rejects. */
  exited: Promise<QemuExit>;
  /** Stops QEMU (SIGTERM, then SIGKILL) and resolves when the process is gone. */
  kill(): Promise<void>;
  /** Types into the guest console (COM1). */
  writeConsole(data: string | Buffer): void;
  /** The end of console input: the guest's reads see end of file from here on (CONSOLE_EOF). */
  endConsole(): void;
}

const STDERR_TAIL = 8192;
const PORT_ATTEMPTS = 5;
const LISTEN_TIMEOUT_MS = 15000;

/** The QEMU binary to use, or a MinnowError saying how to get one. */
export function findQemu(qemuPath?: string): string {
  const wanted = qemuPath || process.env.MINNOW_QEMU || 'qemu-system-x86_64';
  const found = which(wanted);
  if (found) return found;
  if (qemuPath || process.env.MINNOW_QEMU) {
    const install = `install: ${aptInstall(['qemu-system-x86'])}`;
    if (!qemuPath) throw new MinnowError(`QEMU not found at ${wanted} (from MINNOW_QEMU)`, `Fix MINNOW_QEMU, or unset it to use qemu-system-x86_64 from PATH (${install}).`, 'qemuMissing');
    throw new MinnowError(`QEMU not found at ${wanted}`, advise((say) => `Fix ${say('--qemu', '"qemuPath"')}, or leave it out to use qemu-system-x86_64 from PATH (${install}).`), 'qemuMissing');
  }
  throw new MinnowError('QEMU (qemu-system-x86_64) is not installed or not on PATH', advise((say) => `Install it: ${aptInstall(['qemu-system-x86'])} — or give your QEMU binary with ${say('--qemu PATH', '"qemuPath"')}.`), 'qemuMissing');
}

/**
 * QEMU ended before a debugger could reach its gdbstub: a user error in QEMU's own words (a bad
 * qemuArgs value is "qemu-system-x86_64: -bogus-option: invalid option"), never the later
 * failures of gdb that it causes.
 */
export function qemuEndedEarly(exit: QemuExit): MinnowError {
  const line = qemuErrorLine(exit.stderrTail);
  const tail = exit.stderrTail.trim().split('\n').slice(-3).join(' | ');
  const message = line
    ? `QEMU did not start: ${line}`
    : `QEMU exited before the debugger could connect (${exit.summary})${tail ? `: ${tail}` : ''}`;
  return new MinnowError(message, advise((_say, audience) => `Check the QEMU arguments ("qemuArgs" in minnow.json${audience === 'launch' ? ' and in launch.json' : ''}) against QEMU's message.`), 'qemu');
}

/** The startQemu options that come from minnow.json; the caller adds accel, gdbstub, onConsole. */
export function qemuOptionsFor(app: AppConfig): StartQemuOptions {
  return {
    elf: app.elf,
    machine: app.machine,
    memory: app.memory,
    cpus: app.cpus,
    name: app.name,
    argv: app.args,
    extraArgs: app.qemuArgs,
    devices: { components: app.components, disk: app.disk, network: app.network, mounts: app.mounts, disks: app.disks },
  };
}

/** The disk image must exist; with disk.size, a missing raw image is created empty (sparse). */
function ensureDisk(disk: DiskConfig): void {
  if (existsSync(disk.image)) return;
  if (disk.createSize === undefined || disk.format !== 'raw') {
    throw new MinnowError(`the disk image ${disk.image} does not exist`, 'Create it (e.g. truncate -s 1M disk.img), fix "disk.image", or add "size": "1M" to "disk" in minnow.json to have Minnow create it.', 'path');
  }
  mkdirSync(dirname(disk.image), { recursive: true });
  const fd = openSync(disk.image, 'wx');
  try {
    ftruncateSync(fd, disk.createSize);
  } finally {
    closeSync(fd);
  }
}

interface Attempt {
  child: ChildProcess;
  stderr: () => string;
  exit: Promise<QemuExit>;
  hasExited: () => boolean;
  markTimedOut: () => void;
  markKilled: () => void;
  /** Deliver the output held so far and everything after it (see launch). */
  release: () => void;
}

function launch(bin: string, args: string[], opts: StartQemuOptions): Promise<Attempt> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'], cwd: opts.cwd });
    registerChild(child);
    let tail = '';
    let exitedFlag = false;
    let timedOut = false;
    let killed = false;
    // Output is held until startQemu keeps this attempt: a run that lost its port to another
    // process is retried, and its "Address already in use" must not reach the user.
    let held: (() => void)[] | undefined = [];
    const emit = (fn: () => void): void => {
      if (held) held.push(fn);
      else fn();
    };
    const out = new StringDecoder('utf8');
    const err = new StringDecoder('utf8');
    child.stdout!.on('data', (b: Buffer) => {
      const text = out.write(b);
      if (text) emit(() => opts.onConsole?.(text));
    });
    child.stderr!.on('data', (b: Buffer) => {
      const text = err.write(b);
      tail = (tail + text).slice(-STDERR_TAIL);
      if (text) emit(() => opts.onStderr?.(text));
    });
    child.stdin!.on('error', () => {
      // QEMU closed its stdin (it exited): writes are dropped.
    });
    const exit = new Promise<QemuExit>((res) => {
      child.once('close', (status, signal) => {
        exitedFlag = true;
        const rest = out.end();
        if (rest) emit(() => opts.onConsole?.(rest));
        res(mapExit({ status, signal, stderrTail: tail, timedOut, killed }));
      });
    });
    child.once('error', (e: NodeJS.ErrnoException) => {
      if (child.pid === undefined) {
        reject(new MinnowError(`cannot start QEMU (${bin}): ${e.message}`, advise((say) => `Check that the QEMU binary is executable, or give another one with ${say('--qemu PATH', '"qemuPath"')}.`), 'qemuMissing'));
      }
    });
    child.once('spawn', () =>
      resolve({
        child,
        stderr: () => tail,
        exit,
        hasExited: () => exitedFlag,
        markTimedOut: () => (timedOut = true),
        markKilled: () => (killed = true),
        release: () => {
          const pending = held ?? [];
          held = undefined;
          for (const fn of pending) fn();
        },
      }),
    );
  });
}

/**
 * Polls until QEMU (pid) itself listens on the stub's port (true), or exits or `timeoutMs` passes
 * (false). Whose listener it is matters: a process that took the port between freePort() and
 * QEMU's bind would otherwise pass for the stub, and QEMU's "Address already in use" exit that
 * follows would not be retried. Without /proc, any listener counts.
 */
async function waitForStub(pid: number, port: number, exited: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let delay = 5;
  while (Date.now() < deadline) {
    if (exited()) return false;
    const owned = ownsForwards(pid, [{ proto: 'tcp', host: port, guest: 0 }]);
    if (owned === true) return true;
    if (owned === undefined) return waitForListener(port, exited, deadline - Date.now());
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 50);
  }
  return false;
}

/** Boots an ELF under QEMU per the run contract. See StartQemuOptions and QemuInstance. */
export async function startQemu(opts: StartQemuOptions): Promise<QemuInstance> {
  const bin = findQemu(opts.qemuPath);
  if (!existsSync(opts.elf)) {
    throw new MinnowError(`the kernel image ${opts.elf} does not exist`, advise((_say, audience) => (audience === 'cli' ? 'Build the application first (minnow build), or leave out --no-build.' : 'Build the application first: remove "build": false from launch.json (the launch then builds it), or run minnow build.')), 'build');
  }
  const machine = opts.machine ?? 'microvm';
  const accel = resolveAccel(opts.accel ?? 'auto');
  // Nested/paravirtual KVM (no vmx/svm shown) refuses IA32_ARCH_CAPABILITIES and QEMU aborts.
  const cpu = accel === 'kvm' && !probeKvm().cpuFlag ? 'host,-arch-capabilities' : undefined;
  const fixedPort = opts.gdbstub?.port ? opts.gdbstub.port : undefined;
  if (fixedPort !== undefined && (await probePort(fixedPort)) === 'busy') {
    throw new MinnowError(`port ${fixedPort} on 127.0.0.1 is already in use`, advise((_say, audience) => `Choose another ${audience === 'cli' ? '--port' : 'port'}, or leave it out to let Minnow pick a free one.`), 'port');
  }
  const devices: DeviceOptions | undefined = opts.devices ? { ...opts.devices } : undefined;
  if (devices?.components?.includes('virtio_blk') && devices.disk) ensureDisk(devices.disk);
  if (devices?.components?.includes('virtio_console') && devices.virtioConsolePort === undefined) {
    devices.virtioConsolePort = await freePort();
  }
  // published ports: a host port someone holds is named before boot (target/publish.ts)
  const net = devices?.components?.includes('virtio_net') ? devices.network : undefined;
  const forwards = net && net.backend !== 'dgram' ? net.hostForwards.map(parseHostForward) : [];
  await checkHostPorts(forwards);
  for (let attempt = 1; ; attempt++) {
    const port = opts.gdbstub ? (fixedPort ?? (await freePort())) : undefined;
    // virtiofsd serves one connection: each attempt gets daemons of its own
    const daemons = await startVirtiofsd(devices?.mounts ?? []);
    const args = buildQemuArgs({
      elf: opts.elf,
      machine,
      accel,
      cpu,
      memory: opts.memory ?? '8M',
      cpus: opts.cpus,
      name: opts.name,
      argv: opts.argv ?? [],
      kernelOptions: opts.kernelOptions,
      gdbstub: opts.gdbstub && port !== undefined ? { kind: opts.gdbstub.kind, port, wait: opts.gdbstub.wait ?? false, transport: opts.gdbstub.transport } : undefined,
      devices: devices && { ...devices, mounts: daemons.mounts },
      qbootRom: machine === 'q35' && existsSync(QBOOT_ROM) ? QBOOT_ROM : undefined,
      extraArgs: opts.extraArgs,
    });
    let a: Attempt;
    try {
      a = await launch(bin, args, opts);
    } catch (e) {
      await daemons.stop();
      throw e;
    }
    void a.exit.then(() => daemons.stop());
    if (port !== undefined) {
      const listening = await waitForStub(a.child.pid!, port, a.hasExited, LISTEN_TIMEOUT_MS);
      if (a.hasExited() && /Address already in use/i.test(a.stderr())) {
        if (fixedPort === undefined && attempt < PORT_ATTEMPTS) continue;
        throw new MinnowError(`QEMU could not listen on 127.0.0.1:${port}: address already in use`, 'Free the port or choose another one.', 'port');
      }
      if (!listening && a.hasExited()) {
        // without wait a quick guest may have run to its end before we saw the port: that exit
        // is the caller's to report; QEMU's own refusal, or any end while the stub waits, is not
        const exit = await a.exit;
        if (exit.reason === 'qemu-error' || opts.gdbstub?.wait) throw qemuEndedEarly(exit);
      }
      if (!listening && !a.hasExited()) {
        await killAndWait(a.child);
        throw new MinnowError(`QEMU did not open the gdbstub port 127.0.0.1:${port} within ${LISTEN_TIMEOUT_MS / 1000} s`, `Check the QEMU arguments (qemuArgs) and QEMU's messages: ${a.stderr().trim().split('\n').pop() ?? ''}`, 'qemu');
      }
    }
    if (forwards.length > 0) {
      // taken between our check and QEMU's bind: QEMU exits with "Could not set up host
      // forwarding rule", which becomes the same error as the check's (its output is dropped)
      await waitForForwards(a.child.pid!, forwards, a.hasExited);
      const failed = a.hasExited() ? failedForward(a.stderr()) : undefined;
      if (failed) throw portInUseError(forwards.find((f) => f.proto === failed.proto && f.host === failed.host) ?? failed);
    }
    a.release();
    let timer: NodeJS.Timeout | undefined;
    if (opts.timeoutMs !== undefined) {
      timer = setTimeout(() => {
        a.markTimedOut();
        void killAndWait(a.child);
      }, opts.timeoutMs);
      void a.exit.then(() => clearTimeout(timer));
    }
    return {
      pid: a.child.pid!,
      port,
      accel,
      virtioConsolePort: devices?.virtioConsolePort,
      command: [bin, ...args],
      exited: a.exit,
      kill: async () => {
        if (!a.hasExited()) a.markKilled();
        await killAndWait(a.child);
        await a.exit;
      },
      writeConsole: (data) => {
        if (!a.hasExited() && a.child.stdin!.writable) a.child.stdin!.write(data);
      },
      endConsole: () => {
        if (!a.hasExited() && a.child.stdin!.writable) a.child.stdin!.write(CONSOLE_EOF);
      },
    };
  }
}
