// Files for the guest: host folders shared over virtio-9p ("mounts", `minnow run -v host:guest[:ro]`)
// and disk images holding a FAT filesystem ("disks"). Each is checked before boot (a missing folder
// or image is named, with the fix), becomes QEMU devices, and is announced to the kernel in one
// option, minnow.fs=9p:m0:/www:ro,fat:d0:/data (kernel/fs/vfs.c, vfs_boot_mounts). QEMU's 9p runs
// with security_model=none: no daemon and no root; files the guest writes are the user's own.
// A mount may ask for "type": "virtiofs" instead: the host's virtiofsd (target/virtiofs.ts) serves
// it to a vhost-user-fs device, which needs root and guest memory QEMU can share (a memfd).

import { existsSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { MinnowError } from './errors';

export interface MountConfig {
  /** Absolute path of the host folder. */
  host: string;
  /** Absolute guest path, e.g. /www. */
  guest: string;
  readOnly: boolean;
  /** How it is shared: QEMU's own 9p server (the default) or virtio-fs through virtiofsd. */
  type?: MountType;
  /** virtio-fs: the vhost-user socket of its running virtiofsd (target/virtiofs.ts). */
  socket?: string;
}

export type MountType = '9p' | 'virtiofs';

export interface FsDiskConfig {
  /** Absolute path of the image. */
  image: string;
  guest: string;
  format: 'fat';
  readOnly: boolean;
}

/** What the kernel's option can carry in a guest path (the schema says the same). */
const GUEST_PATH = /^\/[^\s,:"]*$/;

function checkGuest(guest: string, where: string): void {
  if (!GUEST_PATH.test(guest)) {
    throw new MinnowError(`${where}: the guest path "${guest}" must be absolute, without spaces, commas, colons or quotes`, 'Write it like "/www".', 'config');
  }
}

/** A host folder that must exist, resolved against `base`. */
export function checkMount(host: string, guest: string, readOnly: boolean, base: string, where: string, type: MountType = '9p', uid = process.getuid?.() ?? 0): MountConfig {
  if (type === 'virtiofs') checkVirtiofs(readOnly, where, uid);
  const abs = isAbsolute(host) ? host : resolve(base, host);
  checkGuest(guest, where);
  if (!existsSync(abs)) {
    throw new MinnowError(`${where}: the host folder ${abs} does not exist`, `Create it (mkdir -p ${abs}) or fix the host path.`, 'path');
  }
  if (!statSync(abs).isDirectory()) {
    throw new MinnowError(`${where}: ${abs} is not a folder`, 'Share a folder; a single file cannot be mounted over 9p.', 'path');
  }
  return type === 'virtiofs' ? { host: abs, guest, readOnly, type } : { host: abs, guest, readOnly };
}

/** What virtio-fs needs that 9p does not: root (virtiofsd) and no read-only (7.2 has none). */
export function checkVirtiofs(readOnly: boolean, where: string, uid: number): void {
  if (uid !== 0) {
    throw new MinnowError(`${where}: virtio-fs needs root for virtiofsd (you are uid ${uid})`, 'Use the default 9p (remove "type": "virtiofs"), or run as root.', 'config');
  }
  if (readOnly) {
    throw new MinnowError(`${where}: a virtio-fs mount cannot be read-only (virtiofsd 7.2 has no read-only option)`, 'Use the default 9p for a read-only folder (remove "type": "virtiofs"), or drop "readonly".', 'config');
  }
}

export function checkFsDisk(image: string, guest: string, readOnly: boolean, base: string, where: string): FsDiskConfig {
  const abs = isAbsolute(image) ? image : resolve(base, image);
  checkGuest(guest, where);
  if (!existsSync(abs) || !statSync(abs).isFile()) {
    throw new MinnowError(`${where}: the disk image ${abs} does not exist`, `Make one: minnow disk create --fat 64M ${image}`, 'path');
  }
  return { image: abs, guest, format: 'fat', readOnly };
}

/** `-v ./www:/www[:ro]` as docker writes it. */
export function parseVolume(spec: string, base: string): MountConfig {
  const m = /^(.+?):(\/[^:]*)(?::(ro|rw))?$/.exec(spec);
  if (!m) {
    throw new MinnowError(`-v ${spec}: expected <host folder>:<guest path>[:ro]`, 'For example: minnow run -v ./www:/www:ro', 'config');
  }
  return checkMount(m[1], m[2], m[3] === 'ro', base, `-v ${spec}`);
}

/** No two mounts on one guest path. */
export function checkGuestPaths(paths: string[], where: string): void {
  const seen = new Set<string>();
  for (const p of paths.map((x) => x.replace(/\/+$/, '') || '/')) {
    if (seen.has(p)) throw new MinnowError(`${where}: two mounts on ${p}`, 'Give each mount its own guest path.', 'config');
    seen.add(p);
  }
}

/** The QEMU devices and the kernel option for the mounts and disks. */
export function fsDeviceArgs(machine: 'microvm' | 'q35', mounts: readonly MountConfig[], disks: readonly FsDiskConfig[]): { args: string[]; option?: string } {
  const suffix = machine === 'microvm' ? 'device' : 'pci';
  const args: string[] = [];
  const entries: string[] = [];
  const esc = (p: string) => p.replace(/,/g, ',,');
  mounts.forEach((m, i) => {
    if (m.type === 'virtiofs') {
      if (!m.socket) throw new MinnowError(`the virtio-fs mount of ${m.host} has no virtiofsd running`, 'Start it with startVirtiofsd (target/virtiofs.ts) before building the QEMU arguments.', 'config');
      args.push('-chardev', `socket,id=vfs${i},path=${esc(m.socket)}`);
      args.push('-device', `vhost-user-fs-${suffix},chardev=vfs${i},tag=m${i}`);
      entries.push(`virtiofs:m${i}:${m.guest}`);
      return;
    }
    const ro = m.readOnly ? ',readonly=on' : '';
    args.push('-fsdev', `local,id=fs${i},path=${esc(m.host)},security_model=none${ro}`);
    args.push('-device', `virtio-9p-${suffix},fsdev=fs${i},mount_tag=m${i}`);
    entries.push(`9p:m${i}:${m.guest}${m.readOnly ? ':ro' : ''}`);
  });
  disks.forEach((d, i) => {
    const ro = d.readOnly ? ',readonly=on' : '';
    args.push('-drive', `id=fsdisk${i},if=none,format=raw,file=${esc(d.image)}${ro}`);
    args.push('-device', `virtio-blk-${suffix},drive=fsdisk${i},serial=d${i}`);
    entries.push(`fat:d${i}:${d.guest}${d.readOnly ? ':ro' : ''}`);
  });
  return { args, option: entries.length ? `minnow.fs=${entries.join(',')}` : undefined };
}

/** vhost-user devices read guest memory directly: it must be a shared memfd (QEMU 7.2). */
export function virtiofsMemoryArgs(mounts: readonly MountConfig[], memory: string): string[] {
  if (!mounts.some((m) => m.type === 'virtiofs')) return [];
  return ['-object', `memory-backend-memfd,id=vfsmem,size=${memory},share=on`, '-machine', 'memory-backend=vfsmem'];
}
