// Booting the Linux microVM peer on the same QEMU as Minnow: machine microvm with Minnow's options
// (target/qemuargs.ts, MICROVM) except what Linux needs or wants:
//  - pit=on: without it Linux finds no clock to calibrate the TSC against ("tsc: Unable to
//    calibrate against PIT ... No reference (HPET/PMTIMER) available") and hangs;
//  - acpi=on: this kernel finds virtio-mmio devices only through ACPI
//    (CONFIG_VIRTIO_MMIO_CMDLINE_DEVICES is not set);
//  - rtc=on: without a CMOS clock Linux waits ~1.1 s twice for one (early timekeeping and the
//    rtc_cmos probe), which doubled its boot (6.4 s → 3.4 s to the first HTTP 200);
//  - QEMU's automatic kernel command line left on (harmless to Linux).
// Then modern virtio-mmio (force-legacy=false, as Minnow), TCG, COM1 as the console, QEMU's user
// network with host forwards on 127.0.0.1 only, optionally a virtio-blk disk and a virtio-9p share,
// and the served folder either copied into the initramfs or shared read-only over virtio-9p
// (wwwOver9p, for a kernel that has 9p; the cloud kernel has not).

import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findQemu, freePort, LOCALHOST, MICROVM } from '../../target';
import { killChild, spawnGroup } from '../lib/proc';
import { has9p, initramfs, type Initramfs } from './initramfs';
import { peerPackages, type KernelFlavour, type PeerPackages } from './packages';

const LINUX_NEEDS: Readonly<Record<string, string>> = { 'pit=off': 'pit=on', 'acpi=off': 'acpi=on', 'rtc=off': 'rtc=on' };

/** Minnow's microvm options with Linux's differences (see the top of this file). */
export function linuxMicrovm(): string {
  const opts = MICROVM.split(',').filter((o) => !o.startsWith('auto-kernel-cmdline='));
  return opts.map((o) => LINUX_NEEDS[o] ?? o).join(',');
}

/** quiet: the 16550 costs TCG a lot per byte; reboot=t + -no-reboot: `reboot -f` ends QEMU. */
const LINUX_CMDLINE = ['console=ttyS0', 'quiet', 'panic=-1', 'reboot=t'];

/**
 * The host's TSC rate in kHz, when /proc/cpuinfo says it is constant. Under TCG the guest reads
 * the host's TSC, and Linux's own calibration against the PIT is timing-based: on a loaded host it
 * failed ("tsc: Unable to calibrate against PIT") and the boot then hung for good. Passing the
 * rate (tsc_early_khz=) skips that calibration.
 */
export function hostTscKhz(): number | undefined {
  let info: string;
  try {
    info = fs.readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return undefined;
  }
  const flags = /^flags\s*:(.*)$/m.exec(info)?.[1].split(/\s+/) ?? [];
  const mhz = Number(/^cpu MHz\s*:\s*([\d.]+)/m.exec(info)?.[1]);
  return flags.includes('constant_tsc') && mhz > 0 ? Math.round(mhz * 1000) : undefined;
}

export interface PeerOptions {
  /** The folder served at / (copied into the initramfs, or shared over 9p with wwwOver9p). */
  www: string;
  /**
   * Share `www` read-only over virtio-9p (mount tag "www", mounted at /www by /init) instead of
   * copying it into the initramfs; the kernel must have 9p (initramfs.ts has9p).
   */
  wwwOver9p?: boolean;
  /** QEMU -m; default 256M. */
  memory?: string;
  mode?: 'serve' | 'fsbench' | 'smp';
  /** smp: the peer-smp runs, one argument list each (e.g. ['rtt', '5', '1', '200']). */
  smp?: readonly (readonly string[])[];
  /** vCPUs (-smp); several get `-accel tcg,thread=multi`, as Minnow's run contract gives them. */
  cpus?: number;
  /** fsbench: MiB of the sequential file and the number of small files. */
  fsbench?: { mib: number; files: number };
  /** A raw image attached as virtio-blk (/dev/vda; fsbench formats it as FAT). */
  disk?: string;
  /** A host folder shared with virtio-9p (mount tag "share"). */
  share?: string;
  /** fsbench: which file systems to run on (default all: ram, fat, 9p). */
  fsKinds?: readonly string[];
  /** Debian's cloud kernel (default) or its generic one (which has 9p). */
  kernel?: KernelFlavour;
  /** Guest ports to forward from free 127.0.0.1 ports; default 80 and 7 in serve mode. */
  forward?: readonly number[];
  log?(text: string): void;
}

export interface PeerVm {
  /** Host port of each forwarded guest port. */
  ports: Record<number, number>;
  /** performance.now() just before QEMU was spawned. */
  startedAt: number;
  /** Everything the guest printed so far. */
  console(): string;
  /** The tail of QEMU's own stderr. */
  stderr(): string;
  /** Resolves with the console once a line matching `re` has appeared; rejects if QEMU exits first. */
  waitFor(re: RegExp, timeoutMs: number): Promise<string>;
  /** Settles when QEMU has exited (with its status). */
  exited: Promise<number | null>;
  image: { kernel: string; kernelBytes: number; initramfs: Initramfs };
  packages: PeerPackages;
  command: string[];
  kill(): Promise<void>;
}

/** The whole QEMU command line of the peer (also printed in RESULTS.md). */
export function peerQemuArgs(p: PeerPackages, init: Initramfs, o: PeerOptions, ports: Record<number, number>): string[] {
  const mode = o.mode ?? 'serve';
  const cmdline = [...LINUX_CMDLINE, `peer=${mode}`];
  const khz = hostTscKhz();
  if (khz) cmdline.push(`tsc_early_khz=${khz}`);
  // With several vCPUs Linux's TSC checks (the sync test between CPUs, the watchdog) fail under
  // TCG and it falls back to refined-jiffies, a 4 ms clock that reads 0 for a round trip; every
  // vCPU reads the host's one TSC, so it is reliable (as Minnow takes it to be)
  if ((o.cpus ?? 1) > 1) cmdline.push('tsc=reliable');
  if (o.fsbench) cmdline.push(`peer_mib=${o.fsbench.mib}`, `peer_files=${o.fsbench.files}`);
  if (o.fsKinds) cmdline.push(`peer_fs=${o.fsKinds.join(',')}`);
  if (o.wwwOver9p) cmdline.push('peer_www=9p');
  // one peer-smp run per argument list: commas between arguments, '+' between runs
  if (o.smp) cmdline.push(`peer_smp=${o.smp.map((run) => run.join(',')).join('+')}`);
  const fwd = Object.entries(ports).map(([guest, host]) => `,hostfwd=tcp:${LOCALHOST}:${host}-:${guest}`);
  const cpus = o.cpus ?? 1;
  const args = ['-M', linuxMicrovm(), '-accel', cpus > 1 ? 'tcg,thread=multi' : 'tcg', '-cpu', 'max', '-m', o.memory ?? '256M'];
  if (cpus > 1) args.push('-smp', String(cpus));
  args.push('-no-reboot', '-nodefaults', '-nographic', '-serial', 'stdio');
  args.push('-kernel', p.vmlinuz, '-initrd', init.file, '-append', cmdline.join(' '));
  args.push('-global', 'virtio-mmio.force-legacy=false');
  args.push('-netdev', `user,id=net0${fwd.join('')}`, '-device', 'virtio-net-device,netdev=net0');
  if (o.disk) args.push('-drive', `id=disk0,if=none,format=raw,file=${o.disk.replace(/,/g, ',,')}`, '-device', 'virtio-blk-device,drive=disk0');
  if (o.share) {
    args.push('-fsdev', `local,id=share,path=${o.share.replace(/,/g, ',,')},security_model=none`);
    args.push('-device', 'virtio-9p-device,fsdev=share,mount_tag=share');
  }
  if (o.wwwOver9p) {
    args.push('-fsdev', `local,id=www,path=${o.www.replace(/,/g, ',,')},security_model=none,readonly=on`);
    args.push('-device', 'virtio-9p-device,fsdev=www,mount_tag=www');
  }
  return args;
}

/** Fetches (first time), builds the image and boots the peer; resolves once QEMU is spawned. */
export async function startPeer(o: PeerOptions): Promise<PeerVm> {
  const log = o.log ?? (() => undefined);
  if (!fs.statSync(o.www, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`the folder to serve, ${o.www}, does not exist`);
  const p = await peerPackages(log, o.kernel);
  if (o.wwwOver9p && !has9p(p)) throw new Error(`${p.kernelPackage} has no 9p (CONFIG_NET_9P is not set): it cannot serve the folder over 9p; serve a copy in the initramfs instead (wwwOver9p: false)`);
  const init = await initramfs(p, o.wwwOver9p ? undefined : o.www);
  // a port found free can be taken by someone else before QEMU binds it: QEMU then exits at once
  // ("Could not set up host forwarding rule"); try again with new ports
  for (let attempt = 1; ; attempt++) {
    const vm = await spawnPeer(o, p, init);
    const early = await Promise.race([vm.exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), FORWARD_CHECK_MS))]);
    if (!early || !/host forwarding/i.test(vm.stderr()) || attempt === FORWARD_ATTEMPTS) return vm;
    log(`  peer: a forwarded port was taken (${vm.stderr().trim()}); new ports`);
  }
}

const FORWARD_CHECK_MS = 300;
const FORWARD_ATTEMPTS = 3;

async function spawnPeer(o: PeerOptions, p: PeerPackages, init: Initramfs): Promise<PeerVm> {
  const ports: Record<number, number> = {};
  for (const g of o.forward ?? ((o.mode ?? 'serve') === 'serve' ? [80, 7] : [])) ports[g] = await freePort();
  const args = peerQemuArgs(p, init, o, ports);
  const qemu = findQemu();
  const startedAt = performance.now();
  const child: ChildProcess = spawnGroup(qemu, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const listeners = new Set<() => void>();
  child.stdout!.on('data', (b: Buffer) => {
    out += b.toString('utf8');
    for (const l of listeners) l();
  });
  child.stderr!.on('data', (b: Buffer) => (err = (err + b.toString('utf8')).slice(-4000)));
  const exited = new Promise<number | null>((resolve) => {
    child.once('error', (e) => ((err += String(e)), resolve(null)));
    child.once('exit', (status) => {
      resolve(status);
      for (const l of listeners) l();
    });
  });
  let gone = false;
  void exited.then(() => (gone = true));
  const tail = (): string => `\nconsole: …${out.slice(-800)}\nQEMU stderr: ${err.slice(-400)}`;
  return {
    ports,
    startedAt,
    console: () => out,
    stderr: () => err,
    exited,
    image: { kernel: p.vmlinuz, kernelBytes: fs.statSync(p.vmlinuz).size, initramfs: init },
    packages: p,
    command: [qemu, ...args],
    waitFor(re, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (re.test(out)) done(() => resolve(out));
          else if (gone) done(() => reject(new Error(`the Linux peer exited before printing ${re}; ${tail()}`)));
        };
        const timer = setTimeout(() => done(() => reject(new Error(`the Linux peer printed no ${re} in ${timeoutMs} ms; ${tail()}`))), timeoutMs);
        const done = (f: () => void): void => {
          clearTimeout(timer);
          listeners.delete(check);
          f();
        };
        listeners.add(check);
        check();
      });
    },
    kill: () => killChild(child),
  };
}

/** A sparse raw image of `mib` MiB for the peer's virtio-blk disk. */
export function blankImage(file: string, mib: number): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fd = fs.openSync(file, 'w');
  fs.ftruncateSync(fd, mib * 1024 * 1024);
  fs.closeSync(fd);
  return file;
}
