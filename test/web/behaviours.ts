// What a user of a small static file server expects, checked with curl, Node's http and raw
// sockets. One set of tests, run against each place the server can run (host.test.ts,
// minnow.test.ts): the server's HTTP code is the same C in both.

import assert from 'node:assert/strict';
import * as http from 'node:http';
import * as net from 'node:net';
import type { RunningServer } from './server';
import { MTIME_HTTP, SECRET, makeSite, type Site } from './site';
import { curl, curlReply, firstStatus, nodeRequest, parseReplies, raw, stats } from './http';

export function describeBehaviours(title: string, start: (root: string) => Promise<RunningServer>): void {
  describe(title, function () {
    this.timeout(180000);
    let site: Site;
    let server: RunningServer;
    let url: string;
    const get = (path: string, args: string[] = []) => curlReply([...args, `${url}${path}`]);
    const rawStatus = async (bytes: string | Buffer) => firstStatus(await raw(server.port, bytes));

    before(async function () {
      site = makeSite();
      server = await start(site.root);
      url = `http://127.0.0.1:${server.port}`;
    });
    after(async function () {
      await server?.stop();
      site?.remove();
    });
    afterEach(function () {
      if (this.currentTest?.state === 'failed') console.log(`--- server output:\n${server?.output().slice(-3000)}`);
    });

    describe('files', function () {
      it('serves index.html for / with its length, type and date', async function () {
        const r = await get('/');
        assert.equal(r.status, 200);
        assert.deepEqual(r.body, site.files['index.html']);
        assert.equal(r.headers['content-length'], String(site.files['index.html'].length));
        assert.equal(r.headers['content-type'], 'text/html; charset=utf-8');
        assert.equal(r.headers['last-modified'], MTIME_HTTP);
      });

      it('names the Content-Type from the extension', async function () {
        const want: Record<string, string> = {
          '/style.css': 'text/css; charset=utf-8',
          '/app.js': 'text/javascript; charset=utf-8',
          '/data.json': 'application/json',
          '/notes.txt': 'text/plain; charset=utf-8',
          '/logo.png': 'image/png',
          '/sub/page.html': 'text/html; charset=utf-8',
          '/blob.unknownext': 'application/octet-stream',
        };
        for (const [path, type] of Object.entries(want)) {
          const r = await get(path);
          assert.equal(r.status, 200, path);
          assert.equal(r.headers['content-type'], type, path);
          assert.deepEqual(r.body, site.files[path.slice(1)], path);
        }
      });

      it('sends binary and large files byte for byte, and empty ones', async function () {
        for (const name of ['1k.bin', '64k.bin', 'big.bin', 'empty.txt']) {
          const r = await nodeRequest(server.port, `/${name}`);
          assert.equal(r.status, 200, name);
          assert.equal(r.headers['content-length'], String(site.files[name].length), name);
          assert.ok(r.body.equals(site.files[name]), `${name}: the body differs from the file`);
        }
      });

      it('answers HEAD with the GET headers and no body', async function () {
        const r = await nodeRequest(server.port, '/64k.bin', { method: 'HEAD' });
        assert.equal(r.status, 200);
        assert.equal(r.headers['content-length'], String(64 * 1024));
        assert.equal(r.headers['content-type'], 'application/octet-stream');
        assert.equal(r.body.length, 0);
        // on the wire: nothing after the head, and the connection still answers
        const out = (await raw(server.port, 'HEAD /style.css HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n')).toString('latin1');
        assert.ok(out.endsWith('\r\n\r\n'), `HEAD was followed by a body: ${JSON.stringify(out)}`);
        assert.match(out, /\r\nContent-Length: 20\r\n/);
      });

      it('redirects a folder without its slash, and serves its index with it', async function () {
        const r = await get('/sub');
        assert.equal(r.status, 301);
        assert.equal(r.headers.location, '/sub/');
        const q = await get('/sub?x=1');
        assert.equal(q.headers.location, '/sub/');
        const idx = await get('/sub/');
        assert.equal(idx.status, 200);
        assert.deepEqual(idx.body, site.files['sub/index.html']);
        const followed = await curl(['--location', `${url}/sub`]);
        assert.deepEqual(followed.stdout, site.files['sub/index.html']);
      });

      it('answers 404 for what is not there, a folder without index.html, and a file asked as a folder', async function () {
        for (const path of ['/nope.html', '/sub/nope/', '/noindex/', '/style.css/', '/nope/deeper/file']) {
          assert.equal((await get(path)).status, 404, path);
        }
        const r = await get('/noindex/file.txt');
        assert.equal(r.status, 200);
      });

      it('ignores the query string', async function () {
        const r = await get('/style.css?v=3#frag');
        assert.equal(r.status, 200);
        assert.deepEqual(r.body, site.files['style.css']);
      });

      it('decodes percent-encoded names', async function () {
        const r = await get('/%73ub/p%61ge.html');
        assert.equal(r.status, 200);
        assert.deepEqual(r.body, site.files['sub/page.html']);
      });
    });

    describe('If-Modified-Since', function () {
      it('answers 304 without a body when the file is not newer', async function () {
        for (const date of [MTIME_HTTP, 'Wed, 15 Nov 2023 00:00:00 GMT', 'Wednesday, 15-Nov-23 00:00:00 GMT', 'Wed Nov 15 00:00:00 2023']) {
          const r = await nodeRequest(server.port, '/style.css', { headers: { 'If-Modified-Since': date } });
          assert.equal(r.status, 304, date);
          assert.equal(r.body.length, 0, date);
          assert.equal(r.headers['last-modified'], MTIME_HTTP);
        }
      });

      it('sends the file when it is newer than the date, or the date is not one', async function () {
        for (const date of ['Tue, 14 Nov 2023 22:13:19 GMT', 'Sun, 06 Nov 1994 08:49:37 GMT', 'yesterday', 'Tue, 31 Feb 2023 00:00:00 GMT', '']) {
          const r = await nodeRequest(server.port, '/style.css', { headers: { 'If-Modified-Since': date } });
          assert.equal(r.status, 200, date);
          assert.deepEqual(r.body, site.files['style.css'], date);
        }
      });

      it('keeps the connection after a 304', async function () {
        const replies = parseReplies(await raw(server.port, `GET /style.css HTTP/1.1\r\nHost: t\r\nIf-Modified-Since: ${MTIME_HTTP}\r\n\r\nGET /style.css HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n`));
        assert.deepEqual(replies.map((r) => r.status), [304, 200]);
      });
    });

    describe('refused requests', function () {
      it('never leaves the document root', async function () {
        const attempts = [
          '/../secret.txt', '/../../../../etc/passwd', '/sub/../../secret.txt', '/%2e%2e/secret.txt',
          '/%2E%2E/secret.txt', '/.%2e/secret.txt', '/sub/%2e%2e/%2e%2e/secret.txt', '/..%2fsecret.txt',
          '/sub%2f..%2f..%2fsecret.txt', '/%2fetc/passwd', '/..%5csecret.txt', '/..\\secret.txt', '/%00',
          '/index.html%00.txt', '/./index.html', '/%2e/index.html', '/sub/.', 'http://t/../secret.txt',
          'secret.txt', '../secret.txt', '%2e%2e/secret.txt', '*', '/%', '/%2', '/%zz',
        ];
        for (const target of attempts) {
          const out = await raw(server.port, `GET ${target} HTTP/1.1\r\nHost: t\r\n\r\n`);
          assert.ok(!out.toString('latin1').includes(SECRET), `${target} read the secret`);
          assert.equal(firstStatus(out), 400, `${target}: ${out.toString('latin1').split('\r\n')[0]}`);
        }
        // curl, which would normalise these itself without --path-as-is
        const r = await curl(['--path-as-is', '--include', `${url}/../secret.txt`]);
        assert.match(r.stdout.toString(), /^HTTP\/1\.1 400 /);
        // an absolute path is a path under the root, not the host's
        assert.equal((await get('//etc/passwd')).status, 404);
        assert.equal((await rawStatus('GET http://t/style.css HTTP/1.1\r\nHost: t\r\n\r\n')), 200);
      });

      it('answers 405 with Allow for methods it does not serve, and 501 for unknown ones', async function () {
        for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'TRACE']) {
          const r = await nodeRequest(server.port, '/', { method });
          assert.equal(r.status, 405, method);
          assert.equal(r.headers.allow, 'GET, HEAD', method);
        }
        assert.equal(await rawStatus('BREW / HTTP/1.1\r\nHost: t\r\n\r\n'), 501);
      });

      it('answers 400 to malformed request lines and fields', async function () {
        const bad = [
          'GET\r\n\r\n', 'GET /\r\n\r\n', 'GET / HTTP/1.1 extra\r\nHost: t\r\n\r\n', 'GET  / HTTP/1.1\r\nHost: t\r\n\r\n',
          'GET / http/1.1\r\nHost: t\r\n\r\n', 'GET / HTTP/1\r\nHost: t\r\n\r\n', 'GET / HTTP/1.10\r\nHost: t\r\n\r\n',
          'G@T / HTTP/1.1\r\nHost: t\r\n\r\n', 'GET / HTTP/1.1\r\n\r\n' /* no Host */,
          'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n', 'GET / HTTP/1.1\r\nHost : t\r\n\r\n',
          'GET / HTTP/1.1\r\nHost: t\r\n folded\r\n\r\n', 'GET / HTTP/1.1\r\nHost: t\r\nNoColon\r\n\r\n',
          'GET / HTTP/1.1\r\nHost: t\r\n: empty\r\n\r\n', 'GET / HTTP/1.1\r\nHost: t\rX: y\r\n\r\n',
          'GET / HTTP/1.1\r\nHost: t\r\nX: a\x00b\r\n\r\n', 'GET / HTTP/1.1\r\nHost: t\r\nX: a\x01b\r\n\r\n',
          'GET / HTTP/1.1\r\nHost: t\r\nContent-Length: -1\r\n\r\n', 'GET / HTTP/1.1\r\nHost: t\r\nContent-Length: 1, 2\r\n\r\n',
          'GET / HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n', 'GET /\x7f HTTP/1.1\r\nHost: t\r\n\r\n',
        ];
        for (const req of bad) {
          const out = await raw(server.port, req);
          assert.equal(firstStatus(out), 400, JSON.stringify(req));
          assert.match(out.toString('latin1'), /\r\nConnection: close\r\n/, `${JSON.stringify(req)} must close`);
        }
      });

      it('answers 505 to other HTTP versions and 501 to a chunked body', async function () {
        assert.equal(await rawStatus('GET / HTTP/2.0\r\nHost: t\r\n\r\n'), 505);
        assert.equal(await rawStatus('GET / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'), 501);
      });

      it('answers 414 to a long target and 431 to big or many header fields', async function () {
        assert.equal(await rawStatus(`GET /${'a'.repeat(3000)} HTTP/1.1\r\nHost: t\r\n\r\n`), 414);
        assert.equal(await rawStatus(`GET /${'a'.repeat(10000)} HTTP/1.1\r\nHost: t\r\n\r\n`), 414);
        assert.equal(await rawStatus(`GET / HTTP/1.1\r\nHost: t\r\nX-Big: ${'b'.repeat(9000)}\r\n\r\n`), 431);
        const many = Array.from({ length: 100 }, (_, i) => `X-${i}: ${i}\r\n`).join('');
        assert.equal(await rawStatus(`GET / HTTP/1.1\r\nHost: t\r\n${many}\r\n`), 431);
        const r = await curl(['--include', '--header', `X-Big: ${'c'.repeat(9000)}`, `${url}/`]);
        assert.match(r.stdout.toString(), /^HTTP\/1\.1 431 /);
      });

      it('answers 413 to a body too big to skip, and skips a small one', async function () {
        assert.equal(await rawStatus('GET / HTTP/1.1\r\nHost: t\r\nContent-Length: 999999\r\n\r\n'), 413);
        const replies = parseReplies(await raw(server.port, 'GET /style.css HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhelloGET /app.js HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n'));
        assert.deepEqual(replies.map((r) => r.status), [200, 200]);
        assert.deepEqual(replies[1].body, site.files['app.js']);
      });
    });

    describe('connections', function () {
      it('keeps a connection alive for many requests (Node http agent)', async function () {
        const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
        const before = await stats(server.port);
        try {
          for (let i = 0; i < 20; i++) {
            const r = await nodeRequest(server.port, i % 2 ? '/style.css' : '/', { agent });
            assert.equal(r.status, 200);
            if (i > 0) assert.ok(r.reusedSocket, `request ${i} opened a new connection`);
          }
        } finally {
          agent.destroy();
        }
        const after = await stats(server.port);
        // 20 requests on one connection, plus the /stats one of its own
        assert.equal(after.connections_accepted - before.connections_accepted, 2);
        assert.equal(after.requests - before.requests, 21);
      });

      it('answers pipelined requests in order', async function () {
        const paths = ['/style.css', '/app.js', '/nope', '/data.json', '/sub'];
        const reqs = paths.map((p, i) => `GET ${p} HTTP/1.1\r\nHost: t\r\n${i === paths.length - 1 ? 'Connection: close\r\n' : ''}\r\n`);
        const replies = parseReplies(await raw(server.port, reqs.join('')));
        assert.deepEqual(replies.map((r) => r.status), [200, 200, 404, 200, 301]);
        assert.deepEqual(replies[1].body, site.files['app.js']);
      });

      it('closes HTTP/1.0 unless asked to keep alive, and closes on Connection: close', async function () {
        const plain = parseReplies(await raw(server.port, 'GET /style.css HTTP/1.0\r\n\r\nGET /app.js HTTP/1.0\r\n\r\n'));
        assert.equal(plain.length, 1);
        assert.equal(plain[0].headers.connection, 'close');
        const kept = parseReplies(await raw(server.port, 'GET /style.css HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /app.js HTTP/1.0\r\n\r\n'));
        assert.equal(kept.length, 2);
        assert.equal(kept[0].headers.connection, 'keep-alive');
        const closed = parseReplies(await raw(server.port, 'GET /style.css HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\nGET /app.js HTTP/1.1\r\nHost: t\r\n\r\n'));
        assert.equal(closed.length, 1);
      });

      it('serves others while a client sends its request a byte a second', async function () {
        this.timeout(120000);
        const slow = net.connect(server.port, '127.0.0.1');
        const got: Buffer[] = [];
        slow.on('data', (c: Buffer) => got.push(c));
        await new Promise((resolve) => slow.once('connect', resolve));
        const request = 'GET /style.css HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n';
        const slowSent = (async () => {
          // the first bytes one a second, then the rest at once (the whole of it at this pace
          // would take a minute)
          for (let i = 0; i < 6; i++) {
            slow.write(request[i]);
            await new Promise((r) => setTimeout(r, 1000));
          }
          slow.write(request.slice(6));
        })();
        const t0 = Date.now();
        let served = 0;
        while (Date.now() - t0 < 5000) {
          const r = await nodeRequest(server.port, '/app.js');
          assert.equal(r.status, 200);
          served++;
        }
        await slowSent;
        await new Promise((resolve) => slow.once('close', resolve));
        assert.ok(served >= 5, `only ${served} requests were served while the slow client sent`);
        const replies = parseReplies(Buffer.concat(got));
        assert.equal(replies[0]?.status, 200);
        assert.deepEqual(replies[0].body, site.files['style.css']);
      });

      it('survives clients that vanish mid-request or mid-response', async function () {
        for (let i = 0; i < 20; i++) {
          await raw(server.port, 'GET /big.bin HTTP/1.1\r\nHost: t\r\n\r\n'.slice(0, i * 2));
          // ask for a big file and reset the connection without reading it
          await new Promise<void>((resolve) => {
            const s = net.connect(server.port, '127.0.0.1', () => {
              s.write('GET /big.bin HTTP/1.1\r\nHost: t\r\n\r\n');
              setTimeout(() => {
                s.resetAndDestroy();
                resolve();
              }, 20);
            });
            s.on('error', () => resolve());
          });
        }
        const r = await get('/');
        assert.equal(r.status, 200);
      });
    });

    describe('/stats', function () {
      it('counts requests and shows the kernel uptime and heap', async function () {
        const a = await stats(server.port);
        await get('/');
        await get('/nope');
        await new Promise((r) => setTimeout(r, 300));
        const b = await stats(server.port);
        assert.equal(b.requests - a.requests, 3);
        assert.equal(b.responses_2xx - a.responses_2xx, 2);
        assert.equal(b.responses_4xx - a.responses_4xx, 1);
        assert.ok(b.uptime_ms >= a.uptime_ms + 300, `uptime ${a.uptime_ms} -> ${b.uptime_ms}`);
        assert.ok(b.heap_used_bytes > 0 && b.heap_used_blocks > 0);
        const body = (await get('/stats')).body.toString();
        assert.match(body, /^requests: \d+\n/);
      });
    });
  });
}
