// TIME_WAIT, bounded (kernel/net/timewait.c), against test/net/apps/netcheck's port 8, which
// writes "bye" and closes first, so every connection leaves the guest's side in TIME_WAIT.
// - The same host source port used again at once: QEMU's user network keeps it, so the new SYN
//   lands on the connection still in TIME_WAIT; it must open a new connection (lwIP alone
//   answers it with a reset).
// - More connections than the cap: what the kernel holds in TIME_WAIT stays at the cap, read
//   with gdb from net_timewait (plain data), and the rest were recycled.

import * as assert from 'node:assert/strict';
import { connect } from 'node:net';
import { Gdb } from '../gdbstub/gdbmi';
import { freePort } from '../../target';
import { buildGuest, gdbNumber as field, startGuest, type Guest } from './guest';

/** One connection to the "bye" port, from `localPort` if given: what the guest wrote. */
function bye(port: number, localPort?: number): Promise<string> {
  return new Promise((res, rej) => {
    const s = connect({ port, host: '127.0.0.1', localAddress: '127.0.0.1', localPort });
    let text = '';
    s.on('data', (d: Buffer) => (text += d.toString()));
    s.on('end', () => {
      s.end();
      res(text);
    });
    s.on('error', rej);
  });
}

describe('net: TIME_WAIT is bounded and a new SYN takes its place (kernel/net/timewait.c)', function () {
  this.timeout(600000);
  let guest: Guest;
  let gdb: Gdb | undefined;

  before(async () => {
    guest = await startGuest('test/net/apps/netcheck', { forward: ['tcp:8'], ready: /netcheck: serving on 8/, gdbstub: { wait: false } });
  });
  after(async () => {
    gdb?.kill();
    await guest?.stop();
  });

  const timewait = async (): Promise<{ count: number; max: number; recycled: number; reused: number }> => {
    gdb ??= new Gdb((await buildGuest('test/net/apps/netcheck')).elf);
    await gdb.cmd('-gdb-set mi-async on');
    await gdb.cli(`target remote 127.0.0.1:${guest.qemu.port}`);
    const text = await gdb.cli('print net_timewait');
    await gdb.cli('detach');
    return { count: field(text, 'count'), max: field(text, 'max'), recycled: field(text, 'recycled'), reused: field(text, 'reused') };
  };

  it('a host source port used again while the guest holds its TIME_WAIT opens a new connection each time', async () => {
    const port = guest.ports['tcp:8'];
    const local = await freePort();
    for (let i = 0; i < 5; i++) {
      // the host's own side of the last connection is in TIME_WAIT too; Linux lets a loopback
      // connect reuse it a second after its last timestamp (tcp_tw_reuse), EADDRNOTAVAIL before
      let got = '';
      for (let tries = 0; tries < 10; tries++) {
        got = await bye(port, local).catch((e: Error) => `(${e.message})`);
        if (!got.includes('EADDRNOTAVAIL')) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      assert.equal(got, 'bye\n', `connection ${i} from 127.0.0.1:${local}`);
    }
    const tw = await timewait();
    // the four later SYNs each found the one before in TIME_WAIT
    assert.equal(tw.reused, 4, JSON.stringify(tw));
  });

  it('past the cap the oldest TIME_WAIT connections are recycled, and the server goes on', async () => {
    const port = guest.ports['tcp:8'];
    const before = await timewait();
    const n = before.max + 300;
    for (let i = 0; i < n; i++) assert.equal(await bye(port), 'bye\n', `connection ${i}`);
    const tw = await timewait();
    assert.equal(tw.count, tw.max, JSON.stringify(tw));
    // all of them closed within 2 MSL (120 s), so every one past the cap ended early: recycled,
    // or taken over by a new SYN from a host port used again
    const ended = tw.recycled - before.recycled + tw.reused - before.reused;
    assert.ok(ended >= before.count + n - tw.max, JSON.stringify({ before, tw, n }));
    assert.ok(tw.recycled > before.recycled, JSON.stringify({ before, tw, n }));
    assert.equal(await bye(port), 'bye\n');
  });
});
