// The kernel's objects, built once and shared between projects: a content-addressed cache under
// the user's cache folder ($XDG_CACHE_HOME/minnow/kernel-objects, else ~/.cache/...).
//
// An entry is a folder named by a hash of everything the kernel's objects depend on: the kernel
// folder's real path and every file in it (sources, headers, Makefile, components table, linker
// script), lwIP's sources when "net" is linked, the compiler (its path, size, date and version),
// the components and minnow.json's "cflags". It holds the objects and their dependency files
// exactly as kernel/Makefile lays them out under KOBJ. A complete entry is never written again:
// make links with it read-only (KOBJ_READONLY=1: no rules for its objects), so a new project
// compiles only its own sources and links.
//
// A missing entry is built in a temporary folder next to it and renamed into place when make
// succeeded, so a reader never sees half an entry, and two builds at once each build their own
// and the first rename wins (the second's folder, with the same content, is dropped). The
// temporary folder starts as a copy of the entry this project last used (or the newest with the
// same compiler and flags), with the objects' dates kept: when one kernel source was edited, make
// then rebuilds just that object (and those including an edited header) rather than all of them.
// Dates are not enough when another checkout with older files took the kernel folder's place:
// each entry records the sums of the sources it was built from (sources.json, target/stale.ts),
// and the objects that depend on a file whose content differs are not copied into the new one.
//
// A warm build asks gcc nothing: its version (part of the key) and its header folder (GCC_INCLUDE
// for make) are kept in manifests/toolchain.json, keyed by the gcc and as binaries' paths, sizes
// and dates.
//
// The cache is an optimisation only: a cache folder that cannot be made or written, or a full
// disk, gives one warning and the build goes on in the project's own build/obj like before. A
// fill that failed half-way (the disk filled up under make) is remembered for its key in
// manifests/failed-<entry>.json: the next builds skip the cache with a one-line warning rather
// than pay for the kernel and the failed write again, until the disk has more room (or the
// folder is writable again) or `minnow clean --cache`.

import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { accessSync, constants, copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, realpathSync, renameSync, rmSync, statfsSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { AppConfig } from './config';
import { MinnowError } from './errors';
import { loadComponents, resolveComponents } from './components';
import { lwipDir } from './lwip';
import { SOURCES_RECORD, changedFiles, readSums, staleObjects, writeSums, type Sums } from './stale';
import { which } from './tools';

/** Entries kept; the least recently used beyond this are removed after a new one is made. */
export const CACHE_ENTRIES_MAX = 32;
/** Below this much free space in the cache's filesystem the cache is not used (an entry is ~1.5 MiB). */
export const CACHE_FREE_MIN = 64 * 1024 * 1024;
/** The project's record of the entry it last used (the seed of the next one). */
const LAST_ENTRY = 'kernel-cache';
const TMP_MARK = '.tmp-';
/** The cache folder's memo of file hashes (not an entry). */
const MANIFESTS = 'manifests';
/** An entry's name: the flags' hash and the sources' hash. */
const ENTRY_NAME = /^[0-9a-f]{16}-[0-9a-f]{32}$/;

/** The cache folder: $MINNOW_BUILD_CACHE, else $XDG_CACHE_HOME/minnow/kernel-objects (~/.cache when unset). */
export function buildCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MINNOW_BUILD_CACHE && buildCacheEnabled(env)) return resolve(env.MINNOW_BUILD_CACHE);
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'minnow', 'kernel-objects');
}

/** False when the user turned the cache off (MINNOW_BUILD_CACHE=off). */
export function buildCacheEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return !['off', '0', 'no', 'false'].includes((env.MINNOW_BUILD_CACHE ?? '').toLowerCase());
}

/**
 * Every file under dir (sorted, relative), but those skip() says. The paths are put together by
 * hand: path.join and path.relative normalise (and relative resolves against the working folder)
 * on every call, which was a third of a warm build's hashing.
 */
function treeFiles(dir: string, skip: (rel: string) => boolean): string[] {
  const out: string[] = [];
  const walk = (abs: string, rel: string): void => {
    for (const e of readdirSync(abs, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (skip(r)) continue;
      if (e.isDirectory()) walk(`${abs}/${e.name}`, r);
      else if (e.isFile()) out.push(r);
    }
  };
  walk(dir, '');
  return out.sort();
}

/** A tree's files as last hashed: path -> [size, mtime, sha-256 of the content]. */
type Manifest = Record<string, [number, number, string]>;

/** Files changed this recently are hashed again next time (a second edit in the same tick). */
const RACY_MS = 2000;

/**
 * Adds the content of every file under dir to h. A file's hash is taken from the manifest of the
 * last run (kept in the cache folder's manifests/) when its size and date did not change, so a
 * build reads only the files that did; the manifest is only a memo, the key is of the contents.
 */
function hashTree(h: ReturnType<typeof createHash>, dir: string, skip: (rel: string) => boolean, sums: Sums, memoRoot?: string): void {
  const memo = memoRoot && join(memoRoot, MANIFESTS, `${createHash('sha256').update(dir).digest('hex').slice(0, 16)}.json`);
  let old: Manifest = {};
  try {
    if (memo) old = JSON.parse(readFileSync(memo, 'utf8')) as Manifest;
  } catch {
    // no manifest yet, or a damaged one: hash everything
  }
  const now: Manifest = {};
  let changed = false;
  const recent = Date.now() - RACY_MS;
  for (const rel of treeFiles(dir, skip)) {
    const abs = `${dir}/${rel}`;
    const st = statSync(abs);
    const was = old[rel];
    let sum: string;
    if (was && was[0] === st.size && was[1] === st.mtimeMs && st.mtimeMs < recent) {
      sum = was[2];
    } else {
      sum = createHash('sha256').update(readFileSync(abs)).digest('hex');
      changed = true;
    }
    now[rel] = [st.size, st.mtimeMs, sum];
    sums[abs] = sum;
    h.update(`${rel}\0${sum}\n`);
  }
  if (!memo || (!changed && Object.keys(old).length === Object.keys(now).length)) return;
  try {
    mkdirSync(join(memo, '..'), { recursive: true });
    const tmp = `${memo}${TMP_MARK}${process.pid}-${randomBytes(4).toString('hex')}`;
    writeFileSync(tmp, JSON.stringify(now));
    renameSync(tmp, memo);
  } catch {
    // an unwritable cache: the next build hashes everything again
  }
}

/** What the build needs to know of the compiler: its identity for the key and its header folder. */
interface Toolchain {
  /** The compiler and assembler as far as they change objects: paths, sizes, dates, gcc's version. */
  id: string;
  /** gcc -print-file-name=include: stddef.h and the other headers of gcc's own (GCC_INCLUDE for make). */
  include: string;
}

/** The memo of the last toolchain query, in the cache folder's manifests/. */
const TOOLCHAIN_MEMO = 'toolchain.json';

/**
 * The toolchain of this build. Running gcc costs ~50 ms of a warm build's budget, and its answers
 * depend only on the gcc and as binaries: they are kept in a memo keyed by those binaries' real
 * paths, sizes and dates, and gcc is asked again only when one of them changed (an upgrade).
 */
function toolchain(memoRoot?: string): Toolchain {
  const stamp: string[] = [];
  for (const bin of ['gcc', 'as']) {
    const p = which(bin);
    if (!p) return { id: '', include: '' };
    const real = realpathSync(p);
    const st = statSync(real);
    stamp.push(`${real} ${st.size} ${st.mtimeMs}`);
  }
  const memo = memoRoot && join(memoRoot, MANIFESTS, TOOLCHAIN_MEMO);
  try {
    if (memo) {
      const old = JSON.parse(readFileSync(memo, 'utf8')) as { stamp?: unknown; version?: unknown; include?: unknown };
      if (old.stamp === stamp.join('\n') && typeof old.version === 'string' && typeof old.include === 'string' && old.version && old.include) {
        return { id: `${old.stamp}\n${old.version}`, include: old.include };
      }
    }
  } catch {
    // no memo yet, or a damaged one: ask gcc
  }
  // gcc answers only the first of several -dump/-print options: one run per question
  const v = spawnSync('gcc', ['-dumpfullversion', '-dumpmachine'], { encoding: 'utf8' });
  const version = (v.stdout ?? '').trim();
  const inc = spawnSync('gcc', ['-print-file-name=include'], { encoding: 'utf8' });
  const include = inc.status === 0 && (inc.stdout ?? '').trim().startsWith('/') ? inc.stdout.trim() : '';
  if (memo && v.status === 0 && version && include) {
    try {
      mkdirSync(join(memo, '..'), { recursive: true });
      const tmp = `${memo}${TMP_MARK}${process.pid}-${randomBytes(4).toString('hex')}`;
      writeFileSync(tmp, JSON.stringify({ stamp: stamp.join('\n'), version, include }));
      renameSync(tmp, memo);
    } catch {
      // an unwritable cache: gcc is asked again next time
    }
  }
  return { id: `${stamp.join('\n')}\n${version}`, include };
}

export interface CacheKey {
  /** Hash of the compiler, the flags and the folders' paths: entries that can seed each other. */
  flags: string;
  /** Hash of the sources' contents. */
  tree: string;
  /** gcc's header folder (empty when gcc did not say). */
  gccInclude: string;
  /** Each source's sha-256 by absolute path (what the objects' dependency files name). */
  sums: Sums;
  /** The kernel folder's real path and the tree's hash: equal ids, equal sums. */
  sourcesId: string;
}

/**
 * The variables kernel/Makefile takes from the environment when the command line does not set
 * them (make's `?=`): they change the kernel's objects, so they are part of the key.
 */
const MAKE_ENV = ['EXTRA_CFLAGS', 'COMPONENTS', 'DRIVERS', 'LWIP_DIR', 'MINNOW_LWIP_DIR'] as const;

/** Whether the components (and what they need) compile lwIP's sources. */
function linksLwip(components: readonly string[], kdir: string): boolean {
  try {
    const table = loadComponents(kdir);
    const linked = new Set(resolveComponents(components, table));
    return table.some((c) => linked.has(c.name) && c.srcs.some((s) => s.startsWith('/') || s.includes('LWIP_DIR')));
  } catch {
    // an unknown component: make reports it; the key only needs to be conservative
    return components.includes('net');
  }
}

/** Whether app links lwIP (its components or make's COMPONENTS and DRIVERS from the environment). */
function appLinksLwip(app: Pick<AppConfig, 'components'>, kdir: string, env: NodeJS.ProcessEnv): boolean {
  return linksLwip([...app.components, ...(env.COMPONENTS ?? '').split(/\s+/), ...(env.DRIVERS ?? '').split(/\s+/)].filter(Boolean), kdir);
}

/**
 * The content of the kernel sources app is built from: the hash of the tree (the key's second
 * half) and each file's sum. kdir is taken by its real path, as make (-C, then getcwd) sees it and
 * writes it into the dependency files. memo: the folder of the hash memo (manifests/).
 */
export function kernelSources(app: Pick<AppConfig, 'components'>, kdir: string, env: NodeJS.ProcessEnv = process.env, memo?: string): { tree: string; sums: Sums; id: string } {
  const real = realpathSync(kdir);
  const sums: Sums = {};
  const t = createHash('sha256');
  hashTree(t, real, (rel) => rel.endsWith('.md') || /(^|\/)build(\/|$)/.test(rel), sums, memo);
  const lwip = resolve(lwipDir(env), 'src');
  if (appLinksLwip(app, real, env) && existsSync(lwip)) hashTree(t, lwip, () => false, sums, memo);
  const tree = t.digest('hex').slice(0, 32);
  return { tree, sums, id: `${real}\n${tree}` };
}

/** The key of app's kernel objects built from the kernel in kdir. */
export function cacheKey(app: Pick<AppConfig, 'components' | 'cflags'>, kdir: string, env: NodeJS.ProcessEnv = process.env): CacheKey {
  const memo = buildCacheEnabled(env) ? buildCacheDir(env) : undefined;
  // the real path: a symbolic link to one checkout and a folder of that name are different trees
  const real = realpathSync(kdir);
  const lwip = appLinksLwip(app, real, env);
  const f = createHash('sha256');
  const fromEnv = Object.fromEntries(MAKE_ENV.map((v) => [v, env[v] ?? '']));
  const tools = toolchain(memo);
  // v2: the kernel folder by its real path, entries carry sources.json (v1 entries may hold stale seeds)
  f.update(JSON.stringify({ v: 2, kdir: real, toolchain: tools.id, components: [...app.components].sort(), cflags: app.cflags, env: fromEnv, lwip: lwip ? lwipDir(env) : '' }));
  const src = kernelSources(app, real, env, memo);
  return { flags: f.digest('hex').slice(0, 16), tree: src.tree, gccInclude: tools.include, sums: src.sums, sourcesId: src.id };
}

/** How the build uses the cache. */
export interface KernelObjects {
  /** KOBJ for make: where the kernel's objects are (undefined: the project's build/obj). */
  dir?: string;
  /** The entry's name (KOBJ_ID: the same for its temporary folder and the entry it becomes). */
  id?: string;
  /** The entry is complete: link with it, build nothing in it. */
  readonly: boolean;
  /** GCC_INCLUDE for make (gcc's header folder, from the toolchain memo), when known. */
  gccInclude?: string;
  /** The warning to print when the cache cannot be used. */
  warning?: string;
  /** After a successful make: publish the entry (a temporary one) and remember it. */
  commit(): void;
  /** After a failed make: drop the temporary folder. */
  discard(): void;
  /**
   * After make failed writing a new entry (a disk that filled up, a folder that turned
   * read-only): remember it for this key, so that the next builds do not pay for the kernel and
   * the failed write again, until the cause is gone or `minnow clean --cache`.
   */
  failed(why: string): void;
  /** The sources' sums when the key was made (undefined when the cache was not looked at). */
  sums?: Sums;
  /** Their identity (CacheKey.sourcesId). */
  sourcesId?: string;
}

/** A failed fill as remembered in manifests/failed-<entry>.json. */
interface FillFailure {
  why: string;
  /** When, in ms since the epoch. */
  at: number;
  /** The free bytes and inodes of the cache's filesystem when the fill began. */
  bytes: number;
  inodes: number;
}

/** Free inodes beyond those the failed fill had that make it worth another try (an entry has ~200 files). */
const FILL_INODES_MORE = 1024;

function failureFile(root: string, name: string): string {
  return join(root, MANIFESTS, `failed-${name}.json`);
}

function freeSpace(root: string): { bytes: number; inodes: number } {
  const fs = statfsSync(root);
  return { bytes: fs.bavail * fs.bsize, inodes: fs.ffree };
}

/**
 * The failed fill remembered for this entry whose cause is still there, or undefined. A full disk
 * is gone once the cache's filesystem has CACHE_FREE_MIN more bytes or FILL_INODES_MORE more
 * inodes free than when the fill began; a read-only or forbidden folder once a file can be
 * written in it. A record whose cause is gone is removed.
 */
function rememberedFailure(root: string, name: string): FillFailure | undefined {
  const file = failureFile(root, name);
  let rec: FillFailure;
  try {
    rec = JSON.parse(readFileSync(file, 'utf8')) as FillFailure;
  } catch {
    return undefined;
  }
  let still = false;
  try {
    if (/space|quota/i.test(rec.why)) {
      const now = freeSpace(root);
      still = now.bytes < rec.bytes + CACHE_FREE_MIN && now.inodes < rec.inodes + FILL_INODES_MORE;
    } else {
      const probe = join(root, `probe${TMP_MARK}${process.pid}-${randomBytes(4).toString('hex')}`);
      writeFileSync(probe, '');
      rmSync(probe, { force: true });
    }
  } catch {
    still = true;
  }
  if (still) return rec;
  rmSync(file, { force: true });
  return undefined;
}

function errText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return err.code ? `${err.code}: ${err.message.replace(/^\w+: /, '')}` : String(e);
}

/**
 * Why a folder could not be made. Node's recursive mkdir says ENOENT for a folder under a
 * read-only filesystem or under a file: the first existing folder above it tells the real reason.
 */
function mkdirError(dir: string, e: unknown): string {
  if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return errText(e);
  let up = dir;
  while (!existsSync(up) && dirname(up) !== up) up = dirname(up);
  try {
    if (!statSync(up).isDirectory()) return `ENOTDIR: ${up} is a file, not a folder`;
    accessSync(up, constants.W_OK);
  } catch (why) {
    return errText(why);
  }
  return errText(e);
}

/** What the user can do about a cache that cannot be written. */
export const FIX = 'Fix: free space there or make it writable, or point MINNOW_BUILD_CACHE (or XDG_CACHE_HOME) at a writable folder; MINNOW_BUILD_CACHE=off turns the cache off.';

const WITHOUT = (warning?: string): KernelObjects => ({ readonly: false, warning, commit: () => undefined, discard: () => undefined, failed: () => undefined });

/** The entry app should build with, found or prepared; never throws (a broken cache is a warning). */
export function kernelObjects(app: AppConfig, kdir: string, env: NodeJS.ProcessEnv = process.env): KernelObjects {
  if (!buildCacheEnabled(env)) return WITHOUT();
  const root = buildCacheDir(env);
  let key: CacheKey;
  try {
    key = cacheKey(app, kdir, env);
  } catch (e) {
    return WITHOUT(`cannot read the kernel sources to look them up in the build cache (${errText(e)}); building without the cache. Fix: make ${kdir} readable`);
  }
  const name = `${key.flags}-${key.tree}`;
  const entry = join(root, name);
  const record = join(app.buildDir, 'obj', LAST_ENTRY);
  const remember = (): void => {
    try {
      mkdirSync(join(app.buildDir, 'obj'), { recursive: true });
      writeFileSync(record, `${name}\n`);
    } catch {
      // only the seed of a later entry is lost
    }
  };
  const without = (warning?: string): KernelObjects => ({ ...WITHOUT(warning), sums: key.sums, sourcesId: key.sourcesId });
  if (existsSync(entry)) {
    touch(entry);
    return { dir: entry, id: name, readonly: true, gccInclude: key.gccInclude, sums: key.sums, sourcesId: key.sourcesId, commit: remember, discard: () => undefined, failed: () => undefined };
  }
  const failure = rememberedFailure(root, name);
  if (failure) {
    const when = new Date(failure.at).toISOString().replace(/:\d\d\.\d+Z$/, ' UTC').replace('T', ' ');
    return without(`the build cache ${root} could not take these kernel objects (${failure.why}, ${when}); building without the cache until ${/space|quota/i.test(failure.why) ? 'its disk has more room' : 'it is writable'} or \`minnow clean --cache\`. ${FIX}`);
  }
  let tmp: string;
  let space: { bytes: number; inodes: number };
  try {
    mkdirSync(root, { recursive: true });
    space = freeSpace(root);
    const free = space.bytes;
    if (free < CACHE_FREE_MIN) {
      return without(`the disk of the build cache ${root} has only ${Math.floor(free / 1024 / 1024)} MiB free; building without the cache. ${FIX}`);
    }
    tmp = join(root, `${name}${TMP_MARK}${process.pid}-${randomBytes(4).toString('hex')}`);
    mkdirSync(tmp);
  } catch (e) {
    return without(`cannot write the build cache ${root} (${mkdirError(root, e)}); building without the cache. ${FIX}`);
  }
  try {
    const seed = seedEntry(root, key, record);
    if (seed) copyEntry(join(root, seed), tmp, key.sums);
  } catch {
    // a seed that cannot be copied only costs a full kernel build
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp);
  }
  // the content the entry's objects are built from: what a later entry seeded from it compares with
  writeSums(tmp, key.sums);
  return {
    dir: tmp,
    id: name,
    readonly: false,
    gccInclude: key.gccInclude,
    sums: key.sums,
    sourcesId: key.sourcesId,
    failed: (why) => {
      rmSync(tmp, { recursive: true, force: true });
      const rec: FillFailure = { why, at: Date.now(), ...space };
      try {
        mkdirSync(join(root, MANIFESTS), { recursive: true });
        writeFileSync(failureFile(root, name), JSON.stringify(rec));
      } catch {
        // not even that fits: the next fill is tried again (and fails early when the folder is read-only)
      }
    },
    commit: () => {
      try {
        renameSync(tmp, entry);
      } catch {
        // another build published the same entry first: the same content, keep theirs
        rmSync(tmp, { recursive: true, force: true });
      }
      remember();
      prune(root);
    },
    discard: () => rmSync(tmp, { recursive: true, force: true }),
  };
}

/** The entry to start a new one from: this project's last, else the newest with the same flags. */
function seedEntry(root: string, key: CacheKey, record: string): string | undefined {
  let last = '';
  try {
    last = readFileSync(record, 'utf8').trim();
  } catch {
    // a new project
  }
  // an entry without its record of sources cannot tell which of its objects the new sources change
  if (last.startsWith(`${key.flags}-`) && ENTRY_NAME.test(last) && existsSync(join(root, last, SOURCES_RECORD))) return last;
  const same = readdirSync(root)
    .filter((n) => n.startsWith(`${key.flags}-`) && ENTRY_NAME.test(n) && existsSync(join(root, n, SOURCES_RECORD)))
    .map((n) => ({ n, t: statSync(join(root, n)).mtimeMs }))
    .sort((a, b) => b.t - a.t);
  return same[0]?.n;
}

/**
 * Copies an entry into a new folder, objects and dependency files with their dates (make
 * compares them with the sources'). A dependency file names its object by absolute path, the old
 * folder's: it is rewritten to the new one, or make would not see which headers the copy needs.
 * Dates alone do not tell a changed source when the new one is older than the objects (another
 * checkout put in the kernel folder's place): the objects that depend on a file whose content
 * differs from the seed's record are left out (make compiles them), and so is the symbol table.
 */
function copyEntry(from: string, to: string, sums: Sums): void {
  const changed = changedFiles(readSums(from) ?? {}, sums);
  const stale = staleObjects(from, changed);
  if (changed.size > 0) for (const f of ['ksyms0.o', 'ksyms0.S']) stale.add(f);
  for (const rel of treeFiles(from, (r) => r === SOURCES_RECORD || stale.has(r) || stale.has(r.replace(/\.d$/, '.o')))) {
    const src = join(from, rel);
    const dst = join(to, rel);
    mkdirSync(join(dst, '..'), { recursive: true });
    if (rel.endsWith('.d')) {
      const text = readFileSync(src, 'utf8');
      const colon = text.indexOf(':');
      const target = colon > 0 ? text.slice(0, colon) : '';
      const own = rel.replace(/\.d$/, '.o');
      writeFileSync(dst, target.endsWith(own) ? join(to, own) + text.slice(colon) : text);
    } else {
      copyFileSync(src, dst);
    }
    const st = statSync(src);
    utimesSync(dst, st.atime, st.mtime);
  }
}

/** Marks an entry used (its folder's date orders the pruning). */
function touch(dir: string): void {
  try {
    const now = new Date();
    utimesSync(dir, now, now);
  } catch {
    // read-only cache: still usable
  }
}

/** Removes the least recently used entries beyond CACHE_ENTRIES_MAX, and temporary folders a day old. */
function prune(root: string): void {
  try {
    const all = readdirSync(root).map((n) => ({ n, t: statSync(join(root, n)).mtimeMs }));
    const day = Date.now() - 24 * 3600 * 1000;
    for (const e of all.filter((x) => x.n.includes(TMP_MARK) && x.t < day)) rmSync(join(root, e.n), { recursive: true, force: true });
    const entries = all.filter((x) => ENTRY_NAME.test(x.n)).sort((a, b) => b.t - a.t);
    for (const e of entries.slice(CACHE_ENTRIES_MAX)) rmSync(join(root, e.n), { recursive: true, force: true });
  } catch {
    // pruning is housekeeping only
  }
}

/** Size in bytes and number of entries of the cache (for `minnow clean --cache`). */
export function buildCacheSize(root = buildCacheDir()): { bytes: number; entries: number } {
  if (!existsSync(root)) return { bytes: 0, entries: 0 };
  let bytes = 0;
  for (const rel of treeFiles(root, () => false)) bytes += statSync(join(root, rel)).size;
  return { bytes, entries: readdirSync(root).filter((n) => ENTRY_NAME.test(n)).length };
}

/** Removes the whole cache folder. */
export function cleanBuildCache(root = buildCacheDir()): void {
  try {
    rmSync(root, { recursive: true, force: true });
  } catch (e) {
    throw new MinnowError(`cannot empty the build cache ${root} (${errText(e)})`, `Remove it by hand (rm -rf ${root}) with the rights to, or check the disk.`, 'path');
  }
}
