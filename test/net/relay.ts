// A lossy link the test controls, between the guest and a real network peer.
//
// The guest's QEMU uses a dgram netdev (one UDP datagram per Ethernet frame) aimed at this
// relay. The relay's other side is a second QEMU process with no machine at all (-machine none)
// whose hub joins a dgram netdev to a user netdev: libslirp, the same peer the rest of the suite
// uses (DHCP, 10.0.2.2, and the host port forwarded to the guest). Every frame passes through
// Node, which drops, duplicates and delays (reorders) frames at the rates asked for, and can
// inject frames of its own toward the guest (the fuzz run).
//
// One thing is kept from the peer: a second SYN-ACK. libslirp, given another copy of the guest's
// SYN-ACK after it has sent its first data segment, stops sending on that connection for good
// (its window and the guest's acknowledgements are fine; it never sends the rest of what the
// host client wrote). Measured with this relay: every SYN-ACK doubled, 2 of 5 echoes of 7,920
// bytes stalled; none without. A second SYN-ACK need not be the relay's copy: the guest itself
// sends one when a doubled SYN reaches it in SYN-RECEIVED (lwIP retransmits its SYN-ACK, as Linux
// does), and that stalled connection 16 of a lossy run (seed 429917564). Measured: each SYN
// doubled toward the guest with its second copy 10 ms late (the peer's frames 20 ms late, so
// that the copy finds the guest still in SYN-RECEIVED), 10 of 10 echoes stalled; with the rule
// below, 0 of 10. So the relay never doubles a SYN-ACK going to the peer, and withholds any
// SYN-ACK once the peer has acknowledged one on that connection (counted as `withheld`). That is
// the peer's bug, not the guest's. Nor is a SYN going to the guest doubled: lwIP answers each
// copy (both SYN-ACKs can leave before the peer's acknowledgement is back, too early to
// withhold), and that stalled connection 3 of a lossy run (seed 560239796).
//
// The random choices come from a seeded generator (the seed is printed when a transfer stalls,
// MINNOW_NET_SEED replays it), and the last frames are kept as a trace to explain a stall.

import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { findQemu, freePort } from '../../target';

export interface LinkFaults {
  /** probability that a frame is dropped */
  drop: number;
  /** probability that a frame is sent twice */
  duplicate: number;
  /** probability that a frame is held back and sent after later ones */
  reorder: number;
  /** how long a held-back frame waits, in ms */
  delayMs: number;
}

export const CLEAN: LinkFaults = { drop: 0, duplicate: 0, reorder: 0, delayMs: 0 };

export interface LinkCounters {
  frames: number;
  dropped: number;
  duplicated: number;
  reordered: number;
  injected: number;
  /** the guest's SYN-ACKs kept from the peer after it had acknowledged one (see above) */
  withheld: number;
}

export interface Relay {
  /** UDP ports of the guest's dgram netdev: QEMU receives on localPort, sends to remotePort */
  guestSide: { localPort: number; remotePort: number };
  /** host ports forwarded (by the peer's slirp) to each guest port asked for, by "tcp:7" */
  ports: Record<string, number>;
  faults: LinkFaults;
  counters: LinkCounters;
  /** the guest's MAC address, once it sent a frame */
  guestMac(): Buffer | undefined;
  /** sends a frame of the test's own to the guest, as if it came from the wire */
  inject(frame: Buffer): void;
  peerOutput(): string;
  /** the last TCP frames through the relay, one line each: direction, ports, flags, seq/ack, fate */
  trace(lines?: number): string;
  /** the seed of the fault generator */
  seed: number;
  stop(): Promise<void>;
}

/** A small seeded generator (mulberry32): the same seed, the same faults. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TRACE_MAX = 400;

/** A TCP/IPv4 frame as the relay reads it: a line for the trace, and what the handshake rule needs. */
interface TcpFrame {
  text: string;
  synAck: boolean;
  /** a plain ACK (no SYN, RST) */
  ack: boolean;
  src: number;
  dst: number;
  seq: number;
  ackNo: number;
}

/** The frame read as TCP/IPv4, or undefined for anything else. */
function describe(frame: Buffer): TcpFrame | undefined {
  if (frame.length < 54 || frame.readUInt16BE(12) !== 0x0800 || frame[23] !== 6) return undefined;
  const ihl = (frame[14] & 15) * 4;
  const t = 14 + ihl;
  if (frame.length < t + 20) return undefined;
  const flags = frame[t + 13];
  const names = ['FIN', 'SYN', 'RST', 'PSH', 'ACK'].filter((_, i) => flags & (1 << i)).join('|');
  const len = frame.readUInt16BE(16) - ihl - (frame[t + 12] >> 4) * 4;
  return {
    text: `${frame.readUInt16BE(t)}>${frame.readUInt16BE(t + 2)} ${names} seq=${frame.readUInt32BE(t + 4)} ack=${frame.readUInt32BE(t + 8)} win=${frame.readUInt16BE(t + 14)} len=${len}`,
    synAck: (flags & 0x12) === 0x12,
    ack: (flags & 0x16) === 0x10,
    src: frame.readUInt16BE(t),
    dst: frame.readUInt16BE(t + 2),
    seq: frame.readUInt32BE(t + 4),
    ackNo: frame.readUInt32BE(t + 8),
  };
}

/** A UDP socket on 127.0.0.1 (port 0: any free one). */
function udp(port = 0): Promise<Socket> {
  return new Promise((res, rej) => {
    const s = createSocket('udp4');
    s.once('error', rej);
    s.bind(port, '127.0.0.1', () => {
      s.off('error', rej);
      // a burst of frames must not be lost in the host's buffers before Node reads them
      s.setRecvBufferSize(4 << 20);
      s.setSendBufferSize(4 << 20);
      res(s);
    });
  });
}

async function freeUdpPort(): Promise<number> {
  const s = await udp();
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export async function startRelay(forward: string[], faults: LinkFaults = CLEAN): Promise<Relay> {
  const toGuest = await udp();
  const toPeer = await udp();
  const guestRelay = toGuest.address().port;
  const peerRelay = toPeer.address().port;
  // the two QEMU ends: free now, bound by QEMU a moment later
  const guestQemu = await freeUdpPort();
  const peerQemu = await freeUdpPort();
  const counters: LinkCounters = { frames: 0, dropped: 0, duplicated: 0, reordered: 0, injected: 0, withheld: 0 };
  const relay = { faults } as { faults: LinkFaults };
  let mac: Buffer | undefined;
  const timers = new Set<NodeJS.Timeout>();

  const seed = Number(process.env.MINNOW_NET_SEED ?? Math.floor(Math.random() * 2 ** 31));
  const random = seeded(seed);
  const trace: string[] = [];
  const t0 = Date.now();
  const note = (toward: string, frame: Buffer, fate: string): void => {
    const d = describe(frame);
    if (!d) return;
    trace.push(`${String(Date.now() - t0).padStart(7)} ms ${toward} ${d.text}${fate ? ` (${fate})` : ''}`);
    if (trace.length > TRACE_MAX) trace.shift();
  };

  // per connection, by the peer's port: the guest's SYN-ACK sequence number, and whether the
  // peer has acknowledged it (see the top of the file). The peer's acknowledgement counts when it
  // reaches the relay (the peer is past its handshake then); a SYN-ACK is judged when it leaves.
  const handshakes = new Map<number, { iss: number; acked: boolean }>();
  const peerAcks = (d: TcpFrame | undefined): void => {
    const h = d?.ack ? handshakes.get(d.src) : undefined;
    if (h && d && d.ackNo === ((h.iss + 1) >>> 0)) h.acked = true;
  };
  const withhold = (out: Socket, d: TcpFrame | undefined): boolean => {
    if (out !== toPeer || !d?.synAck) return false;
    const h = handshakes.get(d.dst);
    if (h && h.iss === d.seq) return h.acked;
    handshakes.set(d.dst, { iss: d.seq, acked: false });
    return false;
  };

  // the last step of every frame, also for one held back: a SYN-ACK is withheld when the peer's
  // acknowledgement has passed meanwhile
  const send = (out: Socket, port: number, frame: Buffer, d: TcpFrame | undefined, toward: string, fate: string): void => {
    if (withhold(out, d)) {
      counters.withheld++;
      note(toward, frame, 'withheld: the peer acknowledged one already');
      return;
    }
    note(toward, frame, fate);
    out.send(frame, port, '127.0.0.1');
  };

  const pass = (out: Socket, port: number, frame: Buffer): void => {
    const f = relay.faults;
    const toward = out === toPeer ? 'to peer ' : 'to guest';
    const d = describe(frame);
    counters.frames++;
    if (out !== toPeer) peerAcks(d);
    if (random() < f.drop) {
      counters.dropped++;
      note(toward, frame, 'dropped');
      return;
    }
    // see the top of the file: libslirp cannot take a second SYN-ACK, nor the guest be made
    // to send one by a doubled SYN
    const spare = d !== undefined && /\bSYN\b/.test(d.text);
    const copies = !spare && random() < f.duplicate ? 2 : 1;
    if (copies === 2) counters.duplicated++;
    for (let i = 0; i < copies; i++) {
      const copy = copies === 2 ? `copy ${i + 1}` : '';
      if (random() < f.reorder) {
        counters.reordered++;
        const held = `${copy ? `${copy}, ` : ''}held ${f.delayMs} ms`;
        const t = setTimeout(() => {
          timers.delete(t);
          send(out, port, frame, d, toward, held);
        }, f.delayMs);
        timers.add(t);
      } else {
        send(out, port, frame, d, toward, copy);
      }
    }
  };
  toGuest.on('message', (frame: Buffer) => {
    if (!mac && frame.length >= 12) mac = Buffer.from(frame.subarray(6, 12));
    pass(toPeer, peerQemu, frame);
  });
  toPeer.on('message', (frame: Buffer) => pass(toGuest, guestQemu, frame));

  const ports: Record<string, number> = {};
  const fwd: string[] = [];
  for (const f of forward) {
    const [proto, guestPort] = f.split(':');
    const port = proto === 'udp' ? await freeUdpPort() : await freePort();
    ports[f] = port;
    fwd.push(`,hostfwd=${proto}:127.0.0.1:${port}-10.0.2.15:${guestPort}`);
  }
  const inet = (side: string, port: number): string => `${side}.type=inet,${side}.host=127.0.0.1,${side}.port=${port}`;
  let text = '';
  const peer: ChildProcess = spawn(
    findQemu(),
    [
      '-machine', 'none', '-nodefaults', '-display', 'none', '-monitor', 'none', '-serial', 'none',
      '-netdev', `user,id=slirp${fwd.join('')}`,
      '-netdev', `dgram,id=wire,${inet('local', peerQemu)},${inet('remote', peerRelay)}`,
      '-netdev', 'hubport,id=p0,hubid=0,netdev=slirp',
      '-netdev', 'hubport,id=p1,hubid=0,netdev=wire',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  peer.stdout?.on('data', (d: Buffer) => (text += d.toString()));
  peer.stderr?.on('data', (d: Buffer) => (text += d.toString()));
  const peerGone = new Promise<void>((res) => peer.once('exit', () => res()));
  // QEMU binds its ports (hostfwd included) before it runs; give it that moment, and fail
  // plainly if it refused its arguments
  await Promise.race([new Promise((r) => setTimeout(r, 500)), peerGone]);
  if (peer.exitCode !== null || peer.signalCode !== null) {
    toGuest.close();
    toPeer.close();
    throw new Error(`the peer QEMU (slirp behind a hub) exited at once:\n${text}`);
  }

  return {
    guestSide: { localPort: guestQemu, remotePort: guestRelay },
    ports,
    get faults() {
      return relay.faults;
    },
    set faults(f: LinkFaults) {
      relay.faults = f;
    },
    counters,
    guestMac: () => mac,
    inject: (frame: Buffer) => {
      // an empty datagram ends QEMU's dgram netdev for good (test/net/fuzz.ts)
      if (frame.length === 0) throw new Error('relay: an empty frame cannot be injected');
      counters.injected++;
      toGuest.send(frame, guestQemu, '127.0.0.1');
    },
    peerOutput: () => text,
    trace: (lines = TRACE_MAX) => trace.slice(-lines).join('\n'),
    seed,
    stop: async () => {
      for (const t of timers) clearTimeout(t);
      if (peer.exitCode === null && peer.signalCode === null) peer.kill('SIGTERM');
      await peerGone;
      toGuest.close();
      toPeer.close();
    },
  };
}
