// virtio figures under TCG:
//  - virtio-blk sequential write (+flush) and read throughput in the guest, side by side with the
//    host writing (+fsync) and reading the same image file in the same run, and their ratio;
// (virtio-net ping round trip / frames per second and virtio-console throughput are printed by
// test/virtio/net.test.ts and console.test.ts, which own those peers.)
// `blkOnce` is one measurement, used by bench/measures/virtio.ts (the `npm run bench` table).
// Standalone: node --import tsx bench/virtio.ts [MiB]   (default 32 MiB per blk direction; prints
// a table for microvm and q35)

import * as fs from 'node:fs';
import * as path from 'node:path';
import { blkDriveArgs, boot, buildOnce, Machine, MACHINES, rmTemp, tempDir } from '../test/virtio/helpers';

/**
 * Guest time of a phase: the guest's own clock ("BENCH <name> ns N", examples/blk) when printed,
 * else the arrival times of the start and end lines at the host (coarse: lines come in batches).
 */
function phaseMs(lines: { line: string; t: number }[], name: string): number {
  const start = lines.find((l) => l.line === `BENCH ${name} start`);
  const end = lines.find((l) => l.line.startsWith(`BENCH ${name} end`));
  if (!start || !end) throw new Error(`no BENCH ${name} lines`);
  if (!end.line.endsWith(' 0')) throw new Error(`guest ${name} failed: ${end.line}`);
  const guest = lines.map((l) => new RegExp(`^BENCH ${name} ns (\\d+)$`).exec(l.line)).find((m) => m);
  return guest ? Number(guest[1]) / 1e6 : end.t - start.t;
}

function hostIo(image: string, mib: number): { writeMs: number; readMs: number } {
  const chunk = Buffer.alloc(1 << 20, 0xa5);
  const fd = fs.openSync(image, 'r+');
  let t0 = performance.now();
  for (let i = 0; i < mib; i++) fs.writeSync(fd, chunk, 0, chunk.length, i * chunk.length);
  fs.fsyncSync(fd);
  const writeMs = performance.now() - t0;
  t0 = performance.now();
  for (let i = 0; i < mib; i++) fs.readSync(fd, chunk, 0, chunk.length, i * chunk.length);
  const readMs = performance.now() - t0;
  fs.closeSync(fd);
  return { writeMs, readMs };
}

export interface BlkTimes {
  guest: { writeMs: number; readMs: number };
  host: { writeMs: number; readMs: number };
}

/**
 * One guest run of examples/blk's bench (mib MiB each way) and the host doing the same. `elf`:
 * an examples/blk image built elsewhere (default: built in examples/blk/build).
 */
export async function blkOnce(machine: Machine, dir: string, mib: number, elf?: string): Promise<BlkTimes> {
  elf ??= await buildOnce('examples/blk');
  const image = path.join(dir, `${machine}.img`);
  fs.writeFileSync(image, Buffer.alloc(0));
  fs.truncateSync(image, (mib + 8) << 20);
  const guest = await boot(elf, machine, ['bench', String(mib)], blkDriveArgs(machine, image), {
    memory: '64M', verbose: false, timeoutMs: 300_000,
  });
  const exit = await guest.exited;
  if (exit.appExitCode !== 0) throw new Error(`blk bench failed: ${exit.summary}\n${guest.output()}`);
  const g = { writeMs: phaseMs(guest.lineTimes, 'write'), readMs: phaseMs(guest.lineTimes, 'read') };
  return { guest: g, host: hostIo(image, mib) };
}

async function blkRow(machine: Machine, dir: string, mib: number) {
  const { guest: g, host: h } = await blkOnce(machine, dir, mib);
  const rate = (ms: number) => mib / (ms / 1000);
  return {
    machine,
    'guest write MiB/s': rate(g.writeMs).toFixed(1),
    'host write MiB/s': rate(h.writeMs).toFixed(1),
    'write ratio': (h.writeMs / g.writeMs).toFixed(3),
    'guest read MiB/s': rate(g.readMs).toFixed(1),
    'host read MiB/s': rate(h.readMs).toFixed(1),
    'read ratio': (h.readMs / g.readMs).toFixed(3),
  };
}

async function main(mib: number) {
  const dir = tempDir('bench-virtio');
  try {
    const rows = [];
    for (const m of MACHINES) rows.push(await blkRow(m, dir, mib));
    console.log(`virtio-blk, ${mib} MiB sequential, 1 MiB application requests (TCG):`);
    console.table(rows);
  } finally {
    rmTemp(dir);
  }
}

if (require.main === module) {
  void main(Number(process.argv[2] ?? 32)).catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
