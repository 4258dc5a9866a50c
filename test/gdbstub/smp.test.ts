/*
 * The stub on 4 CPUs (smpapp/: a spinner thread on each other CPU), with
 * real gdb: a breakpoint hit on CPU 2 stops every CPU before gdb hears of
 * it, every CPU's running thread has registers that unwind, a step moves
 * only the stepping CPU, 1,000 continue/stop cycles lose neither a CPU nor
 * the breakpoint, and a watchpoint fires on the CPU that writes.
 * 4 vCPUs on this 2-core machine are slow under TCG: bounds are generous.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { Gdb } from './gdbmi';
import { bootVm, buildTestApp, target, type Vm } from './harness';

const SMP_APP = path.join(__dirname, 'smpapp');
const CPUS = 4;
// the 1,000 cycles (about 0.15 s each under TCG here; MINNOW_SMP_CYCLES changes the count)
const CYCLES = Number(process.env.MINNOW_SMP_CYCLES ?? 1000);

/** `info threads` rows as {id, name, cpu, frame} for the running ones. */
function running(info: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const m of info.matchAll(/Thread \d+ "[^"]*" \(running on cpu (\d+)\)\s+(.*)$/gm)) out.set(Number(m[1]), m[2]);
  return out;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

describe('gdbstub on 4 CPUs', function () {
  this.timeout(900000);
  let elf: string;
  let vm: Vm | undefined;
  let gdb: Gdb | undefined;

  before(() => {
    elf = buildTestApp(SMP_APP, 'gdbsmp');
  });

  afterEach(async () => {
    gdb?.kill();
    gdb = undefined;
    await vm?.kill();
    vm = undefined;
  });

  async function connect(): Promise<Gdb> {
    vm = await bootVm(elf, { cpus: CPUS, memory: '32M' });
    gdb = new Gdb(elf);
    await gdb.cmd('-gdb-set mi-async on');
    await gdb.cli('set confirm off');
    await gdb.cli(target(vm));
    return gdb;
  }

  /** The spinners' counters, without gdb's "$n = " history prefix. */
  async function spins(g: Gdb): Promise<string> {
    return (await g.cli('print/x spins')).trim().replace(/^\$\d+ = /, '');
  }

  it('a breakpoint hit on CPU 2 stops every CPU; each running thread unwinds; stepi moves only CPU 2', async () => {
    const g = await connect();
    // once the spinners of CPUs 1 and 3 have started (main creates them just before CPU 2 hits)
    await g.cli('break on_cpu2 if spins[1] != 0 && spins[3] != 0');
    const stop = await g.resume('continue', 120000);
    assert.match(stop, /func="on_cpu2"/, stop);
    const info = await g.cli('info threads');
    const run = running(info);
    assert.deepEqual([...run.keys()].sort(), [0, 1, 2, 3], info);
    assert.match(run.get(2)!, /on_cpu2/, info);
    // stopped means stopped: the spinners' counters stand still
    const before = await spins(g);
    await sleep(300);
    assert.equal(await spins(g), before, 'a CPU kept running while gdb was served');
    // a thread running on another CPU: its registers come from that CPU's frame and unwind
    // (a spinner that is yielding shows as ready, its CPU's idle thread running: take either)
    const id = /^\*?\s*(\d+)\s+Thread \d+ "spinner" \(running on cpu [13]\)/m.exec(info);
    assert.ok(id, info);
    await g.cli(`thread ${id[1]}`);
    const bt = await g.cli('bt');
    assert.match(bt, /thread_entry/, bt);
    await g.cli('thread 1');
    // stepi on the stopped thread (CPU 2): the others stay parked
    const cur = /^\*\s*(\d+)/m.exec(info);
    await g.cli(`thread ${cur![1]}`);
    const frozen = await spins(g);
    for (let i = 0; i < 3; i++) await g.resume('stepi');
    assert.equal(await spins(g), frozen, 'stepi let another CPU run');
    await g.cli('kill');
  });

  it(`${CYCLES} continue/stop cycles with threads on every CPU lose no CPU and no breakpoint`, async () => {
    const g = await connect();
    await g.cli('break on_cpu2');
    for (let i = 0; i < CYCLES; i++) {
      const stop = await g.resume('continue', 120000);
      assert.match(stop, /reason="breakpoint-hit"/, `cycle ${i}: ${stop}`);
      if (i % 100 === 0 || i === CYCLES - 1) {
        const info = await g.cli('info threads');
        assert.deepEqual([...running(info).keys()].sort(), [0, 1, 2, 3], `cycle ${i}: ${info}`);
      }
    }
    const hits = Number(/= (\d+)/.exec(await g.cli('print hits'))![1]);
    assert.equal(hits, CYCLES - 1, 'every call of on_cpu2 stopped, none was missed (the last is stopped before its hits++)');
    await g.cli('kill');
  });

  it('a watchpoint fires on whichever CPU writes (CPU 3)', async () => {
    const g = await connect();
    await g.cli('watch shared');
    const stop = await g.resume('continue', 120000);
    assert.match(stop, /reason="watchpoint-trigger"/, stop);
    const info = await g.cli('info threads');
    assert.match(info, /^\*\s*\d+\s+Thread \d+ "spinner" \(running on cpu 3\)/m, info);
    await g.cli('delete');
    await g.cli('kill');
  });
});
