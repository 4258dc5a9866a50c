// The adapter's pure pieces, without processes: hit conditions, child expressions, the gdb
// command prefixes, the error catalogue and how stops are classified.

import * as assert from 'node:assert/strict';
import { Breakpoints, parseHitCondition } from '../../debug-adapter/breakpoints';
import { describeFault, faultRows } from '../../debug-adapter/faults';
import { ErrorId, errors, toDapError } from '../../debug-adapter/errors';
import { GdbError, GdbExited, GdbSession, GdbTimeout, type StoppedEvent } from '../../debug-adapter/gdb';
import { MinnowError } from '../../target';
import { isAbsent, symbolAbsent } from '../../debug-adapter/netinfo';
import { threadName } from '../../debug-adapter/stack';
import { childExpression, gdbCommand } from '../../debug-adapter/variables';

describe('adapter units', () => {
  it('takes a kernel table gdb cannot find for one this kernel does not have, and nothing else', () => {
    // never declared (the component is not linked), or in the DWARF but dropped by --gc-sections
    assert.ok(symbolAbsent('No symbol "vfs_mounts" in current context.', 'vfs_mounts'));
    assert.ok(symbolAbsent('Missing ELF symbol "fd_table".', 'fd_table'));
    assert.ok(symbolAbsent('No symbol "virtio_devices" in current context.'));
    assert.ok(!symbolAbsent('Missing ELF symbol "fd_table".', 'vfs_mounts'));
    assert.ok(!symbolAbsent('Cannot access memory at address 0x1000'));
    assert.ok(isAbsent(new Error('Missing ELF symbol "net_iface0".')));
    assert.ok(!isAbsent(new Error('Missing ELF symbol "fd_table".')));
  });

  it('parses hit conditions into ignore counts', () => {
    assert.deepEqual(parseHitCondition('3'), { ignore: 2, once: true });
    assert.deepEqual(parseHitCondition('== 3'), { ignore: 2, once: true });
    assert.deepEqual(parseHitCondition('>= 3'), { ignore: 2 });
    assert.deepEqual(parseHitCondition('>3'), { ignore: 3 });
    assert.deepEqual(parseHitCondition('==1'), { ignore: 0, once: true });
    assert.equal(parseHitCondition('0'), undefined);
    assert.deepEqual(parseHitCondition('%2'), { ignore: 0, every: 2 });
    assert.equal(parseHitCondition('x'), undefined);
    assert.equal(parseHitCondition('%0'), undefined);
  });

  it('builds C expressions for children', () => {
    assert.equal(childExpression('p', 'struct point', 'x'), 'p.x');
    assert.equal(childExpression('t', 'struct thread *', 'name'), 't->name');
    assert.equal(childExpression('ip', 'int *', '*ip'), '*ip');
    assert.equal(childExpression('arr', 'int [3]', '1'), 'arr[1]');
    assert.equal(childExpression('a.b', 'struct s', 'c'), '(a.b).c');
  });

  it('recognises -exec and > as gdb commands', () => {
    assert.equal(gdbCommand('-exec info threads'), 'info threads');
    assert.equal(gdbCommand('>bt'), 'bt');
    assert.equal(gdbCommand('x > 1'), undefined);
    assert.equal(gdbCommand('a->b'), undefined);
  });

  it('names threads "name (state)" for the kernel stub and QEMU\'s', () => {
    assert.equal(threadName({ id: 3, targetId: 'Thread 3', name: 'worker-1', details: 'blocked: wait queue work ready' }), 'worker-1 (blocked: wait queue work ready)');
    assert.equal(threadName({ id: 1, targetId: 'Thread 1.1', details: 'CPU#0 [running]' }), 'Thread 1.1 (CPU#0 [running])');
    assert.equal(threadName({ id: 2, targetId: 'Thread 2', name: 'idle' }), 'idle');
  });

  it('with several CPUs, puts the CPU after the thread\'s name', () => {
    // the kernel stub's extra info on 4 CPUs (kernel/debug/gdb_query.c), with gdb's core
    assert.equal(threadName({ id: 4, targetId: 'Thread 4', name: 'worker', details: 'running on cpu 2', core: 2 }), 'worker · CPU 2 (running)');
    assert.equal(threadName({ id: 5, targetId: 'Thread 5', name: 'netrx', details: 'blocked: wait queue rxq on cpu 0', core: 0 }), 'netrx · CPU 0 (blocked: wait queue rxq)');
    assert.equal(threadName({ id: 6, targetId: 'Thread 6', name: 'spinner', details: 'ready on cpu 3' }), 'spinner · CPU 3 (ready)');
    // the extra info says where it runs now; core may still name the CPU it was made for
    assert.equal(threadName({ id: 7, targetId: 'Thread 7', name: 'mover', details: 'running on cpu 1', core: 3 }), 'mover · CPU 1 (running)');
    assert.equal(threadName({ id: 8, targetId: 'Thread 8', name: 'idle2', core: 2 }), 'idle2 · CPU 2');
    // QEMU's stub: its threads are CPUs and say so already
    assert.equal(threadName({ id: 2, targetId: 'Thread 1.2', details: 'CPU#1 [running]', core: 1 }), 'Thread 1.2 (CPU#1 [running])');
  });

  it('knows who is to blame for an error', () => {
    const user = toDapError(errors.badAttribute('gdbPath', 'is wrong', 'Fix it.'));
    assert.equal(user.internal, false);
    assert.equal(user.showUser, true);
    assert.match(user.format, /"gdbPath".*Fix it\./);
    const minnow = toDapError(new MinnowError('QEMU not found', 'Install it.'));
    assert.equal(minnow.format, 'QEMU not found. Install it.');
    const expr = toDapError(new GdbError('-data-evaluate-expression x', 'No symbol "x" in current context.'));
    assert.deepEqual([expr.id, expr.showUser, expr.internal], [ErrorId.expression, false, false]);
    assert.match(toDapError(new GdbExited(null, 'SIGKILL', '')).format, /gdb exited \(signal SIGKILL\).*start it again/);
    assert.equal(toDapError(new GdbTimeout('-x', 10)).internal, true);
    const bug = toDapError(new TypeError('boom'));
    assert.equal(bug.internal, true);
    assert.match(bug.format, /^Internal error/);
    assert.ok(bug.detail?.includes('TypeError'));
  });

  describe('stop classification', () => {
    const stop = (reason: string, extra: Partial<StoppedEvent> = {}): StoppedEvent => ({ reason, internal: false, raw: {}, ...extra });
    const fpe = stop('signal-received', { signalName: 'SIGFPE', frame: { level: 0, addr: '0x10' }, raw: { 'signal-meaning': 'Arithmetic exception' } });

    it('reports every exception the stub stopped for (the filters are the stub\'s business)', () => {
      const b = new Breakpoints(new GdbSession());
      assert.deepEqual(b.classify(fpe, false), { action: 'report', reason: 'exception', description: 'CPU exception (SIGFPE: Arithmetic exception)', text: 'SIGFPE' });
      assert.deepEqual(b.classify(stop('signal-received', { signalName: 'SIGABRT' }), false).action, 'report');
    });

    it('words faults from the stub\'s record: vector, #PF access and cause, panic message', () => {
      assert.equal(describeFault(14, 2n, 0n).description, 'page fault writing 0x0 (not present)');
      assert.equal(describeFault(14, 0n, 0x1000n).description, 'page fault reading 0x1000 (not present)');
      assert.equal(describeFault(14, 3n, 0x100000n).description, 'page fault writing 0x100000 (protection violation)');
      assert.equal(describeFault(14, 0x11n, 0x200000n).description, 'page fault executing 0x200000 (protection violation)');
      assert.equal(describeFault(0, 0n, 0n).description, 'divide error (#DE)');
      assert.equal(describeFault(0xf1, 0n, 0n, 'assertion "x" failed').description, 'panic: assertion "x" failed');
      assert.deepEqual(faultRows(describeFault(14, 2n, 0n)), [
        { name: 'vector', value: '14 page fault (#PF)' },
        { name: 'error code', value: '0x2' },
        { name: 'cr2', value: '0x0' },
      ]);
    });

    it('tells pause, steps and entry apart', () => {
      const b = new Breakpoints(new GdbSession());
      assert.equal((b.classify(stop('signal-received', { signalName: 'SIGINT' }), true) as { reason: string }).reason, 'pause');
      assert.equal((b.classify(stop('end-stepping-range'), false) as { reason: string }).reason, 'step');
      assert.equal((b.classify(stop('function-finished'), false) as { reason: string }).reason, 'step');
      assert.equal((b.classify(stop('watchpoint-trigger', { raw: { value: { old: '0', new: '1' } } }), false) as { text: string }).text, 'old 0, new 1');
    });
  });
});
