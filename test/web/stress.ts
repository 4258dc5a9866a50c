// Volume: 10,000 requests over 50 keep-alive connections with no error and no heap growth between
// the first and the last thousand, and 10,000 generated malformed requests, each answered 4xx or
// closed, after which the server still serves. Run against each place the server runs.

import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { RunningServer } from './server';
import { makeSite, type Site } from './site';
import { firstStatus, nodeRequest, raw, stats } from './http';
import { malformedRequests } from './malformed';

const CONNECTIONS = 50;
const REQUESTS = 10000;
const PHASE = 1000;
// What may differ between two idle moments without being a leak: TCP segments or timers still
// held. A leak of one block per request would be 9,000 blocks of at least 32 bytes.
const HEAP_SLACK_BYTES = 4096;
const HEAP_SLACK_BLOCKS = 8;

/** Lets the last ACKs and closes of a phase arrive before the heap is read. */
const settle = () => new Promise((r) => setTimeout(r, 500));

export function describeStress(title: string, start: (root: string) => Promise<RunningServer>, timeoutMs: number): void {
  describe(title, function () {
    this.timeout(timeoutMs);
    let site: Site;
    let server: RunningServer;

    before(async function () {
      site = makeSite();
      server = await start(site.root);
    });
    after(async function () {
      await server?.stop();
      site?.remove();
    });
    afterEach(function () {
      if (this.currentTest?.state === 'failed') console.log(`--- server output:\n${server?.output().slice(-3000)}`);
    });

    it(`serves ${REQUESTS} requests over ${CONNECTIONS} keep-alive connections without error or heap growth`, async function () {
      // one agent of one socket per worker: each worker keeps a connection of its own
      const agents = Array.from({ length: CONNECTIONS }, () => new http.Agent({ keepAlive: true, maxSockets: 1 }));
      const paths = ['/', '/style.css', '/1k.bin', '/sub/', '/nope'];
      const want = (p: string) => (p === '/nope' ? 404 : 200);
      let next = 0;
      const failures: string[] = [];
      // CONNECTIONS workers, each one request at a time on its own connection, until `until`
      // requests are done. The first time, the connections are opened one after another, each
      // by one request, before the workers go: QEMU's host forward listens with a backlog of 1,
      // and SYNs that come all at once are dropped by the host's kernel and sent again only 1,
      // 3, 7, 15, 31 and 63 s later; some of 50 would wait past any sensible timeout.
      let warm = false;
      const run = async (until: number) => {
        if (!warm) for (const agent of agents) await request(next++, agent);
        warm = true;
        await Promise.all(
          agents.map(async (agent) => {
            while (next < until) await request(next++, agent);
          }),
        );
      };
      const request = async (i: number, agent: http.Agent) => {
        const path = paths[i % paths.length];
        try {
          const r = await nodeRequest(server.port, path, { agent });
          if (r.status !== want(path)) failures.push(`#${i} ${path}: ${r.status}`);
          else if (r.status === 200 && path === '/1k.bin' && !r.body.equals(site.files['1k.bin'])) failures.push(`#${i} ${path}: wrong body`);
        } catch (e) {
          failures.push(`#${i} ${path}: ${(e as Error).message}`);
        }
      };
      try {
        const s0 = await stats(server.port);
        await run(PHASE);
        await settle();
        const first = await stats(server.port);
        await run(REQUESTS - PHASE);
        await run(REQUESTS);
        await settle();
        const last = await stats(server.port);
        assert.deepEqual(failures.slice(0, 10), [], `${failures.length} requests failed`);
        // every request after the first connections reused one of them
        const opened = last.connections_accepted - s0.connections_accepted - 2; /* the two /stats */
        assert.ok(opened <= CONNECTIONS, `${opened} connections were opened for ${CONNECTIONS} keep-alive sockets`);
        assert.equal(last.requests - s0.requests, REQUESTS + 2);
        console.log(`      heap after the first ${PHASE}: ${first.heap_used_bytes} bytes in ${first.heap_used_blocks} blocks; after all ${REQUESTS}: ${last.heap_used_bytes} in ${last.heap_used_blocks}`);
        assert.ok(last.heap_used_bytes <= first.heap_used_bytes + HEAP_SLACK_BYTES, `the heap grew from ${first.heap_used_bytes} to ${last.heap_used_bytes} bytes`);
        assert.ok(last.heap_used_blocks <= first.heap_used_blocks + HEAP_SLACK_BLOCKS, `the heap grew from ${first.heap_used_blocks} to ${last.heap_used_blocks} blocks`);
      } finally {
        for (const a of agents) a.destroy();
      }
    });

    it('answers 10,000 malformed requests with a 4xx or a close, and keeps serving', async function () {
      const cases = malformedRequests(10000, 20261206);
      assert.ok(cases.length >= 10000);
      const before = await stats(server.port);
      const wrong: string[] = [];
      let answered4xx = 0;
      let closed = 0;
      let next = 0;
      // 16 connections opening at a time: behind QEMU's host forward (a listen backlog of 1) a
      // connect may wait for the host kernel's SYN retransmits, the last at 63 s, so an answer
      // (or the close) is waited for past that, not taken as a hang at 60 s
      const ANSWER_MS = 150000;
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (next < cases.length) {
            const c = cases[next++];
            let status: number | undefined;
            try {
              status = firstStatus(await raw(server.port, c.bytes, { timeoutMs: ANSWER_MS }));
            } catch (e) {
              wrong.push(`${c.kind}: ${(e as Error).message}: ${JSON.stringify(c.bytes.subarray(0, 80).toString('latin1'))}`);
              continue;
            }
            if (status === undefined) closed++;
            else if (status >= 400 && status < 500 && (c.expect === undefined || c.expect === status)) answered4xx++;
            else wrong.push(`${c.kind}: ${status} (want ${c.expect ?? '4xx'}): ${JSON.stringify(c.bytes.subarray(0, 80).toString('latin1'))}`);
          }
        }),
      );
      assert.deepEqual(wrong.slice(0, 10), [], `${wrong.length} of ${cases.length} were not answered 4xx or closed`);
      console.log(`      ${answered4xx} answered 4xx, ${closed} closed without an answer`);
      const r = await nodeRequest(server.port, '/');
      assert.equal(r.status, 200);
      assert.deepEqual(r.body, site.files['index.html']);
      await settle();
      const after = await stats(server.port);
      assert.ok(after.responses_4xx - before.responses_4xx >= answered4xx, 'the 4xx counter missed answers');
      assert.equal(after.connections_open, 1, 'connections were left open');
    });
  });
}
