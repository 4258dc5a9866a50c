// Builds an application with its kernel by running make on the kernel's Makefile (the build
// contract in README.md, "Contracts between the parts"). make and gcc output is passed on byte for byte, so gcc's
// "file:line:col: error:" lines reach a terminal or an editor's $gcc problem matcher unchanged.

import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { registerChild, killAndWait } from './children';
import type { AppConfig } from './config';
import { MinnowError, advise, aptInstall } from './errors';
import { FIX, kernelObjects, kernelSources, type KernelObjects } from './buildcache';
import { forgetStale } from './stale';
import { ensureLwip } from './lwip';
import { kernelDir as defaultKernelDir } from './paths';
import { which } from './tools';
import { trace, tracing } from './trace';

export interface BuildOptions {
  /** The kernel folder; default kernelDir() (env MINNOW_KERNEL, then the installation's). */
  kernelDir?: string;
  /** make's stdout and stderr, as they come (gcc's diagnostics arrive on 'stderr'). Default: discarded. */
  onOutput?(text: string, stream: 'stdout' | 'stderr'): void;
  /** Aborting kills make. */
  signal?: AbortSignal;
  /** Parallel jobs (make -j); default: the number of CPUs. */
  jobs?: number;
  /** Share the kernel's objects through the build cache (target/buildcache.ts); default true. */
  cache?: boolean;
}

export interface BuildResult {
  /** Absolute path of the ELF. */
  elf: string;
  /** False when make found everything up to date (the ELF was not relinked). */
  rebuilt: boolean;
}

/** The make arguments of the build contract (exported for tests and for tasks.json). */
export function makeArgs(app: AppConfig, kdir: string, jobs?: number, kobj?: Pick<KernelObjects, 'dir' | 'id' | 'readonly' | 'gccInclude'>): string[] {
  const args = ['-C', kdir, '--no-print-directory'];
  if (jobs && jobs > 1) args.push(`-j${jobs}`);
  args.push(`APP_DIR=${app.dir}`, `APP_NAME=${app.name}`, `APP_SRCS=${app.sources.join(' ')}`, `BUILD_DIR=${app.buildDir}`);
  if (app.components.length > 0) args.push(`COMPONENTS=${app.components.join(' ')}`);
  if (app.cflags.length > 0) args.push(`EXTRA_CFLAGS=${app.cflags.join(' ')}`);
  if (kobj?.dir) args.push(`KOBJ=${kobj.dir}`);
  if (kobj?.dir && kobj.id) args.push(`KOBJ_ID=${kobj.id}`);
  if (kobj?.dir && kobj.readonly) args.push('KOBJ_READONLY=1');
  if (kobj?.gccInclude) args.push(`GCC_INCLUDE=${kobj.gccInclude}`);
  return args;
}

function mtime(p: string): number | undefined {
  return existsSync(p) ? statSync(p).mtimeMs : undefined;
}

/** Checks the tools before make runs, so that "gcc: not found" comes with its fix. */
function requireTools(): string {
  const make = which('make');
  const gcc = which(process.env.CC || 'gcc');
  const missing = [!make && 'make', !gcc && 'gcc'].filter((x): x is string => !!x);
  if (missing.length > 0) {
    const pkgs: string[] = [...missing, 'binutils'];
    throw new MinnowError(`${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not installed or not on PATH; Minnow needs ${missing.length > 1 ? 'them' : 'it'} to build the kernel and the application`, `Install: ${aptInstall(pkgs)}`, 'toolMissing');
  }
  return make!;
}

export async function buildApp(app: AppConfig, opts: BuildOptions = {}): Promise<BuildResult> {
  const make = requireTools();
  const kdir = opts.kernelDir ?? defaultKernelDir();
  if (!existsSync(`${kdir}/Makefile`)) {
    throw new MinnowError(`${kdir} has no Makefile`, advise((_say, audience) => `Point ${audience === 'cli' ? '--kernel (or MINNOW_KERNEL)' : 'MINNOW_KERNEL'} at the kernel/ folder of a Minnow checkout.`), 'path');
  }
  if (opts.signal?.aborted) throw new MinnowError('build cancelled', 'Start the build again.', 'build');
  if (app.components.includes('net')) await ensureLwip(kdir, (t) => opts.onOutput?.(t, 'stderr'));
  const before = mtime(app.elf);
  const jobs = opts.jobs ?? availableParallelism();
  const warn = (text: string): void => opts.onOutput?.(`minnow: warning: ${text}\n`, 'stderr');
  let kobj: KernelObjects | undefined;
  if (opts.cache !== false) {
    kobj = kernelObjects(app, kdir);
    if (kobj.warning) warn(kobj.warning);
  }
  projectUpToContent(app, kdir, kobj);
  trace('build-make', { cache: kobj?.dir ? 'entry' : 'none' });
  let r = await runMake(make, makeArgs(app, kdir, jobs, kobj), app.dir, opts);
  trace('build-make-end', { status: r.status });
  if (kobj && r.status !== 0) {
    kobj.discard();
    // a cache that failed under make (a full disk, an entry removed meanwhile) is dropped and
    // the build done again without it; a compiler error stays an error
    if (kobj.dir && !opts.signal?.aborted && cacheFailed(r.stderr, kobj.dir)) {
      const why = cacheFailed(r.stderr, kobj.dir);
      if (!kobj.readonly) kobj.failed(why);
      warn(`the build cache ${dirname(kobj.dir)} failed (${why}): the errors above are the cache's, not your code's; building again without the cache. ${FIX}`);
      r = await runMake(make, makeArgs(app, kdir, jobs), app.dir, opts);
    }
  } else if (kobj) {
    kobj.commit();
  }
  if (opts.signal?.aborted) throw new MinnowError('build cancelled', 'Start the build again.', 'build');
  if (r.status !== 0) {
    throw new MinnowError(`build of ${app.name} failed (make exited with ${r.status ?? 'a signal'})`, 'Fix the errors reported above (file:line:column), then build again.', 'build');
  }
  const after = mtime(app.elf);
  if (after === undefined) {
    throw new MinnowError(`make succeeded but did not produce ${app.elf}`, `Check that the kernel Makefile in ${kdir} follows the build contract (BUILD_DIR/APP_NAME.elf).`, 'build');
  }
  return { elf: app.elf, rebuilt: before === undefined || after !== before };
}

/**
 * Removes from the project's build/obj what make would keep although the kernel's content changed
 * under it with older dates (target/stale.ts): the application's objects that include a changed
 * kernel header, the kernel's own objects when they are built in the project, and the ELF.
 */
function projectUpToContent(app: AppConfig, kdir: string, kobj?: Pick<KernelObjects, 'sums' | 'sourcesId'>): void {
  const obj = join(app.buildDir, 'obj');
  try {
    // without the cache, the hash memo lives in the project
    const now = kobj?.sums && kobj.sourcesId ? { sums: kobj.sums, id: kobj.sourcesId } : kernelSources(app, kdir, process.env, obj);
    const debug = app.elf.replace(/\.elf$/, '.debug');
    forgetStale(obj, now.sums, [app.elf, debug, ...['kernel.o', 'ksyms0.o', 'ksyms0.S'].map((f) => join(obj, f))], now.id);
  } catch {
    // an unreadable kernel folder: make says which file it cannot read
  }
}

/** Why make failed because of the cache folder (its path on a line with a file error), or ''. */
function cacheFailed(stderr: string, dir: string): string {
  for (const line of stderr.split('\n')) {
    if (!line.includes(dir)) continue;
    const m = /No space left on device|Read-only file system|Permission denied|Disk quota exceeded|No rule to make target|No such file or directory|holds objects built with other flags/.exec(line);
    if (m) return m[0];
  }
  return '';
}

/** Runs make in its own process group, passing its output on; its stderr is kept too. */
async function runMake(make: string, args: string[], cwd: string, opts: BuildOptions): Promise<{ status: number | null; stderr: string }> {
  // A process group of its own, so that cancelling stops the compilers too, not only make.
  const child = spawn(make, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd, detached: true });
  registerChild(child, true);
  const onAbort = (): void => void killAndWait(child);
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  let stderr = '';
  // One decoder per stream: a UTF-8 character (gcc quotes with ‘’) may straddle two reads.
  for (const [stream, name] of [[child.stdout, 'stdout'], [child.stderr, 'stderr']] as const) {
    const dec = new StringDecoder('utf8');
    const pass = (text: string): void => {
      if (!text) return;
      if (name === 'stderr') stderr += text;
      if (tracing()) trace('build-output', { text: text.trim().slice(0, 120) });
      opts.onOutput?.(text, name);
    };
    stream.on('data', (b: Buffer) => pass(dec.write(b)));
    stream.on('end', () => pass(dec.end()));
  }
  const status = await new Promise<number | null>((resolve, reject) => {
    child.once('error', (e) => reject(new MinnowError(`cannot run make: ${e.message}`, `Install it: ${aptInstall(['make'])}`, 'toolMissing')));
    child.once('close', (code) => resolve(code));
  });
  opts.signal?.removeEventListener('abort', onAbort);
  return { status, stderr };
}
