// `minnow pack`: a bootable image of an application for bare metal and for hypervisors that do
// not load PVH ELFs. GRUB 2 boots the very ELF QEMU boots, through its Multiboot2 header
// (kernel/arch/x86_64/multiboot2.S), from an image grub-mkrescue makes with xorriso and mtools:
// a hybrid ISO 9660 image that boots by BIOS (El Torito, or its MBR when written to a disk) and
// by UEFI (its EFI system partition) where Debian's grub-efi-amd64-bin is installed.
//
// The disk image (--disk) is the same hybrid image padded to whole MiB: written to a USB stick
// or given to a hypervisor as a raw hard disk, it boots by BIOS through the MBR and by UEFI
// through the EFI partition.

import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { AppConfig } from './config';
import { MinnowError, aptInstall } from './errors';
import { kernelCmdline } from './qemuargs';
import { which } from './tools';

/** GRUB's platform folders: BIOS is required, UEFI optional. */
export const GRUB_BIOS_DIR = '/usr/lib/grub/i386-pc';
export const GRUB_EFI_DIR = '/usr/lib/grub/x86_64-efi';
export const PACK_PACKAGES = ['grub-pc-bin', 'grub-efi-amd64-bin', 'grub-common', 'xorriso', 'mtools'];
const MIB = 1024 * 1024;

export interface PackOptions {
  /** Where the ISO goes (absent: no ISO). */
  iso?: string;
  /** Where the disk image goes (absent: none). */
  disk?: string;
  /** argv[1..] for main, baked into GRUB's command line. */
  argv: readonly string[];
  kernelOptions?: readonly string[];
  /** GRUB's folders, checked before packing (tests point these elsewhere to see the errors). */
  grubBiosDir?: string;
  grubEfiDir?: string;
}

export interface PackResult {
  iso?: string;
  disk?: string;
  /** Which firmware the image boots with. */
  firmware: ('bios' | 'uefi')[];
}

/** What `minnow pack` finds on this machine: the missing tools, and whether UEFI is possible. */
export function packTools(o: Pick<PackOptions, 'grubBiosDir' | 'grubEfiDir'> = {}): { mkrescue?: string; missing: string[]; efi: boolean } {
  const missing: string[] = [];
  const mkrescue = which('grub-mkrescue');
  if (!mkrescue) missing.push('grub-mkrescue (grub-common)');
  if (!which('xorriso')) missing.push('xorriso');
  if (!which('mformat')) missing.push('mformat (mtools)');
  const bios = o.grubBiosDir ?? GRUB_BIOS_DIR;
  if (!existsSync(bios)) missing.push(`GRUB's BIOS modules ${bios} (grub-pc-bin)`);
  return { mkrescue, missing, efi: existsSync(o.grubEfiDir ?? GRUB_EFI_DIR) };
}

/** The tools pack needs, or a MinnowError with the apt line that installs them. */
function checkPackTools(o: PackOptions): { mkrescue: string; efi: boolean } {
  const t = packTools(o);
  if (t.missing.length > 0 || !t.mkrescue) {
    throw new MinnowError(`minnow pack needs ${t.missing.join(', ')}`, `Install them: ${aptInstall(PACK_PACKAGES)}`);
  }
  return { mkrescue: t.mkrescue, efi: t.efi };
}

/**
 * One word for GRUB's shell-like lexer: single quotes keep everything but a single quote. GRUB
 * then builds the Multiboot2 command line itself, double-quoting words with blanks (which the
 * kernel's parser reads back) and doubling every backslash (which it does not), so a backslash
 * is refused like a single quote rather than reaching main changed.
 */
function grubWord(w: string): string {
  for (const [ch, what] of [["'", 'a single quote'], ['\\', 'a backslash']]) {
    if (w.includes(ch)) {
      throw new MinnowError(`the argument ${JSON.stringify(w)} contains ${what}, which GRUB cannot pass to the kernel unchanged`, `Pass the argument without ${what}s (minnow run takes them).`);
    }
  }
  return /^[\w.=:,/@%+-]+$/.test(w) ? w : `'${w}'`;
}

/** grub.cfg: boot the ELF at once, by Multiboot2, with minnow.json's name and main's arguments. */
export function grubConfig(app: Pick<AppConfig, 'name'>, o: Pick<PackOptions, 'argv' | 'kernelOptions'>): string {
  // kernelCmdline checks the limits and quotes arguments with blanks for the kernel's parser;
  // GRUB passes each of its words on, and its lexer would eat those double quotes, so each word
  // is given to GRUB as one single-quoted word
  kernelCmdline({ name: app.name, argv: o.argv, kernelOptions: o.kernelOptions });
  const words = [`minnow.name=${app.name}`, ...(o.kernelOptions ?? []), ...o.argv].map(grubWord);
  return [
    '# made by minnow pack: boot the application at once',
    'set timeout=0',
    'set default=0',
    `menuentry '${app.name} (Minnow)' {`,
    `\tmultiboot2 /boot/${app.name}.elf ${words.join(' ')}`,
    '\tboot',
    '}',
    '',
  ].join('\n');
}

function run(bin: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr.on('data', (b: Buffer) => (output += b.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}

/** Makes the images asked for from app's built ELF. */
export async function packApp(app: AppConfig, o: PackOptions): Promise<PackResult> {
  if (!o.iso && !o.disk) throw new MinnowError('nothing to pack', 'Give --iso FILE, --disk FILE or both.');
  if (!existsSync(app.elf)) throw new MinnowError(`the kernel image ${app.elf} does not exist`, 'Build it first (minnow build), or leave out --no-build.');
  const tools = checkPackTools(o);
  const stage = mkdtempSync(join(tmpdir(), 'minnow-pack-'));
  try {
    mkdirSync(join(stage, 'root', 'boot', 'grub'), { recursive: true });
    copyFileSync(app.elf, join(stage, 'root', 'boot', `${app.name}.elf`));
    writeFileSync(join(stage, 'root', 'boot', 'grub', 'grub.cfg'), grubConfig(app, o));
    // only what this config needs, and every partition map (GRUB's rescue config loads them
    // all): 4.5 MB instead of 20
    const partmaps = readdirSync(o.grubBiosDir ?? GRUB_BIOS_DIR).filter((f) => /^part_\w+\.mod$/.test(f)).map((f) => f.replace(/\.mod$/, ''));
    const modules = ['normal', 'configfile', 'multiboot2', 'iso9660', 'fat', ...partmaps];
    const image = join(stage, 'out.iso');
    const args = ['-o', image, `--install-modules=${modules.join(' ')}`, '--locales=', '--fonts=', '--themes='];
    // no -d: it names one platform's folder, and the last one given wins (an image that booted
    // only by UEFI); without it grub-mkrescue takes every platform installed under /usr/lib/grub
    args.push(join(stage, 'root'));
    const r = await run(tools.mkrescue, args);
    if (r.code !== 0 || !existsSync(image)) {
      throw new MinnowError(`grub-mkrescue failed: ${r.output.trim().split('\n').slice(-3).join(' / ')}`, `Check that GRUB, xorriso and mtools are installed (${aptInstall(PACK_PACKAGES)}).`);
    }
    const result: PackResult = { firmware: tools.efi ? ['bios', 'uefi'] : ['bios'] };
    if (o.disk) {
      mkdirSync(dirname(o.disk), { recursive: true });
      copyFileSync(image, o.disk);
      truncateSync(o.disk, Math.ceil(statSync(o.disk).size / MIB) * MIB);
      result.disk = o.disk;
    }
    if (o.iso) {
      mkdirSync(dirname(o.iso), { recursive: true });
      moveFile(image, o.iso);
      result.iso = o.iso;
    }
    return result;
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

function moveFile(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch {
    copyFileSync(from, to); // another filesystem
  }
}
