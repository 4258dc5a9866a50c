// Which kernel modules the peer's init must insmod, in an order that works: a package's modules
// come without modules.dep (depmod runs at install time, which we skip), so each .ko's own
// ".modinfo" section (NUL-separated key=value strings; "depends=a,b") is read from the ELF
// section table (System V gABI, "Sections"), and the closure of the wanted modules is sorted so
// that every module comes after what it depends on. Modules built into the kernel
// (modules.builtin) need nothing.

import * as fs from 'node:fs';
import * as path from 'node:path';

const SHT_STRTAB = 3;

/** Module names use underscores; file names may use dashes (nls_iso8859-1.ko is "nls_iso8859_1"). */
export const moduleName = (file: string): string => path.basename(file).replace(/\.ko$/, '').replace(/-/g, '_');

/** The key=value strings of a .ko's .modinfo section. */
export function modinfo(file: string): Map<string, string[]> {
  const b = fs.readFileSync(file);
  if (b.readUInt32BE(0) !== 0x7f454c46 || b[4] !== 2) throw new Error(`${file} is not an ELF64 object`);
  const shoff = Number(b.readBigUInt64LE(0x28));
  const shentsize = b.readUInt16LE(0x3a);
  const shnum = b.readUInt16LE(0x3c);
  const shstrndx = b.readUInt16LE(0x3e);
  const sh = (i: number): { name: number; type: number; offset: number; size: number } => {
    const o = shoff + i * shentsize;
    return { name: b.readUInt32LE(o), type: b.readUInt32LE(o + 4), offset: Number(b.readBigUInt64LE(o + 0x18)), size: Number(b.readBigUInt64LE(o + 0x20)) };
  };
  const strtab = sh(shstrndx);
  if (strtab.type !== SHT_STRTAB) throw new Error(`${file}: no section name table`);
  const nameAt = (off: number): string => {
    const start = strtab.offset + off;
    return b.toString('latin1', start, b.indexOf(0, start));
  };
  const out = new Map<string, string[]>();
  for (let i = 0; i < shnum; i++) {
    const s = sh(i);
    if (nameAt(s.name) !== '.modinfo') continue;
    for (const kv of b.toString('utf8', s.offset, s.offset + s.size).split('\0')) {
      const eq = kv.indexOf('=');
      if (eq <= 0) continue;
      const k = kv.slice(0, eq);
      out.set(k, [...(out.get(k) ?? []), kv.slice(eq + 1)]);
    }
  }
  return out;
}

function walk(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.name.endsWith('.ko')) out.push(p);
  }
  return out;
}

/**
 * The .ko files to load for `wanted` (module names), dependencies first, from the modules tree
 * `modDir` (lib/modules/<version>). Names built into the kernel are skipped; a name that is
 * neither built in nor a module is an error naming it.
 */
export function resolveModules(modDir: string, wanted: readonly string[]): string[] {
  const builtinFile = path.join(modDir, 'modules.builtin');
  const builtin = new Set(fs.existsSync(builtinFile) ? fs.readFileSync(builtinFile, 'utf8').split('\n').filter(Boolean).map(moduleName) : []);
  const files = new Map(walk(path.join(modDir, 'kernel')).map((f) => [moduleName(f), f]));
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, from: string): void => {
    if (builtin.has(name) || state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') throw new Error(`kernel modules: a dependency cycle through ${name}`);
    const file = files.get(name);
    if (!file) throw new Error(`kernel module ${name} (${from}) is neither built into this kernel nor in ${modDir}`);
    state.set(name, 'visiting');
    for (const dep of (modinfo(file).get('depends') ?? []).flatMap((d) => d.split(',')).filter(Boolean)) visit(dep, `needed by ${name}`);
    state.set(name, 'done');
    order.push(file);
  };
  for (const w of wanted) visit(w, 'asked for');
  return order;
}
