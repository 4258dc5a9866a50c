// A host folder in the guest over virtio-9p (kernel/fs/9p.c, drivers/virtio_9p.c), against QEMU's
// real 9p server on microvm (virtio-mmio) and q35 (virtio-pci): the guest runs every file call and
// its error cases (apps/fstest), and the host then reads what the guest wrote, byte for byte. Also
// the RAM filesystem at /tmp, 64 MiB with a hash, a crash after fsync, and a folder the host
// removes while the guest runs.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assertPasses, bootFs, checkApiOutput, fnv1a, pattern, rmTemp, runFs, runPaused, seedInput, tempDir } from './helpers';
import { describeExit } from './helpers';

describe('fs: 9p host folders', function () {
  this.timeout(300_000);
  let dir: string;

  before(() => {
    dir = tempDir('fs9p');
  });
  after(() => rmTemp(dir));

  for (const machine of ['microvm', 'q35'] as const) {
    describe(`on ${machine}`, function () {
      let host: string;
      let ro: string;
      let out: string;

      before(async function () {
        host = path.join(dir, `${machine}-rw`);
        ro = path.join(dir, `${machine}-ro`);
        seedInput(host);
        fs.mkdirSync(ro);
        fs.writeFileSync(path.join(ro, 'hello.txt'), 'hello from the host\n');
        out = await runFs({
          machine,
          mounts: [
            { host, guest: '/host', readOnly: false },
            { host: ro, guest: '/ro', readOnly: true },
          ],
          argv: ['api', '/host', '/ro'],
        });
      });

      it('passes every guest-side case (calls, errors, stdio, 1000 files, deep and UTF-8 names)', function () {
        assertPasses(out, 60);
      });

      it('leaves exactly what the guest wrote in the host folder', function () {
        checkApiOutput(
          (rel) => fs.readFileSync(path.join(host, rel)),
          (rel) => fs.readdirSync(path.join(host, rel)),
        );
      });

      it('leaves the read-only folder untouched', function () {
        assert.deepEqual(fs.readdirSync(ro), ['hello.txt']);
      });
    });
  }

  it('runs the same battery on the RAM filesystem at /tmp', async function () {
    assertPasses(await runFs({ argv: ['api', '/tmp'] }), 60);
  });

  it('writes and reads back 64 MiB with the same hash as the host computes', async function () {
    const host = path.join(dir, 'big');
    fs.mkdirSync(host);
    const out = await runFs({ mounts: [{ host, guest: '/big', readOnly: false }], argv: ['big', '/big', '64'], memory: '64M' });
    const data = fs.readFileSync(path.join(host, 'big.bin'));
    assert.equal(data.length, 64 << 20);
    const want = fnv1a(data);
    assert.match(out, new RegExp(`^written hash ${want}\\r?$`, 'm'));
    assert.match(out, new RegExp(`^read hash ${want}\\r?$`, 'm'));
    assert.ok(data.equals(pattern(7, 64 << 20)), 'big.bin differs from the pattern the guest wrote');
  });

  it('keeps a file that was fsynced before the application crashed', async function () {
    const host = path.join(dir, 'crash');
    fs.mkdirSync(host);
    const g = await bootFs({ mounts: [{ host, guest: '/c', readOnly: false }], argv: ['crash', '/c'] });
    const exit = await g.exited;
    assert.equal(exit.reason, 'crash', describeExit(exit, g.output()));
    assert.match(g.output(), /^synced\r?$/m);
    assert.equal(fs.readFileSync(path.join(host, 'synced.txt'), 'utf8'), 'survives the crash\n');
  });

  it('gives errors, not a hang, when the host folder disappears mid-run', async function () {
    const host = path.join(dir, 'vanish');
    fs.mkdirSync(path.join(host, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(host, 'sub', 'file.txt'), 'x');
    const { out } = await runPaused({ mounts: [{ host, guest: '/v', readOnly: false }], argv: ['vanish', '/v'] }, () => fs.rmSync(host, { recursive: true, force: true }));
    assertPasses(out, 3);
  });
});
