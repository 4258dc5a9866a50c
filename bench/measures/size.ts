// Size of examples/hello's image: the ELF file as built (with its symbols; the DWARF inside it
// or, once the build splits it off, in <name>.debug beside it), the same file stripped (what a
// deployment would ship), and the bytes it occupies in guest memory (the sum of the PT_LOAD
// segments' memsz, .bss included). Deterministic: one sample each.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildOnce } from '../lib/apps';
import type { Measure } from '../lib/context';
import { loadedBytes } from '../lib/elf';
import { runTimed } from '../lib/proc';
import { row } from '../lib/stats';

const KIB = 1024;

/** Where the DWARF is: inside the ELF, or split into <name>.debug beside it by the build. */
function debugNote(elf: string): string {
  const dbg = elf.replace(/\.elf$/, '.debug');
  if (!fs.existsSync(dbg)) return 'as built, DWARF inside';
  return `as built; DWARF split into ${path.basename(dbg)} (${(fs.statSync(dbg).size / KIB).toFixed(1)} KiB)`;
}

export const size: Measure = {
  name: 'size',
  rows: [
    { name: 'hello-elf-file', unit: 'KiB' },
    { name: 'hello-elf-stripped', unit: 'KiB' },
    { name: 'hello-loaded', unit: 'KiB' },
  ],
  async run(ctx) {
    const app = await buildOnce(ctx, 'examples/hello');
    const stripped = path.join(ctx.tmp, 'hello.stripped.elf');
    const r = await runTimed('strip', ['--strip-all', '-o', stripped, app.elf], 30_000);
    if (r.status !== 0) throw new Error(`strip failed: ${r.stderr}`);
    const kib = (bytes: number): number => bytes / KIB;
    const load = loadedBytes(app.elf);
    const split = `PT_LOAD memsz: ${kib(load.filesz).toFixed(1)} KiB from the file + ${kib(load.memsz - load.filesz).toFixed(1)} KiB zeroed (.bss)`;
    return [
      row({ name: 'hello-elf-file', unit: 'KiB', samples: [kib(fs.statSync(app.elf).size)], note: debugNote(app.elf) }),
      row({ name: 'hello-elf-stripped', unit: 'KiB', samples: [kib(fs.statSync(stripped).size)] }),
      row({ name: 'hello-loaded', unit: 'KiB', samples: [kib(load.memsz)], note: split }),
    ];
  },
};
