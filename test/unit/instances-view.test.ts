// The Instances view's rows (extension/instances.ts) from instance records as target/instances.ts
// writes them: order, what each row says, which actions its menu offers, the attach configuration.

import { strict as assert } from 'node:assert';
import { ago, attachConfig, instanceRows } from '../../extension/instances';
import type { Instance } from '../../target';

const NOW = 1_800_000_000_000;

function instance(over: Partial<Instance>): Instance {
  return {
    name: 'web',
    app: 'webserver',
    appDir: '/p/webserver',
    machine: 'microvm',
    elf: '/c/instances/web/webserver.elf',
    status: 'running',
    createdAt: NOW - 60_000,
    startedAt: NOW - 59_000,
    supervisor: { pid: 10, start: 1 },
    qemu: { pid: 11, start: 2 },
    hostForwards: ['tcp:8080-80'],
    dir: '/c/instances/web',
    alive: true,
    ...over,
  };
}

describe('extension: the Instances view', () => {
  it('lists running instances first, then finished ones newest first, each with status, app, age and ports', () => {
    const rows = instanceRows(
      [
        instance({ name: 'old', status: 'exited', finishedAt: NOW - 7_200_000, exit: { reason: 'exit', code: 0, summary: 'main returned 0' }, qemu: undefined }),
        instance({ name: 'dbg', gdbPort: 4321, createdAt: NOW - 120_000, startedAt: NOW - 119_000, hostForwards: [] }),
        instance({}),
        instance({ name: 'crashed', status: 'exited', finishedAt: NOW - 30_000, exit: { reason: 'crash', summary: 'page fault' } }),
      ],
      NOW,
    );
    assert.deepEqual(rows.map((r) => r.name), ['dbg', 'web', 'crashed', 'old']);
    assert.deepEqual(rows.map((r) => r.description), [
      'running · webserver · up 2 min · gdb 127.0.0.1:4321',
      'running · webserver · up 59 s · tcp 127.0.0.1:8080->80',
      'exited (crashed) · webserver · 30 s ago · tcp 127.0.0.1:8080->80',
      'exited (0) · webserver · 2 h ago · tcp 127.0.0.1:8080->80',
    ]);
    assert.deepEqual(rows.map((r) => r.contextValue), ['minnow.instance.debuggable', 'minnow.instance.running', 'minnow.instance.finished', 'minnow.instance.finished']);
    assert.deepEqual(rows.map((r) => r.icon), ['debug', 'vm-running', 'error', 'vm-outline']);
    assert.match(rows[1].tooltip, /QEMU pid 11/);
    assert.match(rows[1].tooltip, /console: \/c\/instances\/web\/console\.log/);
    assert.match(rows[2].tooltip, /page fault/);
  });

  it('attaches only to a running instance that has a gdbstub', () => {
    assert.deepEqual(attachConfig(instance({ gdbPort: 4321 })), {
      type: 'minnow',
      request: 'attach',
      name: 'Minnow: attach to web',
      target: '127.0.0.1:4321',
      program: '/c/instances/web/webserver.elf',
    });
    assert.equal(attachConfig(instance({})), undefined);
    assert.equal(attachConfig(instance({ gdbPort: 4321, status: 'exited' })), undefined);
  });

  it('says how long ago in s, min or h', () => {
    assert.equal(ago(NOW - 5_000, NOW), '5 s');
    assert.equal(ago(NOW - 600_000, NOW), '10 min');
    assert.equal(ago(NOW - 3 * 3_600_000, NOW), '3 h');
    assert.equal(ago(NOW + 1_000, NOW), '0 s');
  });
});
