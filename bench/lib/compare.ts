// Side-by-side tables (issues 10, 14 and 15): one row per figure, one column per system that
// serves it — Minnow, the Linux microVM peer on the same QEMU, and the host itself (the limit) —
// each cell the median of its samples with min–max, or the reason it has none. The goal compares
// Minnow with the Linux microVM: ratio = Minnow median / Linux median.

import type { Context } from './context';
import { median, type Better } from './stats';
import { fmt } from './table';

export const COLUMNS = ['minnow', 'linux', 'host'] as const;
export type Column = (typeof COLUMNS)[number];
const TITLES: Readonly<Record<Column, string>> = { minnow: 'Minnow', linux: 'Linux microVM', host: 'host' };

export type Cell = { min: number; median: number; max: number; runs: number } | { na: string };

export interface CompareGoal {
  text: string;
  /** Minnow ÷ Linux must be ≤ limit (better lower) or ≥ limit (better higher). */
  limit: number;
}

export interface CompareRow {
  name: string;
  unit: string;
  better: Better;
  cells: Record<Column, Cell>;
  ratio: number | null;
  goal: string | null;
  met: boolean | null;
  note: string | null;
}

/** A cell from samples, or from the reason there are none. */
export function cell(samples: readonly number[] | string): Cell {
  if (typeof samples === 'string') return { na: samples };
  if (samples.length === 0) return { na: 'no samples' };
  return { min: Math.min(...samples), median: median(samples), max: Math.max(...samples), runs: samples.length };
}

const med = (c: Cell): number | null => ('na' in c ? null : c.median);

export function compareRow(input: { name: string; unit: string; better: Better; cells: Record<Column, Cell>; goal?: CompareGoal; note?: string }): CompareRow {
  const m = med(input.cells.minnow);
  const l = med(input.cells.linux);
  const ratio = m !== null && l !== null && l !== 0 ? m / l : null;
  let met: boolean | null = null;
  if (input.goal && ratio !== null) met = input.better === 'lower' ? ratio <= input.goal.limit : ratio >= input.goal.limit;
  return { name: input.name, unit: input.unit, better: input.better, cells: input.cells, ratio, goal: input.goal?.text ?? null, met, note: input.note ?? null };
}

/** Every cell of `row` replaced by a reason (the measurement failed or cannot run). */
export function naCompareRow(name: string, unit: string, reason: string): CompareRow {
  const na = { na: reason };
  return compareRow({ name, unit, better: 'lower', cells: { minnow: na, linux: na, host: na } });
}

function cellText(c: Cell): string {
  if ('na' in c) return c.na;
  return c.runs > 1 && c.min !== c.max ? `${fmt(c.median)} (${fmt(c.min)}–${fmt(c.max)})` : fmt(c.median);
}

function cells(r: CompareRow): string[] {
  const met = r.goal === null ? '' : r.met === null ? 'n/a' : r.met ? 'met' : 'MISSED';
  return [r.name, r.unit, ...COLUMNS.map((c) => cellText(r.cells[c])), r.ratio === null ? '–' : `${r.ratio.toFixed(2)}×`, r.goal ?? '', met];
}

const HEAD = ['measure', 'unit', ...COLUMNS.map((c) => TITLES[c]), 'Minnow ÷ Linux', 'goal', 'met'];

/** The section as plain text: a title line, the table, then the rows' notes. */
export function renderCompare(title: string, rows: readonly CompareRow[]): string {
  const body = rows.map(cells);
  const width = HEAD.map((h, i) => Math.max(h.length, ...body.map((c) => c[i].length)));
  const line = (c: string[]): string => c.map((s, i) => s.padEnd(width[i])).join(' | ').trimEnd();
  const notes = rows.filter((r) => r.note).map((r) => `  ${r.name}: ${r.note}`);
  return [title, '', line(HEAD), width.map((w) => '-'.repeat(w)).join('-|-'), ...body.map(line), ...(notes.length ? ['', 'notes:', ...notes] : [])].join('\n');
}

/** The same section in Markdown (for bench/RESULTS.md). */
export function renderCompareMarkdown(title: string, rows: readonly CompareRow[]): string {
  const esc = (s: string): string => s.replace(/\|/g, '\\|');
  const lines = [`### ${title}`, '', `| ${HEAD.join(' | ')} |`, `|${HEAD.map(() => '---').join('|')}|`];
  for (const r of rows) lines.push(`| ${cells(r).map(esc).join(' | ')} |`);
  const notes = rows.filter((r) => r.note).map((r) => `- **${r.name}**: ${esc(r.note!)}`);
  return [...lines, ...(notes.length ? ['', ...notes] : [])].join('\n');
}

/** A side-by-side section of `npm run bench` (bench/measures/index.ts, COMPARISONS). */
export interface CompareMeasure {
  /** Group name for --only. */
  name: string;
  title: string;
  rows: readonly { name: string; unit: string }[];
  run(ctx: Context): Promise<CompareRow[]>;
}

/** Minnow ÷ Linux must be at most a 20th (issue 10's boot, image and memory goals). */
export const GOAL_20TH: CompareGoal = { text: '≤ 0.05× Linux', limit: 0.05 };
export const GOAL_AT_LEAST: CompareGoal = { text: '≥ 1.00× Linux', limit: 1 };
export const GOAL_AT_MOST: CompareGoal = { text: '≤ 1.00× Linux', limit: 1 };

/** A side to measure, or the reason its column stays empty. */
export type Maybe<T> = T | { missing: string };
const isMissing = <T>(s: Maybe<T>): s is { missing: string } => typeof s === 'object' && s !== null && 'missing' in s;

/**
 * Measures one column with `f`: its figures, or the reason there are none as a string (the side
 * is missing, or `f` threw: the other columns are still measured).
 */
export async function attempt<T>(ctx: Context, label: string, side: Maybe<T>, f: (s: T) => Promise<unknown>): Promise<unknown> {
  if (isMissing(side)) return side.missing;
  try {
    return await f(side);
  } catch (e) {
    const msg = (e as Error).message ?? String(e);
    ctx.log(`  ${label} failed: ${msg}`);
    return `failed: ${msg.split('\n')[0].slice(0, 120)}`;
  }
}

/** One cell per column: `pick` of its figures, or its reason for having none. */
export function perColumn<T>(results: Record<Column, unknown>, pick: (r: T) => Cell): Record<Column, Cell> {
  const out = {} as Record<Column, Cell>;
  for (const c of COLUMNS) out[c] = typeof results[c] === 'string' ? { na: results[c] as string } : pick(results[c] as T);
  return out;
}
