// virtio-console against QEMU's virtio-serial with a virtconsole port whose host side is a TCP
// socket on 127.0.0.1 that this test connects to: bytes from the host reach the guest, the guest's
// answer (the same bytes, uppercased) reaches the host, small and large.

import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { freePort, LOCALHOST } from '../../target';
import { boot, buildOnce, describeExit, VARIANTS, virtioDevice } from './helpers';

export const consoleFigures: { machine: string; bytes: number; ms: number }[] = [];

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    let tries = 0;
    const attempt = () => {
      const s = net.connect(port, LOCALHOST);
      s.once('connect', () => resolve(s));
      s.once('error', (e) => (++tries < 50 ? setTimeout(attempt, 100) : reject(e)));
    };
    attempt();
  });
}

class Reader {
  private buf = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  constructor(s: net.Socket) {
    s.on('data', (d) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.waiters.splice(0).forEach((w) => w());
    });
  }
  read(n: number, timeoutMs = 30_000): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`got ${this.buf.length} of ${n} bytes`)), timeoutMs);
      const check = () => {
        if (this.buf.length >= n) {
          clearTimeout(timer);
          const out = this.buf.subarray(0, n);
          this.buf = this.buf.subarray(n);
          resolve(out);
        } else this.waiters.push(check);
      };
      check();
    });
  }
}

describe('virtio-console', function () {
  this.timeout(180_000);
  let elf: string;

  before(async function () {
    elf = await buildOnce('test/virtio/apps/vconsole');
  });

  for (const { machine, label, kernelOptions } of VARIANTS) {
    it(`carries bytes both ways on ${label}`, async function () {
      const port = await freePort();
      const guest = await boot(elf, machine, [], [
        '-chardev', `socket,id=vc,host=${LOCALHOST},port=${port},server=on,wait=off,nodelay=on`,
        '-device', virtioDevice(machine, 'serial'), '-device', 'virtconsole,chardev=vc',
      ], { kernelOptions });
      try {
        await guest.waitFor(/vconsole: ready/);
        const timeout = /vconsole: read timeout (\w+) after (\d+) ms/.exec(guest.output());
        assert.equal(timeout?.[1], 'ok', guest.output());
        assert.ok(Number(timeout![2]) >= 100, `timed out after ${timeout![2]} ms`);
        const sock = await connect(port);
        const rd = new Reader(sock);
        sock.write('hello, guest\n');
        assert.equal((await rd.read(13)).toString(), 'HELLO, GUEST\n');

        const rtts: number[] = [];
        for (let i = 0; i < 50; i++) {
          const t = performance.now();
          sock.write('x');
          assert.equal((await rd.read(1)).toString(), 'X');
          rtts.push(performance.now() - t);
        }
        rtts.sort((a, b) => a - b);
        console.log(`      figures ${label}: 1-byte round trip min ${(rtts[0] * 1000).toFixed(0)} / median ` +
          `${(rtts[25] * 1000).toFixed(0)} us`);

        const big = Buffer.alloc(64 * 1024);
        for (let i = 0; i < big.length; i++) big[i] = 'abcdefghijklmnopqrstuvwxyz0123456789\n'.charCodeAt(i % 37);
        const t0 = performance.now();
        sock.write(big);
        const back = await rd.read(big.length);
        const ms = performance.now() - t0;
        consoleFigures.push({ machine: label, bytes: big.length, ms });
        console.log(`      figures ${label}: 64 KiB echo in ${ms.toFixed(1)} ms = ${(big.length / 1024 / (ms / 1000)).toFixed(0)} KiB/s`);
        assert.ok(back.equals(Buffer.from(big.toString().toUpperCase())), 'the 64 KiB echo differs');

        sock.write(Buffer.from([4]));
        assert.equal((await rd.read(4)).toString(), 'bye\n');
        const exit = await guest.exited;
        sock.destroy();
        assert.equal(exit.appExitCode, 0, describeExit(exit, guest.output()));
        assert.match(guest.output(), new RegExp(`echoed ${13 + 50 + big.length} bytes`));
      } finally {
        await guest.qemu.kill();
      }
    });
  }
});
