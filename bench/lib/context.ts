// What every measure gets: how many runs to make, a scratch folder, a log for progress lines
// (stderr, so that stdout carries only the table), and the shared builds.

import * as path from 'node:path';
import type { Row } from './stats';

export const REPO = path.resolve(__dirname, '..', '..');

export interface Context {
  /** --quick: one run of everything (the smoke test). */
  quick: boolean;
  /** Scratch folder of this run, removed at the end. */
  tmp: string;
  /** The number of runs: `full` normally, 1 with --quick. */
  runs(full: number): number;
  log(text: string): void;
}

export interface Measure {
  /** Group name for --only (each row name is accepted too). */
  name: string;
  /** The rows it produces, in order (also the names printed when it cannot run). */
  rows: readonly { name: string; unit: string }[];
  run(ctx: Context): Promise<Row[]>;
}
