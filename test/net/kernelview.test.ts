// The Kernel view's network part under the real debugger (dist/debugAdapter.js, gdb, QEMU TCG):
// examples/echo launched with its port 7 published on a free 127.0.0.1 port, a connection from
// Node's net module, a breakpoint in the echo server's read loop, and minnow/kernelInfo read at
// that stop lists the listening socket, the connection from QEMU's user-network host (10.0.2.2)
// and the interface that DHCP configured (net_socks and net_iface0, kernel/include/kernel/net.h).

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { launch, lineOf, ROOT, startClient, stopped, topFrame, type Client } from '../adapter/helpers';
import { open } from './tcp';
import { freePort } from '../../target';
import type { KernelInfo } from '../../debug-adapter/kernelinfo';

type Info = KernelInfo;

async function waitFor(c: Client, re: RegExp, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!re.test(c.text())) {
    if (Date.now() > end) throw new Error(`the guest did not print ${re} in ${ms} ms:\n${c.text()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('net: the Kernel view lists the sockets and the interface', function () {
  this.timeout(600_000);
  let dir: string;
  let app: string;
  let mainC: string;
  let c: Client | undefined;
  let sock: Socket | undefined;

  before(() => {
    dir = fs.mkdtempSync(path.join(tmpdir(), 'minnow-kview-'));
    app = path.join(dir, 'echo');
    fs.cpSync(path.join(ROOT, 'examples', 'echo'), app, { recursive: true, filter: (src) => path.basename(src) !== 'build' });
    // the example forwards the fixed host port 7007; the test publishes a free one instead
    const manifest = JSON.parse(fs.readFileSync(path.join(app, 'minnow.json'), 'utf8')) as { network?: { hostForwards?: string[] } };
    delete manifest.network;
    fs.writeFileSync(path.join(app, 'minnow.json'), JSON.stringify(manifest, null, 2));
    mainC = path.join(app, 'main.c');
  });
  after(async () => {
    sock?.destroy();
    await c?.dc.terminateRequest().catch(() => undefined);
    await c?.dc.stop().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a stop in the echo server shows LISTEN on 7, the connection from 10.0.2.2 and the interface', async () => {
    const port = await freePort();
    c = await startClient(300_000);
    const bpLine = lineOf(mainC, 'if (write_all(c->fd, buf, (size_t)n) < 0)', 'static int echo_connection(');
    await launch(c, { app, accel: 'tcg', ports: [`${port}:7`] }, { [mainC]: [{ line: bpLine }] });
    await waitFor(c, /echo: listening on port 7/, 300_000);

    const atRead = stopped(c, 300_000);
    sock = await open(port).catch((e: Error) => {
      throw new Error(`${e.message}: nothing on the published port ${port}; the session's output ends:\n${c!.text().slice(-3000)}`);
    });
    const echoed = new Promise<Buffer>((res, rej) => {
      sock!.once('data', res);
      sock!.once('error', rej);
    });
    sock.write('hello, kernel view\n');
    const s = await atRead;
    assert.equal(s.reason, 'breakpoint');
    assert.equal((await topFrame(c, s.threadId!)).line, bpLine);

    const info = (await c.dc.customRequest('minnow/kernelInfo')).body as Info;
    assert.deepEqual(info.missing, []);
    const socks = info.sockets ?? [];
    const all = JSON.stringify(socks);
    const listener = socks.find((x) => x.state === 'LISTEN');
    assert.ok(listener, `no LISTEN socket: ${all}`);
    assert.equal(listener.proto, 'tcp');
    assert.match(listener.local, /:7$/, all);
    assert.ok(listener.backlogMax > 0, all); // listen(fd, SOMAXCONN)
    const conn = socks.find((x) => x.state === 'ESTABLISHED');
    assert.ok(conn, `no ESTABLISHED socket: ${all}`);
    assert.equal(conn.proto, 'tcp');
    assert.equal(conn.local, '10.0.2.15:7', all);
    assert.match(conn.remote, /^10\.0\.2\.2:\d+$/, all);
    assert.ok(Number(conn.remote.split(':')[1]) > 0, all);
    assert.ok(conn.mss > 0 && conn.mss <= 1460 && conn.rcvWnd > 0 && conn.sndWnd > 0, all);
    // the server has read the message and not written yet: nothing is left to read (the table is
    // brought up to date by the read, not only by the next batch of frames) and nothing waits for
    // an acknowledgement
    assert.equal(conn.rxQueued, 0, all);
    assert.equal(conn.txQueued, 0, all);
    assert.equal(info.socketsUnlisted, undefined);
    // both are open descriptors, and the descriptor table says socket for them
    for (const x of [listener, conn]) {
      assert.ok(x.fd >= 0, all);
      assert.equal(info.files.find((f) => f.fd === x.fd)?.kind, 'socket', JSON.stringify(info.files));
    }
    assert.notEqual(listener.fd, conn.fd);

    const iface = info.iface;
    assert.ok(iface, 'no interface');
    assert.equal(iface.up, true);
    assert.equal(iface.address, '10.0.2.15');
    assert.equal(iface.mask, '255.255.255.0');
    assert.equal(iface.gateway, '10.0.2.2');
    assert.match(iface.mac, /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
    assert.notEqual(iface.mac, '00:00:00:00:00:00');
    assert.equal(iface.mtu, 1500);
    assert.equal(iface.config, 'dhcp');
    assert.ok(iface.rxFrames > 0 && iface.txFrames > 0, JSON.stringify(iface));
    assert.ok(iface.rxBytes >= iface.rxFrames * 42, JSON.stringify(iface));
    // TIME_WAIT's counts (net_timewait): the cap, and nothing in TIME_WAIT yet
    assert.deepEqual(iface.timeWait, { count: 0, max: 1024, recycled: 0, reused: 0 });

    // reading the tables changed nothing: the server goes on and echoes the message
    await c.dc.setBreakpointsRequest({ source: { path: mainC }, breakpoints: [] });
    await c.dc.continueRequest({ threadId: s.threadId! });
    assert.equal((await echoed).toString(), 'hello, kernel view\n');
  });
});
