// virtio-net against QEMU's real device, over virtio-mmio (microvm) and virtio-pci (q35). The test
// owns the other end of the wire: QEMU's `-netdev dgram` carries each Ethernet frame in one UDP
// datagram between 127.0.0.1 ports, and this file plays the host 10.0.0.1. The guest runs
// examples/net as 10.0.0.2: it pings us (we answer ARP and ping), we ARP and ping it, then a
// burst of test frames must come back complete and in order.

import * as assert from 'node:assert/strict';
import * as dgram from 'node:dgram';
import { freePort, LOCALHOST } from '../../target';
import { arp, BROADCAST, eth, ETH_P_ARP, ETH_P_IP, ETH_P_TEST, GUEST_IP, HOST_IP, HOST_MAC, icmpEcho, parseEth } from './frames';
import { boot, buildOnce, describeExit, Guest, VARIANTS, virtioDevice } from './helpers';

export interface Figures {
  machine: string;
  pingMs: number[];
  burstFrames: number;
  burstMs: number;
}
export const netFigures: Figures[] = [];

class Wire {
  private queue: Buffer[] = [];
  private waiters: (() => void)[] = [];
  constructor(readonly sock: dgram.Socket, readonly qemuPort: number) {
    sock.on('message', (m) => {
      if (hostServices(this, m)) return;
      this.queue.push(m);
      this.waiters.splice(0).forEach((w) => w());
    });
  }
  send(frame: Buffer): void {
    this.sock.send(frame, this.qemuPort, LOCALHOST);
  }
  /** The next frame that satisfies `want`; frames before it are dropped. */
  next(want: (f: Buffer) => boolean, timeoutMs = 20_000): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no matching frame from the guest')), timeoutMs);
      const check = () => {
        while (this.queue.length) {
          const f = this.queue.shift()!;
          if (want(f)) {
            clearTimeout(timer);
            resolve(f);
            return;
          }
        }
        this.waiters.push(check);
      };
      check();
    });
  }
}

/** Answers the guest's ARP requests for HOST_IP and its pings to us; true when it did. */
function hostServices(wire: Wire, f: Buffer): boolean {
  const e = parseEth(f);
  if (e.type === ETH_P_ARP && e.payload.readUInt16BE(6) === 1 && e.payload.subarray(24, 28).equals(Buffer.from(HOST_IP))) {
    wire.send(eth(e.src, HOST_MAC, ETH_P_ARP, arp(2, HOST_MAC, HOST_IP, e.src, GUEST_IP)));
    return true;
  }
  if (e.type === ETH_P_IP && e.payload[9] === 1 && e.payload[20] === 8 && e.payload.subarray(16, 20).equals(Buffer.from(HOST_IP))) {
    const ip = e.payload;
    const id = ip.readUInt16BE(24);
    const seq = ip.readUInt16BE(26);
    wire.send(eth(e.src, HOST_MAC, ETH_P_IP, icmpEcho(0, HOST_IP, GUEST_IP, id, seq, ip.subarray(28, ip.readUInt16BE(2)))));
    return true;
  }
  return false;
}

describe('virtio-net', function () {
  this.timeout(180_000);
  let elf: string;

  before(async function () {
    elf = await buildOnce('examples/net');
  });

  for (const { machine, label, kernelOptions } of VARIANTS) {
    describe(`on ${label}`, function () {
      let guest: Guest;
      let wire: Wire;
      let guestMac: Buffer;
      const fig: Figures = { machine: label, pingMs: [], burstFrames: 0, burstMs: 0 };

      before(async function () {
        const sock = dgram.createSocket('udp4');
        await new Promise<void>((r) => sock.bind(0, LOCALHOST, () => r()));
        const qemuPort = await freePort();
        wire = new Wire(sock, qemuPort);
        const netdev = `dgram,id=n0,local.type=inet,local.host=${LOCALHOST},local.port=${qemuPort},` +
          `remote.type=inet,remote.host=${LOCALHOST},remote.port=${sock.address().port}`;
        guest = await boot(elf, machine, ['10.0.0.2', '10.0.0.1', '2'],
          ['-netdev', netdev, '-device', `${virtioDevice(machine, 'net')},netdev=n0,mac=52:54:00:12:34:56`],
          { kernelOptions });
        // The guest pings us first; the wire answers its ARP and echo requests.
        await guest.waitFor(/net: answering ARP and ping/, 60_000);
      });

      after(async function () {
        if (guest) await guest.qemu.kill();
        wire?.sock.close();
        if (fig.pingMs.length) {
          netFigures.push(fig);
          const sorted = [...fig.pingMs].sort((a, b) => a - b);
          const fps = fig.burstMs ? Math.round(fig.burstFrames / (fig.burstMs / 1000)) : 0;
          console.log(`      figures ${label}: ping rtt min ${sorted[0].toFixed(2)} / median ` +
            `${sorted[sorted.length >> 1].toFixed(2)} / max ${sorted[sorted.length - 1].toFixed(2)} ms; ` +
            `burst echo ${fig.burstFrames} frames in ${fig.burstMs.toFixed(1)} ms = ${fps} frames/s each way`);
        }
      });

      it('reaches the host: its ARP request and pings to 10.0.0.1 are answered', function () {
        assert.match(guest.output(), /net: ping 10\.0\.0\.1: 2\/2 replies/);
      });

      it('answers ARP for its address with its MAC', async function () {
        wire.send(eth(BROADCAST, HOST_MAC, ETH_P_ARP, arp(1, HOST_MAC, HOST_IP, Buffer.alloc(6), GUEST_IP)));
        const f = await wire.next((x) => parseEth(x).type === ETH_P_ARP && parseEth(x).payload.readUInt16BE(6) === 2);
        const a = parseEth(f).payload;
        guestMac = Buffer.from(a.subarray(8, 14));
        assert.equal(guestMac.toString('hex'), '525400123456');
        assert.deepEqual([...a.subarray(14, 18)], GUEST_IP);
        assert.ok(parseEth(f).dst.equals(HOST_MAC));
      });

      it('answers ping (ICMP echo) with the same id, sequence and data', async function () {
        for (let seq = 1; seq <= 20; seq++) {
          const data = Buffer.alloc(56, seq);
          const t0 = performance.now();
          wire.send(eth(guestMac, HOST_MAC, ETH_P_IP, icmpEcho(8, HOST_IP, GUEST_IP, 0x1234, seq, data)));
          const f = await wire.next((x) => {
            const e = parseEth(x);
            return e.type === ETH_P_IP && e.payload[20] === 0 && e.payload.readUInt16BE(26) === seq;
          });
          fig.pingMs.push(performance.now() - t0);
          const ip = parseEth(f).payload;
          assert.deepEqual([...ip.subarray(12, 16)], GUEST_IP);
          assert.deepEqual([...ip.subarray(16, 20)], HOST_IP);
          assert.equal(ip.readUInt16BE(24), 0x1234);
          assert.ok(ip.subarray(28, 28 + 56).equals(data));
        }
      });

      it('carries full-size frames (1514 bytes) both ways', async function () {
        const p = Buffer.alloc(1500);
        for (let i = 0; i < p.length; i++) p[i] = (i * 7) & 0xff;
        p.writeUInt32BE(0xfffffff0, 0);
        wire.send(eth(guestMac, HOST_MAC, ETH_P_TEST, p));
        const f = await wire.next((x) => parseEth(x).type === ETH_P_TEST);
        assert.equal(f.length, 1514);
        assert.ok(parseEth(f).payload.equals(p));
        // and a ping with 1472 bytes of data: a 1500-byte IP packet
        const data = Buffer.alloc(1472, 0xa5);
        wire.send(eth(guestMac, HOST_MAC, ETH_P_IP, icmpEcho(8, HOST_IP, GUEST_IP, 0x77, 1, data)));
        const r = await wire.next((x) => parseEth(x).type === ETH_P_IP && parseEth(x).payload.readUInt16BE(24) === 0x77);
        assert.equal(r.length, 1514);
        assert.ok(parseEth(r).payload.subarray(28).equals(data));
      });

      // 20 bursts of 100 back-to-back frames: one burst fits the socket buffers between us and
      // QEMU (a UDP socket drops what overflows it, which would not be the driver's fault).
      it('echoes bursts of frames complete and in order', async function () {
        const bursts = 20;
        const n = 100;
        const got: number[] = [];
        const t0 = performance.now();
        for (let b = 0; b < bursts; b++) {
          for (let i = b * n; i < (b + 1) * n; i++) {
            const p = Buffer.alloc(64);
            p.writeUInt32BE(i, 0);
            wire.send(eth(guestMac, HOST_MAC, ETH_P_TEST, p));
          }
          while (got.length < (b + 1) * n) {
            const f = await wire.next((x) => parseEth(x).type === ETH_P_TEST, 30_000);
            got.push(parseEth(f).payload.readUInt32BE(0));
          }
        }
        fig.burstMs = performance.now() - t0;
        fig.burstFrames = bursts * n;
        assert.deepEqual(got, [...Array(bursts * n).keys()]);
      });

      it('exits cleanly when told to', async function () {
        wire.send(eth(guestMac, HOST_MAC, ETH_P_TEST, Buffer.from('QUIT')));
        const exit = await guest.exited;
        assert.equal(exit.appExitCode, 0, describeExit(exit, guest.output()));
        assert.match(guest.output(), /answered \d+ ARP, 21 ping, echoed 2001 frames/);
      });
    });
  }
});
