// Smoke test of `npm run bench`: a --quick run of a few cheap measures must print the table and
// write the JSON with the expected measure names. Figures are not checked: timing belongs to the
// benchmark, not to the tests.

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const REPO = path.resolve(__dirname, '..', '..');
const NAMES = ['hello-elf-file', 'hello-elf-stripped', 'hello-loaded', 'thread-switch'];
const KEYS = ['name', 'unit', 'min', 'median', 'max', 'baselineMedian', 'ratio', 'runs', 'goal', 'met'];

describe('npm run bench --quick', function () {
  this.timeout(300_000);
  let dir: string;
  let stdout: string;
  let results: { results: Record<string, unknown>[] };

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'minnow-bench-test-'));
    const out = path.join(dir, 'results.json');
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--quick', '--only', 'size,threads', '--out', out], {
      cwd: REPO,
      encoding: 'utf8',
      timeout: 280_000,
    });
    assert.equal(r.status, 0, `bench exited with ${r.status}:\n${r.stdout}\n${r.stderr}`);
    stdout = r.stdout;
    results = JSON.parse(fs.readFileSync(out, 'utf8'));
  });

  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('prints one table with the columns and a row per measure', () => {
    assert.match(stdout, /^measure +\| unit +\| +min \| median \| +max \| baseline median +\| +ratio \| goal +\| met +\| runs$/m);
    for (const name of NAMES) assert.match(stdout, new RegExp(`^${name} +\\|`, 'm'), `no row ${name}`);
  });

  it('writes results.json with one object per measure', () => {
    assert.deepEqual(results.results.map((r) => r.name), NAMES);
    for (const r of results.results) for (const k of KEYS) assert.ok(k in r, `${String(r.name)} has no ${k}`);
  });
});
