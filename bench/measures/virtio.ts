// virtio-blk sequential throughput on microvm (TCG): examples/blk's own bench mode writes (and
// flushes) then reads N MiB in 1 MiB requests; the host then writes (+fsync) and reads the same
// image file, in the same run — the baseline. The measurement itself is bench/virtio.ts (the
// VIRTIO helper's), which also prints microvm and q35 side by side when run alone.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildOnce } from '../lib/apps';
import type { Measure } from '../lib/context';
import { row } from '../lib/stats';
import { blkOnce } from '../virtio';

export const virtio: Measure = {
  name: 'virtio',
  rows: [
    { name: 'blk-write', unit: 'MiB/s' },
    { name: 'blk-read', unit: 'MiB/s' },
  ],
  async run(ctx) {
    const mib = ctx.quick ? 4 : 32;
    const dir = path.join(ctx.tmp, 'virtio');
    fs.mkdirSync(dir, { recursive: true });
    const app = await buildOnce(ctx, 'examples/blk');
    const rate = (ms: number): number => mib / (ms / 1000);
    const g = { write: [] as number[], read: [] as number[] };
    const h = { write: [] as number[], read: [] as number[] };
    for (let i = 0; i < ctx.runs(3); i++) {
      const t = await blkOnce('microvm', dir, mib, app.elf);
      g.write.push(rate(t.guest.writeMs));
      g.read.push(rate(t.guest.readMs));
      h.write.push(rate(t.host.writeMs));
      h.read.push(rate(t.host.readMs));
    }
    const note = `${mib} MiB, 1 MiB requests, microvm virtio-mmio; ratio = guest / host`;
    return [
      row({ name: 'blk-write', unit: 'MiB/s', samples: g.write, baseline: { what: 'host write+fsync', samples: h.write }, better: 'higher', note }),
      row({ name: 'blk-read', unit: 'MiB/s', samples: g.read, baseline: { what: 'host read', samples: h.read }, better: 'higher', note }),
    ];
  },
};
