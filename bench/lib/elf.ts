// Just enough of the ELF64 format (System V gABI, "ELF Header" and "Program Header") to sum the
// bytes an image loads: the memsz of every PT_LOAD segment.

import * as fs from 'node:fs';

const PT_LOAD = 1;
const ELFCLASS64 = 2;

export function loadedBytes(file: string): number {
  const b = fs.readFileSync(file);
  if (b.readUInt32BE(0) !== 0x7f454c46 || b[4] !== ELFCLASS64) throw new Error(`${file} is not an ELF64 file`);
  const phoff = Number(b.readBigUInt64LE(0x20));
  const phentsize = b.readUInt16LE(0x36);
  const phnum = b.readUInt16LE(0x38);
  let total = 0;
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize;
    if (b.readUInt32LE(ph) === PT_LOAD) total += Number(b.readBigUInt64LE(ph + 0x28)); // p_memsz
  }
  return total;
}
