// TCP and UDP behaviours of Minnow's sockets on the real kernel under QEMU (TCG), against real
// peers: Node's net and dgram modules on the host, through forwarded ports, and a host server
// the guest connects out to (10.0.2.2 on QEMU's user network is the host's 127.0.0.1).
//
// QEMU's user network (libslirp) listens for a forwarded port with a backlog of 1, so a burst
// of connects beyond that waits in the host kernel's queue or is reset by it. The concurrency
// tests therefore open their connections one after another (each proven accepted by the guest
// with a first echo), then keep all of them open and transfer on all at once.

import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import { freePort } from '../../target';
import { startGuest, type Guest } from './guest';
import { echoAll, open, openMany } from './tcp';

/** A line-answering server on the host (TCP and UDP on the same port): "x\n" → "host:x\n". */
async function hostServer(): Promise<{ port: number; tcp: Server; udp: UdpSocket }> {
  for (;;) {
    const port = await freePort();
    const tcp = createServer((s) => {
      let pending = '';
      s.on('data', (d: Buffer) => {
        pending += d.toString();
        let i;
        while ((i = pending.indexOf('\n')) >= 0) {
          s.write(`host:${pending.slice(0, i + 1)}`);
          pending = pending.slice(i + 1);
        }
      });
      s.on('error', () => undefined);
    });
    await new Promise<void>((res) => tcp.listen(port, '127.0.0.1', res));
    const udp = createSocket('udp4');
    udp.on('message', (m, r) => udp.send(Buffer.concat([Buffer.from('host:'), m]), r.port, r.address));
    const ok = await new Promise<boolean>((res) => {
      udp.once('error', () => res(false));
      udp.bind(port, '127.0.0.1', () => res(true));
    });
    if (ok) return { port, tcp, udp };
    tcp.close();
  }
}

describe('net: socket behaviours (test/net/apps/netcheck)', function () {
  this.timeout(600000);
  let host: Awaited<ReturnType<typeof hostServer>>;
  let guest: Guest;

  before(async () => {
    host = await hostServer();
    guest = await startGuest('test/net/apps/netcheck', {
      forward: ['tcp:8', 'tcp:9', 'tcp:10'],
      argv: [`--host=${host.port}`],
      ready: /netcheck: serving on 8 9 10/,
    });
  });
  after(async () => {
    await guest?.stop();
    host?.tcp.close();
    host?.udp.close();
  });

  describe('the guest as a client of a server on the host (10.0.2.2)', () => {
    before(async () => guest.waitFor(/client done: \d+ failures/, 180000));
    for (const name of ['blocking', 'nonblocking', 'refused', 'getaddrinfo', 'udp']) {
      it(`${name}: ${
        {
          blocking: 'connect, getsockname, a line each way',
          nonblocking: '32 non-blocking connects (EINPROGRESS), one poll() for POLLOUT, SO_ERROR 0, then POLLIN on all',
          refused: 'a closed port: ECONNREFUSED blocking, POLLERR and SO_ERROR non-blocking',
          getaddrinfo: 'a numeric host and service, connect to what it gives; a bad service fails',
          udp: 'sendto and recvfrom with SO_RCVTIMEO',
        }[name]
      }`, () => {
        const line = new RegExp(`client ${name}: (.*)`).exec(guest.output());
        assert.ok(line, `no result for ${name}:\n${guest.output()}`);
        assert.equal(line[1].trim(), 'ok');
      });
    }
  });

  it('a server that closes first: 200 connections each get "bye" and the end (guest side in TIME_WAIT)', async () => {
    for (let i = 0; i < 200; i++) {
      const s = await open(guest.ports['tcp:8']);
      const got = await new Promise<string>((res, rej) => {
        let text = '';
        s.on('data', (d: Buffer) => (text += d.toString()));
        s.on('end', () => res(text));
        s.on('error', rej);
      });
      assert.equal(got, 'bye\n', `connection ${i}`);
      s.end();
    }
  });

  it('SO_RCVTIMEO: recv() fails with EAGAIN after the time-out, and the socket works after it', async () => {
    const s = await open(guest.ports['tcp:9']);
    const lines: string[] = [];
    let text = '';
    const ended = new Promise<void>((res, rej) => {
      s.on('data', (d: Buffer) => {
        text += d.toString();
        if (lines.length === 0 && text.includes('\n')) {
          lines.push(text.slice(0, text.indexOf('\n')));
          text = text.slice(text.indexOf('\n') + 1);
          s.write('after\n');
        }
      });
      s.on('end', res);
      s.on('error', rej);
    });
    await ended;
    const m = /^rcvtimeo n=-1 errno=EAGAIN after (\d+) ms$/.exec(lines[0] ?? '');
    assert.ok(m, `unexpected report: ${lines[0]}`);
    assert.ok(Number(m[1]) >= 190, `the wait ended after ${m[1]} ms, before the 200 ms time-out`);
    assert.equal(text, 'after\n');
  });

  it('poll() over 100 connections in one thread: all open at once, 20,000 bytes each way on each', async () => {
    const socks = await openMany(guest.ports['tcp:10'], 100);
    await echoAll(socks, 20000);
    for (const s of socks) s.destroy();
  });
});

/** One datagram to port and its answer, or undefined after 5 s (UDP may lose it). */
function udpRoundTrip(sock: UdpSocket, data: Buffer, port: number): Promise<Buffer | undefined> {
  return new Promise((res) => {
    const t = setTimeout(() => res(undefined), 5000);
    sock.once('message', (m) => {
      clearTimeout(t);
      res(m);
    });
    sock.send(data, port, '127.0.0.1');
  });
}

describe('net: examples/udp, a UDP echo server', function () {
  this.timeout(300000);
  let guest: Guest;

  before(async () => {
    guest = await startGuest('examples/udp', { forward: ['udp:7'], ready: /udp: echoing on port 7/ });
  });
  after(async () => guest?.stop());

  it('echoes datagrams of many sizes, fragmented ones too (each retried if lost)', async () => {
    const sock = createSocket('udp4');
    await new Promise<void>((res) => sock.bind(0, '127.0.0.1', res));
    const port = guest.ports['udp:7'];
    try {
      for (const size of [0, 1, 100, 1472, 1473, 4000, 8192, 20000]) {
        let echoed = false;
        for (let round = 0; round < 5 && !echoed; round++) {
          const data = randomBytes(size);
          const back = await udpRoundTrip(sock, data, port);
          if (!back) continue; // UDP: a lost datagram is no failure, a wrong one is
          assert.ok(back.equals(data), `a ${size}-byte datagram came back changed`);
          echoed = true;
        }
        assert.ok(echoed, `a ${size}-byte datagram was lost five times over`);
      }
      let answered = 0;
      for (let i = 0; i < 200; i++) {
        const data = Buffer.from(`round trip ${i}`);
        const back = await udpRoundTrip(sock, data, port);
        if (back) {
          assert.equal(back.toString(), data.toString());
          answered++;
        }
      }
      assert.ok(answered >= 190, `only ${answered} of 200 round trips were answered`);
    } finally {
      sock.close();
    }
  });
});
