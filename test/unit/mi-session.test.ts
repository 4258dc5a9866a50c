import * as assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GdbError,
  GdbExited,
  GdbSession,
  GdbTimeout,
  mi,
  quote,
  type GdbIo,
  type StoppedEvent,
} from '../../debug-adapter/gdb';
import { ReplayIo } from './mi-replay';

/** An io that lets the test answer by hand */
function manual(): { gdb: GdbSession; io: GdbIo & { written: string[] }; feed(l: string): void; exit(): void } {
  const gdb = new GdbSession();
  const io = { pid: 1, alive: true, written: [] as string[], write(l: string) { this.written.push(l); }, kill() {} };
  const h = gdb.useIo(io);
  return { gdb, io, feed: (l) => h.line(l), exit: () => h.exit(1, null, 'boom') };
}

describe('MI session', () => {
  it('quotes arguments in one place', () => {
    assert.equal(quote('main'), 'main');
    assert.equal(quote('-t'), '-t');
    assert.equal(quote('1 + 1'), '"1 + 1"');
    assert.equal(quote('/tmp/my dir/a.elf'), '"/tmp/my dir/a.elf"');
    assert.equal(quote('p "a\\b"\n'), '"p \\"a\\\\b\\"\\n"');
    assert.equal(quote(''), '""');
    assert.equal(quote('\x01'), '"\\001"');
  });

  it('matches replies by token, not by arrival order', async () => {
    const { gdb, io, feed } = manual();
    const a = gdb.send('-data-evaluate-expression', ['1 + 1']);
    const b = gdb.send('-data-evaluate-expression', ['x']);
    assert.deepEqual(io.written, ['1-data-evaluate-expression "1 + 1"', '2-data-evaluate-expression x']);
    feed('2^done,value="7"');
    feed('(gdb) ');
    feed('1^done,value="2"');
    assert.equal((await a).results.value, '2');
    assert.equal((await b).results.value, '7');
  });

  it('rejects an ^error with GdbError and keeps going', async () => {
    const { gdb, feed } = manual();
    const a = gdb.send('-data-evaluate-expression', ['nosuchvar']);
    const b = gdb.send('-gdb-version');
    feed('1^error,msg="No symbol \\"nosuchvar\\" in current context."');
    feed('2^done');
    await assert.rejects(a, (e: unknown) => e instanceof GdbError && e.message === 'No symbol "nosuchvar" in current context.');
    await b;
  });

  it('reports ^running followed by ^error as an aborted run, not a shifted answer', async () => {
    const { gdb } = ReplayIo.session('native-session.mi');
    const aborted: string[] = [];
    gdb.on('aborted', (e) => aborted.push(e.message));
    // replay commands 1..31 as recorded, then the continue that gdb aborts
    for (let i = 1; i <= 31; i++) await gdb.send(`-replayed-${i}`).catch(() => undefined);
    const r = await gdb.send('-exec-continue');
    assert.equal(r.resultClass, 'running');
    await new Promise((res) => setTimeout(res, 20));
    assert.deepEqual(aborted, ['Command aborted.']);
    assert.equal(gdb.running, false);
    // the next command still gets its own answer
    const r2 = await gdb.send('-exec-continue');
    assert.equal(r2.resultClass, 'running');
  });

  it('times out one command without disturbing the next', async () => {
    const { gdb, feed } = manual();
    const a = gdb.send('-slow', [], { timeoutMs: 30 });
    await assert.rejects(a, GdbTimeout);
    const b = gdb.send('-fast');
    feed('1^done'); // late answer to the timed-out command: dropped
    feed('2^done,ok="1"');
    assert.equal((await b).results.ok, '1');
  });

  it('rejects everything pending with GdbExited when gdb exits, and later sends too', async () => {
    const { gdb, exit } = manual();
    const a = gdb.send('-a');
    const b = gdb.send('-b');
    const exited: GdbExited[] = [];
    gdb.on('exit', (e) => exited.push(e));
    exit();
    await assert.rejects(a, GdbExited);
    await assert.rejects(b, GdbExited);
    await assert.rejects(gdb.send('-c'), GdbExited);
    assert.equal(exited.length, 1);
  });

  it('sends an interrupt at once while another command waits', async () => {
    const { gdb, io, feed } = manual();
    const slow = gdb.send('-exec-continue');
    const int = gdb.interrupt();
    assert.equal(io.written[1], '2-exec-interrupt');
    feed('2^done');
    feed('1^running');
    await int;
    await slow;
  });

  it('turns a recorded session into typed events and results', async () => {
    const { gdb } = ReplayIo.session('native-session.mi');
    const stops: StoppedEvent[] = [];
    const consoleText: string[] = [];
    const notify: string[] = [];
    gdb.on('stopped', (e) => stops.push(e));
    gdb.on('stream', (s) => s.kind === 'console' && consoleText.push(s.text));
    gdb.on('notify', (n) => notify.push(n.asyncClass));
    await mi.gdbSet(gdb, 'mi-async', 'on');
    await mi.fileExecAndSymbols(gdb, '/tmp/mi/prog');
    const b1 = await mi.breakInsert(gdb, { location: 'main' });
    assert.equal(b1.number, '1');
    assert.equal(b1.line, 9);
    assert.equal(b1.fullname, '/tmp/mi/prog.c');
    await mi.breakInsert(gdb, { location: 'add', temporary: true });
    await mi.breakInsert(gdb, { location: 'prog.c:13' });
    const all = await mi.breakList(gdb);
    assert.deepEqual(all.map((b) => b.line), [9, 7, 13]);
    const stopped = gdb.waitStopped(2000);
    await gdb.send('-exec-run');
    const s = await stopped;
    assert.equal(s.reason, 'breakpoint-hit');
    assert.equal(s.bkptno, 1);
    assert.equal(s.threadId, 1);
    assert.equal(s.frame?.line, 9);
    assert.equal(s.internal, false);
    const frames = await mi.stackListFrames(gdb, 1, 0, 20);
    assert.equal(frames[0].func, 'main');
    const vars = await mi.stackListVariables(gdb, { thread: 1, frame: 0 });
    assert.deepEqual(vars.map((v) => v.name), ['p', 'arr']);
    assert.ok(notify.includes('thread-created'));
    assert.ok(notify.includes('breakpoint-modified'));
    assert.ok(consoleText.join('').includes('Breakpoint 1, main () at prog.c:9'));
  });

  describe('against a real gdb', function () {
    let prog = '';
    before(() => {
      const dir = mkdtempSync(join(tmpdir(), 'minnow-mi-'));
      writeFileSync(join(dir, 'p.c'), 'int g;\nint main(void) {\n\tg = 1;\n\tg = 2;\n\treturn g;\n}\n');
      const r = spawnSync('gcc', ['-g', '-O0', '-o', join(dir, 'p'), join(dir, 'p.c')]);
      assert.equal(r.status, 0, `gcc failed: ${r.stderr}`);
      prog = join(dir, 'p');
    });

    it('runs to main, steps, evaluates and exits', async () => {
      const gdb = new GdbSession();
      await gdb.start('gdb');
      try {
        await mi.fileExecAndSymbols(gdb, prog);
        await mi.breakInsert(gdb, { location: 'main' });
        const s1 = gdb.waitStopped();
        await gdb.send('-exec-run');
        assert.equal((await s1).frame?.line, 3);
        const s2 = gdb.waitStopped();
        await mi.exec(gdb, 'next');
        assert.equal((await s2).frame?.line, 4);
        assert.equal(await mi.evaluate(gdb, 'g + 1'), '2');
        assert.equal(await gdb.cli('print g'), '$1 = 1\n');
      } finally {
        await gdb.exit();
      }
      assert.equal(gdb.alive, false);
    });

    it('fails with GdbExited naming the cause when the gdb path is wrong', async () => {
      const gdb = new GdbSession();
      await assert.rejects(gdb.start('/nonexistent/gdb'), (e: unknown) => e instanceof GdbExited && /ENOENT/.test(e.message));
    });
  });
});

describe('MI session on a recorded kernel-stub transcript', () => {
  it('types the stops of the kernel gdbstub: connect, breakpoint, watchpoint, step, interrupt', async () => {
    const { gdb } = ReplayIo.session('kernel-stub.mi');
    const stops: StoppedEvent[] = [];
    gdb.on('stopped', (e) => stops.push(e));
    await mi.gdbSet(gdb, 'mi-async', 'on');
    await mi.fileExecAndSymbols(gdb, '/work/main/test/adapter/app/build/dbgtest.elf');
    await mi.targetRemote(gdb, '127.0.0.1:1');
    const t = await mi.threadInfo(gdb);
    assert.deepEqual(t.threads.map((x) => [x.id, x.name, x.details]), [
      [1, 'main', 'running'],
      [2, 'idle', 'ready'],
    ]);
    for (let i = 5; i <= 21; i++) await gdb.send(`-replayed-${i}`).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(
      stops.map((s) => s.reason),
      ['unknown', 'breakpoint-hit', 'end-stepping-range', 'watchpoint-trigger', 'end-stepping-range', 'signal-received'],
    );
    const watch = stops[3];
    assert.equal(watch.frame?.func, 'worker');
    assert.deepEqual(watch.raw.value, { old: '0', new: '10' });
    assert.equal(stops[5].signalName, 'SIGINT');
  });
});
