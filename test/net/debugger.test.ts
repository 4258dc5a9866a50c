// Debugging down into the TCP code: real gdb on the kernel's gdbstub, examples/echo booted with
// QEMU's user network. A breakpoint in lwIP's tcp_input (lwIP is compiled with -g from the cache
// folder it was fetched into) must stop there, with lwIP's own source found, when a host client
// connects through the forwarded port; after it goes on, the connection is served and it is
// listed in the kernel's socket table (net_socks, plain data gdb reads without running code).

import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { Gdb } from '../gdbstub/gdbmi';
import { buildGuest, startGuest, type Guest } from './guest';

function field(record: string, name: string): string | undefined {
  return new RegExp(`${name}="((?:[^"\\\\]|\\\\.)*)"`).exec(record)?.[1];
}

describe('net: gdb stops in lwIP\'s tcp_input while a host client connects', function () {
  this.timeout(600000);
  let guest: Guest | undefined;
  let gdb: Gdb | undefined;

  after(async () => {
    gdb?.kill();
    await guest?.stop();
  });

  it('breaks in tcp_input with lwIP\'s source shown, then serves the connection, listed in net_socks', async () => {
    const app = await buildGuest('examples/echo');
    guest = await startGuest('examples/echo', { forward: ['tcp:7'], gdbstub: { wait: true } });
    const port = guest.ports['tcp:7'];
    gdb = new Gdb(app.elf);
    await gdb.cmd('-gdb-set mi-async on');
    await gdb.cli('set confirm off');
    await gdb.cli(`target remote 127.0.0.1:${guest.qemu.port}`);
    const bp = await gdb.cli('break tcp_input');
    assert.match(bp, /Breakpoint 1 at .*tcp_in\.c/, bp);

    // before any host client: DHCP (UDP) and no TCP at all, so the breakpoint stays quiet.
    // "continue &": without the &, a CLI continue runs in the foreground and gdb reads no MI
    // command (-exec-interrupt below) until the target stops by itself
    gdb.clearStops();
    await gdb.cli('continue &');
    await guest.waitFor(/echo: listening on port 7/);

    const sock = connect(port, '127.0.0.1');
    const reply = new Promise<string>((res, rej) => {
      let text = '';
      sock.on('data', (d: Buffer) => {
        text += d.toString();
        if (text.includes('\n')) res(text);
      });
      sock.on('error', rej);
    });
    sock.write('after the breakpoint\n');

    const stop = await gdb.nextStop(120000);
    const frame = stop.slice(stop.indexOf('frame={'));
    assert.equal(field(frame, 'func'), 'tcp_input', stop);
    const fullname = field(frame, 'fullname') ?? '';
    assert.match(fullname, /lwip-2\.1\.3\/src\/core\/tcp_in\.c$/, stop);
    assert.ok(existsSync(fullname), `gdb names ${fullname}, which is not on disk`);
    // the source itself: gdb lists lwIP's lines around the stop
    const list = await gdb.cli('list tcp_input');
    assert.match(list, /tcp_input\(struct pbuf \*p, struct netif \*inp\)/, list);
    // called from IPv4 input on the frame the driver handed up
    const bt = await gdb.cli('bt');
    assert.match(bt, /#0\s+.*tcp_input/, bt);
    assert.match(bt, /ip4_input/, bt);

    await gdb.cli('delete');
    await gdb.cli('continue &');
    assert.equal(await reply, 'after the breakpoint\n');

    // the connection is in the debugger's table while it is open
    gdb.clearStops();
    const r = await gdb.cmd('-exec-interrupt');
    assert.equal(r.cls, 'done', r.line);
    await gdb.nextStop();
    const table = await gdb.cli('print net_socks');
    assert.match(table, /state = 0x[0-9a-f]+ "ESTABLISHED"/, table);
    assert.match(table, /lport = 7,/, table);
    await gdb.cli('continue &');
    sock.destroy();
  });
});
