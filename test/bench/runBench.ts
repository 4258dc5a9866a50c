// Runs `bench/run.ts` as `npm run bench` does (without the build step, which the test suite has
// done) with its JSON written into a scratch folder; the tests of test/bench read both.

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const REPO = path.resolve(__dirname, '..', '..');

/** stdout and the parsed results.json of one run; fails the test when the run does. */
export function runBench<T>(args: readonly string[], timeoutMs: number): { stdout: string; json: T } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'minnow-bench-test-'));
  try {
    const out = path.join(dir, 'results.json');
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', ...args, '--out', out], { cwd: REPO, encoding: 'utf8', timeout: timeoutMs });
    assert.equal(r.status, 0, `bench ${args.join(' ')} exited with ${r.status}${r.signal ? ` (${r.signal})` : ''}:\n${r.stdout}\n${r.stderr}`);
    return { stdout: r.stdout, json: JSON.parse(fs.readFileSync(out, 'utf8')) as T };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
