// Minnow's column of the Linux-peer comparisons (issues 10, 14, 15): the same Side interface as
// the Linux microVM and the host (bench/peer/sides.ts), so that every figure comes from the same
// measuring function. Each side exists once its example is on main; until then its cells read
// "not yet (…)".
//   HTTP   examples/webserver: a copy of the example whose minnow.json's first "mounts" entry
//          (issue 15's field) is pointed at the benchmark's folder (guest path kept, else /www),
//          built with the target API and booted with 127.0.0.1:<free port> forwarded to its
//          guest port (its first "network.hostForwards" entry, else 80)
//   echo   examples/echo, the same way (guest port: its first forward, else 7)
//   files  the peer's own guest/fsbench.c (with fsbench_minnow.c for the clock) built as a Minnow
//          application once kernel/fs exists, run on / (ramfs: /tmp), on a 9p share (/share) and
//          on a FAT32 image on virtio-blk (/fat; made fresh for each run with mkfs.fat, the size of
//          the Linux side's vfat disk)

import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildApp, createFatImage, freePort, loadApp, parseSize, qemuOptionsFor, startQemu, type AppConfig } from '../../target';
import { REPO, type Context } from '../lib/context';
import { parseFsbench, type FsbenchResult } from '../lib/netbench';
import type { EchoSide, FilesSide, HttpSide, Served } from '../peer/sides';

/** Why Minnow cannot be measured on this tree yet, or undefined when its example is there. */
export function minnowMissing(what: 'webserver' | 'echo' | 'files'): string | undefined {
  const example = path.join(REPO, 'examples', what);
  if (what === 'files' && !fs.existsSync(path.join(REPO, 'kernel', 'fs'))) return 'not yet (kernel/fs is not on main)';
  if (what !== 'files' && !fs.existsSync(path.join(REPO, 'kernel', 'net'))) return 'not yet (kernel/net is not on main)';
  if (what !== 'files' && !fs.existsSync(path.join(example, 'minnow.json'))) return `not yet (examples/${what} is not on main)`;
  return undefined;
}

interface Mount {
  host: string;
  guest: string;
  readonly?: boolean;
}

/** The example copied under ctx.tmp, its served folder replaced by `www`, built once. */
const prepared = new Map<string, Promise<AppConfig>>();
function prepare(ctx: Context, example: string, www?: string): Promise<AppConfig> {
  const key = `${example}\0${www ?? ''}`;
  let p = prepared.get(key);
  if (!p) {
    p = (async () => {
      const dir = path.join(ctx.tmp, 'minnow-peer', example);
      fs.rmSync(dir, { recursive: true, force: true });
      fs.cpSync(path.join(REPO, 'examples', example), dir, { recursive: true, filter: (s) => path.basename(s) !== 'build' });
      if (www) {
        // the benchmark's folder in place of the example's own, through minnow.json's "mounts"
        // (issue 15: {"host", "guest", "readonly"}), at the guest path the example serves
        const file = path.join(dir, 'minnow.json');
        const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as { mounts?: Mount[] };
        const guest = manifest.mounts?.[0]?.guest ?? '/www';
        manifest.mounts = [{ host: www, guest, readonly: true }, ...(manifest.mounts ?? []).slice(1)];
        fs.writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
      }
      const app = loadApp(dir);
      let log = '';
      await buildApp(app, { onOutput: (t) => (log += t) }).catch((e: Error) => {
        throw new Error(`build of examples/${example} failed: ${e.message}\n${log.slice(-2000)}`);
      });
      return app;
    })();
    prepared.set(key, p);
  }
  return p;
}

/** Boots `app` with 127.0.0.1:<free port> forwarded to its guest port. */
async function boot(app: AppConfig, defaultGuestPort: number, memory?: string): Promise<Served> {
  const first = app.network?.hostForwards[0];
  const guest = first ? Number(/-(\d+)$/.exec(first)?.[1] ?? defaultGuestPort) : defaultGuestPort;
  const port = await freePort();
  const opts = qemuOptionsFor(app);
  const startedAt = performance.now();
  const q = await startQemu({
    ...opts,
    accel: 'tcg',
    memory: memory ?? app.memory,
    devices: { ...opts.devices, network: { backend: 'user', hostForwards: [`tcp:${port}-${guest}`] } },
  });
  let gone = false;
  void q.exited.then(() => (gone = true));
  return { port, startedAt, alive: () => !gone, kill: () => q.kill() };
}

export function minnowHttp(ctx: Context): HttpSide {
  return {
    async startHttp(www, memory) {
      return boot(await prepare(ctx, 'webserver', www), 80, memory);
    },
    async serving(www) {
      const app = await prepare(ctx, 'webserver', www);
      const m = app.mounts[0];
      return `examples/webserver over its minnow.json mount (virtio-9p${m?.readOnly ? ', read-only' : ''}, at ${m?.guest ?? '?'})`;
    },
    async image(www) {
      const app = await prepare(ctx, 'webserver', www);
      return { bytes: fs.statSync(app.elf).size, note: `${path.basename(app.elf)} (kernel and application in one ELF)` };
    },
    async memoryRange(www) {
      const app = await prepare(ctx, 'webserver', www);
      // Minnow boots in tens of ms (bench 'qemu-hello'): 10 s is a generous probe
      return { lo: 0, hi: parseSize(app.memory) / (1 << 20), step: 0.25, probeTimeoutMs: 10_000 };
    },
  };
}

export function minnowEcho(ctx: Context): EchoSide {
  return {
    async startEcho() {
      return boot(await prepare(ctx, 'echo'), 7);
    },
  };
}

const GUEST = path.join(REPO, 'bench', 'peer', 'guest');
const FSBENCH_SOURCES = ['fsbench.c', 'fsbench_minnow.c'];
const FSBENCH_MEMORY = '256M';

/** The file benchmark as a Minnow application under ctx.tmp, sharing `share` at /share, `image` at /fat. */
let fsbenchApp: Promise<AppConfig> | undefined;
function buildFsbench(ctx: Context, share: string, image: string): Promise<AppConfig> {
  fsbenchApp ??= (async () => {
    const dir = path.join(ctx.tmp, 'minnow-fsbench');
    fs.mkdirSync(dir, { recursive: true });
    for (const f of [...FSBENCH_SOURCES, 'fsbench.h']) fs.copyFileSync(path.join(GUEST, f), path.join(dir, f));
    const manifest = { name: 'fsbench', sources: FSBENCH_SOURCES, memory: FSBENCH_MEMORY, components: ['fs'], mounts: [{ host: share, guest: '/share' }], disks: [{ image, guest: '/fat', format: 'fat' }] };
    fs.writeFileSync(path.join(dir, 'minnow.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    const app = loadApp(dir);
    let log = '';
    await buildApp(app, { onOutput: (t) => (log += t) }).catch((e: Error) => {
      throw new Error(`build of the file benchmark for Minnow failed: ${e.message}\n${log.slice(-2000)}`);
    });
    return app;
  })();
  return fsbenchApp;
}

/** One boot of the benchmark on `dir`; its FSBENCH figures or why there are none. */
async function fsbenchOn(app: AppConfig, dir: string, mib: number, files: number): Promise<FsbenchResult | string> {
  let out = '';
  const q = await startQemu({ ...qemuOptionsFor(app), accel: 'tcg', argv: [dir, String(mib), String(files)], onConsole: (t) => (out += t), timeoutMs: 600_000 });
  const exit = await q.exited;
  const r = parseFsbench(out).get(dir);
  if (r) return r;
  const last = out.trim().split('\n').slice(-2).join(' / ').slice(0, 160);
  return `failed on ${dir} (${exit.summary}): ${last}`;
}

export function minnowFiles(ctx: Context): FilesSide {
  return {
    async fsbench(mib, files, scratch) {
      const share = path.join(scratch, 'minnow-share');
      fs.mkdirSync(share, { recursive: true });
      // FAT32 as busybox mkdosfs makes it on the Linux side, of the same size (bench/peer/sides.ts)
      const image = path.join(scratch, 'minnow-fat.img');
      const fresh = () => createFatImage({ image, size: Math.max(64, mib * 4) * 1024 ** 2, bits: 32, force: true });
      fresh();
      const app = await buildFsbench(ctx, share, image);
      const ram = await fsbenchOn(app, '/tmp', mib, files);
      const ninep = await fsbenchOn(app, '/share', mib, files);
      fresh();
      let fat: FsbenchResult | string = 'no FAT: kernel/fs/fat.c is not on main';
      if (fs.existsSync(path.join(REPO, 'kernel', 'fs', 'fat.c'))) fat = await fsbenchOn(app, '/fat', mib, files);
      return { ram, fat, '9p': ninep };
    },
  };
}

