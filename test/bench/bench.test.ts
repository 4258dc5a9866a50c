// Smoke test of `npm run bench`: a --quick run of a few cheap measures must print the table and
// write the JSON with the expected measure names. Figures are not checked: timing belongs to the
// benchmark, not to the tests.

import { strict as assert } from 'node:assert';
import { runBench } from './runBench';

const NAMES = ['hello-elf-file', 'hello-elf-stripped', 'hello-loaded', 'thread-switch'];
const KEYS = ['name', 'unit', 'min', 'median', 'max', 'baselineMedian', 'ratio', 'runs', 'goal', 'met'];

describe('npm run bench --quick', function () {
  this.timeout(300_000);
  let stdout: string;
  let results: { results: Record<string, unknown>[] };

  before(() => {
    ({ stdout, json: results } = runBench<{ results: Record<string, unknown>[] }>(['--quick', '--only', 'size,threads'], 280_000));
  });

  it('prints one table with the columns and a row per measure', () => {
    assert.match(stdout, /^measure +\| unit +\| +min \| median \| +max \| baseline median +\| +ratio \| goal +\| met +\| runs$/m);
    for (const name of NAMES) assert.match(stdout, new RegExp(`^${name} +\\|`, 'm'), `no row ${name}`);
  });

  it('writes results.json with one object per measure', () => {
    assert.deepEqual(results.results.map((r) => r.name), NAMES);
    for (const r of results.results) for (const k of KEYS) assert.ok(k in r, `${String(r.name)} has no ${k}`);
  });
});
