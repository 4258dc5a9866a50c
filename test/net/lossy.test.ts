// examples/echo behind a link the test controls (test/net/relay.ts): the guest's dgram netdev,
// a Node relay that drops, duplicates and reorders frames, and libslirp in a second QEMU as the
// peer. TCP (lwIP's retransmission, fast retransmit, out-of-order queue) must still deliver
// every byte in order.

import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { bulkEcho, exchange } from './tcp';
import { startGuest, type Guest } from './guest';
import { CLEAN, startRelay, type Relay } from './relay';

describe('net: examples/echo behind a lossy, reordering link (dgram netdev + relay + slirp)', function () {
  this.timeout(900000);
  let relay: Relay;
  let guest: Guest;
  let port: number;

  before(async () => {
    relay = await startRelay(['tcp:7']);
    port = relay.ports['tcp:7'];
    try {
      guest = await startGuest('examples/echo', { dgram: relay.guestSide, ready: /echo: listening on port 7/ });
    } catch (e) {
      await relay.stop();
      throw e;
    }
  });
  after(async () => {
    await guest?.stop();
    await relay?.stop();
  });

  // a stalled transfer fails in bounded time, with what crossed the link last and the seed that
  // replays it (MINNOW_NET_SEED), instead of waiting for mocha's time-out
  const bounded = <T>(what: string, p: Promise<T>, ms = 180000): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, rej) => {
      timer = setTimeout(
        () => rej(new Error(`${what}: nothing more arrived in ${ms / 1000} s (MINNOW_NET_SEED=${relay.seed}); the guest ${guest.gone() ? 'has exited' : 'still runs'}, its console ends:\n${guest.output().slice(-1500)}\nthe last frames through the relay:\n${relay.trace(60)}`)),
        ms,
      );
    });
    return Promise.race([p, late]).finally(() => clearTimeout(timer));
  };

  const alive = (): void => {
    assert.ok(!guest.gone(), `the guest exited:\n${guest.output()}`);
    assert.doesNotMatch(guest.output(), /panic:|exception/i);
  };

  it('the relay carries the guest\'s traffic: DHCP from slirp, an echo through the forwarded port', async () => {
    const msg = Buffer.from('through the relay\n');
    assert.deepEqual(await exchange(port, msg), msg);
    assert.ok(relay.counters.frames > 0);
  });

  it('with 1% of frames dropped, 3% duplicated and 10% reordered, 1 MiB each way arrive whole', async () => {
    relay.faults = { drop: 0.01, duplicate: 0.03, reorder: 0.1, delayMs: 8 };
    const before = { ...relay.counters };
    try {
      const size = 1024 * 1024;
      const r = await bounded('1 MiB each way', bulkEcho(port, size));
      assert.equal(r.bytes, size);
      assert.equal(r.received, r.sent, 'the echo differs from what was sent');
      // small messages over fresh connections: handshakes and FINs get lost too
      for (let i = 0; i < 20; i++) {
        const data = randomBytes(1 + (i * 7919) % 20000);
        const back = await bounded(`connection ${i}`, exchange(port, data));
        assert.ok(back.equals(data), `connection ${i}: the echo differs`);
      }
      const c = relay.counters;
      const d = { dropped: c.dropped - before.dropped, duplicated: c.duplicated - before.duplicated, reordered: c.reordered - before.reordered, withheld: c.withheld - before.withheld, frames: c.frames - before.frames };
      console.log(`      ${d.frames} frames: ${d.dropped} dropped, ${d.duplicated} duplicated, ${d.reordered} reordered, ${d.withheld} SYN-ACKs withheld; 1 MiB each way in ${r.seconds.toFixed(1)} s`);
      // the faults really happened (a relay that forwarded everything would prove nothing)
      assert.ok(d.dropped > 5 && d.duplicated > 10 && d.reordered > 50, JSON.stringify(d));
    } finally {
      relay.faults = CLEAN;
    }
    alive();
  });
});
