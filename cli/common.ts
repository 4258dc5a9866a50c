// What `run` and `debug` share: their machine/accel/QEMU options, "load + build", the mapping
// from a QEMU exit to the CLI's exit status, and how the guest console reaches the terminal.

import { ACCELS, CPUS_MAX, EXIT_OUT_OF_RANGE, MACHINES, buildApp, findQemu, probeKvm, loadApp, parseVolume, kernelDir, isMinnowError, parsePublish, publishPorts, type Accel, type AppConfig, type Machine, type QemuExit, type QemuInstance } from '../target';
import { loadComponents, resolveComponents } from '../target/components';
import { UsageError, type Parsed, type Specs } from './args';

/** The CLI's exit statuses besides the application's own 0..124 (125: its code did not fit). */
export const EXIT = {
  /** A MinnowError before the application ran (bad minnow.json, build failed, missing tool). */
  error: 1,
  /** A mistake on the command line. */
  usage: 2,
  /** --timeout expired. */
  timeout: 124,
  /** QEMU failed, or the VM ended without an exit code. */
  vm: 125,
  /** gdb's kill ended the VM (through the kernel's gdbstub). */
  debugger: 126,
  /** The kernel crashed (fault, panic, assert). */
  crash: 127,
} as const;

export const BUILD_SPECS: Specs = {
  kernel: { kind: 'string', value: 'DIR', help: 'kernel sources to build with (default: env MINNOW_KERNEL, then the bundled kernel/)' },
};

export const VM_SPECS: Specs = {
  ...BUILD_SPECS,
  machine: { kind: 'string', choices: MACHINES, help: 'QEMU machine (default: minnow.json "machine", else microvm)' },
  accel: { kind: 'string', choices: ACCELS, help: 'accelerator; auto = KVM only where it is real, else TCG (default auto)' },
  cpus: { kind: 'number', value: 'N', help: `CPUs to boot, 1..${CPUS_MAX} (default: minnow.json "cpus", else 1)` },
  timeout: { kind: 'number', value: 'SECONDS', help: `stop QEMU after this long (exit status ${EXIT.timeout})` },
  qemu: { kind: 'string', value: 'PATH', help: 'QEMU binary (default: env MINNOW_QEMU, then qemu-system-x86_64 on PATH)' },
  'no-build': { kind: 'boolean', help: 'boot the existing ELF without running make' },
  verbose: { kind: 'boolean', help: 'let the kernel print its "minnow: " boot lines (minnow.verbose)' },
  volume: { kind: 'list', short: 'v', value: 'HOST:GUEST[:ro]', help: 'share a host folder into the guest over 9p, like docker -v (repeatable; replaces a minnow.json mount on the same guest path)' },
  publish: { kind: 'list', short: 'p', value: 'HOST:GUEST[/udp]', help: "publish 127.0.0.1:HOST on the host to the guest's port GUEST, like docker -p (repeatable; links the net component unless the app names virtio_net)" },
};

/**
 * `-v host:guest[:ro]` (host relative to the current folder, as docker's): mounts, and 9p linked.
 * A -v on a guest path that minnow.json already mounts replaces that mount, as a command-line
 * volume overrides a compose file's: `minnow run -v ~/site:/www examples/webserver` serves
 * ~/site instead of the example's www/. Two -v on one path, or a -v over a disk, stay errors.
 */
function addVolumes(app: AppConfig, volumes: string[], kernel: string | undefined): void {
  if (volumes.length === 0) return;
  const given = volumes.map((v) => parseVolume(v, process.cwd()));
  const norm = (p: string) => p.replace(/\/+$/, '') || '/';
  const overridden = new Set(given.map((m) => norm(m.guest)));
  app.mounts = [...app.mounts.filter((m) => !overridden.has(norm(m.guest))), ...given];
  const guests = [...app.mounts.map((m) => norm(m.guest)), ...app.disks.map((d) => norm(d.guest))];
  if (new Set(guests).size !== guests.length) {
    throw new UsageError(`two mounts on one guest path (${guests.join(', ')})`, 'Give each -v its own guest path.');
  }
  app.components = resolveComponents([...app.components, '9p'], loadComponents(kernelDir(kernel)));
}

/** minnow.json of [dir] (default: the current folder), built unless --no-build. */
/** Loads the app and builds it; `needs.qemu`: a command that boots finds QEMU first, so that a
 *  missing QEMU is said before a build that could not be run anyway. */
export async function loadAndBuild(p: Parsed, log: (text: string) => void, needs: { qemu?: boolean } = {}): Promise<AppConfig> {
  const app = loadApp(p.positionals[0] ?? '.');
  if (needs.qemu) findQemu(p.options.qemu as string | undefined);
  addVolumes(app, (p.options.volume as string[] | undefined) ?? [], p.options.kernel as string | undefined);
  const published = (p.options.publish as string[] | undefined) ?? [];
  for (const spec of published) {
    try {
      parsePublish(spec, `-p ${spec}`);
    } catch (e) {
      throw isMinnowError(e) ? new UsageError(e.message, e.fix) : e;
    }
  }
  publishPorts(app, published, loadComponents(kernelDir(p.options.kernel as string | undefined)), (i) => `-p ${published[i]}`);
  if (!p.options['no-build']) {
    await buildApp(app, { kernelDir: p.options.kernel as string | undefined, onOutput: log });
  }
  return app;
}

export interface VmChoices {
  machine: Machine;
  accel: Accel;
  cpus: number;
  qemuPath?: string;
  timeoutMs?: number;
  argv: string[];
  kernelOptions: string[];
}

export function vmChoices(p: Parsed, app: AppConfig): VmChoices {
  const t = p.options.timeout as number | undefined;
  const cpus = p.options.cpus as number | undefined;
  if (cpus !== undefined && (!Number.isInteger(cpus) || cpus < 1 || cpus > CPUS_MAX)) {
    throw new UsageError(`--cpus must be a whole number from 1 to ${CPUS_MAX}, not ${cpus}`, 'Write e.g. --cpus 2.');
  }
  return {
    machine: (p.options.machine as Machine | undefined) ?? app.machine,
    accel: (p.options.accel as Accel | undefined) ?? 'auto',
    cpus: cpus ?? app.cpus,
    qemuPath: p.options.qemu as string | undefined,
    timeoutMs: t === undefined ? undefined : Math.round(t * 1000),
    argv: p.rest ?? app.args,
    kernelOptions: p.options.verbose ? ['minnow.verbose'] : [],
  };
}

/** A warning when --accel kvm is forced on a host whose KVM is not the real thing. */
export function warnAboutKvm(v: VmChoices, err: (text: string) => void): void {
  if (v.accel !== 'kvm') return;
  const p = probeKvm();
  if (p.devKvm && !p.cpuFlag) {
    err('minnow: warning: --accel kvm on a CPU without vmx/svm (nested or paravirtual KVM): expect slow I/O, and breakpoints (int3) may kill QEMU\n');
  }
}

/** The CLI's exit status for a QEMU exit, after printing a one-line summary on stderr when it is not a plain exit. */
export function reportExit(exit: QemuExit, err: (line: string) => void): number {
  switch (exit.reason) {
    case 'exit':
      // 125: the code main gave did not fit the exit device (exit(-1), return 256): never success
      if (exit.appExitCode === EXIT_OUT_OF_RANGE) err(`minnow: ${exit.summary}; exit status ${EXIT_OUT_OF_RANGE}`);
      return exit.appExitCode ?? 0;
    case 'crash':
      err(`minnow: the kernel crashed (fault report above); exit status ${EXIT.crash}`);
      return EXIT.crash;
    case 'killed-by-debugger':
      err(`minnow: ${exit.summary}; exit status ${EXIT.debugger}`);
      return EXIT.debugger;
    case 'timeout':
      err(`minnow: timed out; QEMU was stopped (exit status ${EXIT.timeout})`);
      return EXIT.timeout;
    case 'killed':
      err(`minnow: ${exit.summary}`);
      return exit.signal === 'SIGINT' ? 130 : EXIT.vm;
    case 'qemu-error':
    case 'no-exit-device': {
      // QEMU's stderr itself was already streamed to the terminal.
      err(`minnow: ${exit.summary}`);
      if (exit.reason === 'qemu-error') err('  fix: check qemuArgs in minnow.json and the QEMU options above');
      return EXIT.vm;
    }
  }
}

/**
 * Forwards stdin to the guest console while QEMU runs: a terminal's lines as they are typed, a
 * pipe or file as it comes. The end of input (a pipe's end, Ctrl-D on a terminal) reaches the guest
 * as its end of file.
 */
export function forwardStdin(q: QemuInstance, stdin: NodeJS.ReadStream = process.stdin): () => void {
  const onData = (b: Buffer): void => q.writeConsole(b);
  const onEnd = (): void => q.endConsole();
  // a stdin that cannot be read (closed, EBADF) is no input at all
  const onError = (): void => q.endConsole();
  stdin.on('data', onData);
  stdin.once('end', onEnd);
  stdin.once('error', onError);
  return () => {
    stdin.off('data', onData);
    stdin.off('end', onEnd);
    stdin.off('error', onError);
    // a pipe nobody closes must not keep the CLI alive once the VM is gone
    if (stdin.isTTY) stdin.pause();
    else stdin.destroy();
  };
}

/**
 * QEMU's stderr for the terminal, minus the "terminating on signal 15 from pid <us>" that QEMU
 * prints when Minnow itself stops it (--timeout): the summary line says it better.
 */
export function qemuStderr(err: (text: string) => void): (text: string) => void {
  const ours = new RegExp(`^\\S*qemu\\S*: terminating on signal \\d+ from pid ${process.pid}\\b`);
  // stderr arrives in chunks that may split a line: whole lines are filtered, and an unfinished
  // one waits for the rest (or 100 ms, for a message without its newline)
  let partial = '';
  let timer: NodeJS.Timeout | undefined;
  return (text) => {
    if (timer) clearTimeout(timer);
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    const kept = lines.filter((line) => !ours.test(line)).map((line) => `${line}\n`);
    if (kept.length > 0) err(kept.join(''));
    if (partial) {
      timer = setTimeout(() => {
        if (!ours.test(partial)) err(partial);
        partial = '';
      }, 100);
    }
  };
}
