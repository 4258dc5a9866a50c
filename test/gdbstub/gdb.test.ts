/*
 * Real gdb against the kernel's stub (MI, driven by gdbmi.ts), on the test
 * app booted in QEMU TCG with COM2 on a free 127.0.0.1 port. Source lines
 * are found by their "// #name" markers in app/main.c (test/markers.ts).
 */
import * as assert from 'node:assert/strict';
import { Gdb } from './gdbmi';
import { bootVm, buildTestApp, marker, target, type Vm } from './harness';

function field(record: string, name: string): string | undefined {
  const m = new RegExp(`${name}="((?:[^"\\\\]|\\\\.)*)"`).exec(record);
  return m?.[1];
}

function frameOf(stop: string): { func?: string; line?: number; addr?: string } {
  // the first func/line/addr after "frame={" are the frame's own
  const f = stop.slice(stop.indexOf('frame={'));
  const line = field(f, 'line');
  return { func: field(f, 'func'), line: line ? Number(line) : undefined, addr: field(f, 'addr') };
}

describe('gdbstub with real gdb', function () {
  this.timeout(300000);
  let elf: string;
  let vm: Vm | undefined;
  let gdb: Gdb | undefined;

  before(() => {
    elf = buildTestApp();
  });

  afterEach(async () => {
    gdb?.kill();
    gdb = undefined;
    await vm?.kill();
    vm = undefined;
  });

  async function connect(args: string[] = []): Promise<Gdb> {
    vm = await bootVm(elf, { args });
    gdb = new Gdb(elf);
    await gdb.cmd('-gdb-set mi-async on');
    await gdb.cli('set confirm off');
    await gdb.cli(target(vm));
    return gdb;
  }

  it('opens the wait-before-main stop in the kernel\'s main thread, about to call main', async () => {
    const g = await connect();
    const bt = await g.cli('bt');
    // the top frame is the code that calls main, not the stub
    assert.match(bt, /#0\s+init_main \(.*init\.c:\d+/, bt);
    assert.doesNotMatch(bt, /gdbstub/, bt);
    assert.match(await g.cli('frame'), /^\d+\s+power_exit\(main\(/m);
    await g.cli('break main');
    const stop = await g.resume('continue');
    assert.equal(frameOf(stop).func, 'main');
    await g.cli('detach');
    await vm!.waitConsole(/result \d+/);
  });

  it('breaks, shows threads and backtraces, steps, prints and sets variables, watches', async () => {
    const g = await connect();
    await g.cli('break sum_squares');
    let stop = await g.resume('continue');
    assert.equal(frameOf(stop).func, 'sum_squares');
    const bt = await g.cli('bt');
    assert.match(bt, /#0\s+sum_squares/);
    assert.match(bt, new RegExp(`#1\\s+0x[0-9a-f]+ in main \\(.*main\\.c:${marker('main-call')}`));

    const threads = await g.cli('info threads');
    for (const name of ['main', 'idle', 'netrx', 'sleeper']) assert.match(threads, new RegExp(`Thread \\d+ "${name}"`));
    assert.match(threads, /"netrx" \(blocked: rxq\)/);
    assert.match(threads, /"sleeper" \(sleeping\)/);
    const netrx = /(\d+)\s+Thread \d+ "netrx"/.exec(threads)![1];
    await g.cli(`thread ${netrx}`);
    const nbt = await g.cli('bt');
    assert.match(nbt, /waitq_wait/);
    assert.match(nbt, new RegExp(`netrx \\(.*main\\.c:${marker('netrx-wait')}`));
    await g.cli('thread 1');

    assert.match(await g.cli('print origin'), /\{x = 3, y = 4, label = 0x[0-9a-f]+ "origin"\}/);
    assert.match(await g.cli('print numbers'), /\{1, 2, 3, 4, 5, 6, 7, 8\}/);
    await g.cli('set var numbers[1] = 10');
    assert.match(await g.cli('print numbers[1]'), /= 10/);
    await g.cli('set var cursor->y = 40');
    assert.match(await g.cli('print *cursor'), /\{x = 3, y = 40, label = 0x[0-9a-f]+ "origin"\}/);
    assert.match(await g.cli('print cursor->label'), /"origin"/);

    stop = await g.resume('next');
    stop = await g.resume('next');
    assert.equal(frameOf(stop).line, marker('sum-call'));
    stop = await g.resume('step');
    assert.equal(frameOf(stop).func, 'square');
    stop = await g.resume('finish');
    assert.equal(frameOf(stop).func, 'sum_squares');
    assert.match(stop, /gdb-result-var="\$\d+",return-value="1"/);
    const before = frameOf(stop).addr;
    stop = await g.resume('stepi');
    assert.notEqual(frameOf(stop).addr, before);
    assert.equal(frameOf(stop).func, 'sum_squares');

    await g.cli('delete');
    const counter = Number(/= (\d+)/.exec(await g.cli('print counter'))![1]);
    await g.cli('watch counter');
    stop = await g.resume('continue');
    assert.match(stop, /reason="watchpoint-trigger"/);
    assert.match(stop, new RegExp(`value=\\{old="${counter}",new="${counter + 1}"\\}`));
    await g.cli('delete');
    await g.cli('rwatch counter');
    stop = await g.resume('continue');
    assert.match(stop, /reason="read-watchpoint-trigger"/);
    assert.match(stop, new RegExp(`value=\\{value="${counter + 1}"\\}`));
    await g.cli('delete');
    await g.cli('awatch counter');
    stop = await g.resume('continue');
    assert.match(stop, /reason="access-watchpoint-trigger"/);
    await g.cli('delete');
    await g.cli('hbreak peek_counter');
    stop = await g.resume('continue');
    assert.match(stop, /reason="breakpoint-hit"/);
    assert.equal(frameOf(stop).func, 'peek_counter');
    await g.cli('delete');
    await g.cli('detach');
    await vm!.waitConsole(/result 300 peek 8 label origin/);
    assert.equal(await vm!.exited, 1);
  });

  it('steps a parked thread after `thread N` (stepi, next)', async () => {
    const g = await connect();
    await g.cli('break nap');
    await g.resume('continue');
    await g.cli('delete');
    const threads = await g.cli('info threads');
    const [, gid, tid] = /(\d+)\s+Thread (\d+) "ticker"/.exec(threads)!;
    await g.cli(`thread ${gid}`);
    let stop = await g.resume('stepi');
    assert.equal(field(stop, 'thread-id'), gid, `stopped in the ticker: ${stop}`);
    stop = await g.resume('next');
    assert.equal(field(stop, 'thread-id'), gid);
    assert.match(await g.cli('info threads'), new RegExp(`\\* ${gid}\\s+Thread ${tid} "ticker"`));
    await g.cli('detach');
    await vm!.waitConsole(/result 300 peek 8 label origin|result 204 peek 8 label origin/);
  });

  for (const [arg, signal, func, mark] of [
    ['div0', 'SIGFPE', 'divide', 'div0'],
    ['null', 'SIGSEGV', 'deref', 'null'],
  ] as const) {
    it(`stops at the faulting line with ${signal} (${arg}), then kill ends the VM`, async () => {
      const g = await connect([arg]);
      const stop = await g.resume('continue');
      assert.match(stop, new RegExp(`signal-name="${signal}"`));
      assert.equal(frameOf(stop).func, func);
      assert.equal(frameOf(stop).line, marker(mark));
      await g.cli('kill');
      // the kernel's "ended by the debugger" (126), not a crash (127)
      assert.equal(await vm!.exited, (126 << 1) | 1);
      assert.doesNotMatch(vm!.console(), /result/);
    });
  }

  it('stops in panic() with SIGABRT', async () => {
    const g = await connect(['panic']);
    const stop = await g.resume('continue');
    assert.match(stop, /signal-name="SIGABRT"/);
    assert.match(await g.cli('bt'), new RegExp(`main \\(.*main\\.c:${marker('panic')}`));
    await g.cli('kill');
  });

  it('interrupts a busy loop, detaches, attaches again, and the app finishes', async () => {
    const g = await connect(['spin']);
    g.clearStops();
    await g.cli('continue &');
    await new Promise((r) => setTimeout(r, 500));
    const stopped = g.nextStop();
    await g.cmd('-exec-interrupt');
    const stop = await stopped;
    assert.match(stop, /signal-name="SIGINT"/);
    assert.equal(frameOf(stop).func, 'spin');
    await g.cli('detach');
    await new Promise((r) => setTimeout(r, 300));
    // a second session on the running kernel
    await g.cli(target(vm!));
    assert.match(await g.cli('bt'), /spin|main/);
    await g.cli('set var spin_stop = 1');
    await g.cli('detach');
    await vm!.waitConsole(/result 204 peek \d+ label origin/);
    assert.equal(await vm!.exited, 1);
  });
});
