// One row of the benchmark table and the arithmetic behind it. Every figure is a set of samples
// summarised by min / median / max; a row with a baseline also has the baseline's median from the
// same run and the ratio median / baseline median. A row whose prerequisite is missing carries
// the reason instead of figures (never a made-up number).

import { GOALS } from './goals';

export type Better = 'lower' | 'higher';

export interface Goal {
  /** As printed, e.g. "≤ 1.10× floor", "≤ 64 KB". */
  text: string;
  /** Compares either the ratio or the median against a limit. */
  on: 'ratio' | 'median';
  limit: number;
}

export interface Row {
  name: string;
  unit: string;
  min: number | null;
  median: number | null;
  max: number | null;
  /** What the baseline is, e.g. "empty PVH ELF", "QEMU gdbstub". */
  baseline: string | null;
  baselineMedian: number | null;
  ratio: number | null;
  runs: number;
  goal: string | null;
  met: boolean | null;
  /** Why there are no figures ("n/a (...)"), or a remark on them. */
  note: string | null;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function goalMet(goal: Goal, better: Better, value: number): boolean {
  return better === 'lower' ? value <= goal.limit : value >= goal.limit;
}

export interface RowInput {
  name: string;
  unit: string;
  samples: readonly number[];
  baseline?: { what: string; samples: readonly number[] };
  /** Which direction is good (for goals); default lower. */
  better?: Better;
  note?: string;
}

export function row(input: RowInput): Row {
  const { samples } = input;
  if (samples.length === 0) return naRow(input.name, input.unit, 'no samples');
  const med = median(samples);
  const baseMed = input.baseline && input.baseline.samples.length > 0 ? median(input.baseline.samples) : null;
  const ratio = baseMed !== null && baseMed !== 0 ? med / baseMed : null;
  const goal = GOALS[input.name];
  let met: boolean | null = null;
  if (goal) {
    const value = goal.on === 'ratio' ? ratio : med;
    met = value === null ? null : goalMet(goal, input.better ?? 'lower', value);
  }
  return {
    name: input.name,
    unit: input.unit,
    min: Math.min(...samples),
    median: med,
    max: Math.max(...samples),
    baseline: input.baseline?.what ?? null,
    baselineMedian: baseMed,
    ratio,
    runs: samples.length,
    goal: goal?.text ?? null,
    met,
    note: input.note ?? null,
  };
}

/** A row without figures: the prerequisite is missing or the measurement failed. */
export function naRow(name: string, unit: string, reason: string): Row {
  const goal = GOALS[name];
  return {
    name,
    unit,
    min: null,
    median: null,
    max: null,
    baseline: null,
    baselineMedian: null,
    ratio: null,
    runs: 0,
    goal: goal?.text ?? null,
    met: null,
    note: `n/a (${reason})`,
  };
}
