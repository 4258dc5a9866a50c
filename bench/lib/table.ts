// The one table `npm run bench` prints: a row per measure, min / median / max, the baseline's
// median from the same run, the ratio, the goal and a plain "met" / "MISSED". Rows without
// figures say "n/a (reason)" across the figure columns.

import type { Row } from './stats';

/** Three significant digits for small values, none after the point for large ones. */
export function fmt(v: number | null): string {
  if (v === null) return '–';
  const a = Math.abs(v);
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  return v.toPrecision(3);
}

function metText(r: Row): string {
  if (r.goal === null) return '';
  if (r.met === null) return 'n/a';
  return r.met ? 'met' : 'MISSED';
}

function cells(r: Row): string[] {
  const base = r.baseline === null ? '–' : `${fmt(r.baselineMedian)} (${r.baseline})`;
  const ratio = r.ratio === null ? '–' : `${r.ratio.toFixed(2)}×`;
  if (r.median === null) {
    return [r.name, r.unit, r.note ?? 'n/a', '', '', '', '', r.goal ?? '', metText(r), '0'];
  }
  return [r.name, r.unit, fmt(r.min), fmt(r.median), fmt(r.max), base, ratio, r.goal ?? '', metText(r), String(r.runs)];
}

const HEAD = ['measure', 'unit', 'min', 'median', 'max', 'baseline median', 'ratio', 'goal', 'met', 'runs'];
/** Columns whose figures are right-aligned. */
const NUMERIC = new Set([2, 3, 4, 6, 9]);

export function renderTable(rows: readonly Row[]): string {
  const body = rows.map(cells);
  // An n/a reason spans the figure columns: it does not widen "min".
  const width = HEAD.map((h, i) =>
    Math.max(h.length, ...body.filter((c, j) => !(i === 2 && rows[j].median === null)).map((c) => c[i].length)),
  );
  const line = (c: string[], j?: number): string =>
    c
      .map((s, i) => {
        if (i === 2 && j !== undefined && rows[j].median === null) return s.padEnd(width[2] + width[3] + width[4] + width[5] + width[6] + 12);
        if (j !== undefined && rows[j].median === null && i > 2 && i < 7) return null;
        return NUMERIC.has(i) ? s.padStart(width[i]) : s.padEnd(width[i]);
      })
      .filter((s): s is string => s !== null)
      .join(' | ')
      .trimEnd();
  const rule = width.map((w) => '-'.repeat(w)).join('-|-');
  const notes = rows.filter((r) => r.median !== null && r.note).map((r) => `  ${r.name}: ${r.note}`);
  return [line(HEAD), rule, ...body.map((c, j) => line(c, j)), ...(notes.length ? ['', 'notes:', ...notes] : [])].join('\n');
}

/** The same rows as a Markdown table with an anchor column (for bench/RESULTS.md). */
export function renderMarkdown(rows: readonly Row[], anchors: Readonly<Record<string, string>>): string {
  const head = ['measure', 'unit', 'min', 'median', 'max', 'baseline median', 'ratio', 'goal', 'met', 'runs', 'anchor'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of rows) {
    const c = cells(r);
    if (r.median === null) c.splice(2, 5, r.note ?? 'n/a', '', '', '', '');
    lines.push(`| ${[...c, anchors[r.name] ?? ''].map((s) => s.replace(/\|/g, '\\|')).join(' | ')} |`);
  }
  return lines.join('\n');
}
