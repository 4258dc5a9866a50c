/*
 * The stub on 4 CPUs (smpapp/: a spinner thread on each other CPU), with
 * real gdb: a breakpoint hit on CPU 2 stops every CPU before gdb hears of
 * it, every CPU's running thread has registers that unwind, a step moves
 * only the stepping CPU, 1,000 continue/stop cycles lose neither a CPU nor
 * the breakpoint, and a watchpoint fires on the CPU that writes. gdb's
 * scheduler-locking holds: on (vCont;c:N, vCont;r...:N) only the current
 * CPU runs; off (vCont;r...:N;c) a `next` lets the others run, so a line
 * that waits for CPU 3 ends, also stepped one stepi at a time, while a
 * stepi that ends at once leaves them parked (the stub's lazy release).
 * A stepi or next of a thread that runs on another CPU is done by that
 * CPU, on its registers, and its stop names that thread.
 * Ctrl-C while every CPU runs stops them all.
 * 4 vCPUs on this 2-core machine are slow under TCG: bounds are generous.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { Gdb } from './gdbmi';
import { marker } from '../markers';
import { bootVm, buildTestApp, target, type Vm } from './harness';

const SMP_APP = path.join(__dirname, 'smpapp');
const APP_SRC = path.join(SMP_APP, 'main.c');
const CPUS = 4;
// the issue's 1,000 cycles (about 0.15 s each under TCG here; MINNOW_SMP_CYCLES changes the count)
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
    // stepi on the stopped thread (CPU 2), steps locked: the others stay parked
    const cur = /^\*\s*(\d+)/m.exec(info);
    await g.cli(`thread ${cur![1]}`);
    await g.cli('set scheduler-locking step');
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

  /** Stops at on_cpu2 once the spinners of CPUs 1 and 3 run. */
  async function atOnCpu2(g: Gdb): Promise<void> {
    await g.cli('break on_cpu2 if spins[1] != 0 && spins[3] != 0');
    const stop = await g.resume('continue', 120000);
    assert.match(stop, /func="on_cpu2"/, stop);
    await g.cli('delete');
  }

  /** spins[] as numbers. */
  async function counts(g: Gdb): Promise<number[]> {
    return (await spins(g)).replace(/[{}]/g, '').split(',').map((v) => Number(v.trim()));
  }

  it('scheduler-locking on: continue and next resume only the current CPU', async () => {
    const g = await connect();
    await atOnCpu2(g);
    await g.cli('set scheduler-locking on');
    await g.cli('break on_cpu2');
    const before = await counts(g);
    // vCont;c:N: CPU 2 alone counts its 1,024 spins to the next call
    let stop = await g.resume('continue', 120000);
    assert.match(stop, /reason="breakpoint-hit"/, stop);
    let now = await counts(g);
    assert.ok(now[2] > before[2], `CPU 2 did not run: ${before} -> ${now}`);
    for (const cpu of [0, 1, 3]) assert.equal(now[cpu], before[cpu], `continue let CPU ${cpu} run with scheduler-locking on: ${before} -> ${now}`);
    // vCont;r...:N: the same for next
    await g.cli('delete');
    for (let i = 0; i < 3; i++) {
      stop = await g.resume('next', 120000);
      assert.match(stop, /reason="end-stepping-range"/, stop);
    }
    const after = await counts(g);
    for (const cpu of [0, 1, 3]) assert.equal(after[cpu], before[cpu], `next let CPU ${cpu} run with scheduler-locking on: ${before} -> ${after}`);
    await g.cli('kill');
  });

  /**
   * From CPU 2 with scheduler-locking off (and `settings` after it), `next` up to the line that
   * waits for CPU 3, then once more over it: the next must end, and CPU 3 must have counted.
   */
  async function nextOverWaitForCpu3(settings: string[]): Promise<void> {
    const g = await connect();
    await atOnCpu2(g);
    await g.cli('set scheduler-locking off');
    for (const s of settings) await g.cli(s);
    await g.cli('set var wait_cpu3 = 1');
    const line = marker(APP_SRC, 'wait-cpu3');
    let stop = '';
    for (let i = 0; i < 4 && !stop.includes(`line="${line}"`); i++) stop = await g.resume('next', 120000);
    assert.match(stop, new RegExp(`line="${line}"`), stop);
    const before = await counts(g);
    stop = await g.resume('next', 300000);
    assert.match(stop, /reason="end-stepping-range"/, stop);
    assert.doesNotMatch(stop, new RegExp(`line="${line}"`), stop);
    const after = await counts(g);
    assert.ok(after[3] > before[3], `CPU 3 did not run during the next: ${before} -> ${after}`);
    await g.cli('kill');
  }

  it('scheduler-locking off: a next over a line that waits for CPU 3 ends, the others ran', async () => {
    // vCont;r...:N;c: CPU 2 steps through the loop while CPU 3 counts
    await nextOverWaitForCpu3([]);
  });

  it('scheduler-locking off, range-stepping off: a next over a line that waits for CPU 3 ends (stepi by stepi, the others let go every so often)', async () => {
    // each step of the line is its own vCont;s:N;c, and each ends at once: one that lets the others
    // stay parked must still let them run every so often, or the loop never sees CPU 3 count
    await nextOverWaitForCpu3(['set range-stepping off']);
  });

  it('scheduler-locking off: a stepi that ends at once leaves the other CPUs parked (they may run, and need not)', async () => {
    const g = await connect();
    await atOnCpu2(g);
    await g.cli('set scheduler-locking off');
    const before = await counts(g);
    // fewer steps in a row than the stub's fairness bound (GDB_SMP_LAZY_MAX, gdb_smp.c)
    for (let i = 0; i < 10; i++) {
      const stop = await g.resume('stepi', 120000);
      assert.match(stop, /reason="end-stepping-range"/, `stepi ${i}: ${stop}`);
    }
    const after = await counts(g);
    for (const cpu of [0, 1, 3]) assert.equal(after[cpu], before[cpu], `a stepi woke CPU ${cpu} although it ended at once: ${before} -> ${after}`);
    await g.cli('kill');
  });

  /** The value of a register or expression, as a BigInt. */
  async function value(g: Gdb, expr: string): Promise<bigint> {
    const out = (await g.cli(`print/x ${expr}`)).trim();
    const m = /= (0x[0-9a-f]+)/.exec(out);
    assert.ok(m, `print/x ${expr}: ${out}`);
    return BigInt(m[1]);
  }

  /**
   * The pcs one stepi from here may end at, from gdb's disassembly of the instruction at $pc: the
   * next instruction, a jump's or call's target, both for a conditional jump; null after a ret.
   */
  async function nextPcs(g: Gdb): Promise<{ insn: string; pcs: bigint[] | null }> {
    const out = await g.cli('x/2i $pc');
    const rows = [...out.matchAll(/^(?:=>)?\s*0x([0-9a-f]+)(?: <[^>]*>)?:\s+(\S+)\s*(.*)$/gm)];
    assert.equal(rows.length, 2, out);
    const [, , op, args] = rows[0];
    const next = BigInt(`0x${rows[1][1]}`);
    const target = /^(?:j|call)/.test(op) ? /0x([0-9a-f]+)/.exec(args) : null;
    if (op.startsWith('ret')) return { insn: `${op} ${args}`, pcs: null };
    if (!target) return { insn: `${op} ${args}`, pcs: [next] };
    const to = BigInt(`0x${target[1]}`);
    return { insn: `${op} ${args}`, pcs: op === 'jmp' || op.startsWith('call') ? [to] : [next, to] };
  }

  it('stepi on a thread that runs on another CPU steps it there: one instruction, its own registers, the stop names it', async () => {
    const g = await connect();
    await atOnCpu2(g);
    await g.cli('set scheduler-locking step');
    const info = await g.cli('info threads');
    const other = /^\*?\s*(\d+)\s+Thread \d+ "spinner" \(running on cpu ([13])\)/m.exec(info);
    assert.ok(other, info);
    const [, id, cpu] = other;
    const first = /^\*\s*(\d+)/m.exec(info)![1];
    const firstSp = await value(g, '$sp');
    await g.cli(`thread ${id}`);
    const sp = await value(g, '$sp');
    assert.notEqual(sp, firstSp, 'the thread on another CPU shows the stopped CPU\'s registers');
    for (let i = 0; i < 3; i++) {
      const { insn, pcs } = await nextPcs(g);
      const before = await counts(g);
      const stop = await g.resume('stepi', 120000);
      assert.match(stop, /reason="end-stepping-range"/, stop);
      assert.match(stop, new RegExp(`thread-id="${id}"`), `the stop does not name thread ${id}: ${stop}`);
      const pc = await value(g, '$pc');
      if (pcs) assert.ok(pcs.includes(pc), `stepi over ${insn} went to 0x${pc.toString(16)}, not ${pcs.map((p) => `0x${p.toString(16)}`)}`);
      // its CPU's own registers (a trap frame, every one there), on its own stack, still on that CPU
      const regs = await g.cli('info registers rax rcx rdx rsi rdi r8 r9 r10 r11');
      assert.doesNotMatch(regs, /unavailable/, regs);
      if (!/push|pop|call|ret|enter|leave/.test(insn)) assert.equal(await value(g, '$sp'), sp, `stepi over ${insn} moved $sp`);
      const now = await g.cli('info threads');
      assert.match(now, new RegExp(`^\\*\\s*${id}\\s+Thread \\d+ "spinner" \\(running on cpu ${cpu}\\)`, 'm'), now);
      // scheduler-locking step: no other CPU ran
      const after = await counts(g);
      for (const c of [0, 1, 2, 3]) if (c !== Number(cpu)) assert.equal(after[c], before[c], `CPU ${c} ran during the stepi of CPU ${cpu}: ${before} -> ${after}`);
    }
    assert.match(await g.cli('bt'), /thread_entry/);
    // a next there too (vCont;r...:N): its CPU steps through the line
    const next = await g.resume('next', 120000);
    assert.match(next, /reason="end-stepping-range"/, next);
    assert.match(next, new RegExp(`thread-id="${id}"`), next);
    // and back and forth, letting the others run (vCont;s:N;c): each stop names the thread stepped
    await g.cli('set scheduler-locking off');
    for (let i = 0; i < 10; i++) {
      const t = i % 2 ? id : first;
      await g.cli(`thread ${t}`);
      const stop = await g.resume('stepi', 120000);
      assert.match(stop, new RegExp(`reason="end-stepping-range".*thread-id="${t}"`), `stepi ${i} in thread ${t}: ${stop}`);
    }
    // then every CPU runs on
    const before = await counts(g);
    await g.cli(`break on_cpu2 if spins[1] > ${before[1]} && spins[3] > ${before[3]}`);
    const hit = await g.resume('continue', 300000);
    assert.match(hit, /reason="breakpoint-hit"/, hit);
    assert.deepEqual([...running(await g.cli('info threads')).keys()].sort(), [0, 1, 2, 3]);
    await g.cli('kill');
  });

  it('200 stepi with scheduler-locking off (each lets the others run, its stop parks them again) lose no CPU', async () => {
    const g = await connect();
    await atOnCpu2(g);
    await g.cli('set scheduler-locking off');
    for (let i = 0; i < 200; i++) {
      const stop = await g.resume('stepi', 120000);
      assert.match(stop, /reason="end-stepping-range"/, `stepi ${i}: ${stop}`);
    }
    // every CPU still runs: a stop once CPUs 1 and 3 have counted on (a CPU lost in its park
    // never does; the bound is the host's, whose threads may wait long for a core)
    const before = await counts(g);
    await g.cli(`break on_cpu2 if spins[1] > ${before[1]} && spins[3] > ${before[3]}`);
    const stop = await g.resume('continue', 300000);
    assert.match(stop, /reason="breakpoint-hit"/, stop);
    const info = await g.cli('info threads');
    assert.deepEqual([...running(info).keys()].sort(), [0, 1, 2, 3], info);
    await g.cli('kill');
  });

  it('Ctrl-C while every CPU runs stops them all; each running thread has its own registers', async () => {
    const g = await connect();
    g.clearStops();
    await g.cli('continue &');
    await sleep(1500);
    const stopped = g.nextStop(120000);
    await g.cmd('-exec-interrupt');
    const stop = await stopped;
    assert.match(stop, /signal-name="SIGINT"/, stop);
    const info = await g.cli('info threads');
    const run = running(info);
    assert.deepEqual([...run.keys()].sort(), [0, 1, 2, 3], info);
    const before = await spins(g);
    await sleep(300);
    assert.equal(await spins(g), before, 'a CPU kept running after Ctrl-C');
    // a spinner's registers are its CPU's, where it was interrupted: in spinner() (or on_cpu2),
    // unwinding to thread_entry, each on its own stack (a yielding spinner shows as ready)
    const sps = new Set<string>();
    for (const m of info.matchAll(/^\*?\s*(\d+)\s+Thread \d+ "spinner" \(running on cpu ([123])\)\s+(.*)$/gm)) {
      assert.match(m[3], /spinner|on_cpu2/, info);
      await g.cli(`thread ${m[1]}`);
      assert.match(await g.cli('bt'), /thread_entry/);
      sps.add((await g.cli('p/x $sp')).replace(/^\$\d+ = /, '').trim());
    }
    assert.ok(sps.size >= 2, `fewer than two spinners running, or sharing a stack pointer: ${[...sps]}\n${info}`);
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
