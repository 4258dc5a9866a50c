// The web server benchmark (bench/measures/web.ts, issue 10) in its --quick form, for real:
// Minnow's examples/webserver under QEMU, the Linux microVM peer on the same QEMU, and busybox
// httpd on the host, each serving the folder the benchmark writes, measured with wrk. Every row
// must have figures for every side (the host has no image or guest memory), and a ratio against
// Linux; which goals are met is not checked: speed belongs to `npm run bench`.

import { strict as assert } from 'node:assert';
import { runBench } from './runBench';

const ROWS = [
  'web-boot-to-200',
  'web-rps-1k-c1',
  'web-rps-1k-c32',
  'web-rps-1k-c32-close',
  'web-rps-64k-c1',
  'web-rps-64k-c32',
  'web-rps-64k-c32-close',
  'web-p99-1k-c32',
  'web-p99-64k-c32',
  'web-image-size',
  'web-min-memory',
];
const GUEST_ONLY = new Set(['web-image-size', 'web-min-memory']);

type Cell = { min: number; median: number; max: number; runs: number } | { na: string };
interface PeerRow {
  section: string;
  name: string;
  cells: Record<'minnow' | 'linux' | 'host', Cell>;
  ratio: number | null;
  goal: string | null;
  met: boolean | null;
  note: string | null;
}

describe('npm run bench --quick --only web', function () {
  this.timeout(300_000);
  let stdout: string;
  let rows: PeerRow[];

  before(() => {
    const r = runBench<{ peer: PeerRow[] }>(['--quick', '--only', 'web'], 280_000);
    stdout = r.stdout;
    rows = r.json.peer;
  });

  it('measures every row on Minnow, the Linux microVM and the host', () => {
    assert.deepEqual(rows.map((r) => `${r.section}/${r.name}`), ROWS.map((n) => `web/${n}`));
    for (const r of rows) {
      for (const side of ['minnow', 'linux', 'host'] as const) {
        const c = r.cells[side];
        if (side === 'host' && GUEST_ONLY.has(r.name)) {
          assert.ok('na' in c && /host process/.test(c.na), `${r.name}: the host has no ${r.name}: ${JSON.stringify(c)}`);
          continue;
        }
        assert.ok(!('na' in c), `${r.name} on ${side}: ${JSON.stringify(c)}`);
        assert.ok(Number.isFinite(c.median) && c.median > 0 && c.runs >= 1, `${r.name} on ${side}: ${JSON.stringify(c)}`);
      }
      assert.ok(r.ratio !== null && r.ratio > 0, `${r.name}: no Minnow ÷ Linux ratio`);
      if (r.goal !== null) assert.equal(typeof r.met, 'boolean', `${r.name}: goal ${r.goal} neither met nor missed`);
    }
  });

  it('says how each side reaches the folder, and prints the side-by-side table', () => {
    const boot = rows.find((r) => r.name === 'web-boot-to-200')!;
    assert.match(boot.note ?? '', /minnow: examples\/webserver over its minnow\.json mount \(virtio-9p/);
    assert.match(boot.note ?? '', /linux: busybox httpd over (a read-only virtio-9p share|a copy of the folder in its initramfs)/);
    assert.match(stdout, /^measure +\| unit +\| Minnow +\| Linux microVM +\| host +\| Minnow ÷ Linux \| goal +\| met$/m);
    for (const name of ROWS) assert.match(stdout, new RegExp(`^${name} +\\|`, 'm'), `no row ${name}`);
  });
});
