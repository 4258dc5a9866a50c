// Two virtio devices at work at the same time in one kernel (virtio-blk and virtio-console, one
// thread each). On q35 with INTx both functions sit on the same interrupt line (slots 2 and 6:
// GSI 22), so the shared handler must ask both devices; with MSI-X each has its own vector.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { freePort, LOCALHOST } from '../../target';
import { blkDriveArgs, boot, buildOnce, describeExit, rmTemp, tempDir, VARIANTS, virtioDevice } from './helpers';

describe('virtio-blk and virtio-console together', function () {
  this.timeout(180_000);
  let elf: string;
  let dir: string;

  before(async function () {
    elf = await buildOnce('test/virtio/apps/shared');
    dir = tempDir('shared');
  });
  after(() => rmTemp(dir));

  for (const [n, { machine, label, kernelOptions }] of VARIANTS.entries()) {
    it(`both devices complete their work on ${label}`, async function () {
      const image = path.join(dir, `shared${n}.img`);
      fs.writeFileSync(image, Buffer.alloc(0));
      fs.truncateSync(image, 4 << 20);
      const port = await freePort();
      const pci = machine === 'q35';
      const guest = await boot(elf, machine, [], [
        ...blkDriveArgs(machine, image, pci ? ',addr=2' : ''),
        '-chardev', `socket,id=vc,host=${LOCALHOST},port=${port},server=on,wait=off,nodelay=on`,
        '-device', `${virtioDevice(machine, 'serial')}${pci ? ',addr=6' : ''}`, '-device', 'virtconsole,chardev=vc',
      ], { kernelOptions });
      try {
        await guest.waitFor(/shared: ready/);
        if (pci && kernelOptions.length) assert.equal((guest.output().match(/level interrupt, GSI 22/g) ?? []).length, 2, guest.output());
        const sock = net.connect(port, LOCALHOST);
        let got = '';
        sock.on('data', (d) => (got += d.toString()));
        await new Promise<void>((r) => sock.once('connect', () => r()));
        let sent = '';
        for (let i = 0; i < 50; i++) {
          const line = `line ${i} while the disk works\n`;
          sent += line;
          sock.write(line);
          await new Promise((r) => setTimeout(r, 2));
        }
        sock.write(Buffer.from([4]));
        const exit = await guest.exited;
        sock.destroy();
        assert.equal(exit.appExitCode, 0, describeExit(exit, guest.output()));
        assert.match(guest.output(), /shared: disk ok/);
        assert.match(guest.output(), new RegExp(`shared: console echoed ${sent.length} bytes`));
        assert.equal(got, sent);
      } finally {
        await guest.qemu.kill();
      }
    });
  }
});
