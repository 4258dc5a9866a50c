// The kernel's gdbstub against QEMU's own, same application (bench/apps/step), same run, gdb
// driven over MI: the round trip of `stepi` and of `next` (one source line), and reading 64 KiB
// of memory. The kernel stub is measured over both its transports: the virtio console (the
// default on microvm; rows gdb-*) and COM2 (the UART fallback; rows gdb-*-com2). Sessions
// alternate between the three so that machine noise hits all alike. The kernel stub's stop
// replies carry rip/rsp/rbp and it does range stepping (vCont;r), so `next` should cost no more
// than QEMU's; goals from issue 3, held by the default transport.

import { mi } from '../../debug-adapter/gdb';
import { buildOnce } from '../lib/apps';
import type { Context, Measure } from '../lib/context';
import { openSession, type StubKind } from '../lib/debugger';
import type { AppConfig, GdbTransport } from '../../target';
import { row } from '../lib/stats';

const BLOB = 65536;

interface Samples {
  stepi: number[];
  next: number[];
  read: number[];
}

async function sessionSamples(ctx: Context, stub: StubKind, into: Samples, transport?: GdbTransport): Promise<void> {
  const app = await buildOnce(ctx, 'bench/apps/step');
  const s = await openSession(app, stub, 'work', transport);
  try {
    const steps = ctx.quick ? 3 : 10;
    await s.timed(() => mi.exec(s.gdb, 'stepi')); // warm-up: gdb's first stop reads registers
    for (let i = 0; i < steps; i++) into.stepi.push(await s.timed(() => mi.exec(s.gdb, 'stepi')));
    await s.timed(() => mi.exec(s.gdb, 'next'));
    for (let i = 0; i < steps; i++) into.next.push(await s.timed(() => mi.exec(s.gdb, 'next')));
    for (let i = 0; i < (ctx.quick ? 1 : 2); i++) {
      const t0 = performance.now();
      const got = await mi.readMemory(s.gdb, 'blob', BLOB);
      const ms = performance.now() - t0;
      const bytes = got.reduce((n, m) => n + m.contents.length / 2, 0);
      if (bytes !== BLOB || !got[0].contents.startsWith('5a5a')) throw new Error(`${stub} stub: read ${bytes} bytes of blob, expected ${BLOB} of 0x5a`);
      into.read.push(ms);
    }
  } finally {
    await s.close();
  }
}

export const stubs: Measure = {
  name: 'stubs',
  rows: [
    { name: 'gdb-stepi', unit: 'ms' },
    { name: 'gdb-next', unit: 'ms' },
    { name: 'gdb-read-64k', unit: 'ms' },
    { name: 'gdb-stepi-com2', unit: 'ms' },
    { name: 'gdb-next-com2', unit: 'ms' },
    { name: 'gdb-read-64k-com2', unit: 'ms' },
  ],
  async run(ctx) {
    const virtio: Samples = { stepi: [], next: [], read: [] };
    const com2: Samples = { stepi: [], next: [], read: [] };
    const qemu: Samples = { stepi: [], next: [], read: [] };
    for (let i = 0; i < ctx.runs(4); i++) {
      await sessionSamples(ctx, 'kernel', virtio, 'virtio');
      await sessionSamples(ctx, 'kernel', com2, 'com2');
      await sessionSamples(ctx, 'qemu', qemu);
    }
    const base = (samples: number[]) => ({ what: 'QEMU gdbstub', samples });
    const kib = (ms: number[]) => ms.map((m) => BLOB / 1024 / (m / 1000));
    const rows = (kernel: Samples, suffix: string) => [
      row({ name: `gdb-stepi${suffix}`, unit: 'ms', samples: kernel.stepi, baseline: base(qemu.stepi) }),
      row({ name: `gdb-next${suffix}`, unit: 'ms', samples: kernel.next, baseline: base(qemu.next) }),
      row({
        name: `gdb-read-64k${suffix}`,
        unit: 'ms',
        samples: kernel.read,
        baseline: base(qemu.read),
        note: `kernel stub ${kib(kernel.read).map((v) => v.toFixed(0)).join('/')} KiB/s`,
      }),
    ];
    return [...rows(virtio, ''), ...rows(com2, '-com2')];
  },
};

// Issue 11: the kernel stub's stop cost on several CPUs. The same application booted with 1 and
// with 4 CPUs (each CPU but the first running a spinner thread), sessions alternating in the same
// run, over the default transport. gdb-stepi-4cpu keeps gdb's default scheduler-locking, so each
// stepi lets the other CPUs run (vCont;s:N;c), which the stub does lazily: a step that ends at once
// leaves them parked, and every 32nd in a row lets them run (kernel/debug/gdb_smp.c), a cost these
// few steps per session do not include;
// gdb-stepi-4cpu-locked sets scheduler-locking step (vCont;s:N): they stay parked throughout.
export const stubsSmp: Measure = {
  name: 'stubs-smp',
  rows: [
    { name: 'gdb-stepi-4cpu', unit: 'ms' },
    { name: 'gdb-stepi-4cpu-locked', unit: 'ms' },
  ],
  async run(ctx) {
    const one: number[] = [];
    const four: number[] = [];
    const locked: number[] = [];
    const app = await buildOnce(ctx, 'bench/apps/step');
    for (let i = 0; i < ctx.runs(4); i++) {
      await stepiSamples(ctx, { ...app, cpus: 1 }, one);
      await stepiSamples(ctx, { ...app, cpus: 4 }, four);
      await stepiSamples(ctx, { ...app, cpus: 4 }, locked, 'step');
    }
    const base = { what: 'the same, 1 CPU', samples: one };
    return [
      row({ name: 'gdb-stepi-4cpu', unit: 'ms', samples: four, baseline: base, note: 'scheduler-locking off (gdb\'s default): the others may run during each stepi (lazily: they stay parked)' }),
      row({ name: 'gdb-stepi-4cpu-locked', unit: 'ms', samples: locked, baseline: base, note: 'scheduler-locking step: the others stay parked' }),
    ];
  },
};

async function stepiSamples(ctx: Context, app: AppConfig, into: number[], locking?: string): Promise<void> {
  const s = await openSession(app, 'kernel', 'work');
  try {
    if (locking) await mi.gdbSet(s.gdb, 'scheduler-locking', locking);
    await s.timed(() => mi.exec(s.gdb, 'stepi'));
    for (let i = 0; i < (ctx.quick ? 3 : 10); i++) into.push(await s.timed(() => mi.exec(s.gdb, 'stepi')));
  } finally {
    await s.close();
  }
}
