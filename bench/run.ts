// `npm run bench`: builds what the measures need, runs each several times, prints one table
// (stdout) and writes bench/results.json. Progress goes to stderr.
//   --quick         one run of everything (used by test/bench)
//   --only a,b      only these measures (group names, or row names) — repeatable
//   --out <file>    where to write the JSON (default bench/results.json)
//   --md <file>     also write the table as Markdown with the anchors (for bench/RESULTS.md)
// After the table come the side-by-side sections against the Linux microVM peer (Minnow | Linux
// microVM | host; bench/measures/peer.ts). They boot Linux under TCG several times and take
// minutes, so --quick leaves them out unless --only names them (web, peer-echo, peer-files, peer-smp).
// A measure that cannot run (its prerequisite is not in the repository yet, or it failed)
// gives "n/a (reason)" rows; the others still run. Every child process group is killed at the end,
// and when the run is stopped by SIGINT, SIGTERM or SIGHUP.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { killAllChildren } from '../target';
import { REPO, type Context, type Measure } from './lib/context';
import { killAllGroups, killAllGroupsAndWait } from './lib/proc';
import { naRow, type Row } from './lib/stats';
import { ANCHORS } from './lib/anchors';
import { renderMarkdown, renderTable } from './lib/table';
import { COMPARISONS, MEASURES } from './measures';
import { naCompareRow, renderCompare, renderCompareMarkdown, type CompareMeasure, type CompareRow } from './lib/compare';

interface Options {
  quick: boolean;
  only: string[];
  out: string;
  md?: string;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { quick: false, only: [], out: path.join(REPO, 'bench', 'results.json') };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') o.quick = true;
    else if (a === '--only' && argv[i + 1]) o.only.push(...argv[++i].split(',').filter(Boolean));
    else if (a === '--out' && argv[i + 1]) o.out = path.resolve(argv[++i]);
    else if (a === '--md' && argv[i + 1]) o.md = path.resolve(argv[++i]);
    else throw new Error(`unknown argument ${a}; usage: bench/run.ts [--quick] [--only name[,name]] [--out file] [--md file]`);
  }
  return o;
}

/** The measures to run and, for a group picked by one of its rows, which rows to keep. */
function select(only: string[]): { measure: Measure; keep: (name: string) => boolean }[] {
  if (only.length === 0) return MEASURES.map((measure) => ({ measure, keep: () => true }));
  const known = new Set([...MEASURES, ...COMPARISONS].flatMap((m) => [m.name, ...m.rows.map((r) => r.name)]));
  const unknown = only.filter((n) => !known.has(n));
  if (unknown.length) throw new Error(`unknown measure ${unknown.join(', ')}; known: ${[...known].join(', ')}`);
  return MEASURES.filter((m) => only.includes(m.name) || m.rows.some((r) => only.includes(r.name))).map((measure) => ({
    measure,
    keep: (name: string) => only.includes(measure.name) || only.includes(name),
  }));
}

/** The side-by-side sections to run: all of them in a full run, only those named otherwise. */
function selectComparisons(opts: Options): { measure: CompareMeasure; keep: (name: string) => boolean }[] {
  if (opts.only.length === 0) return opts.quick ? [] : COMPARISONS.map((measure) => ({ measure, keep: () => true }));
  return COMPARISONS.filter((m) => opts.only.includes(m.name) || m.rows.some((r) => opts.only.includes(r.name))).map((measure) => ({
    measure,
    keep: (name: string) => opts.only.includes(measure.name) || opts.only.includes(name),
  }));
}

/**
 * Runs one group; a group that throws gives rows without figures (from `na`) so the others still
 * run. Every child process is killed afterwards.
 */
async function runGroup<R>(ctx: Context, m: { name: string; rows: readonly { name: string; unit: string }[]; run(ctx: Context): Promise<R[]> }, na: (name: string, unit: string, reason: string) => R): Promise<R[]> {
  const t0 = performance.now();
  ctx.log(`bench: ${m.name}…`);
  try {
    const rows = await m.run(ctx);
    ctx.log(`bench: ${m.name} done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    return rows;
  } catch (e) {
    const msg = (e as Error).message ?? String(e);
    ctx.log(`bench: ${m.name} failed: ${msg}`);
    return m.rows.map((r) => na(r.name, r.unit, `failed: ${msg.split('\n')[0].slice(0, 120)}`));
  } finally {
    killAllChildren();
    killAllGroups();
  }
}

// A promise a failed measure left behind must not end the whole run.
process.on('unhandledRejection', (e) => process.stderr.write(`bench: (ignored) ${(e as Error)?.message ?? String(e)}\n`));

/** the run's scratch folder, removed however the run ends */
let scratch: string | undefined;
/** a signal came: the run writes no results and leaves the exit to stopWithChildren */
let stopping = false;

/**
 * Stopped from outside (Ctrl-C, a CI runner's SIGTERM, a closed terminal): every VM and child dies
 * with the run. Node's default for these signals ends the process without its 'exit' handlers,
 * and the children, each in a process group of its own, get no signal and run on (a Linux peer
 * QEMU was once left behind). Exits as a process killed by the signal is seen to (128 + n).
 */
function stopWithChildren(sig: NodeJS.Signals): void {
  const code = 128 + os.constants.signals[sig];
  killAllChildren();
  if (stopping) process.exit(code); // a second Ctrl-C does not wait
  stopping = true;
  process.stderr.write(`bench: stopped by ${sig}; killing its QEMU and other children\n`);
  void killAllGroupsAndWait(2000).then(() => {
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
    process.exit(code);
  });
}
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => stopWithChildren(sig));

/** QEMU's version and the commit measured, for the header line. */
function provenance(): string {
  const qemu = spawnSync('qemu-system-x86_64', ['--version'], { encoding: 'utf8' }).stdout?.split('\n')[0] ?? '';
  const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO, encoding: 'utf8' }).stdout?.trim() ?? '?';
  const dirty = spawnSync('git', ['status', '--porcelain', '--', 'kernel', 'examples', 'debug-adapter'], { cwd: REPO, encoding: 'utf8' }).stdout?.trim();
  return `${qemu.replace(/^QEMU emulator version /, 'QEMU ')} TCG, commit ${commit}${dirty ? ' + uncommitted changes' : ''}`;
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'minnow-bench-'));
  scratch = tmp;
  const ctx: Context = {
    quick: opts.quick,
    tmp,
    runs: (full) => (opts.quick ? 1 : full),
    log: (text) => process.stderr.write(`${text}\n`),
  };
  const started = new Date();
  const loadBefore = os.loadavg()[0];
  const rows: Row[] = [];
  const sections: { measure: CompareMeasure; rows: CompareRow[] }[] = [];
  try {
    for (const { measure, keep } of select(opts.only)) {
      if (stopping) break;
      rows.push(...(await runGroup(ctx, measure, naRow)).filter((r) => keep(r.name)));
    }
    for (const { measure, keep } of selectComparisons(opts)) {
      if (stopping) break;
      sections.push({ measure, rows: (await runGroup(ctx, measure, naCompareRow)).filter((r) => keep(r.name)) });
    }
  } finally {
    killAllChildren();
    killAllGroups();
    if (!stopping) fs.rmSync(tmp, { recursive: true, force: true });
  }
  // the measure the signal cut short gave n/a rows: no table, and results.json is left as it was
  if (stopping) return new Promise<never>(() => undefined);
  const header = `Minnow benchmarks, ${started.toISOString()}, ${os.cpus().length} cores, ${provenance()}, ${opts.quick ? 'quick (1 run each)' : 'full'}, load average ${loadBefore.toFixed(1)} → ${os.loadavg()[0].toFixed(1)}`;
  const tables = [...(rows.length ? [renderTable(rows)] : []), ...sections.map((s) => renderCompare(s.measure.title, s.rows))];
  process.stdout.write(`${header}\n\n${tables.join('\n\n')}\n`);
  const json = rows.map(({ name, unit, min, median, max, baselineMedian, ratio, runs, goal, met, baseline, note }) => ({
    name, unit, min, median, max, baselineMedian, ratio, runs, goal, met, baseline, note,
  }));
  const peer = sections.flatMap((s) => s.rows.map((r) => ({ section: s.measure.name, ...r })));
  fs.writeFileSync(opts.out, `${JSON.stringify({ date: started.toISOString(), quick: opts.quick, results: json, peer }, null, 2)}\n`);
  process.stderr.write(`bench: wrote ${path.relative(process.cwd(), opts.out) || opts.out}\n`);
  if (opts.md) {
    const md = [...(rows.length ? [renderMarkdown(rows, ANCHORS)] : []), ...sections.map((s) => renderCompareMarkdown(s.measure.title, s.rows))];
    fs.writeFileSync(opts.md, `${header}\n\n${md.join('\n\n')}\n`);
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    killAllChildren();
    killAllGroups();
    if (stopping) return; // stopWithChildren exits
    process.stderr.write(`bench: ${(e as Error).message ?? String(e)}\n`);
    process.exit(1);
  },
);
