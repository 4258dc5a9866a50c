// Shared plumbing of the virtio suites: build an application folder with the target API, boot it
// under QEMU (TCG) with the virtio devices a test asks for, and collect the console. Devices are
// given as explicit argument arrays so that each test owns its host side (image file, sockets).

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildApp, loadApp, startQemu } from '../../target';
import type { QemuExit, QemuInstance } from '../../target';

export type Machine = 'microvm' | 'q35';
export const MACHINES: Machine[] = ['microvm', 'q35'];

/** The interrupt paths to cover: virtio-mmio + IOAPIC, virtio-pci + MSI-X, virtio-pci + INTx. */
export interface Variant {
  machine: Machine;
  label: string;
  kernelOptions: string[];
}
export const VARIANTS: Variant[] = [
  { machine: 'microvm', label: 'microvm, MMIO', kernelOptions: [] },
  { machine: 'q35', label: 'q35, PCI with MSI-X', kernelOptions: [] },
  { machine: 'q35', label: 'q35, PCI with INTx', kernelOptions: ['minnow.virtio.msix=off'] },
];
export const REPO = path.resolve(__dirname, '..', '..');

const built = new Map<string, Promise<string>>();

/**
 * Builds (once per run) the application in `dir` (absolute or relative to the repo), into a
 * folder of its own under the system's temporary directory, so that the suite neither races
 * other suites building the same example nor touches the example's build/ folder.
 */
export function buildOnce(dir: string): Promise<string> {
  const abs = path.resolve(REPO, dir);
  let p = built.get(abs);
  if (!p) {
    p = (async () => {
      let log = '';
      const app = loadApp(abs);
      const buildDir = path.join(os.tmpdir(), `minnow-virtio-test-${process.getuid?.() ?? 0}`, app.name);
      try {
        const { elf } = await buildApp(
          { ...app, buildDir, elf: path.join(buildDir, `${app.name}.elf`) },
          { onOutput: (t) => (log += t) },
        );
        return elf;
      } catch (e) {
        throw new Error(`build of ${dir} failed: ${(e as Error).message}\n${log.slice(-4000)}`);
      }
    })();
    built.set(abs, p);
  }
  return p;
}

/** The QEMU device name for a virtio device on this machine's transport. */
export function virtioDevice(machine: Machine, kind: 'blk' | 'net' | 'serial'): string {
  return `virtio-${kind}-${machine === 'microvm' ? 'device' : 'pci'}`;
}

/** A raw image as a virtio-blk disk. */
export function blkDriveArgs(machine: Machine, image: string, extra = ''): string[] {
  return ['-drive', `file=${image},if=none,id=d0,format=raw`, '-device', `${virtioDevice(machine, 'blk')},drive=d0${extra}`];
}

/** microvm presents legacy virtio-mmio devices unless told otherwise (notes/machine.md). */
export function transportArgs(machine: Machine): string[] {
  return machine === 'microvm' ? ['-global', 'virtio-mmio.force-legacy=false'] : [];
}

export interface Guest {
  qemu: QemuInstance;
  /** Everything COM1 printed so far. */
  output(): string;
  /** Resolves when the console output matches `re` (rejects after timeoutMs). */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Timestamp (performance.now()) at which each console line arrived. */
  lineTimes: { line: string; t: number }[];
  exited: Promise<QemuExit>;
}

export async function boot(
  elf: string,
  machine: Machine,
  argv: string[],
  deviceArgs: string[],
  opts: { memory?: string; timeoutMs?: number; verbose?: boolean; kernelOptions?: string[]; legacyMmio?: boolean; cpus?: number } = {},
): Promise<Guest> {
  let out = '';
  let partial = '';
  const lineTimes: { line: string; t: number }[] = [];
  const waiters: (() => void)[] = [];
  const qemu = await startQemu({
    elf,
    machine,
    accel: 'tcg',
    memory: opts.memory ?? '32M',
    cpus: opts.cpus,
    name: path.basename(elf, '.elf'),
    argv,
    kernelOptions: [...(opts.verbose === false ? [] : ['minnow.verbose']), ...(opts.kernelOptions ?? [])],
    extraArgs: [...(opts.legacyMmio ? [] : transportArgs(machine)), ...deviceArgs],
    timeoutMs: opts.timeoutMs ?? 90_000,
    onConsole: (text) => {
      const now = performance.now();
      out += text;
      partial += text;
      let nl: number;
      while ((nl = partial.indexOf('\n')) >= 0) {
        lineTimes.push({ line: partial.slice(0, nl).replace(/\r$/, ''), t: now });
        partial = partial.slice(nl + 1);
      }
      waiters.splice(0).forEach((w) => w());
    },
  });
  const exited = qemu.exited.then((e) => {
    waiters.splice(0).forEach((w) => w());
    return e;
  });
  let done = false;
  void exited.then(() => (done = true));
  const waitFor = (re: RegExp, timeoutMs = 60_000) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${re} in console:\n${out}`)), timeoutMs);
      const check = () => {
        const m = out.match(re);
        if (m) {
          clearTimeout(timer);
          resolve(m);
        } else if (done) {
          clearTimeout(timer);
          reject(new Error(`QEMU exited before ${re} appeared; console:\n${out}`));
        } else {
          waiters.push(check);
        }
      };
      check();
    });
  return { qemu, output: () => out, waitFor, lineTimes, exited };
}

/** A fresh temporary directory, removed by the caller with rmTemp. */
export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `minnow-${prefix}-`));
}

export function rmTemp(dir: string | undefined): void {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}

/** Describes an exit for assertion messages. */
export function describeExit(e: QemuExit, console: string): string {
  return `${e.summary} (reason ${e.reason}, status ${e.status})\nconsole:\n${console}\nstderr:\n${e.stderrTail}`;
}
