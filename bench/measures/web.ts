// The "web" section of `npm run bench` (issue 10): Minnow's static web server (examples/webserver,
// serving over its 9p mount) against the Linux microVM peer on the same QEMU, machine type,
// memory and accelerator (busybox httpd; bench/peer) and against busybox httpd run on the host
// itself (the limit), all three serving one folder written here (1k.bin, 64k.bin, index.html).
// Every figure is measured by the same function for the three columns (bench/lib/netbench.ts).
//   web-boot-to-200          process spawned → first 200 on /1k.bin (polled), 3 boots
//   web-rps-{1k,64k}-c{1,32} wrk requests/s, each server as it is: Minnow keeps connections
//                            alive, busybox httpd closes every one
//   web-rps-*-c32-close      the same with "Connection: close" asked on every request, so that
//                            every side pays for a new TCP connection each time
//   web-p99-{1k,64k}-c32     wrk --latency's 99th percentile at 32 connections
//   web-image-size           what boots: Minnow's ELF; Linux's bzImage + initramfs
//   web-min-memory           bisection over -m: the smallest that boots and answers one 200
// Goals (issue 10), Minnow ÷ Linux: boot ≤ 1/20, requests/s ≥ 1, image and memory ≤ 1/20.
// --quick (the benchmark's own test) boots once, runs wrk for 1 s a row and bisects coarsely.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Context } from '../lib/context';
import { attempt, cell, COLUMNS, compareRow, GOAL_20TH, GOAL_AT_LEAST, perColumn, type Cell, type Column, type CompareMeasure, type CompareRow, type Maybe } from '../lib/compare';
import { firstHttp200, httpGet, wrk } from '../lib/netbench';
import { fmt } from '../lib/table';
import { hostHttp, LINUX_MEMORY, linuxHttp, type HttpSide } from '../peer/sides';
import { minnowHttp, minnowMissing } from './peer-minnow';

const BOOT_TIMEOUT_MS = 120_000;
const HOST_ONLY = '– (host process)';
const FILES = [
  { path: '/1k.bin', bytes: 1024, tag: '1k' },
  { path: '/64k.bin', bytes: 64 * 1024, tag: '64k' },
] as const;
const CONNECTIONS = [1, 32] as const;
/** The connection count of the p99 rows and of the Connection: close rows. */
const MANY = 32;
const seconds = (ctx: Context): number => (ctx.quick ? 1 : 20);
const warmup = (ctx: Context): number => (ctx.quick ? 1 : 5);

/** The folder every side serves: 1 KiB and 64 KiB files and an index page. */
function makeWww(ctx: Context): string {
  const www = path.join(ctx.tmp, 'web-www');
  fs.mkdirSync(www, { recursive: true });
  for (const f of FILES) fs.writeFileSync(path.join(www, f.path), Buffer.from(Array.from({ length: f.bytes }, (_, i) => 0x20 + ((i * 7) % 95))));
  fs.writeFileSync(path.join(www, 'index.html'), '<!doctype html><title>web bench</title><p>served\n');
  return www;
}

interface WebFigures {
  serving: string;
  boot: number[];
  /** By row key: "1k-c1", "64k-c32", "1k-c32-close". */
  rps: Map<string, number>;
  p99: Map<string, number>;
  /** Socket errors, timeouts and non-2xx answers wrk counted, over every run. */
  errors: number;
  image?: { bytes: number; note: string };
  memoryMiB?: number;
}

/** The server must answer each file whole and unchanged, or its figures mean nothing. */
async function checkServes(port: number, www: string, label: string): Promise<void> {
  for (const f of FILES) {
    const r = await httpGet(port, f.path, 30_000);
    if (r.status !== 200 || !r.body.equals(fs.readFileSync(path.join(www, f.path)))) {
      throw new Error(`${label} answered ${f.path} with HTTP ${r.status} and ${r.body.length} bytes, not the file's ${f.bytes}`);
    }
  }
}

/** Boots `side` ctx.runs(3) times (boot → first 200), then runs wrk on the last instance. */
async function measureSide(ctx: Context, label: string, side: HttpSide, www: string, memory: string): Promise<WebFigures> {
  const f: WebFigures = { serving: (await side.serving?.(www)) ?? '', boot: [], rps: new Map(), p99: new Map(), errors: 0 };
  ctx.log(`  ${label}: ${f.serving}`);
  const boots = ctx.runs(3);
  for (let i = 0; i < boots; i++) {
    const s = await side.startHttp(www, memory);
    try {
      f.boot.push(await firstHttp200(s.port, '/1k.bin', s.startedAt, BOOT_TIMEOUT_MS, s.alive));
      ctx.log(`  ${label}: first 200 after ${f.boot.at(-1)!.toFixed(0)} ms`);
      if (i < boots - 1) continue;
      await checkServes(s.port, www, label);
      // the Linux peer stalled one connection for ~6 s in its first seconds after boot (and
      // never after): throughput is measured on a settled server, boot is the row above
      await wrk(s.port, '/1k.bin', 1, warmup(ctx));
      const runs = [
        ...FILES.flatMap((file) => CONNECTIONS.map((c) => ({ file, c, close: false, key: `${file.tag}-c${c}` }))),
        ...FILES.map((file) => ({ file, c: MANY, close: true, key: `${file.tag}-c${MANY}-close` })),
      ];
      for (const r of runs) {
        const w = await wrk(s.port, r.file.path, r.c, seconds(ctx), { close: r.close });
        f.rps.set(r.key, w.requestsPerSec);
        f.p99.set(r.key, w.p99);
        f.errors += w.errors;
        ctx.log(`  ${label}: ${r.key}: ${w.requestsPerSec.toFixed(0)} req/s, p99 ${w.p99.toFixed(1)} ms${w.errors ? `, ${w.errors} errors` : ''}`);
      }
    } finally {
      await s.kill();
    }
  }
  if (side.image) f.image = await side.image(www);
  if (side.memoryRange) f.memoryMiB = await smallestMemory(ctx, label, side, www);
  return f;
}

/** Bisection over the guest memory: the smallest -m with which it boots and answers one 200. */
async function smallestMemory(ctx: Context, label: string, side: HttpSide, www: string): Promise<number> {
  const range = await side.memoryRange!(www);
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
    if (mid <= lo || mid >= hi) break;
    const ok = await serves(mid);
    if (ok) hi = mid;
    else lo = mid;
    ctx.log(`  ${label}: ${mid} MiB ${ok ? 'serves' : 'does not'}`);
  }
  return hi;
}

const figures = (r: unknown): WebFigures | undefined => (typeof r === 'object' && r !== null ? (r as WebFigures) : undefined);

export const web: CompareMeasure = {
  name: 'web',
  title: 'Static web server: Minnow | Linux microVM | host (issue 10)',
  rows: [
    { name: 'web-boot-to-200', unit: 'ms' },
    ...FILES.flatMap((f) => CONNECTIONS.map((c) => ({ name: `web-rps-${f.tag}-c${c}`, unit: 'req/s' }))),
    ...FILES.map((f) => ({ name: `web-rps-${f.tag}-c${MANY}-close`, unit: 'req/s' })),
    ...FILES.map((f) => ({ name: `web-p99-${f.tag}-c${MANY}`, unit: 'ms' })),
    { name: 'web-image-size', unit: 'KiB' },
    { name: 'web-min-memory', unit: 'MiB' },
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
    for (const c of COLUMNS) results[c] = await attempt(ctx, c, sides[c], (s) => measureSide(ctx, c, s, www, LINUX_MEMORY));
    const col = (pick: (f: WebFigures) => Cell): Record<Column, Cell> => perColumn<WebFigures>(results, pick);
    const each = (what: (f: WebFigures) => string | undefined): string =>
      COLUMNS.flatMap((c) => {
        const f = figures(results[c]);
        const text = f && what(f);
        return text ? [`${c}: ${text}`] : [];
      }).join('; ');
    const rows: CompareRow[] = [];
    rows.push(compareRow({
      name: 'web-boot-to-200',
      unit: 'ms',
      better: 'lower',
      cells: col((f) => cell(f.boot)),
      goal: GOAL_20TH,
      note: `QEMU (or the host process) spawned → first 200 on /1k.bin, polled every 20 ms; both guests -m ${LINUX_MEMORY}, microvm, TCG; ${each((f) => f.serving)}`,
    }));
    const rpsNote = `wrk -t1 --latency --timeout 10s, ${seconds(ctx)} s a row on the last boot after a ${warmup(ctx)} s warm-up; -c1/-c32 rows: keep-alive where the server keeps it (Minnow does; busybox httpd closes every connection), -close rows: every request asks "Connection: close"`;
    const errs = each((f) => (f.errors ? `${f.errors} socket errors, timeouts or non-2xx answers over all rows` : undefined));
    for (const f of FILES) {
      for (const key of [...CONNECTIONS.map((c) => `${f.tag}-c${c}`), `${f.tag}-c${MANY}-close`]) {
        const first = key === '1k-c1';
        rows.push(compareRow({ name: `web-rps-${key}`, unit: 'req/s', better: 'higher', cells: col((x) => cell([x.rps.get(key)!])), goal: GOAL_AT_LEAST, note: first ? `${rpsNote}${errs ? `; ${errs}` : ''}` : undefined }));
      }
    }
    for (const f of FILES) {
      const key = `${f.tag}-c${MANY}`;
      const closeP99 = each((x) => (x.p99.has(`${key}-close`) ? `${fmt(x.p99.get(`${key}-close`)!)} ms with Connection: close` : undefined));
      rows.push(compareRow({ name: `web-p99-${key}`, unit: 'ms', better: 'lower', cells: col((x) => cell([x.p99.get(key)!])), note: closeP99 }));
    }
    rows.push(compareRow({ name: 'web-image-size', unit: 'KiB', better: 'lower', cells: col((x) => (x.image ? cell([x.image.bytes / 1024]) : { na: HOST_ONLY })), goal: GOAL_20TH, note: each((f) => f.image?.note) }));
    rows.push(compareRow({
      name: 'web-min-memory',
      unit: 'MiB',
      better: 'lower',
      cells: col((x) => (x.memoryMiB !== undefined ? cell([x.memoryMiB]) : { na: HOST_ONLY })),
      goal: GOAL_20TH,
      note: `bisection over -m${ctx.quick ? ' (coarse: --quick)' : ' (Minnow in 0.25 MiB steps up to its minnow.json memory, Linux in 4 MiB steps up to 256 MiB)'}; serves = boots and answers 200 on /1k.bin within the side's probe time (Linux 60 s, Minnow 10 s)`,
    }));
    return rows;
  },
};
