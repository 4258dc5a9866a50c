// The systems a comparison measures, each behind the same small interface so that one function
// measures them all (bench/measures/peer.ts): a Side starts a server and hands back its host port;
// what serves behind it — Minnow under QEMU, the Linux microVM peer, or a host process — is its
// own business. This file has the Linux microVM and the host; Minnow's are in
// bench/measures/peer-minnow.ts.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseFsbench, type FsbenchResult } from '../lib/netbench';
import { hostEcho, hostFsbench, hostHttpd } from './host';
import { has9p, initramfs } from './initramfs';
import { BUSYBOX_PKG, peerPackages, type KernelFlavour, type PeerPackages } from './packages';
import { blankImage, startPeer, type PeerOptions, type PeerVm } from './vm';

/** A running server: its 127.0.0.1 port, when its process was spawned, and how to stop it. */
export interface Served {
  port: number;
  /** performance.now() just before the process was spawned (boot figures count from here). */
  startedAt: number;
  alive(): boolean;
  kill(): Promise<void>;
}

export interface HttpSide {
  /** Serves `www` over HTTP (guest port 80 where there is a guest), with `memory` when given. */
  startHttp(www: string, memory?: string): Promise<Served>;
  /** How the server reaches the folder, for the notes ("over its 9p mount", "a copy in …"). */
  serving?(www: string): Promise<string>;
  /** Bytes of the image that boots (kernel + initramfs, or the ELF), with what they are. */
  image?(www: string): Promise<{ bytes: number; note: string }>;
  /**
   * The bisection of the smallest memory that serves: MiB range (lo fails, hi serves), step, and
   * how long a probe may take to answer (a guest short of memory may hang rather than fail).
   */
  memoryRange?(www: string): Promise<{ lo: number; hi: number; step: number; probeTimeoutMs: number }>;
}

export interface EchoSide {
  startEcho(): Promise<Served>;
}

/** The file systems the file benchmark runs on, as row suffixes. */
export const FS_KINDS = ['ram', 'fat', '9p'] as const;
export type FsKind = (typeof FS_KINDS)[number];

export interface FilesSide {
  /** peer-fsbench's figures (or the reason there are none) on each kind of file system. */
  fsbench(mib: number, files: number, scratch: string): Promise<Record<FsKind, FsbenchResult | string>>;
}

function served(vm: PeerVm, guestPort: number): Served {
  let gone = false;
  void vm.exited.then(() => (gone = true));
  return { port: vm.ports[guestPort], startedAt: vm.startedAt, alive: () => !gone, kill: () => vm.kill() };
}

/** The Linux peer's guest memory (-m), also given to Minnow where the guests are compared. */
export const LINUX_MEMORY = '256M';
const BOOT_TIMEOUT_MS = 120_000;

/**
 * busybox httpd in the Linux microVM. The folder is shared over virtio-9p (read-only) when the
 * kernel has 9p, as Minnow's is; Debian's cloud kernel has not (CONFIG_NET_9P is not set), so it
 * then serves a copy inside its initramfs, and serving() says which.
 */
export function linuxHttp(log: (t: string) => void, kernel: KernelFlavour = 'cloud'): HttpSide {
  const packages = (): Promise<PeerPackages> => peerPackages(log, kernel);
  return {
    async startHttp(www, memory) {
      const wwwOver9p = has9p(await packages());
      return served(await startPeer({ www, wwwOver9p, kernel, memory: memory ?? LINUX_MEMORY, log }), 80);
    },
    async serving() {
      const p = await packages();
      return has9p(p)
        ? `busybox httpd over a read-only virtio-9p share of the folder (${p.kernelPackage})`
        : `busybox httpd over a copy of the folder in its initramfs (${p.kernelPackage} has no 9p: CONFIG_NET_9P is not set)`;
    },
    async image(www) {
      const p = await packages();
      const i = await initramfs(p, has9p(p) ? undefined : www);
      const k = fs.statSync(p.vmlinuz).size;
      const copy = has9p(p) ? 'the folder over 9p' : `${(i.wwwBytes / 1024).toFixed(0)} KiB of /www`;
      return {
        bytes: k + i.bytes,
        note: `${p.kernelPackage} bzImage ${(k / 1024).toFixed(0)} KiB + initramfs.gz ${(i.bytes / 1024).toFixed(0)} KiB (busybox, ${i.modules.length} modules, peer programs, ${copy})`,
      };
    },
    memoryRange: async () => ({ lo: 0, hi: 256, step: 4, probeTimeoutMs: 60_000 }),
  };
}

export function linuxEcho(log: (t: string) => void): EchoSide {
  return {
    async startEcho() {
      const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'minnow-peer-www-'));
      const vm = await startPeer({ www: empty, log });
      fs.rmSync(empty, { recursive: true, force: true });
      await vm.waitFor(/peer: serving/, BOOT_TIMEOUT_MS);
      return served(vm, 7);
    },
  };
}

/** One fsbench boot of the peer; the console once it is done. */
async function fsbenchBoot(o: Omit<PeerOptions, 'mode'>): Promise<{ out: string; results: Map<string, FsbenchResult> }> {
  const vm = await startPeer({ ...o, mode: 'fsbench' });
  try {
    const out = await vm.waitFor(/peer: fsbench done/, 600_000);
    return { out, results: parseFsbench(out) };
  } finally {
    await vm.kill();
  }
}

/**
 * The cloud kernel on tmpfs and FAT over virtio-blk; 9p with Debian's generic kernel, since the
 * cloud one is built without it (the only row of the column on another kernel; its note says so).
 */
export function linuxFiles(log: (t: string) => void, opts: { generic9p: boolean } = { generic9p: true }): FilesSide {
  return {
    async fsbench(mib, files, scratch) {
      const disk = blankImage(path.join(scratch, 'peer-fat.img'), Math.max(64, mib * 4));
      const share = path.join(scratch, 'peer-share');
      fs.mkdirSync(share, { recursive: true });
      const www = path.join(scratch, 'peer-www');
      fs.mkdirSync(www, { recursive: true });
      const base = { www, fsbench: { mib, files }, disk, share, log };
      const cloud = await fsbenchBoot(base);
      const r = cloud.results;
      let ninep: FsbenchResult | string = r.get('/share') ?? (/peer: no 9p/.test(cloud.out) ? 'no 9p: the cloud kernel lacks CONFIG_NET_9P' : 'no result on 9p');
      if (typeof ninep === 'string' && opts.generic9p) {
        try {
          const generic = await fsbenchBoot({ ...base, kernel: 'generic', fsKinds: ['9p'] });
          ninep = generic.results.get('/share') ?? `the generic kernel did not mount 9p either: ${generic.out.slice(-200)}`;
        } catch (e) {
          ninep = `${ninep}; the generic kernel failed: ${(e as Error).message.split('\n')[0].slice(0, 100)}`;
        }
      }
      return {
        ram: r.get('/tmp') ?? `no result on tmpfs: ${cloud.out.slice(-300)}`,
        fat: r.get('/data') ?? (/no FAT on virtio-blk/.test(cloud.out) ? 'FAT on virtio-blk did not mount' : 'no result on FAT'),
        '9p': ninep,
      };
    },
  };
}

export const hostHttp: HttpSide = {
  startHttp: (www) => hostHttpd(www),
  serving: async () => `the same busybox httpd (${BUSYBOX_PKG}) run on the host over the folder itself`,
};
export const hostEchoSide: EchoSide = { startEcho: () => hostEcho() };

/** A tmpfs of the host's for the RAM rows' limit: /dev/shm when it is one. */
function hostTmpfs(): string | undefined {
  try {
    return fs.statfsSync('/dev/shm').type === TMPFS_MAGIC ? '/dev/shm' : undefined;
  } catch {
    return undefined;
  }
}

/** statfs(2) f_type of tmpfs (linux/magic.h TMPFS_MAGIC). */
const TMPFS_MAGIC = 0x01021994;

export const hostFiles: FilesSide = {
  async fsbench(mib, files, scratch) {
    const dir = path.join(scratch, 'host-fsbench');
    fs.mkdirSync(dir, { recursive: true });
    const disk = await hostFsbench(dir, mib, files);
    const shm = hostTmpfs();
    // the RAM rows' limit is the host's tmpfs; the device rows' is the host's own disk filesystem
    return { ram: shm ? await hostFsbench(shm, mib, files) : 'no tmpfs at /dev/shm', fat: disk, '9p': disk };
  },
};
