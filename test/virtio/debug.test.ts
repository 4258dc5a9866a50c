// The drivers under a debugger: examples/blk booted with the kernel gdbstub waiting for gdb;
// breakpoints in the virtio-blk submit path (blk_submit) and in the completion path (the virtio
// interrupt handler: IOAPIC on microvm, MSI-X on q35; then the reaping of the used ring) are hit,
// and while the interrupt is being handled the thread that issued the request is listed as
// blocked on the device's wait queue. The debugger also plays a misbehaving device (see below).

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startQemu } from '../../target';
import type { QemuExit, QemuInstance } from '../../target';
import { Gdb } from '../gdbstub/gdbmi';
import { blkDriveArgs, buildOnce, rmTemp, tempDir, transportArgs } from './helpers';
import type { Machine } from './helpers';

function frameFunc(stop: string): string | undefined {
  return /frame=\{[^}]*?func="([^"]+)"/.exec(stop)?.[1];
}

/** Replaces every breakpoint with one at `func` and continues; asserts the stop is there. */
async function runTo(g: Gdb, func: string): Promise<string> {
  await g.cli('delete');
  await g.cli(`break ${func}`);
  const stop = await g.resume('continue');
  assert.equal(frameFunc(stop), func, `${stop}\n${g.log}`);
  return stop;
}

describe('virtio-blk under the debugger', function () {
  this.timeout(240_000);
  let dir: string;
  let qemu: QemuInstance | undefined;
  let gdb: Gdb | undefined;
  let consoleText = '';

  before(() => (dir = tempDir('blk-debug')));
  after(async () => {
    gdb?.kill();
    await qemu?.kill();
    rmTemp(dir);
  });

  /** Boots examples/blk on `machine` with a fresh 4 MiB disk `imageName`, the kernel's stub waiting; gdb connected. */
  async function bootUnderGdb(machine: Machine, imageName: string): Promise<Gdb> {
    const elf = await buildOnce('examples/blk');
    const image = path.join(dir, imageName);
    consoleText = '';
    fs.writeFileSync(image, Buffer.alloc(0));
    fs.truncateSync(image, 4 << 20);
    qemu = await startQemu({
      elf, machine, accel: 'tcg', memory: '32M', name: 'blk', argv: [],
      gdbstub: { kind: 'kernel', wait: true },
      extraArgs: [...transportArgs(machine), ...blkDriveArgs(machine, image)],
      onConsole: (t) => (consoleText += t),
      timeoutMs: 200_000,
    });
    const g = (gdb = new Gdb(elf));
    await g.cmd('-gdb-set mi-async on');
    await g.cli('set confirm off');
    await g.cli(`target remote 127.0.0.1:${qemu.port}`);
    return g;
  }

  /** Deletes every breakpoint and lets the application run to its end; then gdb is gone. */
  async function runToExit(g: Gdb): Promise<QemuExit> {
    await g.cli('delete');
    await g.cmd('-exec-continue');
    const exit = await qemu!.exited;
    g.kill();
    gdb = undefined;
    qemu = undefined;
    return exit;
  }

  // The real device cannot be made to misbehave, but the debugger can: stopped in the interrupt
  // handler after the device completed the demo's write, the test corrupts what the device wrote
  // in the used ring. The driver must fail that request with -EIO and say why; nothing may hang.
  for (const [what, corrupt, log] of [
    ['a used index beyond the ring', 'set var virtio_blk.vq->used->idx = virtio_blk.vq->used->idx + 7',
      /device misbehaved: used idx beyond the buffers made available/],
    // (the entry the driver reads next: the device may have finished an earlier request already)
    ['a used length larger than the buffers',
      'set var virtio_blk.vq->used->ring[virtio_blk.vq->last_used & (virtio_blk.vq->size - 1)].len = 0x100000',
      /device misbehaved: used len larger than the writable buffers \(1048576, \d+\)/],
  ] as const) {
    it(`turns ${what} into -EIO for the waiting request`, async function () {
      const g = await bootUnderGdb('microvm', 'bad.img');
      await g.cli('break virtio_wait');
      await g.resume('continue');
      await runTo(g, 'virtio_irq');
      await g.cli(corrupt);
      const exit = await runToExit(g);
      assert.equal(exit.appExitCode, 1, `${exit.summary}\n${consoleText}`);
      assert.match(consoleText, log);
      assert.match(consoleText, /blk: sectors 0\+256: error -5/);
    });
  }

  for (const [machine, handler] of [['microvm', 'virtio_irq'], ['q35', 'virtio_msix_irq']] as const) {
    it(`hits breakpoints in submit and in ${handler} on ${machine}; the waiter is blocked on I/O`, async function () {
      const g = await bootUnderGdb(machine, `${machine}.img`);

      await runTo(g, 'blk_submit');
      assert.match(await g.cli('bt'), /blk_submit[\s\S]*virtio_blk_rw[\s\S]*main/);

      // the device may complete while the submitter is still running; stop where it goes to sleep
      // so that the interrupt below is the one that wakes it
      await runTo(g, 'virtio_wait');
      assert.match(await g.cli('bt'), /virtio_wait[\s\S]*blk_wait/);

      await runTo(g, handler);
      const threads = await g.cli('info threads');
      assert.match(threads, /"main" \(blocked: wait queue virtio-blk I\/O\)|"main"[^\n]*blocked[^\n]*virtio-blk I\/O/, threads);
      const mainId = /(\d+)\s+Thread \d+ "main"/.exec(threads)![1];
      await g.cli(`thread ${mainId}`);
      assert.match(await g.cli('bt'), /waitq_wait[\s\S]*virtio_wait[\s\S]*blk_wait/);

      await runTo(g, 'virtio_blk_reap');

      const exit = await runToExit(g);
      assert.equal(exit.appExitCode, 0, `${exit.summary}\n${consoleText}`);
      assert.match(consoleText, /verified 256 sectors/);
    });
  }
});
