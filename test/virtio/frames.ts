// Ethernet/ARP/IPv4/ICMP frames for the host side of the virtio-net tests.

export const GUEST_IP = [10, 0, 0, 2];
export const HOST_IP = [10, 0, 0, 1];
export const HOST_MAC = Buffer.from([0x02, 0x00, 0x00, 0x00, 0x00, 0x01]);
export const BROADCAST = Buffer.alloc(6, 0xff);
export const ETH_P_IP = 0x0800;
export const ETH_P_ARP = 0x0806;
export const ETH_P_TEST = 0x88b5;

export function eth(dst: Buffer, src: Buffer, type: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(14);
  dst.copy(h, 0);
  src.copy(h, 6);
  h.writeUInt16BE(type, 12);
  return Buffer.concat([h, payload]);
}

export function arp(op: number, sha: Buffer, spa: number[], tha: Buffer, tpa: number[]): Buffer {
  const a = Buffer.alloc(28);
  a.writeUInt16BE(1, 0);
  a.writeUInt16BE(ETH_P_IP, 2);
  a[4] = 6;
  a[5] = 4;
  a.writeUInt16BE(op, 6);
  sha.copy(a, 8);
  Buffer.from(spa).copy(a, 14);
  tha.copy(a, 18);
  Buffer.from(tpa).copy(a, 24);
  return a;
}

/** RFC 1071 checksum. */
export function csum(b: Buffer): number {
  let sum = 0;
  for (let i = 0; i + 1 < b.length; i += 2) sum += b.readUInt16BE(i);
  if (b.length & 1) sum += b[b.length - 1] << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return ~sum & 0xffff;
}

export function icmpEcho(type: number, src: number[], dst: number[], id: number, seq: number, data: Buffer): Buffer {
  const icmp = Buffer.concat([Buffer.alloc(8), data]);
  icmp[0] = type;
  icmp.writeUInt16BE(id, 4);
  icmp.writeUInt16BE(seq, 6);
  icmp.writeUInt16BE(csum(icmp), 2);
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + icmp.length, 2);
  ip[8] = 64;
  ip[9] = 1;
  Buffer.from(src).copy(ip, 12);
  Buffer.from(dst).copy(ip, 16);
  ip.writeUInt16BE(csum(ip), 10);
  return Buffer.concat([ip, icmp]);
}

export interface Parsed {
  dst: Buffer;
  src: Buffer;
  type: number;
  payload: Buffer;
}

export function parseEth(f: Buffer): Parsed {
  return { dst: f.subarray(0, 6), src: f.subarray(6, 12), type: f.readUInt16BE(12), payload: f.subarray(14) };
}
