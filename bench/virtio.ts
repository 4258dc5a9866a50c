// virtio figures under TCG, printed as tables:
//  - virtio-blk sequential write (+flush) and read throughput in the guest, side by side with the
//    host writing (+fsync) and reading the same image file in the same run, and their ratio;
// (virtio-net ping round trip / frames per second and virtio-console throughput are printed by
// test/virtio/net.test.ts and console.test.ts, which own those peers.)
// Run: node --import tsx bench/virtio.ts [MiB]     (default 32 MiB per blk direction)

import * as fs from 'node:fs';
import * as path from 'node:path';
import { blkDriveArgs, boot, buildOnce, Machine, MACHINES, rmTemp, tempDir } from '../test/virtio/helpers';

const MIB = Number(process.argv[2] ?? 32);

function phaseMs(lines: { line: string; t: number }[], name: string): number {
  const start = lines.find((l) => l.line === `BENCH ${name} start`);
  const end = lines.find((l) => l.line.startsWith(`BENCH ${name} end`));
  if (!start || !end) throw new Error(`no BENCH ${name} lines`);
  if (!end.line.endsWith(' 0')) throw new Error(`guest ${name} failed: ${end.line}`);
  return end.t - start.t;
}

function hostIo(image: string): { writeMs: number; readMs: number } {
  const chunk = Buffer.alloc(1 << 20, 0xa5);
  const fd = fs.openSync(image, 'r+');
  let t0 = performance.now();
  for (let i = 0; i < MIB; i++) fs.writeSync(fd, chunk, 0, chunk.length, i * chunk.length);
  fs.fsyncSync(fd);
  const writeMs = performance.now() - t0;
  t0 = performance.now();
  for (let i = 0; i < MIB; i++) fs.readSync(fd, chunk, 0, chunk.length, i * chunk.length);
  const readMs = performance.now() - t0;
  fs.closeSync(fd);
  return { writeMs, readMs };
}

async function blk(machine: Machine, dir: string) {
  const elf = await buildOnce('examples/blk');
  const image = path.join(dir, `${machine}.img`);
  fs.writeFileSync(image, Buffer.alloc(0));
  fs.truncateSync(image, (MIB + 8) << 20);
  const guest = await boot(elf, machine, ['bench', String(MIB)], blkDriveArgs(machine, image), {
    memory: '64M', verbose: false, timeoutMs: 300_000,
  });
  const exit = await guest.exited;
  if (exit.appExitCode !== 0) throw new Error(`blk bench failed: ${exit.summary}\n${guest.output()}`);
  const g = { writeMs: phaseMs(guest.lineTimes, 'write'), readMs: phaseMs(guest.lineTimes, 'read') };
  const h = hostIo(image);
  const rate = (ms: number) => MIB / (ms / 1000);
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

async function main() {
  const dir = tempDir('bench-virtio');
  try {
    const rows = [];
    for (const m of MACHINES) rows.push(await blk(m, dir));
    console.log(`virtio-blk, ${MIB} MiB sequential, 1 MiB application requests (TCG):`);
    console.table(rows);
  } finally {
    rmTemp(dir);
  }
}

void main().catch((e) => {
  console.error(e);
  process.exit(1);
});
