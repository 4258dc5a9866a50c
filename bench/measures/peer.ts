// The "Linux microVM peer" sections of `npm run bench` (issues 10, 14, 15): every figure measured
// by one function for the three columns — Minnow (bench/measures/peer-minnow.ts), the Linux
// microVM on the same QEMU, machine and accelerator (bench/peer), and the host itself (the
// limit) — so that a column differs only in who serves.
//   peer-http   boot to first HTTP 200, wrk requests/s (1 KiB and 64 KiB, 1 and 32 connections)
//               and p99 at 32, image size, the smallest guest memory that serves
//   peer-echo   TCP echo: 1-byte round trip and bulk throughput (Node's net client)
//   peer-files  peer-fsbench's sequential write/read and small-file create/stat, per file system

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Context } from '../lib/context';
import { cell, compareRow, COLUMNS, type Cell, type Column, type CompareGoal, type CompareRow } from '../lib/compare';
import { echoBulk, echoRoundTrip, firstEcho, firstHttp200, wrk } from '../lib/netbench';
import { runTimed } from '../lib/proc';
import { median } from '../lib/stats';
import { FS_KINDS, hostEchoSide, hostFiles, hostHttp, linuxEcho, linuxFiles, linuxHttp, type EchoSide, type FilesSide, type FsKind, type HttpSide } from '../peer/sides';
import { minnowEcho, minnowFiles, minnowHttp, minnowMissing } from './peer-minnow';

export interface CompareMeasure {
  /** Group name for --only. */
  name: string;
  title: string;
  rows: readonly { name: string; unit: string }[];
  run(ctx: Context): Promise<CompareRow[]>;
}

/** A side to measure, or the reason its column stays empty. */
type Maybe<T> = T | { missing: string };
const isMissing = <T>(s: Maybe<T>): s is { missing: string } => typeof s === 'object' && s !== null && 'missing' in s;

const BOOT_TIMEOUT_MS = 120_000;
const HOST_ONLY = '– (host process)';
const FILES = [
  { path: '/1k.bin', bytes: 1024, tag: '1k' },
  { path: '/64k.bin', bytes: 64 * 1024, tag: '64k' },
] as const;
const CONNECTIONS = [1, 32] as const;
const WARMUP_S = (ctx: Context): number => (ctx.quick ? 1 : 5);

const fraction = (text: string, limit: number): CompareGoal => ({ text, limit });
const GOAL_20TH = fraction('≤ 0.05× Linux', 0.05);
const GOAL_AT_LEAST = fraction('≥ 1.00× Linux', 1);
const GOAL_AT_MOST = fraction('≤ 1.00× Linux', 1);

/** The folder every HTTP side serves: 1 KiB and 64 KiB files and an index page. */
function makeWww(ctx: Context): string {
  const www = path.join(ctx.tmp, 'peer-www');
  fs.mkdirSync(www, { recursive: true });
  for (const f of FILES) fs.writeFileSync(path.join(www, f.path), Buffer.alloc(f.bytes, 'm'));
  fs.writeFileSync(path.join(www, 'index.html'), '<!doctype html><title>peer</title><p>served\n');
  return www;
}

interface HttpFigures {
  boot: number[];
  rps: Map<string, number>;
  p99: Map<string, number>;
  errors: number;
  image?: { bytes: number; note: string };
  memoryMiB?: number;
}

/** Boots `side` ctx.runs(3) times (boot → first 200), then runs wrk on the last instance. */
async function measureHttp(ctx: Context, label: string, side: HttpSide, www: string): Promise<HttpFigures> {
  const seconds = ctx.quick ? 2 : 20;
  const f: HttpFigures = { boot: [], rps: new Map(), p99: new Map(), errors: 0 };
  const boots = ctx.runs(3);
  for (let i = 0; i < boots; i++) {
    const s = await side.startHttp(www);
    try {
      f.boot.push(await firstHttp200(s.port, '/1k.bin', s.startedAt, BOOT_TIMEOUT_MS, s.alive));
      ctx.log(`  ${label}: first 200 after ${f.boot.at(-1)!.toFixed(0)} ms`);
      if (i < boots - 1) continue;
      // the Linux peer stalled one connection for ~6 s in its first seconds after boot (and
      // never after): throughput is measured on a settled server, boot is the row above
      await wrk(s.port, '/1k.bin', 1, WARMUP_S(ctx));
      for (const file of FILES) {
        for (const c of CONNECTIONS) {
          const r = await wrk(s.port, file.path, c, seconds);
          f.rps.set(`${file.tag}-c${c}`, r.requestsPerSec);
          f.p99.set(`${file.tag}-c${c}`, r.p99);
          f.errors += r.errors;
          ctx.log(`  ${label}: ${file.tag} ×${c}: ${r.requestsPerSec.toFixed(0)} req/s, p99 ${r.p99.toFixed(1)} ms`);
        }
      }
    } finally {
      await s.kill();
    }
  }
  if (side.image) f.image = await side.image(www);
  if (side.memoryMiB) f.memoryMiB = await smallestMemory(ctx, label, side, www);
  return f;
}

/** Bisection over the guest memory: the smallest that answers 200 on /1k.bin. */
async function smallestMemory(ctx: Context, label: string, side: HttpSide, www: string): Promise<number> {
  const range = side.memoryMiB!;
  const step = ctx.quick ? range.step * 8 : range.step;
  const serves = async (mib: number): Promise<boolean> => {
    const s = await side.startHttp(www, `${Math.round(mib * 1024)}K`);
    try {
      await firstHttp200(s.port, '/1k.bin', s.startedAt, range.probeTimeoutMs, s.alive);
      return true;
    } catch {
      return false;
    } finally {
      await s.kill();
    }
  };
  let { lo, hi } = range;
  if (!(await serves(hi))) throw new Error(`${label} does not serve with ${hi} MiB`);
  while (hi - lo > step) {
    const mid = Math.round((lo + hi) / 2 / step) * step;
    const ok = await serves(mid);
    if (ok) hi = mid;
    else lo = mid;
    ctx.log(`  ${label}: ${mid} MiB ${ok ? 'serves' : 'does not'}`);
  }
  return hi;
}

async function attempt<T>(ctx: Context, label: string, side: Maybe<T>, f: (s: T) => Promise<unknown>): Promise<unknown> {
  if (isMissing(side)) return side.missing;
  try {
    return await f(side);
  } catch (e) {
    const msg = (e as Error).message ?? String(e);
    ctx.log(`  ${label} failed: ${msg}`);
    return `failed: ${msg.split('\n')[0].slice(0, 120)}`;
  }
}

function perColumn<T>(results: Record<Column, unknown>, pick: (r: T) => Cell): Record<Column, Cell> {
  const out = {} as Record<Column, Cell>;
  for (const c of COLUMNS) out[c] = typeof results[c] === 'string' ? { na: results[c] as string } : pick(results[c] as T);
  return out;
}

export const peerHttp: CompareMeasure = {
  name: 'peer-http',
  title: 'Linux microVM peer: static files over HTTP (issue 10)',
  rows: [
    { name: 'http-boot-to-200', unit: 'ms' },
    ...FILES.flatMap((f) => CONNECTIONS.map((c) => ({ name: `http-rps-${f.tag}-c${c}`, unit: 'req/s' }))),
    ...FILES.map((f) => ({ name: `http-p99-${f.tag}-c32`, unit: 'ms' })),
    { name: 'image-size', unit: 'KiB' },
    { name: 'min-memory', unit: 'MiB' },
  ],
  async run(ctx) {
    const www = makeWww(ctx);
    const missing = minnowMissing('webserver');
    const sides: Record<Column, Maybe<HttpSide>> = {
      minnow: missing ? { missing } : minnowHttp(ctx),
      linux: linuxHttp(ctx.log),
      host: hostHttp,
    };
    const results = {} as Record<Column, unknown>;
    for (const c of COLUMNS) results[c] = await attempt(ctx, c, sides[c], (s) => measureHttp(ctx, c, s, www));
    const rows: CompareRow[] = [];
    const col = (pick: (f: HttpFigures) => Cell): Record<Column, Cell> => perColumn<HttpFigures>(results, pick);
    rows.push(compareRow({ name: 'http-boot-to-200', unit: 'ms', better: 'lower', cells: col((f) => cell(f.boot)), goal: GOAL_20TH, note: 'QEMU (or the host process) spawned → first 200 on /1k.bin, polled every 20 ms' }));
    for (const f of FILES) {
      for (const c of CONNECTIONS) {
        const key = `${f.tag}-c${c}`;
        const errs = COLUMNS.filter((k) => typeof results[k] === 'object' && (results[k] as HttpFigures).errors > 0).map((k) => `${k} ${(results[k] as HttpFigures).errors}`);
        rows.push(compareRow({
          name: `http-rps-${key}`,
          unit: 'req/s',
          better: 'higher',
          cells: col((x) => cell([x.rps.get(key)!])),
          goal: GOAL_AT_LEAST,
          note: c === 1 && f.tag === '1k' ? `wrk -t1 --latency, ${ctx.quick ? 2 : 20} s per row after a ${WARMUP_S(ctx)} s warm-up, keep-alive where the server keeps it (busybox httpd closes every connection)${errs.length ? `; socket errors or timeouts (10 s) wrk counted over the four rows: ${errs.join(', ')}` : ''}` : undefined,
        }));
      }
    }
    for (const f of FILES) rows.push(compareRow({ name: `http-p99-${f.tag}-c32`, unit: 'ms', better: 'lower', cells: col((x) => cell([x.p99.get(`${f.tag}-c32`)!])) }));
    const imageNote = COLUMNS.filter((c) => typeof results[c] === 'object' && (results[c] as HttpFigures).image).map((c) => `${c}: ${(results[c] as HttpFigures).image!.note}`);
    rows.push(compareRow({ name: 'image-size', unit: 'KiB', better: 'lower', cells: col((x) => (x.image ? cell([x.image.bytes / 1024]) : { na: HOST_ONLY })), goal: GOAL_20TH, note: imageNote.join('; ') }));
    rows.push(compareRow({
      name: 'min-memory',
      unit: 'MiB',
      better: 'lower',
      cells: col((x) => (x.memoryMiB !== undefined ? cell([x.memoryMiB]) : { na: HOST_ONLY })),
      goal: GOAL_20TH,
      note: `bisection over -m${ctx.quick ? ' (coarse: --quick)' : ''}; serves = a 200 on /1k.bin within the side's probe time (Linux 60 s, Minnow 10 s)`,
    }));
    return rows;
  },
};

interface EchoFigures {
  rtt: number[];
  bulk: number[];
}

async function measureEcho(ctx: Context, label: string, side: EchoSide): Promise<EchoFigures> {
  const s = await side.startEcho();
  try {
    await firstEcho(s.port, s.startedAt, BOOT_TIMEOUT_MS, s.alive);
    const rtt = await echoRoundTrip(s.port, ctx.quick ? 200 : 2000);
    const bulk: number[] = [];
    for (let i = 0; i < ctx.runs(3); i++) bulk.push(await echoBulk(s.port, ctx.quick ? 4 : 32));
    ctx.log(`  ${label}: echo ${median(rtt).toFixed(0)} µs, ${median(bulk).toFixed(1)} MiB/s`);
    return { rtt, bulk };
  } finally {
    await s.kill();
  }
}

const p99 = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.99))];

export const peerEcho: CompareMeasure = {
  name: 'peer-echo',
  title: 'Linux microVM peer: TCP echo through the forwarded port (issue 14)',
  rows: [
    { name: 'echo-rtt-1byte', unit: 'µs' },
    { name: 'echo-bulk', unit: 'MiB/s' },
  ],
  async run(ctx) {
    const missing = minnowMissing('echo');
    const sides: Record<Column, Maybe<EchoSide>> = { minnow: missing ? { missing } : minnowEcho(ctx), linux: linuxEcho(ctx.log), host: hostEchoSide };
    const results = {} as Record<Column, unknown>;
    for (const c of COLUMNS) results[c] = await attempt(ctx, c, sides[c], (s) => measureEcho(ctx, c, s));
    const got = COLUMNS.filter((c) => typeof results[c] === 'object').map((c) => `${c} p99 ${p99((results[c] as EchoFigures).rtt).toFixed(0)} µs`);
    return [
      compareRow({ name: 'echo-rtt-1byte', unit: 'µs', better: 'lower', cells: perColumn<EchoFigures>(results, (f) => cell(f.rtt)), goal: GOAL_AT_MOST, note: `${ctx.quick ? 200 : 2000} round trips on one connection, TCP_NODELAY both ends; ${got.join(', ')}` }),
      compareRow({ name: 'echo-bulk', unit: 'MiB/s', better: 'higher', cells: perColumn<EchoFigures>(results, (f) => cell(f.bulk)), goal: GOAL_AT_LEAST, note: `${ctx.quick ? 4 : 32} MiB written in 64 KiB pieces while the echo is read back, one connection` }),
    ];
  },
};

const FS_ROWS = [
  { key: 'write', unit: 'MiB/s', pick: 'writeMiBs' },
  { key: 'read', unit: 'MiB/s', pick: 'readMiBs' },
  { key: 'create', unit: 'files/s', pick: 'createPerSec' },
  { key: 'stat', unit: 'files/s', pick: 'statPerSec' },
] as const;
const FS_TITLE: Readonly<Record<FsKind, string>> = { ram: 'RAM (Linux tmpfs; Minnow ramfs)', fat: 'FAT on virtio-blk (Linux vfat)', '9p': "9p2000.L over virtio-9p (Linux: mount -t 9p -o trans=virtio,version=9p2000.L with Debian's generic kernel, as the cloud kernel has no 9p)" };

async function hostFsType(dir: string): Promise<string> {
  const r = await runTimed('stat', ['-f', '-c', '%T', dir], 10_000).catch(() => undefined);
  return r?.stdout.trim() || 'unknown';
}

export const peerFiles: CompareMeasure = {
  name: 'peer-files',
  title: 'Linux microVM peer: files (issue 15)',
  rows: FS_KINDS.flatMap((k) => FS_ROWS.map((r) => ({ name: `fs-${k}-${r.key}`, unit: r.unit }))),
  async run(ctx) {
    const mib = ctx.quick ? 8 : 64;
    const files = ctx.quick ? 100 : 1000;
    // Minnow's side is the same fsbench.c built as a Minnow application, once kernel/fs exists
    const missing = minnowMissing('files');
    const sides: Record<Column, Maybe<FilesSide>> = { minnow: missing ? { missing } : minnowFiles(ctx), linux: linuxFiles(ctx.log), host: hostFiles };
    const samples = {} as Record<Column, unknown>;
    for (const c of COLUMNS) {
      samples[c] = await attempt(ctx, c, sides[c], async (s) => {
        const runs = [];
        for (let i = 0; i < ctx.runs(3); i++) runs.push(await s.fsbench(mib, files, ctx.tmp));
        return runs;
      });
    }
    const fsType = await hostFsType(ctx.tmp);
    const rows: CompareRow[] = [];
    for (const k of FS_KINDS) {
      for (const r of FS_ROWS) {
        const cells = perColumn<Awaited<ReturnType<FilesSide['fsbench']>>[]>(samples, (runs) => {
          const why = runs.map((x) => x[k]).find((x) => typeof x === 'string');
          if (typeof why === 'string') return { na: why };
          return cell(runs.map((x) => (x[k] as Exclude<(typeof x)[typeof k], string>)[r.pick]));
        });
        const host = k === 'ram' ? "the host's tmpfs (/dev/shm)" : `the host's own ${fsType} under the run's scratch folder`;
        const note = r.key === 'write' ? `${FS_TITLE[k]}; ${mib} MiB in 1 MiB writes + fsync, read after POSIX_FADV_DONTNEED; ${files} files of 1 KiB; host column: ${host} (the limit)` : undefined;
        rows.push(compareRow({ name: `fs-${k}-${r.key}`, unit: r.unit, better: 'higher', cells, note }));
      }
    }
    return rows;
  },
};

export const COMPARISONS: readonly CompareMeasure[] = [peerHttp, peerEcho, peerFiles];
