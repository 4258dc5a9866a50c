// examples/echo on the real kernel under QEMU (TCG): lwIP's TCP and Minnow's socket layer,
// reached through QEMU's user network and a forwarded 127.0.0.1 port by Node's net module.

import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { bulkEcho, echoAll, exchange, open, openMany } from './tcp';
import { startGuest, type Guest } from './guest';

describe('net: examples/echo through a forwarded port', function () {
  this.timeout(600000);
  let guest: Guest;
  let port: number;

  before(async () => {
    guest = await startGuest('examples/echo', { forward: ['tcp:7'], ready: /echo: listening on port 7/ });
    port = guest.ports['tcp:7'];
  });
  after(async () => guest?.stop());

  it('got an address from QEMU\'s DHCP and echoes one message back', async () => {
    const msg = Buffer.from('hello, minnow\n');
    assert.deepEqual(await exchange(port, msg), msg);
  });

  it('echoes binary data of many sizes byte for byte', async () => {
    for (const n of [1, 1459, 1460, 1461, 65535, 65536, 300000]) {
      const data = randomBytes(n);
      const back = await exchange(port, data);
      assert.equal(back.length, n, `${n} bytes sent`);
      assert.ok(back.equals(data), `${n} bytes came back changed`);
    }
  });

  it('moves 16 MiB each way, checked by hash', async () => {
    const size = 16 * 1024 * 1024;
    const r = await bulkEcho(port, size);
    assert.equal(r.bytes, size);
    assert.equal(r.received, r.sent);
    console.log(`      16 MiB each way in ${r.seconds.toFixed(1)} s (${(size / 1048576 / r.seconds).toFixed(1)} MiB/s each way)`);
  });

  it('serves 1,000 sequential connections', async () => {
    for (let i = 0; i < 1000; i++) {
      const msg = Buffer.from(`connection ${i}`);
      const back = await exchange(port, msg);
      assert.equal(back.toString(), msg.toString(), `connection ${i}`);
    }
  });

  it('answers a client that half-closes: everything sent before the FIN comes back, then the end', async () => {
    const s = await open(port);
    const data = randomBytes(100000);
    const chunks: Buffer[] = [];
    const ended = new Promise<void>((res, rej) => {
      s.on('data', (d: Buffer) => chunks.push(d));
      s.on('end', () => res());
      s.on('error', rej);
    });
    s.end(data); // write, then FIN: the server still has to send it all back
    await ended;
    assert.ok(Buffer.concat(chunks).equals(data));
    s.destroy();
  });

  it('100 concurrent connections (a thread each): all open at once, 20,000 bytes each way on each', async () => {
    const socks = await openMany(port, 100);
    await echoAll(socks, 20000);
    for (const s of socks) s.destroy();
  });

  it('clients that reset mid-transfer leave the server serving', async () => {
    for (let i = 0; i < 20; i++) {
      const s = await open(port);
      await new Promise<void>((res, rej) => {
        s.once('data', () => {
          s.resetAndDestroy(); // RST while the echo is still streaming back
          res();
        });
        s.once('error', rej);
        s.write(randomBytes(1 << 20));
      });
    }
    const msg = Buffer.from('still here\n');
    assert.deepEqual(await exchange(port, msg), msg);
  });
});
