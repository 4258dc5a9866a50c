// The adapter against real gdb, QEMU and the kernel's own gdbstub: breakpoints, stepping, threads,
// variables, memory and disassembly, all through DAP as VS Code sends it.

import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import {
  MAIN_C,
  ROOT,
  appArgs,
  breakpointUpdates,
  launch,
  marker,
  median,
  startClient,
  stopped,
  topFrame,
  type Client,
} from './helpers';

const BUILD_ONCE = { build: false };

describe('adapter: debugging the test application (kernel gdbstub)', function () {
  this.timeout(180_000);
  let c: Client;

  before(async function () {
    this.timeout(900_000);
    // one build for the whole suite; each test then boots with build: false
    const b = await startClient(600_000);
    try {
      await launch(b, appArgs({ build: true }), {});
      await b.dc.waitForEvent('terminated', 120_000);
    } finally {
      await b.dc.stop();
    }
  });

  afterEach(async () => {
    if (!c) return;
    await c.dc.terminateRequest().catch(() => undefined);
    await c.dc.stop().catch(() => undefined);
  });

  async function at(name: string, extra: Record<string, unknown> = {}, bps: DebugProtocol.SourceBreakpoint[] = [{ line: marker(name) }]): Promise<DebugProtocol.StoppedEvent['body']> {
    c = await startClient();
    const s = stopped(c);
    await launch(c, appArgs({ ...BUILD_ONCE, ...extra }), { [MAIN_C]: bps });
    return s;
  }

  async function scope(frameId: number, name: string): Promise<DebugProtocol.Variable[]> {
    const sc = await c.dc.scopesRequest({ frameId });
    const s = sc.body.scopes.find((x) => x.name === name)!;
    return (await c.dc.variablesRequest({ variablesReference: s.variablesReference })).body.variables;
  }

  it('stops at a breakpoint in main; next→stopped, threads+stack+scopes+variables figures', async () => {
    const t0 = Date.now();
    const s = await at('BP1');
    const launchMs = Date.now() - t0;
    assert.equal(s.reason, 'breakpoint');
    const f = await topFrame(c, s.threadId!);
    assert.equal(f.line, marker('BP1'));
    assert.equal(f.source?.path, MAIN_C);
    assert.match(f.instructionPointerReference ?? '', /^0x[0-9a-f]+$/);

    const t1 = Date.now();
    const threads = await c.dc.threadsRequest();
    const st = await c.dc.stackTraceRequest({ threadId: s.threadId!, startFrame: 0, levels: 20 });
    const sc = await c.dc.scopesRequest({ frameId: st.body.stackFrames[0].id });
    await c.dc.variablesRequest({ variablesReference: sc.body.scopes[0].variablesReference });
    const inspectMs = Date.now() - t1;
    assert.deepEqual(sc.body.scopes.map((x) => x.name), ['Locals', 'Registers', 'Globals']);
    assert.ok(threads.body.threads.some((t) => /^main \(/.test(t.name)), JSON.stringify(threads.body.threads));

    const times: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t = Date.now();
      const n = stopped(c);
      await c.dc.nextRequest({ threadId: s.threadId! });
      const ns = await n;
      times.push(Date.now() - t);
      assert.equal(ns.reason, 'step');
    }
    assert.ok((await topFrame(c, s.threadId!)).line > marker('BP1'));
    console.log(`      launch→stopped ${launchMs} ms; threads+stack+scopes+variables ${inspectMs} ms; next→stopped median ${median(times)} ms (${times.join(', ')})`);
  });

  it('steps into a kernel function (thread creation) and out again', async () => {
    const s = await at('CREATE');
    const into = stopped(c);
    await c.dc.stepInRequest({ threadId: s.threadId! });
    await into;
    const f = await topFrame(c, s.threadId!);
    assert.equal(f.name, 'thread_create');
    assert.equal(f.source?.path, join(ROOT, 'kernel', 'core', 'thread.c'));
    const out = stopped(c);
    await c.dc.stepOutRequest({ threadId: s.threadId! });
    await out;
    const back = await topFrame(c, s.threadId!);
    assert.equal(back.name, 'main');
    assert.equal(back.line, marker('CREATE'));
  });

  it('hits a breakpoint in the scheduler switch routine from two different threads; names the threads', async () => {
    const s = await at('JOIN');
    const fb = await c.dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'sched_switch' }] });
    assert.equal(fb.body.breakpoints[0].verified, true);
    const seen = new Set<number>();
    for (let i = 0; i < 6 && seen.size < 2; i++) {
      const n = stopped(c);
      await c.dc.continueRequest({ threadId: s.threadId! });
      const e = await n;
      assert.equal(e.reason, 'function breakpoint');
      assert.equal((await topFrame(c, e.threadId!)).name, 'sched_switch');
      seen.add(e.threadId!);
    }
    assert.equal(seen.size, 2, 'sched_switch hit from two threads');
    // stack paging: the second page starts where the first ended
    const last = [...seen].pop()!;
    const all = await c.dc.stackTraceRequest({ threadId: last, startFrame: 0, levels: 20 });
    const page = await c.dc.stackTraceRequest({ threadId: last, startFrame: 1, levels: 1 });
    assert.equal(page.body.stackFrames.length, 1);
    assert.equal(page.body.totalFrames, all.body.stackFrames.length, 'totalFrames is exact');
    assert.equal(page.body.stackFrames[0].name, all.body.stackFrames[1].name);
    assert.ok(all.body.stackFrames.every((fr) => /^0x[0-9a-f]+$/.test(fr.instructionPointerReference ?? '')));
    const names = (await c.dc.threadsRequest()).body.threads.map((t) => t.name);
    for (const want of ['main', 'idle', 'alpha', 'beta']) {
      assert.ok(names.some((n) => n.startsWith(`${want} (`)), `${want} in ${names.join(', ')}`);
    }
  });

  it('expands a struct and formats values in hex', async () => {
    const s = await at('BP1');
    const f = await topFrame(c, s.threadId!);
    const locals = await scope(f.id, 'Locals');
    const p = locals.find((v) => v.name === 'p')!;
    assert.ok(p.variablesReference > 0);
    const kids = (await c.dc.variablesRequest({ variablesReference: p.variablesReference })).body.variables;
    assert.deepEqual(kids.map((k) => [k.name, k.value.replace(/^0x[0-9a-f]+ /, '')]), [['x', '1'], ['y', '2'], ['label', '"p"']]);
    assert.equal(kids[0].evaluateName, 'p.x');
    const hex = (await c.dc.variablesRequest({ variablesReference: p.variablesReference, format: { hex: true } })).body.variables;
    assert.equal(hex[1].value, '0x2');
    const regs = await scope(f.id, 'Registers');
    assert.ok(regs.some((r) => r.name === 'rip'));
    const globals = await scope(f.id, 'Globals');
    const origin = globals.find((g) => g.name === 'origin')!;
    assert.ok(origin && origin.variablesReference > 0);
  });

  it('setVariable changes what the program prints', async () => {
    const s = await at('BP1');
    const f = await topFrame(c, s.threadId!);
    const globals = await c.dc.scopesRequest({ frameId: f.id });
    const ref = globals.body.scopes.find((x) => x.name === 'Globals')!.variablesReference;
    await c.dc.variablesRequest({ variablesReference: ref });
    const r = await c.dc.setVariableRequest({ variablesReference: ref, name: 'greeting_value', value: '7' });
    assert.equal(r.body.value, '7');
    const done = c.dc.waitForEvent('terminated');
    await c.dc.continueRequest({ threadId: s.threadId! });
    await done;
    assert.match(c.text('stdout'), /value=7\n/);
  });

  it('in -Og code an assignment gdb cannot make says why: a constant, an entry value, optimized out; never silently', async () => {
    const s = await at('OG');
    const f = await topFrame(c, s.threadId!);
    assert.equal(f.name, 'scaled');
    const sc = await c.dc.scopesRequest({ frameId: f.id });
    const ref = sc.body.scopes.find((x) => x.name === 'Locals')!.variablesReference;
    const locals = (await c.dc.variablesRequest({ variablesReference: ref })).body.variables;
    // gdb's -stack-list-variables leaves out a local that is only a constant (base)
    for (const name of ['first', 'n', 'r']) assert.ok(locals.some((v) => v.name === name), `${name} in ${JSON.stringify(locals)}`);
    const set = (name: string, value: string): Promise<string> =>
      c.dc.setVariableRequest({ variablesReference: ref, name, value }).then((r) => `ok ${r.body.value}`, (e: Error) => e.message);
    // r lives in a register here: it can be set
    assert.equal(await set('r', '30'), 'ok 30');
    const fix = /build the file with -O0 \("cflags": \["-O0"\] in minnow\.json\)/;
    const base = await set('base', '3');
    assert.match(base, /^"base" cannot be assigned here: at this point the optimized code keeps it nowhere \(no register, no memory\); the compiler only knows its value, 10 \(gdb: Left operand of assignment is not an lvalue\)\./);
    assert.match(base, fix);
    assert.match(await set('n', '5'), /^"n" cannot be assigned here: .*what \$rdi held when the function was entered/);
    assert.match(await set('first', '1'), /^"first" cannot be assigned here: it is optimized out at this point/);
    // the Debug Console: an assignment runs once and answers with its value, or fails with the reason
    const repl = (expression: string): Promise<string> =>
      c.dc.evaluateRequest({ expression, frameId: f.id, context: 'repl' }).then((r) => `ok ${r.body.result}`, (e: Error) => e.message);
    assert.equal(await repl('r += 2'), 'ok 32');
    assert.equal(await repl('r'), 'ok 32');
    assert.match(await repl('base = 9'), /^"base" cannot be assigned here: .*only knows its value, 10/);
    assert.match(await repl('first = 9'), /^"first" cannot be assigned here: it is optimized out/);
    assert.equal(await repl('r == 32'), 'ok 1', 'a comparison is no assignment');
    // r = 32 reaches the program: scaled returns r + base = 42 into spins
    await c.dc.setBreakpointsRequest({ source: { path: MAIN_C }, breakpoints: [{ line: marker('END') }] });
    const s2 = stopped(c);
    await c.dc.continueRequest({ threadId: s.threadId! });
    await s2;
    const end = await topFrame(c, s.threadId!);
    assert.equal((await c.dc.evaluateRequest({ expression: 'spins', frameId: end.id, context: 'watch' })).body.result, '42');
  });

  it('conditional and hit-count breakpoints', async () => {
    const s = await at('ADD', {}, [{ line: marker('ADD'), condition: 'a == 6' }]);
    const f = await topFrame(c, s.threadId!);
    const locals = await scope(f.id, 'Locals');
    assert.equal(locals.find((v) => v.name === 'b')?.value, '4');
    await c.dc.terminateRequest();
    await c.dc.stop();

    // "3" and "==3" stop once, on the third hit (add is called five times), ">=4" from the fourth on
    for (const hitCondition of ['3', '==3']) {
      const h = await at('ADD', {}, [{ line: marker('ADD'), hitCondition }]);
      const hf = await topFrame(c, h.threadId!);
      assert.equal((await scope(hf.id, 'Locals')).find((v) => v.name === 'b')?.value, '2', hitCondition);
      let later = 0;
      c.dc.on('stopped', () => later++);
      const ended = c.dc.waitForEvent('terminated');
      await c.dc.continueRequest({ threadId: h.threadId! });
      await ended;
      assert.equal(later, 0, `"${hitCondition}" stopped again after the third hit`);
      await c.dc.stop();
    }
    const g = await at('ADD', {}, [{ line: marker('ADD'), hitCondition: '>=4' }]);
    assert.equal((await scope((await topFrame(c, g.threadId!)).id, 'Locals')).find((v) => v.name === 'b')?.value, '3');
    const again = stopped(c);
    await c.dc.continueRequest({ threadId: g.threadId! });
    const g2 = await again;
    assert.equal((await scope((await topFrame(c, g2.threadId!)).id, 'Locals')).find((v) => v.name === 'b')?.value, '4');
  });

  it('a logpoint prints without stopping', async () => {
    c = await startClient();
    let stops = 0;
    c.dc.on('stopped', () => stops++);
    const done = c.dc.waitForEvent('terminated');
    await launch(c, appArgs(BUILD_ONCE), { [MAIN_C]: [{ line: marker('ADD'), logMessage: 'add {a} + {b}' }] });
    await done;
    assert.equal(stops, 0);
    const logs = c.output.filter((o) => /^add \d+ \+ \d+/.test(o.output)).map((o) => o.output.trim());
    assert.deepEqual(logs, ['add 0 + 0', 'add 0 + 1', 'add 1 + 2', 'add 3 + 3', 'add 6 + 4']);
  });

  it('a data breakpoint on a global stops at the writing line', async () => {
    const s = await at('BP1');
    const info = await c.dc.dataBreakpointInfoRequest({ name: 'watched' });
    assert.equal(info.body.dataId, 'watched');
    const set = await c.dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId!, accessType: 'write' }] });
    assert.equal(set.body.breakpoints[0].verified, true);
    const n = stopped(c);
    await c.dc.continueRequest({ threadId: s.threadId! });
    const e = await n;
    assert.equal(e.reason, 'data breakpoint');
    const f = await topFrame(c, e.threadId!);
    assert.equal(f.name, 'worker');
    assert.equal(f.line, marker('WATCH'));
    const v = await c.dc.evaluateRequest({ expression: 'watched', frameId: f.id, context: 'watch' });
    assert.equal(v.body.result, '10');
  });

  it('a read data breakpoint stops where the global is read', async () => {
    const s = await at('BP1');
    const info = await c.dc.dataBreakpointInfoRequest({ name: 'greeting_value' });
    assert.deepEqual(info.body.accessTypes, ['write', 'read', 'readWrite']);
    const set = await c.dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId!, accessType: 'read' }] });
    assert.equal(set.body.breakpoints[0].verified, true);
    const n = stopped(c);
    await c.dc.continueRequest({ threadId: s.threadId! });
    const e = await n;
    assert.equal(e.reason, 'data breakpoint');
    const f = await topFrame(c, e.threadId!);
    assert.equal(f.name, 'main');
    assert.equal(f.line, marker('PRINT'));
  });

  it('breakpoints set while the kernel runs take effect (interrupt, insert, continue)', async () => {
    const s = await at('BP1', {}, [{ line: marker('BP1') }]);
    await c.dc.evaluateRequest({ expression: 'mode = 1', frameId: (await topFrame(c, s.threadId!)).id, context: 'repl' });
    await c.dc.continueRequest({ threadId: s.threadId! });
    await new Promise((r) => setTimeout(r, 500));
    const n = stopped(c);
    const set = await c.dc.setBreakpointsRequest({ source: { path: MAIN_C }, breakpoints: [{ line: marker('BUSY') }] });
    assert.equal(set.body.breakpoints[0].verified, true);
    const e = await n;
    assert.equal(e.reason, 'breakpoint');
    assert.equal((await topFrame(c, e.threadId!)).line, marker('BUSY'));
  });

  it('pauses a busy loop', async () => {
    const s = await at('BP1');
    const f = await topFrame(c, s.threadId!);
    await c.dc.customRequest('setExpression', { expression: 'mode', value: '1', frameId: f.id });
    await c.dc.setBreakpointsRequest({ source: { path: MAIN_C }, breakpoints: [] });
    await c.dc.continueRequest({ threadId: s.threadId! });
    await new Promise((r) => setTimeout(r, 500));
    const n = stopped(c);
    await c.dc.pauseRequest({ threadId: s.threadId! });
    const e = await n;
    assert.equal(e.reason, 'pause');
    const top = await topFrame(c, e.threadId!);
    assert.equal(top.name, 'main');
    assert.ok([marker('BUSY'), marker('BUSY') - 1].includes(top.line), `line ${top.line}`);
  });

  it('disassembles around the pc and reads a known buffer', async () => {
    const s = await at('BP1');
    const f = await topFrame(c, s.threadId!);
    const pc = f.instructionPointerReference!;
    const d = await c.dc.disassembleRequest({ memoryReference: pc, instructionOffset: -4, instructionCount: 10, resolveSymbols: true });
    const insns = d.body!.instructions;
    assert.equal(insns.length, 10);
    assert.equal(BigInt(insns[4].address), BigInt(pc));
    assert.ok(insns.every((i) => i.instruction.length > 0));
    assert.match(insns[4].symbol ?? '', /^main\+/);

    const ev = await c.dc.evaluateRequest({ expression: 'buffer', frameId: f.id, context: 'watch' });
    assert.ok(ev.body.memoryReference);
    const mem = await c.dc.customRequest('readMemory', { memoryReference: ev.body.memoryReference, count: 14 });
    assert.equal(Buffer.from(mem.body.data, 'base64').toString('latin1'), 'minnow-buffer!');
    await c.dc.customRequest('writeMemory', { memoryReference: ev.body.memoryReference, offset: 7, data: Buffer.from('BUFFER').toString('base64') });
    const again = await c.dc.evaluateRequest({ expression: 'buffer', frameId: f.id, context: 'watch' });
    assert.match(again.body.result, /minnow-BUFFER!/);
  });

  /** Runs main with `mode` set at #BP1; extra runs before configurationDone. */
  async function withMode(mode: number, extra?: Parameters<typeof launch>[3]): Promise<DebugProtocol.StoppedEvent['body']> {
    c = await startClient();
    const s = stopped(c);
    await launch(c, appArgs(BUILD_ONCE), { [MAIN_C]: [{ line: marker('BP1') }] }, extra);
    const e = await s;
    const f = await topFrame(c, e.threadId!);
    await c.dc.customRequest('setExpression', { expression: 'mode', value: String(mode), frameId: f.id });
    return e;
  }

  it('a divide by zero stops at the faulting line; continue runs the crash report and ends with 127', async () => {
    const s = await withMode(2);
    const n = stopped(c);
    await c.dc.continueRequest({ threadId: s.threadId! });
    const e = await n;
    assert.equal(e.reason, 'exception');
    assert.match(e.description ?? '', /divide error \(#DE\).*SIGFPE/);
    const top = await topFrame(c, e.threadId!);
    assert.equal(top.line, marker('DIV'));
    const regs = await scope(top.id, 'Registers');
    assert.equal(regs[0].name, 'vector');
    assert.match(regs[0].value, /^0 divide error/);

    let stopsAfter = 0;
    c.dc.on('stopped', () => stopsAfter++);
    const exited = c.dc.waitForEvent('exited');
    const ended = c.dc.waitForEvent('terminated');
    await c.dc.continueRequest({ threadId: e.threadId! });
    assert.equal(((await exited) as DebugProtocol.ExitedEvent).body.exitCode, 127);
    await ended;
    assert.equal(stopsAfter, 0, 'continue past the fault stopped again');
    assert.match(c.text('stdout'), /CRASH in thread "main".*divide error \(#DE\)/);
    assert.match(c.text('stdout'), /backtrace:/);
    assert.match(c.text(), /The kernel crashed/);
  });

  it('a write through NULL names the page fault, cr2 and the error code', async () => {
    const s = await withMode(4);
    const n = stopped(c);
    await c.dc.continueRequest({ threadId: s.threadId! });
    const e = await n;
    assert.equal(e.reason, 'exception');
    assert.match(e.description ?? '', /^page fault writing 0x0 \(not present\)/);
    const info = await c.dc.exceptionInfoRequest({ threadId: e.threadId! });
    assert.match(info.body.description ?? '', /page fault writing 0x0/);
    const top = await topFrame(c, e.threadId!);
    assert.equal(top.line, marker('NULL'));
    const regs = await scope(top.id, 'Registers');
    assert.deepEqual(regs.slice(0, 3).map((r) => [r.name, r.value]), [
      ['vector', '14 page fault (#PF)'],
      ['error code', '0x2'],
      ['cr2', '0x0'],
    ]);
  });

  it('with the cpu filter off a fault does not stop: the crash report runs and the session ends', async () => {
    const s = await withMode(2, async (dc) => {
      await dc.setExceptionBreakpointsRequest({ filters: ['panic'] });
    });
    let stops = 0;
    c.dc.on('stopped', () => stops++);
    const ended = c.dc.waitForEvent('terminated');
    await c.dc.continueRequest({ threadId: s.threadId! });
    await ended;
    assert.equal(stops, 0);
    assert.match(c.text('stdout'), /CRASH in thread "main".*divide error/);
  });

  it('a failed assert stops with the panic / assert filter; continue prints the crash report', async () => {
    const s = await withMode(3);
    const n = stopped(c);
    await c.dc.continueRequest({ threadId: s.threadId! });
    const e = await n;
    assert.equal(e.reason, 'exception');
    assert.match(e.description ?? '', /^panic: assertion "mode != 3" failed/);
    const info = await c.dc.exceptionInfoRequest({ threadId: e.threadId! });
    assert.equal(info.body.exceptionId, 'panic');
    const ended = c.dc.waitForEvent('terminated');
    await c.dc.continueRequest({ threadId: e.threadId! });
    await ended;
    const out = c.text('stdout');
    assert.match(out, /panic: assertion "mode != 3" failed/);
    assert.match(out, /backtrace:[\s\S]*main\+/);
    assert.match(out, /rip 0x/);
  });

  it('with the panic filter off, a failed assert runs on into the crash report and ends the session', async () => {
    c = await startClient();
    const s = stopped(c);
    await launch(c, appArgs(BUILD_ONCE), { [MAIN_C]: [{ line: marker('BP1') }] }, async (dc) => {
      await dc.setExceptionBreakpointsRequest({ filters: ['cpu'] });
    });
    const e = await s;
    const f = await topFrame(c, e.threadId!);
    await c.dc.customRequest('setExpression', { expression: 'mode', value: '3', frameId: f.id });
    const ended = c.dc.waitForEvent('terminated');
    await c.dc.continueRequest({ threadId: e.threadId! });
    await ended;
    assert.match(c.text(), /The kernel crashed/);
    assert.match(c.text('stdout'), /CRASH in thread "main".*panic: assertion/);
  });

  it('evaluates gdb commands with -exec and >, completes, lists sources, reports kernel info', async () => {
    const s = await at('JOIN');
    const f = await topFrame(c, s.threadId!);
    await c.dc.evaluateRequest({ expression: '-exec info threads', frameId: f.id, context: 'repl' });
    await c.dc.evaluateRequest({ expression: '>print origin.x', frameId: f.id, context: 'repl' });
    const text = c.text('console');
    assert.match(text, /alpha/);
    assert.match(text, /\$\d+ = 3/);
    const comp = await c.dc.completionsRequest({ text: 'orig', column: 5, frameId: f.id });
    assert.ok(comp.body.targets.some((t) => t.label === 'origin'));
    const hover = await c.dc.evaluateRequest({ expression: 'origin', frameId: f.id, context: 'hover' });
    assert.ok(hover.body.variablesReference > 0);
    const bad = await c.dc.evaluateRequest({ expression: 'nosuchvar', frameId: f.id, context: 'watch' }).then(() => undefined, (e: Error) => e);
    assert.match(String(bad?.message), /No symbol "nosuchvar"/);
    const ls = await c.dc.customRequest('loadedSources');
    const paths = (ls.body.sources as DebugProtocol.Source[]).map((x) => x.path);
    assert.ok(paths.includes(MAIN_C));
    assert.ok(paths.includes(join(ROOT, 'kernel', 'core', 'sched.c')));
    const src = await c.dc.sourceRequest({ source: { path: join(ROOT, 'kernel', 'core', 'sched.c') }, sourceReference: 0 });
    assert.match(src.body.content, /sched_switch/);
    const rsp = async (): Promise<string> => (await c.dc.evaluateRequest({ expression: '$rsp', frameId: (await topFrame(c, s.threadId!)).id, context: 'watch' })).body.result;
    const rspBefore = await rsp();
    const ki = (await c.dc.customRequest('minnow/kernelInfo')).body as { threads: { id: number; name: string; state: string; stackSize: number; stackUsed: number }[]; heap?: { usedBytes: number }; devices: unknown[]; cpus: { id: number; online: boolean; current?: number }[]; missing: string[] };
    const names = ki.threads.map((t) => t.name);
    for (const want of ['main', 'idle', 'alpha', 'beta']) assert.ok(names.includes(want), names.join(','));
    assert.ok(ki.threads.every((t) => t.stackSize > 0 && t.stackUsed <= t.stackSize));
    assert.ok(ki.heap && ki.heap.usedBytes > 0);
    assert.equal(await rsp(), rspBefore, 'kernelInfo only reads');
    // its thread ids are the DAP thread ids
    const dapThreads = (await c.dc.threadsRequest()).body.threads;
    for (const t of ki.threads) assert.ok(dapThreads.find((d) => d.id === t.id)?.name.startsWith(`${t.name} (`), `${t.id} ${t.name}`);
    // one CPU, running the stopped thread (and the names above say no CPU)
    assert.deepEqual(ki.cpus.map((x) => [x.id, x.online, x.current]), [[0, true, s.threadId]]);
    // no virtio driver linked: no devices, and that is not an error
    assert.deepEqual(ki.devices, []);
    assert.deepEqual(ki.missing, []);
    // high-water marks: main has run; alpha and beta were created but have not run yet
    assert.ok(ki.threads.find((t) => t.name === 'main')!.stackUsed > 0, 'stack high-water mark');
    assert.doesNotMatch(c.text(), /Error in sourced command file/);
    // focusThread: a stopped event for that thread, the target untouched
    const beta = dapThreads.find((d) => d.name.startsWith('beta ('))!;
    const focus = stopped(c);
    await c.dc.customRequest('minnow/focusThread', { threadId: beta.id });
    assert.equal((await focus).threadId, beta.id);
    // a stack page past the outermost frame is empty, not an error
    const past = await c.dc.stackTraceRequest({ threadId: s.threadId!, startFrame: 50, levels: 20 });
    assert.deepEqual(past.body.stackFrames, []);
    // the app still runs to its end: nothing was written by the inspection
    const done = c.dc.waitForEvent('terminated');
    await c.dc.setBreakpointsRequest({ source: { path: MAIN_C }, breakpoints: [] });
    await c.dc.continueRequest({ threadId: s.threadId! });
    await done;
    assert.match(c.text('stdout'), /total=\d+/);
  });

  it('reports the actual line, unverified breakpoints, instruction breakpoints and progress', async () => {
    c = await startClient();
    const progress: string[] = [];
    c.dc.on('progressStart', () => progress.push('start'));
    c.dc.on('progressEnd', () => progress.push('end'));
    const now = breakpointUpdates(c);
    const s = stopped(c);
    let set: DebugProtocol.Breakpoint[] = [];
    await launch(c, appArgs(BUILD_ONCE), {}, async (dc) => {
      // the blank line before #PRINT moves to #PRINT; a line past the end stays unverified
      const r = await dc.setBreakpointsRequest({ source: { path: MAIN_C }, breakpoints: [{ line: marker('PRINT') - 1 }, { line: 10_000 }] });
      set = r.body.breakpoints;
    });
    const e = await s;
    assert.deepEqual(progress, ['start', 'end']);
    // given while the kernel booted: answered at once, pending, then settled by `changed` events
    assert.deepEqual(set.map((b) => [b.verified, b.message]), [[false, 'Inserted when the kernel has booted.'], [false, 'Inserted when the kernel has booted.']]);
    assert.equal(now(set[0]).verified, true);
    assert.equal(now(set[0]).line, marker('PRINT'));
    assert.equal(now(set[1]).verified, false);
    assert.ok(now(set[1]).message);
    assert.notEqual(now(set[1]).message, set[1].message);
    assert.equal((await topFrame(c, e.threadId!)).line, marker('PRINT'));
    const pc = (await topFrame(c, e.threadId!)).instructionPointerReference!;
    const d = await c.dc.disassembleRequest({ memoryReference: pc, instructionOffset: 0, instructionCount: 3 });
    const target = d.body!.instructions[2].address;
    const ib = await c.dc.customRequest('setInstructionBreakpoints', { breakpoints: [{ instructionReference: target }] });
    assert.equal(ib.body.breakpoints[0].verified, true);
    const n = stopped(c);
    await c.dc.continueRequest({ threadId: e.threadId! });
    const hit = await n;
    assert.equal(hit.reason, 'instruction breakpoint');
    assert.equal(BigInt((await topFrame(c, hit.threadId!)).instructionPointerReference!), BigInt(target));
  });

  it('a breakpoint gdb cannot insert is unverified with the reason, and the kernel runs on', async () => {
    const s = await at('BP1');
    // page 0 is unmapped: the stub answers Z0 with an error
    const ib = await c.dc.customRequest('setInstructionBreakpoints', { breakpoints: [{ instructionReference: '0x0' }] });
    const bp = ib.body.breakpoints[0] as DebugProtocol.Breakpoint;
    assert.equal(bp.verified, false);
    assert.match(bp.message ?? '', /Cannot access memory at address 0x0/);
    const done = c.dc.waitForEvent('terminated');
    await c.dc.continueRequest({ threadId: s.threadId! });
    await done;
    assert.match(c.text('stdout'), /total=\d+/);
  });

  it('instruction granularity steps one instruction', async () => {
    const s = await at('BP1');
    const pc0 = BigInt((await topFrame(c, s.threadId!)).instructionPointerReference!);
    const n = stopped(c);
    await c.dc.nextRequest({ threadId: s.threadId!, granularity: 'instruction' });
    await n;
    const pc1 = BigInt((await topFrame(c, s.threadId!)).instructionPointerReference!);
    assert.ok(pc1 > pc0 && pc1 - pc0 <= 15n, `${pc0.toString(16)} -> ${pc1.toString(16)}`);
  });
});
