// Several CPUs (issue 11): bench/apps/smp booted with -smp N on microvm under TCG (the run
// contract picks `-accel tcg,thread=multi`, a host thread per vCPU, whenever N > 1). Every figure
// is timed in the guest with time_ns() (TCG hands the guest the host's TSC, so it is wall time).
//  - smp-rtt: a 16-byte message to CPU 1 and back through two channels, both sides blocking in
//    channel_recv (an idle CPU polls its queues for 50 µs, then halts until an IPI: core/sched.c);
//    baseline: the same two threads on CPU 0 of a 1-CPU boot (a round trip is then two switches).
//  - smp-rtt-poll: the same with both sides polling (CHANNEL_NOWAIT, yielding between tries), so
//    no CPU halts: the channel's own cost between CPUs, without the halt and the wake-up.
//  - smp-channel-tput: a producer on CPU 1 streams 16-byte messages through one 256-slot channel
//    to main on CPU 0; baseline: both on CPU 0 of a 1-CPU boot.
//  - smp-job-{1,2,4}cpu: the primes below 1,000,000 by trial division, cut into 64 pieces handed
//    out through one channel to a worker on every CPU; the baseline of the 2- and 4-CPU rows is
//    the 1-CPU row of the same run (ratio = time ÷ 1-CPU time; the speed-up is its inverse). The
//    host's core count is in the note: 4 vCPUs cannot go faster than the host has cores.
// Boots of the variants alternate, so that the machine's load falls on both sides alike.

import * as os from 'node:os';
import { buildQemuArgs, findQemu, type AppConfig } from '../../target';
import { buildOnce } from '../lib/apps';
import type { Context, Measure } from '../lib/context';
import { runTimed } from '../lib/proc';
import { median, row, type Row } from '../lib/stats';

const JOB_PRIMES = 78498; // pi(1,000,000): every job sample must find exactly these
const BOOT_TIMEOUT_MS = 300_000;

/** Boots the app on `cpus` CPUs with `argv`; returns the values of the `SMP <mode> key=N` lines. */
export async function smpBoot(app: AppConfig, cpus: number, argv: string[]): Promise<number[]> {
  const args = buildQemuArgs({ elf: app.elf, machine: 'microvm', accel: 'tcg', memory: app.memory, name: app.name, cpus, argv });
  const r = await runTimed(findQemu(), args, BOOT_TIMEOUT_MS);
  if (r.status !== 1 || !r.stdout.includes('SMP done')) {
    throw new Error(`smp app (${cpus} CPUs, ${argv.join(' ')}): QEMU status ${r.status}${r.timedOut ? ' (timed out)' : ''}: ${r.stdout.slice(-400)} ${r.stderr.slice(-400)}`);
  }
  const values: number[] = [];
  for (const m of r.stdout.matchAll(/^SMP (\w+) \w+=(\d+)(.*?)\r?$/gm)) {
    const primes = /primes=(\d+)/.exec(m[3]);
    if (primes && Number(primes[1]) !== JOB_PRIMES) throw new Error(`smp job on ${cpus} CPUs found ${primes[1]} primes, not ${JOB_PRIMES}`);
    values.push(Number(m[2]));
  }
  return values;
}

/** Alternates boots of each variant, `boots` times; the samples of every variant, in order. */
async function alternate(ctx: Context, app: AppConfig, variants: { cpus: number; argv: string[] }[], boots: number): Promise<number[][]> {
  const out = variants.map(() => [] as number[]);
  for (let b = 0; b < boots; b++) {
    for (const [i, v] of variants.entries()) {
      ctx.log(`bench: smp ${v.cpus} CPU${v.cpus === 1 ? '' : 's'}: ${v.argv.join(' ')} (boot ${b + 1}/${boots})`);
      out[i].push(...(await smpBoot(app, v.cpus, v.argv)));
    }
  }
  return out;
}

export const smp: Measure = {
  name: 'smp',
  rows: [
    { name: 'smp-rtt', unit: 'µs' },
    { name: 'smp-rtt-poll', unit: 'µs' },
    { name: 'smp-channel-tput', unit: 'msg/s' },
    { name: 'smp-job-1cpu', unit: 'ms' },
    { name: 'smp-job-2cpu', unit: 'ms' },
    { name: 'smp-job-4cpu', unit: 'ms' },
  ],
  async run(ctx) {
    const app = await buildOnce(ctx, 'bench/apps/smp');
    const boots = ctx.runs(3);
    const samples = String(ctx.quick ? 1 : 5);
    const cores = os.cpus().length;
    const us = (ns: number[]): number[] => ns.map((n) => n / 1000);
    const rows: Row[] = [];

    // fewer blocking round trips: one whose CPU halted costs milliseconds on a loaded host
    const [rtt, rtt0] = await alternate(ctx, app, [
      { cpus: 2, argv: ['rtt', samples, '1', ctx.quick ? '20' : '200'] },
      { cpus: 1, argv: ['rtt', samples, '0', '2000'] },
    ], boots);
    rows.push(row({ name: 'smp-rtt', unit: 'µs', samples: us(rtt), baseline: { what: 'two threads on CPU 0', samples: us(rtt0) }, note: 'CPU 0 ↔ CPU 1, 16-byte messages over two channels, both sides block (an idle CPU polls 50 µs, then halts until an IPI); 200 round trips a sample (2000 on one CPU)' }));

    const [poll, poll0] = await alternate(ctx, app, [
      { cpus: 2, argv: ['rttpoll', samples, '1', '2000'] },
      { cpus: 1, argv: ['rttpoll', samples, '0', '2000'] },
    ], boots);
    rows.push(row({ name: 'smp-rtt-poll', unit: 'µs', samples: us(poll), baseline: { what: 'two threads on CPU 0', samples: us(poll0) }, note: 'as smp-rtt, but both sides poll (CHANNEL_NOWAIT + thread_yield): no CPU halts; 2000 round trips a sample' }));

    const [tput, tput0] = await alternate(ctx, app, [
      { cpus: 2, argv: ['tput', samples, '1'] },
      { cpus: 1, argv: ['tput', samples, '0'] },
    ], boots);
    rows.push(row({ name: 'smp-channel-tput', unit: 'msg/s', samples: tput, baseline: { what: 'both on CPU 0', samples: tput0 }, better: 'higher', note: 'producer on CPU 1 → main on CPU 0, 16-byte messages, one 256-slot channel, 100,000 messages a sample' }));

    const [job1, job2, job4] = (await alternate(ctx, app, [1, 2, 4].map((cpus) => ({ cpus, argv: ['job', samples] })), boots)).map((s) => s.map((v) => v / 1000));
    const base = { what: '1 CPU', samples: job1 };
    const speedup = (s: number[]): string => `speed-up ${(median(job1) / median(s)).toFixed(2)}× (1-CPU median ÷ this median) with -accel tcg,thread=multi on a ${cores}-core host`;
    rows.push(row({ name: 'smp-job-1cpu', unit: 'ms', samples: job1, note: 'primes below 1,000,000 by trial division, 64 pieces through one channel to a worker per CPU; -accel tcg' }));
    rows.push(row({ name: 'smp-job-2cpu', unit: 'ms', samples: job2, baseline: base, note: speedup(job2) }));
    rows.push(row({ name: 'smp-job-4cpu', unit: 'ms', samples: job4, baseline: base, note: `${speedup(job4)}: 4 vCPUs share ${cores} cores` }));
    return rows;
  },
};
