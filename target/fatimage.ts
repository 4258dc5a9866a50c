// FAT disk images for "disks" in minnow.json (`minnow disk create --fat 64M disk.img [--from
// folder]`): an empty file of the size asked, formatted with dosfstools' mkfs.fat as FAT16 or
// FAT32 (the two kernel/fs/fat.c reads; mkfs.fat would pick FAT12 below 16 MiB), then filled
// from a host folder with mtools' mcopy. Every name in the folder is checked first, because
// mcopy asks on the terminal about names FAT cannot hold or that clash once case is ignored,
// and a FIFO would block it forever: each of those is an error naming the file instead.

import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, lstatSync, openSync, readdirSync, rmSync, statSync, ftruncateSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { aptInstall, MinnowError } from './errors';
import { parseSize } from './config';
import { which } from './tools';

export type FatBits = 16 | 32;

const MIB = 1024 ** 2;
/** What mkfs.fat accepts with its default cluster sizes (measured with dosfstools 4.2). */
const LIMITS: Record<FatBits, { min: number; max: number }> = {
  16: { min: 16 * MIB, max: 2048 * MIB },
  // 65525 clusters of one sector and the tables: the smallest FAT32; 2 TiB of 512-byte sectors
  32: { min: 33 * MIB, max: 2 * 1024 ** 4 },
};
/** mkfs.fat's own choice between the two: FAT32 from 512 MiB. */
const FAT32_FROM = 512 * MIB;
/** Characters a FAT long name cannot hold (Microsoft's FAT specification, "Long File Names"). */
const BAD_CHARS = /["*/:<>?\\|\x00-\x1f\x7f]/;
const LFN_MAX = 255;
/** The largest file FAT can hold: its size field is 32 bits. */
const FILE_MAX = 2 ** 32 - 1;
const TOOL_TIMEOUT_MS = 300_000;

export interface FatImageOptions {
  /** Absolute path of the image to make. */
  image: string;
  /** "64M" or bytes. */
  size: string | number;
  bits?: FatBits;
  /** A host folder whose contents become the image's root. */
  from?: string;
  /** Replace an existing file at `image`. */
  force?: boolean;
}

export interface FatImage {
  image: string;
  bits: FatBits;
  bytes: number;
  files: number;
  folders: number;
}

function sbin(tool: string, pkg: string): string {
  const found = which(tool) ?? which(`/usr/sbin/${tool}`) ?? which(`/sbin/${tool}`);
  if (!found) throw new MinnowError(`${tool} is not installed (package ${pkg}); Minnow makes FAT images with it`, `Install it: ${aptInstall([pkg])}`);
  return found;
}

/** mcopy reads names in the locale's charset: without a UTF-8 one, "é" lands on the disk as "_". */
function utf8Env(): NodeJS.ProcessEnv {
  return { ...process.env, LC_ALL: 'C.UTF-8', MTOOLS_SKIP_CHECK: '1' };
}

function run(tool: string, args: string[]): string {
  const r = spawnSync(tool, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: utf8Env(), timeout: TOOL_TIMEOUT_MS });
  if (r.error) throw new MinnowError(`${tool} could not run: ${r.error.message}`, 'Check that dosfstools and mtools are installed (minnow check).');
  if (r.status !== 0) return `${r.stderr}${r.stdout}`.trim() || `${tool} exited with status ${r.status}`;
  return '';
}

/** Files and folders under `root`, each checked against what FAT and mcopy can take. */
function survey(root: string): { entries: string[]; files: number; folders: number; bytes: number } {
  const out = { entries: [] as string[], files: 0, folders: 0, bytes: 0 };
  const walk = (dir: string) => {
    const names = readdirSync(dir);
    const seen = new Map<string, string>();
    for (const name of names) {
      const full = join(dir, name);
      const rel = relative(root, full);
      if (BAD_CHARS.test(name)) throw new MinnowError(`--from: "${rel}" has a character FAT names cannot hold (one of " * : < > ? \\ | or a control character)`, 'Rename it, or leave it out of the folder.');
      if (/[. ]$/.test(name)) throw new MinnowError(`--from: "${rel}" ends with a dot or a space, which FAT drops`, 'Rename it.');
      if ([...name].reduce((n, c) => n + (c.codePointAt(0)! > 0xffff ? 2 : 1), 0) > LFN_MAX) throw new MinnowError(`--from: the name "${rel}" is longer than FAT's ${LFN_MAX} characters`, 'Shorten it.');
      const folded = name.toUpperCase();
      const other = seen.get(folded);
      if (other !== undefined) throw new MinnowError(`--from: "${rel}" and "${join(relative(root, dir), other)}" are one name on FAT, which ignores case`, 'Rename one of them.');
      seen.set(folded, name);
      let st;
      try {
        st = statSync(full);
      } catch {
        throw new MinnowError(`--from: "${rel}" is a symbolic link to nothing`, 'Remove the link or make its target.');
      }
      if (st.isDirectory()) {
        if (lstatSync(full).isSymbolicLink()) throw new MinnowError(`--from: "${rel}" is a link to a folder (a loop for mcopy)`, 'Copy the folder in instead of linking it.');
        out.folders++;
        walk(full);
      } else if (st.isFile()) {
        if (st.size > FILE_MAX) throw new MinnowError(`--from: "${rel}" is ${st.size} bytes; a FAT file holds at most 4 GiB - 1`, 'Leave it out, or split it.');
        out.files++;
        out.bytes += st.size;
      } else {
        throw new MinnowError(`--from: "${rel}" is not a file or a folder (a FIFO, socket or device)`, 'Leave it out of the folder.');
      }
    }
  };
  walk(root);
  out.entries = readdirSync(root).map((n) => join(root, n));
  return out;
}

/** The default FAT type for a size: what mkfs.fat would choose, never FAT12. */
export function defaultFatBits(bytes: number): FatBits {
  return bytes >= FAT32_FROM ? 32 : 16;
}

/** Makes the image; MinnowError naming the problem for each way it can fail. */
export function createFatImage(o: FatImageOptions): FatImage {
  const bytes = typeof o.size === 'number' ? o.size : parseSize(o.size);
  const bits = o.bits ?? defaultFatBits(bytes);
  const { min, max } = LIMITS[bits];
  if (bytes < min || bytes > max) {
    const range = `${min / MIB}M to ${max >= 1024 ** 4 ? `${max / 1024 ** 4}T` : `${max / MIB}M`}`;
    throw new MinnowError(`a FAT${bits} image must be ${range}, not ${bytes / MIB}M`, bits === 32 && bytes < min ? 'Give 33M or more, or --fat-type 16.' : bits === 16 && bytes > max ? 'Use --fat-type 32 for images over 2048M.' : `Give a size from ${range}.`);
  }
  if (!existsSync(dirname(o.image))) throw new MinnowError(`the folder ${dirname(o.image)} does not exist`, `Create it (mkdir -p ${dirname(o.image)}) or give another path for the image.`);
  if (existsSync(o.image)) {
    if (statSync(o.image).isDirectory()) throw new MinnowError(`${o.image} is a folder`, 'Give the path of the image file to make, e.g. disk.img.');
    if (!o.force) throw new MinnowError(`${o.image} exists already`, 'Give another name, or add --force to replace it.');
  }
  let contents = { entries: [] as string[], files: 0, folders: 0, bytes: 0 };
  if (o.from !== undefined) {
    if (!existsSync(o.from)) throw new MinnowError(`--from: the folder ${o.from} does not exist`, 'Give the folder whose files go into the image.');
    if (!statSync(o.from).isDirectory()) throw new MinnowError(`--from: ${o.from} is not a folder`, 'Give a folder; its contents become the root of the image.');
    contents = survey(o.from);
    if (contents.bytes > bytes) throw new MinnowError(`--from: the files in ${o.from} (${contents.bytes} bytes) do not fit in ${bytes / MIB}M`, 'Make the image bigger.');
  }
  const mkfs = sbin('mkfs.fat', 'dosfstools');
  const mcopy = contents.entries.length ? sbin('mcopy', 'mtools') : '';
  const fd = openSync(o.image, 'w');
  try {
    ftruncateSync(fd, bytes);
  } finally {
    closeSync(fd);
  }
  try {
    const made = run(mkfs, ['-F', String(bits), o.image]);
    if (made) throw new MinnowError(`mkfs.fat could not format ${o.image} as FAT${bits}: ${made.split('\n').pop()}`, `Try another size${bits === 16 ? ' or --fat-type 32' : ''}.`);
    if (contents.entries.length) {
      // -s: folders too, -Q: stop at the first error, -D o: the check above leaves no clash to ask about
      const copied = run(mcopy, ['-s', '-Q', '-D', 'o', '-i', o.image, ...contents.entries, '::/']);
      if (copied) {
        const full = /disk full|no space|not enough space/i.test(copied);
        throw new MinnowError(full ? `the files in ${o.from} do not fit in a ${bytes / MIB}M FAT${bits} image` : `mcopy could not copy ${o.from} into the image: ${copied.split('\n').pop()}`, full ? 'Make the image bigger.' : 'Check the folder can be read.');
      }
    }
  } catch (e) {
    rmSync(o.image, { force: true });
    throw e;
  }
  return { image: o.image, bits, bytes, files: contents.files, folders: contents.folders };
}
