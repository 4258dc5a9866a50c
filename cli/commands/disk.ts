// `minnow disk create --fat SIZE IMAGE [--from FOLDER]`: a FAT disk image for minnow.json's
// "disks" (target/fatimage.ts does the work with mkfs.fat and mcopy). Prints what it made and
// the "disks" entry that mounts it.

import { resolve } from 'node:path';
import { createFatImage, type FatBits } from '../../target';
import { parseArgs, UsageError, type Specs } from '../args';
import type { Io } from '../io';

export const DISK_USAGE = 'minnow disk create --fat SIZE IMAGE [--from FOLDER] [--fat-type 16|32] [--force]';
export const DISK_SPECS: Specs = {
  fat: { kind: 'string', value: 'SIZE', help: 'make a FAT image of this size: 64M, 1G (FAT16 below 512M, FAT32 from there)' },
  'fat-type': { kind: 'string', choices: ['16', '32'], help: 'FAT16 (16M-2048M) or FAT32 (33M and more) instead of the default for the size' },
  from: { kind: 'string', value: 'FOLDER', help: "copy this folder's contents into the image's root" },
  force: { kind: 'boolean', short: 'f', help: 'replace IMAGE if it exists' },
};

export async function diskCommand(argv: string[], io: Io): Promise<number> {
  const p = parseArgs(argv, DISK_SPECS, 'disk');
  const [sub, image, ...extra] = p.positionals;
  if (sub !== 'create') {
    throw new UsageError(sub === undefined ? 'minnow disk needs a subcommand' : `unknown subcommand "disk ${sub}"`, `Usage: ${DISK_USAGE}`);
  }
  if (p.options.fat === undefined) throw new UsageError('minnow disk create needs --fat SIZE (FAT is the one format the kernel reads)', 'For example: minnow disk create --fat 64M disk.img');
  if (image === undefined) throw new UsageError('which image? minnow disk create needs the path of the image to make', `Usage: ${DISK_USAGE}`);
  if (extra.length) throw new UsageError(`too many arguments for "minnow disk create": ${extra.join(' ')}`, `Usage: ${DISK_USAGE}`);
  const from = p.options.from as string | undefined;
  const made = createFatImage({
    image: resolve(image),
    size: p.options.fat as string,
    bits: p.options['fat-type'] ? (Number(p.options['fat-type']) as FatBits) : undefined,
    from: from === undefined ? undefined : resolve(from),
    force: p.options.force === true,
  });
  const what = from === undefined ? 'empty' : `${made.files} file${made.files === 1 ? '' : 's'} and ${made.folders} folder${made.folders === 1 ? '' : 's'} from ${from}`;
  io.out(`${image}: FAT${made.bits}, ${made.bytes / 1024 ** 2} MiB, ${what}\n`);
  io.out(`Mount it from minnow.json (the image path is relative to the application folder):\n  "disks": [{ "image": "${image}", "guest": "/data", "format": "fat" }]\n`);
  return 0;
}
