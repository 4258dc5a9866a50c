// Thread switch cost: bench/apps/switch makes two threads yield to each other and prints the
// nanoseconds per switch of each batch, timed in the guest with the kernel's clock (TSC). Each
// printed batch is one sample; there is no host-side baseline for a guest-internal figure.

import { findQemu, buildQemuArgs } from '../../target';
import { buildOnce } from '../lib/apps';
import type { Measure } from '../lib/context';
import { runTimed } from '../lib/proc';
import { row } from '../lib/stats';

const SAMPLE_RE = /^SWITCH ns=(\d+(?:\.\d+)?)\r?$/gm;

export const threads: Measure = {
  name: 'threads',
  rows: [{ name: 'thread-switch', unit: 'ns' }],
  async run(ctx) {
    const app = await buildOnce(ctx, 'bench/apps/switch');
    const n = ctx.runs(21);
    const args = buildQemuArgs({ elf: app.elf, machine: 'microvm', accel: 'tcg', memory: app.memory, name: app.name, argv: [String(n)] });
    const r = await runTimed(findQemu(), args, 120_000);
    if (r.status !== 1 || !r.stdout.includes('SWITCH done')) {
      throw new Error(`switch app: QEMU status ${r.status}${r.timedOut ? ' (timed out)' : ''}: ${r.stdout.slice(-400)} ${r.stderr.slice(-400)}`);
    }
    const samples = [...r.stdout.matchAll(SAMPLE_RE)].map((m) => Number(m[1]));
    return [row({ name: 'thread-switch', unit: 'ns', samples, note: 'yield ping-pong, 40000 switches per sample, timed in the guest (TSC)' })];
  },
};
