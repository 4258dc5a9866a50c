// Just enough of the ELF64 format (System V gABI, "ELF Header" and "Program Header") to sum the
// bytes an image loads: memsz of every PT_LOAD segment, and filesz (the part read from the file;
// the rest is zeroed, .bss).

import * as fs from 'node:fs';

const PT_LOAD = 1;
const ELFCLASS64 = 2;

export function loadedBytes(file: string): { memsz: number; filesz: number } {
  const b = fs.readFileSync(file);
  if (b.readUInt32BE(0) !== 0x7f454c46 || b[4] !== ELFCLASS64) throw new Error(`${file} is not an ELF64 file`);
  const phoff = Number(b.readBigUInt64LE(0x20));
  const phentsize = b.readUInt16LE(0x36);
  const phnum = b.readUInt16LE(0x38);
  let memsz = 0;
  let filesz = 0;
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize;
    if (b.readUInt32LE(ph) !== PT_LOAD) continue;
    filesz += Number(b.readBigUInt64LE(ph + 0x20)); // p_filesz
    memsz += Number(b.readBigUInt64LE(ph + 0x28)); // p_memsz
  }
  return { memsz, filesz };
}
