// Bad input at the link: 100,000 malformed frames (test/net/fuzz.ts, seeded) injected by the
// relay toward examples/echo, between real echoes through slirp. The kernel must not crash, must
// keep serving, and must really have taken the frames in: the card's counters, read with gdb
// from net_iface0 at the end, show that at least 100,000 frames reached the driver.

import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Gdb } from '../gdbstub/gdbmi';
import { fuzzFrame, Rng } from './fuzz';
import { buildGuest, gdbNumber as field, startGuest, type Guest } from './guest';
import { startRelay, type Relay } from './relay';
import { exchange } from './tcp';

const FRAMES = 100000;
/** frames sent in one go, before the relay lets the guest catch up */
const BURST = 50;
/** an echo through slirp every this many frames: valid traffic, and a pace the guest keeps */
const ECHO_EVERY = 2000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('net: 100,000 malformed frames at the link (seeded generator, injected by the relay)', function () {
  this.timeout(1800000);
  let relay: Relay;
  let guest: Guest;
  let gdb: Gdb | undefined;

  before(async () => {
    relay = await startRelay(['tcp:7']);
    try {
      guest = await startGuest('examples/echo', { dgram: relay.guestSide, ready: /echo: listening on port 7/, gdbstub: { wait: false } });
    } catch (e) {
      await relay.stop();
      throw e;
    }
  });
  after(async () => {
    gdb?.kill();
    await guest?.stop();
    await relay?.stop();
  });

  // what gdb sees of the network when an echo fails: the interface and every thread's stack
  const kernelState = async (): Promise<string> => {
    try {
      gdb = new Gdb((await buildGuest('examples/echo')).elf);
      await gdb.cmd('-gdb-set mi-async on');
      await gdb.cli(`target remote 127.0.0.1:${guest.qemu.port}`);
      const out = [await gdb.cli('print net_iface0'), await gdb.cli('print net_sleep_until'), await gdb.cli('thread apply all bt 8')];
      await gdb.cli('detach');
      return out.join('\n');
    } catch (e) {
      return `(gdb could not read it: ${(e as Error).message})`;
    }
  };

  it('the kernel takes them all, never crashes, and echoes between and after them', async () => {
    const port = relay.ports['tcp:7'];
    const first = Buffer.from('before the fuzz\n');
    assert.deepEqual(await exchange(port, first), first);
    const mac = relay.guestMac();
    assert.ok(mac, 'the guest sent no frame through the relay');

    const seed = Number(process.env.MINNOW_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
    const rng = new Rng(seed);
    const context = (i: number): string => `after ${i} frames (MINNOW_FUZZ_SEED=${seed}); the console ends:\n${guest.output().slice(-1500)}`;
    const t0 = Date.now();
    for (let i = 0; i < FRAMES; ) {
      for (let n = 0; n < BURST && i < FRAMES; n++, i++) relay.inject(fuzzFrame(rng, mac, [7, 9, 80], [7, 53, 68]));
      // the dgram netdev's socket holds a few hundred frames; a pause lets the guest drain it
      await sleep(2);
      if (i % ECHO_EVERY === 0 || i === FRAMES) {
        assert.ok(!guest.gone(), `the guest exited ${context(i)}`);
        const data = randomBytes(1 + (i % 3000));
        const back = await Promise.race([
          exchange(port, data).catch(async (e: Error) => {
            throw new Error(`echo: ${e.message} ${context(i)}\nthe last frames through the relay:\n${relay.trace(40)}\nthe kernel, by gdb:\n${await kernelState()}`);
          }),
          sleep(120000).then(() => {
            throw new Error(`no echo in 120 s ${context(i)}`);
          }),
        ]);
        assert.ok(back.equals(data), `the echo differs ${context(i)}`);
      }
    }
    const seconds = (Date.now() - t0) / 1000;

    // valid traffic still works: a larger echo, and the console shows no fault
    const last = randomBytes(64 * 1024);
    assert.ok((await exchange(port, last)).equals(last), 'the 64 KiB echo after the fuzz differs');
    assert.ok(!guest.gone(), `the guest exited ${context(FRAMES)}`);
    assert.doesNotMatch(guest.output(), /panic|exception|assert/i, context(FRAMES));

    // what reached the card: read from the kernel's interface table, not assumed
    gdb = new Gdb((await buildGuest('examples/echo')).elf);
    await gdb.cmd('-gdb-set mi-async on');
    await gdb.cli(`target remote 127.0.0.1:${guest.qemu.port}`);
    const iface = await gdb.cli('print net_iface0');
    const rx = field(iface, 'rx_frames') + field(iface, 'rx_dropped');
    console.log(`      ${FRAMES} frames injected in ${seconds.toFixed(0)} s (seed ${seed}); the card took ${rx} frames in all, ${field(iface, 'rx_dropped')} of them dropped by the driver`);
    assert.ok(rx >= FRAMES, `only ${rx} frames reached the card: the rest were lost before the guest (QEMU's socket buffer)\n${iface}`);
    await gdb.cli('detach');
  });
});
