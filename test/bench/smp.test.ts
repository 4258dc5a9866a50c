// The SMP benchmark (bench/measures/smp.ts and peer-smp.ts, issue 11) in its --quick form, for
// real: bench/apps/smp booted on 1, 2 and 4 CPUs under TCG (thread=multi when there are several),
// and the cross-CPU round trip on Minnow, in the Linux microVM peer (-smp 2) and on the host.
// Every row must have figures, the CPU rows a baseline from the same run (one CPU) and a ratio,
// the side-by-side rows a figure in every column, and the speed-up notes must name the host's
// core count; the guests check their own answers (every message, the prime count) and a wrong one
// fails the boot. The figures themselves belong to `npm run bench`.

import { strict as assert } from 'node:assert';
import * as os from 'node:os';
import { runBench } from './runBench';

const ROWS = ['smp-rtt', 'smp-rtt-poll', 'smp-channel-tput', 'smp-job-1cpu', 'smp-job-2cpu', 'smp-job-4cpu'];
const WITH_BASELINE = new Set(['smp-rtt', 'smp-rtt-poll', 'smp-channel-tput', 'smp-job-2cpu', 'smp-job-4cpu']);

type Cell = { median: number; runs: number } | { na: string };
interface PeerRow {
  section: string;
  name: string;
  cells: Record<'minnow' | 'linux' | 'host', Cell>;
  ratio: number | null;
}

interface Result {
  name: string;
  median: number | null;
  runs: number;
  baseline: string | null;
  baselineMedian: number | null;
  ratio: number | null;
  note: string | null;
}

describe('npm run bench --quick --only smp,peer-smp', function () {
  this.timeout(600_000);
  let stdout: string;
  let rows: Result[];
  let peer: PeerRow[];

  before(() => {
    const r = runBench<{ results: Result[]; peer: PeerRow[] }>(['--quick', '--only', 'smp,peer-smp'], 580_000);
    stdout = r.stdout;
    rows = r.json.results;
    peer = r.json.peer;
  });

  it('measures every row, each CPU row against one CPU in the same run', () => {
    assert.deepEqual(rows.map((r) => r.name), ROWS);
    for (const r of rows) {
      assert.ok(r.median !== null && r.median > 0 && r.runs >= 1, `${r.name}: ${JSON.stringify(r)}`);
      if (!WITH_BASELINE.has(r.name)) continue;
      assert.ok(r.baselineMedian !== null && r.baselineMedian > 0 && r.ratio !== null && r.ratio > 0, `${r.name}: no baseline: ${JSON.stringify(r)}`);
      assert.match(r.baseline ?? '', /CPU 0|1 CPU/);
    }
  });

  it('prints the speed-up with the host core count beside it', () => {
    const cores = os.cpus().length;
    for (const name of ['smp-job-2cpu', 'smp-job-4cpu']) {
      const note = rows.find((r) => r.name === name)?.note ?? '';
      assert.match(note, new RegExp(`^speed-up \\d+\\.\\d\\d× .*thread=multi on a ${cores}-core host`), `${name}: ${note}`);
      assert.match(stdout, new RegExp(`^  ${name}: speed-up`, 'm'));
    }
  });

  it('measures the round trip between two CPUs on Minnow, the Linux microVM and the host', () => {
    assert.deepEqual(peer.map((r) => `${r.section}/${r.name}`), ['peer-smp/smp-rtt-2cpu', 'peer-smp/smp-rtt-poll-2cpu']);
    for (const r of peer) {
      for (const side of ['minnow', 'linux', 'host'] as const) {
        const c = r.cells[side];
        assert.ok(!('na' in c) && c.median > 0 && c.runs >= 1, `${r.name} on ${side}: ${JSON.stringify(c)}`);
      }
      assert.ok(r.ratio !== null && r.ratio > 0, `${r.name}: no Minnow ÷ Linux ratio`);
    }
    assert.match(stdout, /^Linux microVM peer: a message to another CPU and back \(issue 11\)$/m);
  });
});
