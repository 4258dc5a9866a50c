// The "Linux microVM peer" sections of `npm run bench` (issues 14, 15): every figure measured
// by one function for the three columns — Minnow (bench/measures/peer-minnow.ts), the Linux
// microVM on the same QEMU, machine and accelerator (bench/peer), and the host itself (the
// limit) — so that a column differs only in who serves. The web server's section (issue 10) is
// bench/measures/web.ts.
//   peer-echo   TCP echo: 1-byte round trip and bulk throughput (Node's net client)
//   peer-files  peer-fsbench's sequential write/read and small-file create/stat, per file system

import type { Context } from '../lib/context';
import { attempt, cell, compareRow, COLUMNS, GOAL_AT_LEAST, GOAL_AT_MOST, perColumn, type Column, type CompareMeasure, type CompareRow, type Maybe } from '../lib/compare';
import { echoBulk, echoRoundTrip, firstEcho } from '../lib/netbench';
import { runTimed } from '../lib/proc';
import { median } from '../lib/stats';
import { FS_KINDS, hostEchoSide, hostFiles, linuxEcho, linuxFiles, type EchoSide, type FilesSide, type FsKind } from '../peer/sides';
import { minnowEcho, minnowFiles, minnowMissing } from './peer-minnow';

const BOOT_TIMEOUT_MS = 120_000;

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
