// `minnow pack [dir] [--iso FILE] [--disk FILE] [-- args for main]`: build, then make a bootable
// image with GRUB (target/pack.ts). With neither option: build/<name>.iso.

import { resolve } from 'node:path';
import { packApp } from '../../target';
import { parseArgs, positionalsAtMost, type Specs } from '../args';
import { BUILD_SPECS, loadAndBuild } from '../common';
import type { Io } from '../io';

export const PACK_USAGE = 'minnow pack [dir] [--iso FILE] [--disk FILE] [-- args for main]';
export const PACK_SPECS: Specs = {
  ...BUILD_SPECS,
  iso: { kind: 'string', value: 'FILE', help: 'a hybrid ISO image (CD/DVD, USB stick; BIOS and UEFI) (default: build/<name>.iso)' },
  disk: { kind: 'string', value: 'FILE', help: 'a raw disk image (a hard disk for other hypervisors; BIOS and UEFI)' },
  'no-build': { kind: 'boolean', help: 'pack the existing ELF without running make' },
  verbose: { kind: 'boolean', help: 'let the kernel print its "minnow: " boot lines (minnow.verbose)' },
};

export async function packCommand(argv: string[], io: Io): Promise<number> {
  const p = parseArgs(argv, PACK_SPECS, 'pack');
  positionalsAtMost(p, 1, 'pack', PACK_USAGE);
  const app = await loadAndBuild(p, io.err);
  const iso = p.options.iso as string | undefined;
  const disk = p.options.disk as string | undefined;
  const r = await packApp(app, {
    iso: iso ? resolve(iso) : disk ? undefined : resolve(app.buildDir, `${app.name}.iso`),
    disk: disk ? resolve(disk) : undefined,
    argv: p.rest ?? app.args,
    kernelOptions: p.options.verbose ? ['minnow.verbose'] : [],
  });
  const boots = r.firmware.map((f) => f.toUpperCase()).join(' and ');
  for (const f of [r.iso, r.disk]) if (f) io.out(`${f}\n`);
  io.err(`minnow: packed ${app.name} (GRUB, Multiboot2; boots by ${boots})${r.firmware.includes('uefi') ? '' : ' — for UEFI too install grub-efi-amd64-bin'}\n`);
  // how to try it: SeaBIOS and GRUB need more memory than the microVM does
  const media = r.iso ? `-cdrom ${r.iso}` : `-drive file=${r.disk},format=raw`;
  io.err(`minnow: try it: qemu-system-x86_64 -M q35 -m 64M -display none -serial stdio -device isa-debug-exit,iobase=0xf4,iosize=0x04 ${media}\n`);
  return 0;
}
