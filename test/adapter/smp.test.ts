// The adapter on 4 CPUs (smpapp/: a worker pinned to each other CPU, main busy on CPU 0), over
// DAP with real gdb, QEMU (TCG) and the kernel's stub: a breakpoint hit on CPU 2 stops every CPU;
// the threads response names each CPU's running thread with its CPU; each running thread's stack
// unwinds into its own function; minnow/kernelInfo says where every thread is and what each CPU
// runs. 4 vCPUs on a 2-core host are slow under TCG: timeouts are generous, nothing is timed.

import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { launch, marker, startClient, stopped, type Client } from './helpers';

const SMP_APP = join(__dirname, 'smpapp');
const SMP_MAIN = join(SMP_APP, 'main.c');
const CPUS = 4;

interface Info {
  threads: { id: number; kernelId: number; name: string; state: string; cpu: number; onCpu: number; stackUsed: number; stackSize: number }[];
  cpus: { id: number; apicId: number; online: boolean; current?: number; idle?: number; trapDepth: number; switches: number; wakeIpis: number; irqs: number }[];
  missing: string[];
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

describe('adapter: 4 CPUs (kernel gdbstub)', function () {
  this.timeout(900_000);
  let c: Client | undefined;

  afterEach(async () => {
    if (!c) return;
    await c.dc.terminateRequest().catch(() => undefined);
    await c.dc.stop().catch(() => undefined);
    c = undefined;
  });

  async function evaluate(cl: Client, frameId: number, expression: string): Promise<string> {
    return (await cl.dc.evaluateRequest({ expression, frameId, context: 'watch' })).body.result;
  }

  it('a breakpoint hit on CPU 2 stops all; threads name their CPUs; each running thread unwinds; kernelInfo groups by CPU', async () => {
    const cl = (c = await startClient(600_000));
    const s = stopped(cl, 600_000);
    // the app's minnow.json says 4 CPUs; the launch says it too, as a launch.json would
    await launch(cl, { app: SMP_APP, accel: 'tcg', build: true, cpus: CPUS }, { [SMP_MAIN]: [{ line: marker('on-cpu2', SMP_MAIN) }] });
    const stop = await s;
    assert.equal(stop.reason, 'breakpoint');
    assert.equal(stop.allThreadsStopped, true, 'all-stop: the stop event says every thread stopped');

    const threads = (await cl.dc.threadsRequest()).body.threads;
    const listing = threads.map((t) => `${t.id}: ${t.name}`).join('\n');
    // "worker-2 · CPU 2 (running)": one running thread per CPU, each saying which
    const running = new Map<number, DebugProtocol.Thread>();
    for (const t of threads) {
      const m = / · CPU (\d+) \(running\)$/.exec(t.name);
      if (m) {
        assert.ok(!running.has(Number(m[1])), `two threads running on CPU ${m[1]}:\n${listing}`);
        running.set(Number(m[1]), t);
      }
    }
    assert.deepEqual([...running.keys()].sort(), [0, 1, 2, 3], listing);
    assert.equal(running.get(0)!.name, 'main · CPU 0 (running)', listing);
    for (const cpu of [1, 2, 3]) assert.equal(running.get(cpu)!.name, `worker-${cpu} · CPU ${cpu} (running)`, listing);
    // every thread says its CPU (the idle threads too), none is left in the one-CPU form
    for (const t of threads) assert.match(t.name, / · CPU \d+( \(|$)/, listing);
    assert.equal(stop.threadId, running.get(2)!.id, `the stop is on CPU 2's thread:\n${listing}`);

    // each running thread unwinds into its own function, from its own CPU's registers
    const frames = new Map<number, DebugProtocol.StackFrame[]>();
    for (const [cpu, t] of running) {
      const st = (await cl.dc.stackTraceRequest({ threadId: t.id, startFrame: 0, levels: 20 })).body.stackFrames;
      frames.set(cpu, st);
      const names = st.map((f) => f.name);
      if (cpu === 0) {
        assert.equal(names[0], 'main', `CPU 0: ${names.join(' < ')}`);
        assert.equal(st[0].line, marker('main-spin', SMP_MAIN), 'main is in its loop');
      } else if (cpu === 2) {
        assert.deepEqual(names.slice(0, 2), ['on_cpu2', 'worker'], `CPU 2: ${names.join(' < ')}`);
        assert.equal(st[0].line, marker('on-cpu2', SMP_MAIN));
        assert.equal(st[0].source?.path, SMP_MAIN);
      } else {
        assert.equal(names[0], 'worker', `CPU ${cpu}: ${names.join(' < ')}`);
        assert.equal(st[0].source?.path, SMP_MAIN);
      }
      // and on to the kernel's thread entry (main's goes through the kernel's start of main)
      if (cpu !== 0) assert.ok(names.includes('thread_entry'), `CPU ${cpu}: ${names.join(' < ')}`);
    }
    // a worker's own variable read in its own frame: each thread is on its own CPU
    for (const cpu of [1, 3]) {
      const f = frames.get(cpu)!.find((x) => x.name === 'worker')!;
      assert.equal(await evaluate(cl, f.id, 'me'), String(cpu));
    }

    // stopped means stopped: no CPU counts on while the debugger looks
    const top = frames.get(2)![0].id;
    const before = await evaluate(cl, top, 'spins');
    await sleep(500);
    assert.equal(await evaluate(cl, top, 'spins'), before, 'a CPU kept running while stopped');

    // the Kernel view's data: every thread with its CPU, and the CPUs with what runs on them
    const info = (await cl.dc.customRequest('minnow/kernelInfo')).body as Info;
    console.log(`      CPUs: ${JSON.stringify(info.cpus)}`);
    assert.deepEqual(info.missing, []);
    assert.deepEqual(info.cpus.map((x) => [x.id, x.online]), [[0, true], [1, true], [2, true], [3, true]], JSON.stringify(info.cpus));
    for (const cpu of info.cpus) {
      const t = running.get(cpu.id)!;
      assert.equal(cpu.current, t.id, `CPU ${cpu.id}'s current is the thread the threads request shows running there: ${JSON.stringify(cpu)}`);
      const idle = info.threads.find((x) => x.id === cpu.idle);
      assert.ok(idle && /^idle/.test(idle.name) && idle.cpu === cpu.id, `CPU ${cpu.id}'s idle thread: ${JSON.stringify(idle)}`);
      // parked by the stub, or stopped in its breakpoint trap: inside one trap handler
      assert.equal(cpu.trapDepth, 1, JSON.stringify(cpu));
      assert.equal(typeof cpu.switches, 'number');
      assert.ok(Number.isInteger(cpu.irqs) && cpu.irqs >= 0, `device interrupts: ${JSON.stringify(cpu)}`);
    }
    assert.deepEqual([...new Set(info.cpus.map((x) => x.apicId))].length, CPUS, 'each CPU its own local APIC');
    for (const [cpu, t] of running) {
      const k = info.threads.find((x) => x.id === t.id);
      assert.ok(k, `kernelInfo lists ${t.name}`);
      assert.deepEqual([k.state, k.cpu, k.onCpu], ['running', cpu, cpu], JSON.stringify(k));
      // its stack use counts where its CPU stopped it, not only where it last switched away
      assert.ok(k.stackUsed > 0 && k.stackUsed < k.stackSize, `stack use of a running thread: ${JSON.stringify(k)}`);
    }
    // the names agree between the two answers
    for (const k of info.threads) {
      const t = threads.find((x) => x.id === k.id);
      assert.ok(t?.name.startsWith(`${k.name} · CPU ${k.state === 'running' ? k.onCpu : k.cpu}`), `${JSON.stringify(k)} vs ${t?.name}`);
    }
  });
});
