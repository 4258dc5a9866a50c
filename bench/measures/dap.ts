// The debug adapter as an editor drives it, over DAP (bench/lib/dap.ts), on bench/apps/step:
//  - dap-launch: initialize → launch {stopOnEntry, build: true on an already built app} →
//    `stopped` in main: what F5 costs once the preLaunchTask has built;
//  - dap-next: `next` → `stopped` inside work()'s loop (each next is one source line);
//  - dap-inspect: after such a stop, what an editor asks at once: threads + stackTrace + scopes +
//    variables of the top frame's first scope (issue 4: ≤ 100 ms).
// Needs debug-adapter/main.ts committed (bundled by scripts/build.mjs as dist/debugAdapter.js);
// MINNOW_BENCH_DAP=any measures the working tree's adapter even when it is not committed.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildApp, loadApp } from '../../target';
import { REPO, type Context, type Measure } from '../lib/context';
import { DapClient } from '../lib/dap';
import { naRow, row, type Row } from '../lib/stats';

const APP = path.join(REPO, 'bench', 'apps', 'step');
const ADAPTER = path.join(REPO, 'dist', 'debugAdapter.js');

function markerLine(file: string, mark: string): number {
  const i = fs.readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(`#MARK ${mark}`));
  if (i < 0) throw new Error(`no #MARK ${mark} in ${file}`);
  return i + 1;
}

async function stopped(dc: DapClient, op: () => Promise<unknown>): Promise<{ ms: number; threadId: number; reason: string }> {
  const t0 = performance.now();
  const ev = dc.waitEvent('stopped', 120_000);
  ev.catch(() => undefined); // op's failure is the one reported
  await op();
  const e = await ev;
  return { ms: performance.now() - t0, threadId: Number(e.body?.threadId ?? 1), reason: String(e.body?.reason) };
}

interface Samples {
  launch: number[];
  next: number[];
  inspect: number[];
}

/** threads → stackTrace → scopes → variables, as the editor does after a stop; resolves to ms. */
async function inspect(dc: DapClient, threadId: number): Promise<number> {
  const t0 = performance.now();
  await dc.request('threads');
  const st = await dc.request('stackTrace', { threadId, startFrame: 0, levels: 20 });
  const frame = ((st.body?.stackFrames ?? []) as { id: number }[])[0];
  if (!frame) throw new Error('stackTrace returned no frames');
  const sc = await dc.request('scopes', { frameId: frame.id });
  const scope = ((sc.body?.scopes ?? []) as { variablesReference: number }[])[0];
  if (!scope) throw new Error('scopes returned no scope');
  await dc.request('variables', { variablesReference: scope.variablesReference });
  return performance.now() - t0;
}

async function session(ctx: Context, out: Samples): Promise<void> {
  const dc = new DapClient(ADAPTER, { MINNOW_KERNEL: path.join(REPO, 'kernel') });
  try {
    const initialized = dc.waitEvent('initialized', 120_000);
    initialized.catch(() => undefined);
    const entry = await stopped(dc, async () => {
      await dc.request('initialize', { clientID: 'minnow-bench', adapterID: 'minnow', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
      const launched = dc.request('launch', { type: 'minnow', request: 'launch', app: APP, stopOnEntry: true, accel: 'tcg', build: true }, 120_000);
      // 'initialized' may come before or after the launch response; a failed launch ends the wait
      await Promise.race([initialized, launched.then(() => initialized)]);
      await dc.request('configurationDone');
      await launched;
    });
    const top = await dc.request('stackTrace', { threadId: entry.threadId, startFrame: 0, levels: 1 });
    const frames = (top.body?.stackFrames ?? []) as { name: string }[];
    if (!/\bmain\b/.test(frames[0]?.name ?? '')) throw new Error(`launch stopped in ${frames[0]?.name ?? '?'} (${entry.reason}), not in main`);
    out.launch.push(entry.ms);
    const source = { path: path.join(APP, 'main.c') };
    await dc.request('setBreakpoints', { source, breakpoints: [{ line: markerLine(source.path, 'loop-first') }] });
    const hit = await stopped(dc, () => dc.request('continue', { threadId: entry.threadId }));
    await dc.request('setBreakpoints', { source, breakpoints: [] });
    await stopped(dc, () => dc.request('next', { threadId: hit.threadId })); // warm-up
    for (let i = 0; i < (ctx.quick ? 3 : 10); i++) {
      out.next.push((await stopped(dc, () => dc.request('next', { threadId: hit.threadId }))).ms);
      out.inspect.push(await inspect(dc, hit.threadId));
    }
  } finally {
    await dc.close();
  }
}

export const dap: Measure = {
  name: 'dap',
  rows: [
    { name: 'dap-launch', unit: 'ms' },
    { name: 'dap-next', unit: 'ms' },
    { name: 'dap-inspect', unit: 'ms' },
  ],
  async run(ctx): Promise<Row[]> {
    // MINNOW_BENCH_DAP=any: measure an adapter that is not committed yet (its engineer's tree)
    const tracked = process.env.MINNOW_BENCH_DAP === 'any' || spawnSync('git', ['ls-files', '--error-unmatch', 'debug-adapter/main.ts'], { cwd: REPO }).status === 0;
    if (!tracked || !fs.existsSync(ADAPTER)) {
      const why = tracked ? 'dist/debugAdapter.js not built' : 'no debug adapter committed yet (debug-adapter/main.ts)';
      return dap.rows.map((r) => naRow(r.name, r.unit, why));
    }
    await buildApp(loadApp(APP)); // "launch (built)": the adapter's own build is then a no-op
    const out: Samples = { launch: [], next: [], inspect: [] };
    for (let i = 0; i < ctx.runs(3); i++) await session(ctx, out);
    return [
      row({ name: 'dap-launch', unit: 'ms', samples: out.launch, note: 'initialize → stopped in main, TCG, kernel stub' }),
      row({ name: 'dap-next', unit: 'ms', samples: out.next }),
      row({ name: 'dap-inspect', unit: 'ms', samples: out.inspect, note: 'threads + stackTrace + scopes + variables after a next' }),
    ];
  },
};
