// F5 on the web server, as VS Code does it through the real DAP adapter (dist/debugAdapter.js),
// gdb and the kernel's gdbstub: the example as New Project copies it (its own www/ over 9p, a free
// port published in place of its 8080), a breakpoint in request_handle() stops when curl asks,
// the stack shows the handler, the Kernel view's data (minnow/kernelInfo) lists the connection's
// socket from 10.0.2.2 and the 9p file being sent; after Continue curl gets the page, and
// disconnect ends QEMU.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KernelInfo } from '../../debug-adapter/kernelinfo';
import { launch, lineOf, processes, startClient, stopped, waitGone, type Client } from '../adapter/helpers';
import { curl } from './http';
import { copyExample, freePort } from './server';

describe('webserver in the debugger', function () {
  this.timeout(600000);
  let c: Client | undefined;

  after(async function () {
    await c?.dc.terminateRequest().catch(() => undefined);
    await c?.dc.stop().catch(() => undefined);
  });

  it('stops in request_handle when curl asks; kernelInfo lists the socket and the open file; disconnect ends QEMU', async function () {
    const app = copyExample();
    const port = await freePort();
    const source = join(app, 'connection.c');
    // in request_handle, once the file is open
    const line = lineOf(source, 'r.mtime = conn->file.st.st_mtime;', 'static bool request_handle(');
    c = await startClient(600000);
    await launch(c, { app, accel: 'tcg', ports: [`${port}:80`] }, { [source]: [{ line }] });
    const t0 = Date.now();
    while (!/webserver: serving \/www on port 80/.test(c.text())) {
      assert.ok(Date.now() - t0 < 300000, `the server did not start:\n${c.text().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }

    const stop = stopped(c, 300000);
    const answer = curl(['--include', `http://127.0.0.1:${port}/index.html`], 300000);
    const s = await stop;
    assert.equal(s.reason, 'breakpoint');
    const frames = (await c.dc.stackTraceRequest({ threadId: s.threadId!, startFrame: 0, levels: 20 })).body.stackFrames;
    assert.equal(frames[0].name, 'request_handle');
    assert.equal(frames[0].line, line);
    assert.ok(frames.some((f) => f.name === 'connection_serve'), frames.map((f) => f.name).join(' < '));
    const threads = (await c.dc.threadsRequest()).body.threads;
    assert.match(threads.find((t) => t.id === s.threadId)?.name ?? '', /http \d+/, 'the connection has a thread of its own');

    const ki = (await c.dc.customRequest('minnow/kernelInfo')).body as KernelInfo;
    assert.deepEqual(ki.missing, []);
    const socks = ki.sockets ?? [];
    const all = JSON.stringify(socks);
    const conn = socks.find((x) => x.state === 'ESTABLISHED' && x.local === '10.0.2.15:80');
    assert.ok(conn, `no ESTABLISHED connection on port 80: ${all}`);
    assert.match(conn.remote, /^10\.0\.2\.2:\d+$/, all);
    assert.ok(socks.some((x) => x.state === 'LISTEN' && /:80$/.test(x.local)), all);
    assert.equal(ki.files.find((f) => f.fd === conn.fd)?.kind, 'socket', JSON.stringify(ki.files));
    const shown = ki.files.map((f) => `${f.fd} ${f.kind} ${f.label}`).join('\n');
    assert.ok(ki.files.some((f) => f.kind === '9p' && f.label.endsWith('index.html')), `the file being sent:\n${shown}`);

    await c.dc.setBreakpointsRequest({ source: { path: source }, breakpoints: [] });
    await c.dc.continueRequest({ threadId: s.threadId! });
    const r = await answer;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout.toString(), /^HTTP\/1\.1 200 OK\r\n/);
    assert.ok(r.stdout.toString().endsWith(readFileSync(join(app, 'www', 'index.html'), 'utf8')), 'the example\'s own www/index.html');

    const p = await processes(c);
    await c.dc.disconnectRequest({});
    assert.ok(await waitGone([p.qemu, p.gdb], 10000), 'QEMU and gdb are gone after disconnect');
    await c.dc.stop().catch(() => undefined);
    c = undefined;
  });
});
