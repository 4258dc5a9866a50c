// Split virtqueue bookkeeping and the validation of device-written values, against a device the
// guest simulates itself (test/virtio/apps/virtq): a used index beyond the ring, a length larger
// than the buffer and unknown descriptor ids must be -EIO and a log line, never a crash or a hang.
// The same guest links a virtio driver without its device: "not found" must be reported.

import * as assert from 'node:assert/strict';
import { boot, buildOnce, describeExit } from './helpers';

describe('virtqueue', function () {
  this.timeout(120_000);
  let console = '';

  before(async function () {
    const elf = await buildOnce('test/virtio/apps/virtq');
    const guest = await boot(elf, 'microvm', [], []);
    const exit = await guest.exited;
    console = guest.output();
    assert.equal(exit.reason, 'exit', describeExit(exit, console));
    assert.equal(exit.appExitCode, 0, describeExit(exit, console));
  });

  for (const name of ['create', 'add chain', 'kick notifies', 'kick without news is silent', 'descriptor chain',
    'nothing used yet', 'collect', 'fill to size', 'full queue says -ENOSPC', 'indices wrap at 65536',
    'a broken queue refuses new buffers', 'empty chain is -EINVAL']) {
    it(name, () => assert.match(console, new RegExp(`^PASS ${name}$`, 'm')));
  }

  it('used idx beyond the ring: -EIO and a log line', function () {
    assert.match(console, /^PASS used idx beyond the ring is -EIO$/m);
    assert.match(console, /device misbehaved: used idx beyond the buffers made available \(5, 1\)/);
  });

  it('used len larger than the buffer: -EIO, the request is handed back, logged', function () {
    assert.match(console, /^PASS used len larger than the buffer is -EIO, token returned$/m);
    assert.match(console, /device misbehaved: used len larger than the writable buffers \(4096, 100\)/);
  });

  it('used id that names no outstanding chain: -EIO', function () {
    assert.match(console, /^PASS used id of no outstanding chain is -EIO$/m);
    assert.match(console, /^PASS used id beyond the table is -EIO$/m);
  });

  it('reports an absent device as not found', function () {
    assert.match(console, /virtio-console: no device found/);
  });
});
