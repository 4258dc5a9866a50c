// F5 in a new project, without the editor's own part (issue 12's goal: ≤ 1.5 s): what VS Code
// runs when a user presses F5 in a project just made from the threads template with a breakpoint
// in main, the build cache warm (an earlier project built the same kernel):
//  1. the build task: the CLI's build run in this process, as the extension's task runs it in the
//     extension host (extension/buildTask.ts: target/ buildApp, no process started for the task);
//  2. the debug adapter (dist/debugAdapter.js, a new process, started with gdb before the build as
//     the extension starts it: extension/adapterProcess.ts): initialize, launch with build: false
//     (the task has built), the breakpoint, configurationDone;
//  3. until the `stopped` event at the breakpoint in main (QEMU booted, gdb attached).
// The e2e suite (test/e2e/debug.test.ts) prints the same figure measured in code-server, workbench
// included. The cache is a scratch folder of the run's.

import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildApp, loadApp } from '../../target';
import { REPO, type Context, type Measure } from '../lib/context';
import { DapClient } from '../lib/dap';
import { naRow, row, type Row } from '../lib/stats';

const CLI = path.join(REPO, 'dist', 'cli.js');
const ADAPTER = path.join(REPO, 'dist', 'debugAdapter.js');
/** The line of main the user's breakpoint is on (after the workers exist, as in the e2e test). */
const BREAK_AT = 'prod = thread_create("producer"';

/** Runs the CLI to its end; resolves with its stderr, rejects with its output on failure. */
function cli(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`minnow ${args.join(' ')} failed (${code}):\n${out.slice(-2000)}`))));
  });
}

/** The build task's build (extension/buildTask.ts) with the bench's kernel and cache; true when it linked. */
async function buildInProcess(app: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  const saved = process.env.MINNOW_BUILD_CACHE;
  process.env.MINNOW_BUILD_CACHE = env.MINNOW_BUILD_CACHE;
  try {
    return (await buildApp(loadApp(app), { kernelDir: env.MINNOW_KERNEL })).rebuilt;
  } finally {
    if (saved === undefined) delete process.env.MINNOW_BUILD_CACHE;
    else process.env.MINNOW_BUILD_CACHE = saved;
  }
}

/** One F5: the build task, then the adapter to the stop in main; resolves to the total and the adapter's part, in ms. */
async function pressF5(app: string, env: NodeJS.ProcessEnv): Promise<{ total: number; adapter: number }> {
  const main = path.join(app, 'main.c');
  const line = fs.readFileSync(main, 'utf8').split('\n').findIndex((l) => l.includes(BREAK_AT)) + 1;
  if (line === 0) throw new Error(`${main} has no line with ${BREAK_AT}`);
  const t0 = performance.now();
  const dc = new DapClient(ADAPTER, { ...env, MINNOW_GDB_AHEAD: 'gdb' });
  try {
    const built = await buildInProcess(app, env);
    const tBuilt = performance.now();
    if (!built) throw new Error('the build task did not build (the ELF was up to date)');
    const initialized = dc.waitEvent('initialized', 120_000);
    initialized.catch(() => undefined);
    const stop = dc.waitEvent('stopped', 180_000);
    stop.catch(() => undefined);
    await dc.request('initialize', { clientID: 'minnow-bench', adapterID: 'minnow', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
    const launched = dc.request('launch', { type: 'minnow', request: 'launch', app, accel: 'tcg', build: false }, 120_000);
    await Promise.race([initialized, launched.then(() => initialized)]);
    await dc.request('setBreakpoints', { source: { path: main }, breakpoints: [{ line }] });
    await dc.request('configurationDone');
    await launched;
    const e = await stop;
    const ms = performance.now() - t0;
    if (e.body?.reason !== 'breakpoint') throw new Error(`stopped for ${String(e.body?.reason)}, not at the breakpoint`);
    const top = await dc.request('stackTrace', { threadId: Number(e.body?.threadId ?? 1), startFrame: 0, levels: 1 });
    const frame = ((top.body?.stackFrames ?? []) as { name: string; line: number }[])[0];
    if (!/\bmain\b/.test(frame?.name ?? '') || frame.line !== line) throw new Error(`stopped in ${frame?.name ?? '?'} at line ${frame?.line}, not at main.c:${line}`);
    return { total: ms, adapter: t0 + ms - tBuilt };
  } finally {
    await dc.close();
  }
}

export const f5: Measure = {
  name: 'f5',
  rows: [
    { name: 'f5-new-project-warm-cache', unit: 'ms' },
    { name: 'f5-adapter-to-main', unit: 'ms' },
  ],
  async run(ctx: Context): Promise<Row[]> {
    if (!fs.existsSync(CLI) || !fs.existsSync(ADAPTER)) return f5.rows.map((r) => naRow(r.name, r.unit, 'dist/ not built (node scripts/build.mjs)'));
    const dir = path.join(ctx.tmp, 'f5-bench');
    const env = { ...process.env, MINNOW_KERNEL: path.join(REPO, 'kernel'), MINNOW_BUILD_CACHE: path.join(dir, 'cache') };
    // an earlier project fills the cache
    await cli(['new', 'threads', path.join(dir, 'first')], env);
    await cli(['build', path.join(dir, 'first')], env);
    const total: number[] = [];
    const adapter: number[] = [];
    for (let i = 0; i < ctx.runs(5); i++) {
      const app = path.join(dir, `new-${i}`);
      await cli(['new', 'threads', app], env);
      const r = await pressF5(app, env);
      total.push(r.total);
      adapter.push(r.adapter);
    }
    return [
      row({ name: 'f5-new-project-warm-cache', unit: 'ms', samples: total, note: 'minnow new threads; build task (in-process build, as the extension runs it) + adapter: launch build:false → stopped at a breakpoint in main, TCG' }),
      row({ name: 'f5-adapter-to-main', unit: 'ms', samples: adapter, note: 'its second part: the build done → stopped in main (QEMU boot, gdb attach; the adapter and gdb started during the build)' }),
    ];
  },
};
