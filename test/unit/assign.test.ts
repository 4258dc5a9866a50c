// Reading gdb's `info scope` text to explain a refused assignment (debug-adapter/assign.ts): the
// texts are gdb 13's for examples/threads and the adapter's test application built at -Og.

import * as assert from 'node:assert/strict';
import { assignedName, isAssignment, storageAt } from '../../debug-adapter/assign';

const SCOPE = `Scope for *0x10a566:
Symbol i is multi-location:
  Base address 0x10a559  Range 0x10a559-0x10a566: the constant 0
  Range 0x10a566-0x10a5a2: a variable in $rbx
, length 4.
Symbol argc is multi-location:
  Base address 0x10a4be  Range 0x10a4be-0x10a4dc: a variable in $rdi
  Range 0x10a4dc-0x10a60f: a complex DWARF expression:
     0: DW_OP_entry_value
       2: DW_OP_reg5 [$rdi]
     3: DW_OP_stack_value

, length 4.
Symbol workers is a complex DWARF expression:
     0: DW_OP_fbreg -72
, length 24.
Symbol base is a constant with value 10 (0xa), length 4.
Symbol first is multi-location:
  Range 0x10a000-0x10a010: a variable in $rax
, length 4.
`;

describe('unit: assignments gdb refuses (assign.ts)', () => {
  it('finds where a local lives at a pc, range by range', () => {
    assert.deepEqual(storageAt(SCOPE, 'i', 0x10a560n), { kind: 'constant', value: '0' });
    assert.deepEqual(storageAt(SCOPE, 'i', 0x10a566n), { kind: 'register', register: '$rbx' });
    assert.deepEqual(storageAt(SCOPE, 'argc', 0x10a4c0n), { kind: 'register', register: '$rdi' });
    assert.deepEqual(storageAt(SCOPE, 'argc', 0x10a566n), { kind: 'computed', from: '$rdi' });
    assert.deepEqual(storageAt(SCOPE, 'workers', 0x10a566n), { kind: 'memory' });
    assert.deepEqual(storageAt(SCOPE, 'base', 0x10a566n), { kind: 'constant', value: '10' });
    assert.deepEqual(storageAt(SCOPE, 'first', 0x10a566n), { kind: 'none' });
    assert.equal(storageAt(SCOPE, 'nosuch', 0x10a566n), undefined);
  });

  it('tells assignments from comparisons', () => {
    for (const e of ['done = 9', 'done += 2', 'x <<= 1', 'p->x = 3', '(a = 1)', 'a[i] ^= 4']) assert.ok(isAssignment(e), e);
    for (const e of ['done == 9', 'a <= b', 'a >= b', 'a != b', 'a << 2', '"x = 1"', "c == '='"]) assert.ok(!isAssignment(e), e);
    assert.equal(assignedName('done = 9'), 'done');
    assert.equal(assignedName(' done += 2'), 'done');
    assert.equal(assignedName('p->x = 3'), undefined);
    assert.equal(assignedName('done == 9'), undefined);
  });
});
