// examples/intercore through `minnow run` under TCG on 4 CPUs (its minnow.json), 2 and 1
// (--cpus): the summary must be exactly the text the example promises for that CPU count (the
// prime counts computed here, on the host, independently of the guest) and the exit code 0.
// Run twice on 4 CPUs: the interleaving differs between runs, the output may not.

import assert from 'node:assert/strict';
import { appFrom, cleanupTmp, cli, killStragglers } from './helpers';

const JOBS = 20;
const BLOCK = 5000;

function primesIn(first: number, last: number): number {
  let count = 0;
  for (let n = Math.max(first, 2); n < last; n++) {
    let prime = true;
    for (let d = 2; d * d <= n && prime; d++) prime = n % d !== 0;
    if (prime) count++;
  }
  return count;
}

/** The console of examples/intercore on `cpus` CPUs: CPU 0 dispatches, worker k is on CPU k. */
function expected(cpus: number): string {
  const workers = cpus > 1 ? cpus - 1 : 1;
  const cpuOf = (w: number): number => (cpus > 1 ? w + 1 : 0);
  const lines = [`intercore: ${cpus} CPU${cpus === 1 ? '' : 's'}, ${workers} worker${workers === 1 ? '' : 's'}, ${JOBS} jobs`];
  for (let w = 0; w < workers; w++) {
    lines.push(`CPU 0 -> CPU ${cpuOf(w)}: ping`, `CPU ${cpuOf(w)} -> CPU 0: pong from worker-${w + 1}`);
  }
  for (let w = 0; w < workers; w++) {
    const jobs = Array.from({ length: JOBS }, (_, j) => j).filter((j) => j % workers === w).length;
    lines.push(`worker-${w + 1} on CPU ${cpuOf(w)} did ${jobs} jobs`);
  }
  let total = 0;
  for (let j = 0; j < JOBS; j++) {
    const first = j * BLOCK;
    const last = first + BLOCK;
    const primes = primesIn(first, last);
    total += primes;
    lines.push(`job ${String(j).padStart(2)}: primes in [${String(first).padStart(6)}, ${String(last).padStart(6)}): ${String(primes).padStart(3)}, on CPU ${cpuOf(j % workers)}`);
  }
  lines.push(`primes below ${JOBS * BLOCK}: ${total} (expected 9592)`, 'intercore: ok');
  return `${lines.join('\n')}\n`;
}

describe('examples/intercore: CPUs pass work and results through channels', function () {
  this.timeout(300000);
  let app: string;
  before(() => {
    app = appFrom('intercore');
  });
  after(() => {
    killStragglers();
    cleanupTmp();
  });

  it('on 4 CPUs (its minnow.json) three workers on CPUs 1-3 answer; the same summary on every run, exit 0', async () => {
    const want = expected(4);
    assert.match(want, /^primes below 100000: 9592 \(expected 9592\)$/m, 'the host count agrees with pi(100000)');
    for (let run = 0; run < 2; run++) {
      const r = await cli(['run', app, '--accel', 'tcg'], { timeoutMs: 280000 });
      assert.equal(r.stdout, want, `run ${run + 1}: ${r.stderr}`);
      assert.equal(r.code, 0, r.stderr);
    }
  });

  it('on 2 CPUs (--cpus 2) one worker on CPU 1 does every job', async () => {
    const r = await cli(['run', app, '--accel', 'tcg', '--cpus', '2', '--no-build'], { timeoutMs: 280000 });
    assert.equal(r.stdout, expected(2), r.stderr);
    assert.equal(r.code, 0, r.stderr);
  });

  it('on 1 CPU (--cpus 1) the worker shares CPU 0 with main and the channels still carry everything', async () => {
    const r = await cli(['run', app, '--accel', 'tcg', '--cpus', '1', '--no-build'], { timeoutMs: 280000 });
    assert.equal(r.stdout, expected(1), r.stderr);
    assert.equal(r.code, 0, r.stderr);
  });
});
