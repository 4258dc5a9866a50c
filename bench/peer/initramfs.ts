// The peer's initramfs, written by our own code: busybox (its applets linked by the init script at
// boot), the kernel modules the cloud kernel lacks built in (virtio-mmio, virtio-net, virtio-blk,
// FAT, and 9p when the kernel has it), /init (guest/init.sh), the test programs of guest/ compiled
// on the host with `gcc -static` (glibc's static libc, Debian's libc6-dev), and a copy of the
// served folder at /www (the cloud kernel has no 9p: CONFIG_NET_9P is not set; with a kernel that
// has it the folder can be shared over 9p instead, and /www stays an empty mount point). Packed with
// cpio.ts (newc) and gzipped with node:zlib. Programs and images are cached by content hash.

import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { runTimed } from '../lib/proc';
import { CpioWriter } from './cpio';
import { resolveModules } from './modules';
import { kernelConfig, type PeerPackages } from './packages';

const GUEST = path.join(__dirname, 'guest');
export const PROGRAMS = ['echo', 'fsbench', 'smp'] as const;
export type Program = (typeof PROGRAMS)[number];

/** Modules for the devices the peer uses, by what they are for (names as in modules.builtin). */
const WANTED_MODULES = ['virtio_mmio', 'virtio_net', 'virtio_blk', 'vfat', 'nls_cp437', 'nls_ascii'];
const NINEP_MODULES = ['9p', '9pnet_virtio'];

const hash = (...parts: (string | Buffer)[]): string => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex').slice(0, 16);
};

/** The sources of each program: its own file and, for fsbench, its POSIX clock and cache hint. */
export const PROGRAM_SOURCES: Readonly<Record<Program, readonly string[]>> = {
  echo: ['echo.c'],
  fsbench: ['fsbench.c', 'fsbench_posix.c'],
  smp: ['smp.c'],
};

/** guest/<name>.c compiled with gcc -static into the cache (once per source version). */
export async function program(p: PeerPackages, name: Program): Promise<string> {
  const srcs = PROGRAM_SOURCES[name].map((f) => path.join(GUEST, f));
  const headers = fs.readdirSync(GUEST).filter((f) => f.endsWith('.h')).map((f) => fs.readFileSync(path.join(GUEST, f)));
  const out = path.join(p.cache, 'programs', `peer-${name}-${hash(...srcs.map((f) => fs.readFileSync(f)), ...headers)}`);
  if (fs.existsSync(out)) return out;
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const tmp = `${out}.tmp-${process.pid}`;
  const r = await runTimed('gcc', ['-static', '-O2', '-Wall', '-Wextra', '-Werror', '-o', tmp, ...srcs], 120_000);
  if (r.status !== 0) {
    const hint = /cannot find -lc|crt1\.o/.test(r.stderr) ? '; fix: apt-get install libc6-dev (glibc\'s static libc)' : '';
    throw new Error(`gcc -static ${PROGRAM_SOURCES[name].join(' ')} failed (status ${r.status})${hint}: ${r.stderr.trim().slice(-600)}`);
  }
  fs.renameSync(tmp, out);
  return out;
}

/** Whether the peer's kernel can mount a 9p share (it is a module or built in). */
export function has9p(p: PeerPackages): boolean {
  return kernelConfig(p, 'CONFIG_NET_9P') !== undefined && kernelConfig(p, 'CONFIG_9P_FS') !== undefined && kernelConfig(p, 'CONFIG_NET_9P_VIRTIO') !== undefined;
}

function filesUnder(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(r, ...filesUnder(dir, r));
    else if (e.isFile()) out.push(r);
  }
  return out;
}

export interface Initramfs {
  file: string;
  bytes: number;
  /** The modules /init loads, in order (file names). */
  modules: string[];
  /** Bytes of the served folder's copy inside it (before compression). */
  wwwBytes: number;
}

/**
 * Builds (or reuses) the gzipped initramfs for these packages, with a copy of `www` at /www (none
 * when `www` is undefined: the folder is shared over 9p then).
 */
export async function initramfs(p: PeerPackages, www: string | undefined): Promise<Initramfs> {
  const modules = resolveModules(p.modDir, [...WANTED_MODULES, ...(has9p(p) ? NINEP_MODULES : [])]);
  const progs = await Promise.all(PROGRAMS.map(async (n) => [n, await program(p, n)] as const));
  const root = www ?? '';
  const wwwFiles = www === undefined ? [] : filesUnder(www);
  const init = fs.readFileSync(path.join(GUEST, 'init.sh'));
  const key = hash(
    p.kernelRelease,
    fs.readFileSync(p.busybox),
    init,
    ...progs.map(([, f]) => f),
    www === undefined ? 'no www' : 'www',
    ...wwwFiles.flatMap((f) => [f, fs.statSync(path.join(root, f)).isFile() ? fs.readFileSync(path.join(root, f)) : 'dir']),
  );
  const file = path.join(p.cache, 'initramfs', `peer-${key}.cpio.gz`);
  const loadPaths = modules.map((m) => `/lib/modules/${path.basename(m)}`);
  let wwwBytes = 0;
  for (const f of wwwFiles) {
    const st = fs.statSync(path.join(root, f));
    if (st.isFile()) wwwBytes += st.size;
  }
  if (!fs.existsSync(file)) {
    const c = new CpioWriter();
    for (const d of ['bin', 'dev', 'etc', 'lib', 'lib/modules', 'proc', 'sys', 'tmp', 'www']) c.add({ kind: 'dir', path: d });
    // the kernel opens /dev/console for init's stdio before devtmpfs is mounted
    c.add({ kind: 'chardev', path: 'dev/console', major: 5, minor: 1 });
    c.add({ kind: 'file', path: 'bin/busybox', data: fs.readFileSync(p.busybox), mode: 0o755 });
    c.add({ kind: 'symlink', path: 'bin/sh', target: 'busybox' });
    c.add({ kind: 'file', path: 'init', data: init, mode: 0o755 });
    for (const [n, f] of progs) c.add({ kind: 'file', path: `bin/peer-${n}`, data: fs.readFileSync(f), mode: 0o755 });
    for (const m of modules) c.add({ kind: 'file', path: `lib/modules/${path.basename(m)}`, data: fs.readFileSync(m) });
    c.add({ kind: 'file', path: 'etc/peer-modules', data: Buffer.from(`${loadPaths.join('\n')}\n`) });
    for (const f of wwwFiles) {
      const abs = path.join(root, f);
      if (fs.statSync(abs).isDirectory()) c.add({ kind: 'dir', path: `www/${f}` });
      else c.add({ kind: 'file', path: `www/${f}`, data: fs.readFileSync(abs) });
    }
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.tmp-${process.pid}`;
    fs.writeFileSync(tmp, gzipSync(c.finish(), { level: 9 }));
    fs.renameSync(tmp, file);
  }
  return { file, bytes: fs.statSync(file).size, modules: loadPaths, wwwBytes };
}
