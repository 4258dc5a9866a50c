// Device interrupts on a chosen CPU (issue 11): with 2 CPUs the guest (apps/irqcpu) sends
// virtio-blk's interrupt to CPU 1 with device_irq_cpu() and reads from CPU 0, then sends it back
// to CPU 0 and reads from CPU 1; each CPU's count of device interrupts must rise on the chosen CPU
// only. Then a reader on each CPU at once. Over virtio-mmio (an IOAPIC pin), virtio-pci with
// MSI-X (the table entry rewritten) and with INTx. Before virtio_lock(), a wake-up taken on one
// CPU for a reader on the other could be lost between its check and its sleep: the read hung.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { blkDriveArgs, boot, buildOnce, describeExit, rmTemp, tempDir, VARIANTS } from './helpers';

describe('virtio: a device interrupt routed to a chosen CPU', function () {
  this.timeout(300_000);
  let elf: string;
  let dir: string;

  before(async function () {
    elf = await buildOnce('test/virtio/apps/irqcpu');
    dir = tempDir('irqcpu');
  });
  after(() => rmTemp(dir));

  for (const [n, { machine, label, kernelOptions }] of VARIANTS.entries()) {
    it(`moves virtio-blk's interrupt to CPU 1 and back on ${label}`, async function () {
      const image = path.join(dir, `irq${n}.img`);
      fs.writeFileSync(image, Buffer.alloc(0));
      fs.truncateSync(image, 1 << 20);
      const guest = await boot(elf, machine, [], blkDriveArgs(machine, image), { kernelOptions, cpus: 2, timeoutMs: 240_000 });
      const exit = await guest.exited;
      const out = guest.output();
      assert.equal(exit.appExitCode, 0, describeExit(exit, out));
      for (const name of ['to CPU 1', 'back to CPU 0', 'both CPUs at once', 'no such device', 'no such CPU']) {
        assert.match(out, new RegExp(`^PASS ${name}$`, 'm'), out);
      }
      assert.doesNotMatch(out, /^FAIL/m, out);
      // the figures themselves: the reads interrupted CPU 1, then CPU 0
      assert.match(out, /^to CPU 1: 32 reads on CPU 0, device interrupts on CPU 0: 0, CPU 1: [1-9]\d*$/m, out);
      assert.match(out, /^back to CPU 0: 32 reads on CPU 1, device interrupts on CPU 0: [1-9]\d*, CPU 1: 0$/m, out);
    });
  }
});
