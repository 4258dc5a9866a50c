// Malformed Ethernet frames for the fuzz run, made here in Node from a seeded generator (so a
// failing run can be replayed from the seed it printed). Each frame starts as a plausible one
// addressed to the guest (ARP, IPv4 with ICMP, UDP or TCP to a listening port or another), then
// gets one or more faults: truncated anywhere, header lengths that lie (IHL, total length, TCP
// data offset, UDP length), fragment fields, random TCP flags and options (lengths of 0, 1, past
// the end, window scale and MSS out of range), bad or, often on purpose, good checksums (so the
// frame reaches the protocol's input rather than dying at the checksum), random bytes.

export const SLIRP_MAC = Buffer.from([0x52, 0x55, 0x0a, 0x00, 0x02, 0x02]);
const GUEST_IP = [10, 0, 2, 15];
const PEER_IP = [10, 0, 2, 2];
const BROADCAST = Buffer.alloc(6, 0xff);

/** xorshift32: small, fast and repeatable from its seed */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 1;
  }
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s;
  }
  int(n: number): number {
    return this.next() % n;
  }
  chance(p: number): boolean {
    return this.next() / 0x100000000 < p;
  }
  bytes(n: number): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = this.next() & 0xff;
    return b;
  }
}

/** RFC 1071 one's-complement sum, folded */
function csum(b: Buffer, start = 0): number {
  let sum = start;
  for (let i = 0; i + 1 < b.length; i += 2) sum += b.readUInt16BE(i);
  if (b.length & 1) sum += b[b.length - 1] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function pseudoSum(src: number[], dst: number[], proto: number, len: number): number {
  return ((src[0] << 8) | src[1]) + ((src[2] << 8) | src[3]) + ((dst[0] << 8) | dst[1]) + ((dst[2] << 8) | dst[3]) + proto + len;
}

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_ARP = 0x0806;
const PROTO_ICMP = 1;
const PROTO_TCP = 6;
const PROTO_UDP = 17;

function eth(r: Rng, dst: Buffer, type: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(14);
  (r.chance(0.9) ? dst : r.chance(0.5) ? BROADCAST : r.bytes(6)).copy(h, 0);
  SLIRP_MAC.copy(h, 6);
  h.writeUInt16BE(r.chance(0.97) ? type : r.int(0x10000), 12);
  return Buffer.concat([h, payload]);
}

function arp(r: Rng): Buffer {
  const a = Buffer.alloc(28);
  a.writeUInt16BE(r.chance(0.8) ? 1 : r.int(0x10000), 0); // hardware: Ethernet
  a.writeUInt16BE(r.chance(0.8) ? ETHERTYPE_IPV4 : r.int(0x10000), 2);
  a[4] = r.chance(0.8) ? 6 : r.int(256); // hardware and protocol address lengths
  a[5] = r.chance(0.8) ? 4 : r.int(256);
  a.writeUInt16BE(r.chance(0.8) ? 1 + r.int(2) : r.int(0x10000), 6); // request or reply
  SLIRP_MAC.copy(a, 8);
  Buffer.from(r.chance(0.7) ? PEER_IP : [10, 0, 2, r.int(256)]).copy(a, 14);
  Buffer.from(r.chance(0.8) ? GUEST_IP : r.bytes(4)).copy(a, 24);
  return a;
}

function tcpOptions(r: Rng): Buffer {
  const parts: Buffer[] = [];
  const n = r.int(6);
  for (let i = 0; i < n; i++) {
    switch (r.int(7)) {
      case 0: parts.push(Buffer.from([2, r.chance(0.7) ? 4 : r.int(256), r.int(256), r.int(256)])); break; // MSS (0 too)
      case 1: parts.push(Buffer.from([3, r.chance(0.7) ? 3 : r.int(256), r.int(256)])); break; // window scale
      case 2: parts.push(Buffer.from([4, r.chance(0.7) ? 2 : r.int(256)])); break; // SACK permitted
      case 3: parts.push(Buffer.concat([Buffer.from([8, r.chance(0.7) ? 10 : r.int(256)]), r.bytes(8)])); break; // timestamps
      case 4: parts.push(Buffer.from([1])); break; // NOP
      case 5: parts.push(Buffer.from([0])); break; // end of list
      default: parts.push(Buffer.concat([Buffer.from([r.int(256), r.int(256)]), r.bytes(r.int(12))]));
    }
  }
  const o = Buffer.concat(parts);
  return o.subarray(0, Math.min(o.length, 40));
}

function tcp(r: Rng, ports: number[], src: number[]): { seg: Buffer; fix: (s: Buffer) => void } {
  let opts = tcpOptions(r);
  const pad = (4 - (opts.length % 4)) % 4;
  opts = Buffer.concat([opts, Buffer.alloc(pad)]);
  const data = r.chance(0.5) ? r.bytes(r.int(1400)) : Buffer.alloc(0);
  const h = Buffer.alloc(20);
  h.writeUInt16BE(r.chance(0.2) ? 7 : 1024 + r.int(60000), 0);
  h.writeUInt16BE(r.chance(0.8) ? ports[r.int(ports.length)] : r.int(0x10000), 2);
  h.writeUInt32BE(r.next(), 4);
  h.writeUInt32BE(r.next(), 8);
  const doff = r.chance(0.85) ? (20 + opts.length) / 4 : r.int(16);
  h[12] = doff << 4;
  // flags: mostly the combinations a stack sees, sometimes anything (SYN|FIN|RST|URG...)
  const usual = [0x02, 0x10, 0x18, 0x11, 0x04, 0x14, 0x12, 0x01];
  h[13] = r.chance(0.6) ? usual[r.int(usual.length)] : r.int(256);
  h.writeUInt16BE(r.int(0x10000), 14);
  h.writeUInt16BE(r.int(0x10000), 18); // urgent pointer
  const seg = Buffer.concat([h, opts, data]);
  return {
    seg,
    fix: (s: Buffer) => {
      s.writeUInt16BE(0, 16);
      s.writeUInt16BE(csum(s, pseudoSum(src, GUEST_IP, PROTO_TCP, s.length)), 16);
    },
  };
}

function udp(r: Rng, ports: number[], src: number[]): { seg: Buffer; fix: (s: Buffer) => void } {
  const data = r.bytes(r.int(r.chance(0.9) ? 600 : 1472));
  const h = Buffer.alloc(8);
  h.writeUInt16BE(r.chance(0.3) ? 67 : 1024 + r.int(60000), 0); // 67: a DHCP server's
  h.writeUInt16BE(r.chance(0.6) ? ports[r.int(ports.length)] : r.chance(0.3) ? 68 : r.int(0x10000), 2);
  h.writeUInt16BE(r.chance(0.8) ? 8 + data.length : r.int(0x10000), 4);
  return {
    seg: Buffer.concat([h, data]),
    fix: (s: Buffer) => {
      s.writeUInt16BE(0, 6);
      s.writeUInt16BE(csum(s, pseudoSum(src, GUEST_IP, PROTO_UDP, s.length)) || 0xffff, 6);
    },
  };
}

function icmp(r: Rng): { seg: Buffer; fix: (s: Buffer) => void } {
  const h = Buffer.alloc(8);
  h[0] = r.chance(0.6) ? 8 : r.int(256); // echo request, or any type
  h[1] = r.int(4);
  h.writeUInt32BE(r.next(), 4);
  return {
    seg: Buffer.concat([h, r.bytes(r.int(1000))]),
    fix: (s: Buffer) => {
      s.writeUInt16BE(0, 2);
      s.writeUInt16BE(csum(s), 2);
    },
  };
}

function ipv4(r: Rng, tcpPorts: number[], udpPorts: number[]): Buffer {
  const src = r.chance(0.8) ? PEER_IP : [10, 0, 2, r.int(256)];
  const kind = r.int(10);
  const proto = kind < 6 ? PROTO_TCP : kind < 8 ? PROTO_UDP : kind < 9 ? PROTO_ICMP : r.int(256);
  const l4 = proto === PROTO_TCP ? tcp(r, tcpPorts, src) : proto === PROTO_UDP ? udp(r, udpPorts, src) : proto === PROTO_ICMP ? icmp(r) : { seg: r.bytes(r.int(200)), fix: () => {} };
  // the transport checksum is right more often than not: the frame then gets past it
  if (r.chance(0.7)) l4.fix(l4.seg);
  const opts = r.chance(0.1) ? r.bytes(4 * (1 + r.int(10))) : Buffer.alloc(0);
  const h = Buffer.alloc(20);
  const ihl = r.chance(0.9) ? 5 + opts.length / 4 : r.int(16);
  h[0] = ((r.chance(0.97) ? 4 : r.int(16)) << 4) | ihl;
  h[1] = r.int(256);
  const total = 20 + opts.length + l4.seg.length;
  h.writeUInt16BE(r.chance(0.85) ? total : r.int(0x10000), 2);
  h.writeUInt16BE(r.int(0x10000), 4);
  // fragments: mostly whole datagrams, sometimes a random offset and more-fragments bit
  h.writeUInt16BE(r.chance(0.85) ? 0x4000 : r.int(0x10000), 6);
  h[8] = r.chance(0.95) ? 64 : r.int(256);
  h[9] = proto;
  Buffer.from(src).copy(h, 12);
  Buffer.from(r.chance(0.9) ? GUEST_IP : r.chance(0.5) ? [255, 255, 255, 255] : r.bytes(4)).copy(h, 16);
  const head = Buffer.concat([h, opts]);
  if (r.chance(0.9)) head.writeUInt16BE(csum(head), 10);
  return Buffer.concat([head, l4.seg]);
}

/** One malformed (or, now and then, well-formed) frame to the guest at `mac`. */
export function fuzzFrame(r: Rng, mac: Buffer, tcpPorts: number[], udpPorts: number[]): Buffer {
  let f = r.chance(0.15) ? eth(r, r.chance(0.5) ? BROADCAST : mac, ETHERTYPE_ARP, arp(r)) : eth(r, mac, ETHERTYPE_IPV4, ipv4(r, tcpPorts, udpPorts));
  // truncated anywhere, the header too, but never to nothing: QEMU's dgram netdev takes an empty
  // datagram for the end of the connection and reads no frame after it (the guest's link is
  // gone, which says nothing about the guest)
  if (r.chance(0.25)) f = f.subarray(0, 1 + r.int(f.length));
  if (r.chance(0.15)) {
    f = Buffer.from(f);
    for (let i = r.int(4); i >= 0 && f.length > 0; i--) f[r.int(f.length)] = r.int(256);
  }
  return f;
}
