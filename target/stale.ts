// Objects made stale by a change of content that make cannot see. make compares dates: when the
// kernel folder is replaced by another checkout (or a copy, an unpacked archive) whose files are
// OLDER than the objects, make keeps objects compiled from the old sources. So every folder of
// objects carries a record of the content it was built from (sources.json: each kernel and lwIP
// file's absolute path and sha-256, the sums the build cache's key is made of), and before make
// runs, the objects that depend on a file whose content differs from the record (their -MMD
// dependency files say which) are removed, so that make compiles them again whatever the dates.

import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';

/** A file's absolute path -> the sha-256 of its content. */
export type Sums = Record<string, string>;

/** The record of the content a folder's objects were built from. */
export const SOURCES_RECORD = 'sources.json';
/** A short identity of that record (the kernel folder and its tree's hash): equal, nothing to compare. */
const SOURCES_ID = 'sources.id';

/** The record in dir, or undefined when there is none (or it is damaged). */
export function readSums(dir: string): Sums | undefined {
  try {
    const s = JSON.parse(readFileSync(join(dir, SOURCES_RECORD), 'utf8')) as unknown;
    return s && typeof s === 'object' && !Array.isArray(s) ? (s as Sums) : undefined;
  } catch {
    return undefined;
  }
}

/** Writes the record (through a temporary file: a reader never sees half of it); false if it could not. */
export function writeSums(dir: string, sums: Sums): boolean {
  const file = join(dir, SOURCES_RECORD);
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    writeFileSync(tmp, JSON.stringify(sums));
    renameSync(tmp, file);
    return true;
  } catch {
    rmSync(tmp, { force: true });
    return false;
  }
}

/** The files added, removed or changed between two records. */
export function changedFiles(was: Sums, now: Sums): Set<string> {
  const out = new Set<string>();
  for (const [p, sum] of Object.entries(now)) if (was[p] !== sum) out.add(p);
  for (const p of Object.keys(was)) if (!(p in now)) out.add(p);
  return out;
}

/** The files a dependency file (gcc -MMD -MP) names: the object's prerequisites, by absolute path. */
export function depFiles(text: string): string[] {
  const out: string[] = [];
  // a line ending in a backslash goes on; a space in a path is written "\ "
  for (const word of text.replace(/\\\n/g, ' ').split(/(?<!\\)\s+/)) {
    const w = word.replace(/\\ /g, ' ').replace(/:$/, '');
    if (w.startsWith('/')) out.push(resolve(w));
  }
  return out;
}

/**
 * The objects under dir (relative paths of the .o files) that depend on a changed file, by
 * their dependency files. An object without one is counted as stale: nothing says what it read.
 */
export function staleObjects(dir: string, changed: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  if (changed.size === 0 || !existsSync(dir)) return out;
  const walk = (rel: string): void => {
    for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else if (e.name.endsWith('.o') && r.includes('/')) {
        let deps: string[];
        try {
          deps = depFiles(readFileSync(join(dir, r.replace(/\.o$/, '.d')), 'utf8'));
        } catch {
          out.add(r);
          continue;
        }
        if (deps.some((d) => changed.has(d))) out.add(r);
      }
    }
  };
  walk('');
  return out;
}

/**
 * Brings a folder of objects up to the content in now: removes the objects that depend on a file
 * that changed since its record (all of them when it has no record: objects of an older Minnow),
 * and, when anything changed, the given files made from them (the joined kernel.o, the symbol
 * table, the ELF), then writes the new record. id names the content (the kernel folder and its
 * tree's hash): when the folder's id is the same, a warm build reads that one short file rather
 * than the record of every source. Returns the number of objects removed.
 */
export function forgetStale(dir: string, now: Sums, derived: readonly string[] = [], id?: string): number {
  const idFile = join(dir, SOURCES_ID);
  try {
    if (id && readFileSync(idFile, 'utf8') === id) return 0;
  } catch {
    // no identity yet: compare the records
  }
  const was = readSums(dir);
  const changed = was ? changedFiles(was, now) : undefined;
  let removed = 0;
  if (!changed || changed.size > 0) {
    const stale = changed ? staleObjects(dir, changed) : allObjects(dir);
    for (const rel of stale) {
      rmSync(join(dir, rel), { force: true });
      rmSync(join(dir, rel.replace(/\.o$/, '.d')), { force: true });
    }
    for (const f of derived) rmSync(f, { force: true });
    removed = stale.size;
    // the identity goes first and comes back after the record: it never vouches for another record
    rmSync(idFile, { force: true });
    try {
      mkdirSync(dir, { recursive: true });
    } catch {
      // make reports a build folder it cannot make
    }
    if (!writeSums(dir, now)) return removed;
  }
  if (id) {
    try {
      writeFileSync(idFile, id);
    } catch {
      // the records are compared next time
    }
  }
  return removed;
}

/** Every object under dir in a subfolder (relative paths). */
function allObjects(dir: string): Set<string> {
  const out = new Set<string>();
  const walk = (rel: string): void => {
    for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else if (e.name.endsWith('.o') && r.includes('/')) out.add(r);
    }
  };
  if (existsSync(dir)) walk('');
  return out;
}
