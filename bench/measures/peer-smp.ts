// The "Linux microVM peer" section of issue 11: a 16-byte message from CPU 0 to CPU 1 and back,
// on Minnow (bench/apps/smp: two channels), in the Linux microVM (bench/peer/guest/smp.c: a
// one-slot mailbox each way, two threads pinned to CPU 0 and CPU 1) and on the host (the same
// peer-smp binary, pinned to host cores 0 and 1: the limit). Both guests boot with -smp 2 and
// `-accel tcg,thread=multi` on microvm, so the columns differ only in whose kernel runs.
//   smp-rtt-2cpu       both sides block (an idle CPU halts and is woken by an IPI; on Linux a
//                      futex wait, on Minnow a channel wait)
//   smp-rtt-poll-2cpu  both sides poll, yielding between looks: no CPU halts
// Boots alternate between the columns, so that the machine's load falls on all of them alike.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildOnce } from '../lib/apps';
import { cell, compareRow, COLUMNS, GOAL_AT_MOST, type Column, type CompareMeasure } from '../lib/compare';
import type { Context } from '../lib/context';
import { runTimed } from '../lib/proc';
import { program } from '../peer/initramfs';
import { peerPackages } from '../peer/packages';
import { startPeer } from '../peer/vm';
import { smpBoot } from './smp';

const MODES = ['rtt', 'rttpoll'] as const;
type Mode = (typeof MODES)[number];
type Figures = Record<Mode, number[]>;

/** The round trips a sample of each mode: a blocking one costs milliseconds under load here. */
const ROUNDS: Readonly<Record<Mode, number>> = { rtt: 200, rttpoll: 2000 };
const RUN_TIMEOUT_MS = 600_000;

/** `SMP <mode> ns=N` lines → µs per mode. */
function parse(out: string, what: string): Figures {
  const f: Figures = { rtt: [], rttpoll: [] };
  for (const m of out.matchAll(/^SMP (rtt|rttpoll) ns=(\d+)\r?$/gm)) f[m[1] as Mode].push(Number(m[2]) / 1000);
  for (const mode of MODES) if (f[mode].length === 0) throw new Error(`${what} printed no "SMP ${mode}" line: ${out.slice(-300)}`);
  return f;
}

/** One boot (or one host run) of each column: both modes, `samples` samples each. */
function runners(ctx: Context, samples: string): Record<Column, () => Promise<Figures>> {
  const argv = (mode: Mode): string[] => [mode, samples, '1', String(ctx.quick ? ROUNDS[mode] / 10 : ROUNDS[mode])];
  return {
    async minnow() {
      const app = await buildOnce(ctx, 'bench/apps/smp');
      const f: Figures = { rtt: [], rttpoll: [] };
      for (const mode of MODES) f[mode] = (await smpBoot(app, 2, argv(mode))).map((ns) => ns / 1000);
      return f;
    },
    async linux() {
      const www = fs.mkdtempSync(path.join(os.tmpdir(), 'minnow-peer-smp-'));
      try {
        const vm = await startPeer({ www, mode: 'smp', cpus: 2, smp: MODES.map(argv), log: ctx.log });
        try {
          return parse(await vm.waitFor(/peer: smp done/, RUN_TIMEOUT_MS), 'the Linux peer');
        } finally {
          await vm.kill();
        }
      } finally {
        fs.rmSync(www, { recursive: true, force: true });
      }
    },
    async host() {
      if (os.cpus().length < 2) throw new Error('the host has one core: no second core to pin the echo thread to');
      const bin = await program(await peerPackages(ctx.log), 'smp');
      let out = '';
      for (const mode of MODES) {
        const r = await runTimed(bin, argv(mode), RUN_TIMEOUT_MS);
        if (r.status !== 0) throw new Error(`peer-smp ${mode} on the host failed (status ${r.status}): ${r.stderr.trim()}`);
        out += r.stdout;
      }
      return parse(out, 'peer-smp on the host');
    },
  };
}

export const peerSmp: CompareMeasure = {
  name: 'peer-smp',
  title: 'Linux microVM peer: a message to another CPU and back (issue 11)',
  rows: [
    { name: 'smp-rtt-2cpu', unit: 'µs' },
    { name: 'smp-rtt-poll-2cpu', unit: 'µs' },
  ],
  async run(ctx) {
    const run = runners(ctx, String(ctx.quick ? 1 : 5));
    const got: Record<Column, Figures | string> = { minnow: { rtt: [], rttpoll: [] }, linux: { rtt: [], rttpoll: [] }, host: { rtt: [], rttpoll: [] } };
    for (let b = 0; b < ctx.runs(3); b++) {
      for (const c of COLUMNS) {
        const acc = got[c];
        if (typeof acc === 'string') continue;
        ctx.log(`bench: peer-smp ${c} (run ${b + 1}/${ctx.runs(3)})`);
        try {
          const f = await run[c]();
          for (const mode of MODES) acc[mode].push(...f[mode]);
        } catch (e) {
          const msg = (e as Error).message ?? String(e);
          ctx.log(`  ${c} failed: ${msg}`);
          got[c] = `failed: ${msg.split('\n')[0].slice(0, 120)}`;
        }
      }
    }
    const cells = (mode: Mode): Record<Column, ReturnType<typeof cell>> => {
      const out = {} as Record<Column, ReturnType<typeof cell>>;
      for (const c of COLUMNS) {
        const g = got[c];
        out[c] = cell(typeof g === 'string' ? g : g[mode]);
      }
      return out;
    };
    const where = `CPU 0 ↔ CPU 1 (host: cores 0 and 1 of ${os.cpus().length}, load average ${os.loadavg()[0].toFixed(1)} at the end); guests: microvm -smp 2 -accel tcg,thread=multi`;
    return [
      compareRow({ name: 'smp-rtt-2cpu', unit: 'µs', better: 'lower', cells: cells('rtt'), goal: GOAL_AT_MOST, note: `16-byte message, both sides block (Minnow: channel_recv; Linux and host: sem_wait, a futex); ${ROUNDS.rtt} round trips a sample; ${where}` }),
      compareRow({ name: 'smp-rtt-poll-2cpu', unit: 'µs', better: 'lower', cells: cells('rttpoll'), goal: GOAL_AT_MOST, note: `the same, both sides polling with a yield between looks (Minnow: CHANNEL_NOWAIT + thread_yield; Linux and host: an atomic sequence number + sched_yield); ${ROUNDS.rttpoll} round trips a sample` }),
    ];
  },
};
