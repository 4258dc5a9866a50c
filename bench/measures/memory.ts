// The smallest guest memory (-m) with which examples/hello still prints its greeting and exits
// 0, found by bisection in 64 KiB steps between 0 and the app's own memory setting. A guest
// that has too little memory may hang rather than fail, so each probe has a short deadline.

import { findQemu, type AppConfig } from '../../target';
import { buildOnce } from '../lib/apps';
import type { Context, Measure } from '../lib/context';
import { runTimed } from '../lib/proc';
import { row } from '../lib/stats';
import { helloArgs } from './boot';

const STEP_KIB = 64;
const PROBE_TIMEOUT_MS = 5_000;

async function runs(app: AppConfig, kib: number): Promise<boolean> {
  const r = await runTimed(findQemu(), helloArgs(app, app.elf, `${kib}K`), PROBE_TIMEOUT_MS);
  return r.status === 1 && r.stdout.includes('Hello from Minnow!');
}

function parseKib(mem: string): number {
  const m = /^(\d+)([KMG]?)$/i.exec(mem);
  if (!m) throw new Error(`cannot read the memory size ${mem}`);
  const scale: Record<string, number> = { '': 1 / 1024, K: 1, M: 1024, G: 1024 * 1024 };
  return Number(m[1]) * scale[m[2].toUpperCase()];
}

async function bisect(ctx: Context, app: AppConfig): Promise<number> {
  let hi = parseKib(app.memory); // known to run
  if (!(await runs(app, hi))) throw new Error(`hello does not run with its own ${app.memory}`);
  let lo = 0; // known not to run
  while (hi - lo > STEP_KIB) {
    const mid = Math.round((lo + hi) / 2 / STEP_KIB) * STEP_KIB;
    if (await runs(app, mid)) hi = mid;
    else lo = mid;
    ctx.log(`  memory: ${mid} KiB ${hi === mid ? 'runs' : 'fails'}`);
  }
  return hi;
}

export const memory: Measure = {
  name: 'memory',
  rows: [{ name: 'hello-min-memory', unit: 'KiB' }],
  async run(ctx) {
    const app = await buildOnce(ctx, 'examples/hello');
    const found: number[] = [];
    for (let i = 0; i < ctx.runs(3); i++) found.push(await bisect(ctx, app));
    return [row({ name: 'hello-min-memory', unit: 'KiB', samples: found })];
  },
};
