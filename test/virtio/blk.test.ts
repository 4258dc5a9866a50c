// virtio-blk against QEMU's real device, over virtio-mmio (microvm) and virtio-pci (q35): the
// guest (examples/blk in "test" mode) writes several patterns, including a request split into
// many and a batch of 16 requests in flight, reads them back and checks the out-of-range errors.
// After the VM has exited, the host reads the image and must find exactly what the guest wrote.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { blkDriveArgs, boot, buildOnce, describeExit, rmTemp, tempDir, Variant, VARIANTS } from './helpers';

const SECTOR = 512;
const IMAGE_BYTES = 16 << 20;

/** The guest's pattern (examples/blk/main.c, pattern()). */
function pattern(sector: number, i: number, seed: number): number {
  return (sector * 131 + i * 7 + seed * 29 + Math.floor(sector / 256)) & 0xff;
}

function checkRegion(img: Buffer, start: number, count: number, seed: number): string | undefined {
  for (let s = start; s < start + count; s++) {
    for (let i = 0; i < SECTOR; i++) {
      const got = img[s * SECTOR + i];
      const want = pattern(s, i, seed);
      if (got !== want) return `sector ${s} byte ${i}: image has ${got}, guest wrote ${want}`;
    }
  }
  return undefined;
}

describe('virtio-blk', function () {
  this.timeout(180_000);
  let elf: string;
  let dir: string;

  before(async function () {
    elf = await buildOnce('examples/blk');
    dir = tempDir('blk');
  });
  after(() => rmTemp(dir));

  // plus: MMIO without the command-line hint, and PCI behind a PCIe root port and a PCI bridge
  // (bridge windows programmed by us under qboot, INTx swizzled through both)
  const bridges = ['-device', 'pcie-root-port,id=rp1,chassis=1,slot=1', '-device', 'pcie-pci-bridge,id=br1,bus=rp1'];
  const variants: (Variant & { pre?: string[]; suffix?: string })[] = [
    ...VARIANTS,
    { machine: 'microvm', label: 'microvm, MMIO found by scanning (no virtio_mmio.device= on the command line)',
      kernelOptions: [], pre: ['-machine', 'auto-kernel-cmdline=off'] },
    { machine: 'q35', label: 'q35, behind two bridges, MSI-X', kernelOptions: [], pre: bridges, suffix: ',bus=br1,addr=3' },
    { machine: 'q35', label: 'q35, behind two bridges, INTx', kernelOptions: ['minnow.virtio.msix=off'], pre: bridges,
      suffix: ',bus=br1,addr=3' },
  ];
  for (const [n, { machine, label, kernelOptions, pre, suffix }] of variants.entries()) {
    describe(`on ${label}`, function () {
      let image: string;
      let console = '';

      before(async function () {
        image = path.join(dir, `disk${n}.img`);
        fs.writeFileSync(image, Buffer.alloc(0));
        fs.truncateSync(image, IMAGE_BYTES);
        const devices = [...(pre ?? []), ...blkDriveArgs(machine, image, suffix)];
        const guest = await boot(elf, machine, ['test'], devices, { kernelOptions });
        const exit = await guest.exited;
        console = guest.output();
        assert.equal(exit.reason, 'exit', describeExit(exit, console));
        assert.equal(exit.appExitCode, 0, describeExit(exit, console));
      });

      it('passes every guest-side case (patterns, split, batch, out of range)', function () {
        const fails = console.split('\n').filter((l) => l.startsWith('FAIL'));
        assert.deepEqual(fails, []);
        for (const name of ['single sector', 'multi sector', 'split request', 'batch of 16 in flight',
          'overwrite', 'four threads at once', 'queue full says -EAGAIN', 'last sector', 'read past the end', 'write across the end', 'zero-length request']) {
          assert.match(console, new RegExp(`^PASS ${name}$`, 'm'));
        }
      });

      it('leaves exactly what the guest wrote in the image file', function () {
        const img = fs.readFileSync(image);
        assert.equal(img.length, IMAGE_BYTES);
        // the last REGION line for a range wins (the overwrite case rewrites sectors 8..107)
        const regions = new Map<string, [number, number, number]>();
        for (const m of console.matchAll(/^REGION (\d+) (\d+) (\d+)$/gm)) {
          regions.set(`${m[1]}+${m[2]}`, [Number(m[1]), Number(m[2]), Number(m[3])]);
        }
        assert.ok(regions.size >= 9, `REGION lines: ${regions.size}`);
        for (const [start, count, seed] of regions.values()) {
          const err = checkRegion(img, start, count, seed);
          assert.equal(err, undefined, err);
        }
        // sectors nobody wrote stay zero
        const untouched = img.subarray(3000 * SECTOR, 8000 * SECTOR);
        assert.ok(untouched.every((b) => b === 0), 'sectors 3000..7999 should be untouched');
      });
    });
  }

  it('refuses a legacy (version 1) virtio-mmio device and says how to get a modern one', async function () {
    const image = path.join(dir, 'legacy.img');
    fs.writeFileSync(image, Buffer.alloc(1 << 20));
    const guest = await boot(elf, 'microvm', ['test'], blkDriveArgs('microvm', image), { legacyMmio: true });
    const exit = await guest.exited;
    assert.match(guest.output(), /legacy virtio-mmio \(version 1\) device 2 refused; run QEMU with -global virtio-mmio\.force-legacy=false/);
    assert.match(guest.output(), /virtio-blk: no device found/);
    assert.equal(exit.appExitCode, 2, describeExit(exit, guest.output()));
  });

  it('refuses a legacy-only virtio-pci device', async function () {
    const image = path.join(dir, 'legacy-pci.img');
    fs.writeFileSync(image, Buffer.alloc(1 << 20));
    const guest = await boot(elf, 'q35', ['test'], blkDriveArgs('q35', image, ',disable-modern=on'));
    const exit = await guest.exited;
    assert.match(guest.output(), /virtio-pci@00:0\d\.0: legacy-only virtio PCI device 0x1001 refused/);
    assert.match(guest.output(), /virtio-blk: no device found/);
    assert.equal(exit.appExitCode, 2, describeExit(exit, guest.output()));
  });

  it('refuses writes to a read-only disk', async function () {
    const image = path.join(dir, 'ro.img');
    fs.writeFileSync(image, Buffer.alloc(1 << 20, 7));
    const args = blkDriveArgs('microvm', image);
    args[1] += ',readonly=on';
    const guest = await boot(elf, 'microvm', ['readonly'], args);
    const exit = await guest.exited;
    assert.equal(exit.appExitCode, 0, describeExit(exit, guest.output()));
    assert.match(guest.output(), /^PASS write is -EPERM$/m);
    assert.ok(fs.readFileSync(image).every((b) => b === 7), 'the read-only image changed');
  });

  it('reports a missing disk as not found (and ignores a command-line hint naming nothing)', async function () {
    const guest = await boot(elf, 'microvm', ['test', 'virtio_mmio.device=4K@0xd0000000:5'], []);
    const exit = await guest.exited;
    assert.match(guest.output(), /virtio-blk: no device found/);
    assert.match(guest.output(), /blk: no disk/);
    assert.equal(exit.appExitCode, 2, describeExit(exit, guest.output()));
  });
});
