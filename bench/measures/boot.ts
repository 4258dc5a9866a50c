// Boot figures of examples/hello on microvm under TCG:
//  - qemu-hello: the whole QEMU process (spawn to exit) against the same command booting
//    bench/empty (a PVH ELF that exits at its entry) — the floor QEMU itself costs. The two are
//    interleaved so that noise from other work on the machine hits both alike.
//  - pvh-to-main: guest time from the PVH entry to main(), from the TSC, as the kernel prints it
//    with minnow.verbose ("minnow: PVH entry to main: N us" or "... N ns", kernel/core/init.c).

import { buildQemuArgs, findQemu, type AppConfig } from '../../target';
import { buildOnce } from '../lib/apps';
import type { Context, Measure } from '../lib/context';
import { buildEmptyElf } from '../lib/empty';
import { runTimed, type RunResult } from '../lib/proc';
import { naRow, row, type Row } from '../lib/stats';

const HELLO = 'examples/hello';
const GREETING = 'Hello from Minnow!';
const TIMEOUT_MS = 30_000;
/** QEMU exits with (v << 1) | 1 when the guest writes v to isa-debug-exit: 1 is "exit(0)". */
const CLEAN_EXIT = 1;

export function helloArgs(app: AppConfig, elf: string, memory: string, kernelOptions: string[] = []): string[] {
  return buildQemuArgs({ elf, machine: 'microvm', accel: 'tcg', memory, name: app.name, argv: [], kernelOptions });
}

function check(r: RunResult, what: string, expect?: string): void {
  if (r.timedOut || r.status !== CLEAN_EXIT || (expect && !r.stdout.includes(expect))) {
    throw new Error(`${what}: QEMU status ${r.status}${r.timedOut ? ' (timed out)' : ''}; stdout: ${r.stdout.slice(-500)} stderr: ${r.stderr.slice(-500)}`);
  }
}

async function qemuProcess(ctx: Context, app: AppConfig): Promise<Row> {
  const qemu = findQemu();
  const empty = await buildEmptyElf(ctx);
  const hello: number[] = [];
  const floor: number[] = [];
  const n = ctx.runs(21);
  // One warm-up pair: the first QEMU start pays for the page cache.
  check(await runTimed(qemu, helloArgs(app, app.elf, app.memory), TIMEOUT_MS), 'hello', GREETING);
  check(await runTimed(qemu, helloArgs(app, empty, app.memory), TIMEOUT_MS), 'empty ELF');
  for (let i = 0; i < n; i++) {
    const h = await runTimed(qemu, helloArgs(app, app.elf, app.memory), TIMEOUT_MS);
    check(h, 'hello', GREETING);
    const e = await runTimed(qemu, helloArgs(app, empty, app.memory), TIMEOUT_MS);
    check(e, 'empty ELF');
    hello.push(h.ms);
    floor.push(e.ms);
  }
  return row({
    name: 'qemu-hello',
    unit: 'ms',
    samples: hello,
    baseline: { what: 'empty PVH ELF', samples: floor },
  });
}

const ENTRY_RE = /PVH entry to main: (\d+) (us|ns)/;

async function entryToMain(ctx: Context, app: AppConfig): Promise<Row> {
  const qemu = findQemu();
  const us: number[] = [];
  const n = ctx.runs(15);
  for (let i = 0; i < n; i++) {
    const r = await runTimed(qemu, helloArgs(app, app.elf, app.memory, ['minnow.verbose']), TIMEOUT_MS);
    check(r, 'hello (verbose)', GREETING);
    const m = ENTRY_RE.exec(r.stdout);
    if (!m) return naRow('pvh-to-main', 'µs', 'the kernel does not print "PVH entry to main: N us" with minnow.verbose');
    us.push(m[2] === 'ns' ? Number(m[1]) / 1000 : Number(m[1]));
  }
  return row({ name: 'pvh-to-main', unit: 'µs', samples: us });
}

export const boot: Measure = {
  name: 'boot',
  rows: [
    { name: 'qemu-hello', unit: 'ms' },
    { name: 'pvh-to-main', unit: 'µs' },
  ],
  async run(ctx) {
    const app = await buildOnce(ctx, HELLO);
    return [await qemuProcess(ctx, app), await entryToMain(ctx, app)];
  },
};
