// The network part of `minnow/kernelInfo`: the socket table net_socks[NET_SOCK_MAX] and the
// interface's counters net_iface0 with the TIME_WAIT counts net_timewait
// (kernel/include/kernel/net.h), plain data that the "net"
// component keeps. A kernel without "net" has neither symbol: then there is no Sockets or
// Interface group, which is not an error.
//
// The table is read the way fd_table is: the layout of the structs comes from the DWARF (gdb
// computes offsets and sizes without touching the target), the data from one memory read of the
// whole table, and the state names (const char *, a handful of distinct literals) from one
// script, so a hundred open connections cost three stub round trips, not a thousand.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mi, type GdbSession } from './gdb';

export interface KernelSocketInfo {
  /** the slot in net_socks */
  slot: number;
  fd: number;
  /** 'tcp' (type 1, stream) or 'udp' (type 2, datagram) */
  proto: string;
  /** lwIP's name for the state: "LISTEN", "ESTABLISHED", ... */
  state: string;
  local: string;
  remote: string;
  rxQueued: number;
  txQueued: number;
  retransmits: number;
  /** LISTEN: connections waiting for accept(), and listen()'s limit */
  backlog: number;
  backlogMax: number;
  /** the peer's window and the one offered, bytes; the segment size */
  sndWnd: number;
  rcvWnd: number;
  mss: number;
}

export interface KernelIfaceInfo {
  up: boolean;
  mac: string;
  address: string;
  mask: string;
  gateway: string;
  dns: string;
  mtu: number;
  rxFrames: number;
  txFrames: number;
  rxBytes: number;
  txBytes: number;
  rxDropped: number;
  txDropped: number;
  /** frames waiting for a free transmit slot */
  txQueued: number;
  /** "dhcp", "static", "none" (no card) */
  config: string;
  /** TCP connections in TIME_WAIT (net_timewait; absent from kernels before it) */
  timeWait?: KernelTimeWaitInfo;
}

export interface KernelTimeWaitInfo {
  count: number;
  /** the cap; past it the oldest are recycled */
  max: number;
  recycled: number;
  /** ended early by a new SYN on the same four numbers */
  reused: number;
}

const SOCK_FIELDS = ['used', 'fd', 'type', 'state', 'laddr', 'raddr', 'lport', 'rport', 'rx_queued', 'tx_queued', 'retransmits', 'backlog', 'backlog_max', 'snd_wnd', 'rcv_wnd', 'mss'] as const;
const TIMEWAIT_FIELDS = ['count', 'max', 'recycled', 'reused'] as const;
const IFACE_FIELDS = ['up', 'mac', 'addr', 'mask', 'gw', 'dns', 'mtu', 'rx_frames', 'tx_frames', 'rx_bytes', 'tx_bytes', 'rx_dropped', 'tx_dropped', 'tx_queued', 'config'] as const;

type Layout<K extends string> = Record<K, { offset: number; size: number }> & { size: number; extra: number[] };

/**
 * gdb's answer for a kernel table this kernel does not have: never declared (its component is not
 * linked), or declared in the DWARF but dropped by the linker (--gc-sections: nothing in this
 * application uses it, e.g. fd_table when no descriptor call is linked), "Missing ELF symbol".
 */
export function symbolAbsent(message: string, symbol = '\\w+'): boolean {
  return new RegExp(`No symbol "${symbol}" in current context|Missing ELF symbol "${symbol}"`).test(message);
}

/** A net table the kernel does not have: the "net" component is not linked. */
export function isAbsent(e: unknown): boolean {
  const message = e instanceof Error ? e.message : String(e);
  return symbolAbsent(message, '(net_socks|net_socks_unlisted|net_iface0|net_timewait)') || /No struct type named net_sock/.test(message);
}

let scriptDir: string | undefined;

async function runScript(gdb: GdbSession, name: string, text: string): Promise<string> {
  scriptDir ??= mkdtempSync(join(tmpdir(), 'minnow-netinfo-'));
  const p = join(scriptDir, `${name}.gdb`);
  writeFileSync(p, text);
  return gdb.cli(`source ${p}`, { timeoutMs: 15_000 });
}

/** Offsets and sizes of `fields` in the value `expr` (gdb answers from the DWARF alone), and the
 *  values of `extra` expressions in the same round trip. */
async function layout<K extends string>(gdb: GdbSession, expr: string, fields: readonly K[], extra: string[] = []): Promise<Layout<K>> {
  const parts = fields.map((f) => `(unsigned long)((char *)&(${expr}).${f} - (char *)&(${expr})), (unsigned long)sizeof((${expr}).${f})`);
  parts.push(`(unsigned long)sizeof(${expr})`, ...extra.map((x) => `(unsigned long)(${x})`));
  const fmt = [...fields.map(() => '%lu %lu'), '%lu', ...extra.map(() => '%lu')].join(' ');
  const text = await runScript(gdb, 'layout', `printf "L ${fmt}\\n", ${parts.join(', ')}\n`);
  const line = text.split('\n').find((l) => l.startsWith('L '));
  if (!line) throw new Error(`no layout for ${expr}: ${text.trim()}`);
  const n = line.slice(2).trim().split(/\s+/).map(Number);
  const out = { size: n[fields.length * 2], extra: n.slice(fields.length * 2 + 1) } as Layout<K>;
  fields.forEach((f, i) => ((out as Record<string, unknown>)[f] = { offset: n[i * 2], size: n[i * 2 + 1] }));
  return out;
}

/** layout(), or undefined when the kernel lacks the net tables (their component is not linked,
 *  or it predates them); any other failure is thrown. */
async function layoutIfPresent<K extends string>(gdb: GdbSession, expr: string, fields: readonly K[], extra: string[] = []): Promise<Layout<K> | undefined> {
  try {
    return await layout(gdb, expr, fields, extra);
  } catch (e) {
    if (isAbsent(e)) return undefined;
    throw e;
  }
}

function uint(b: Buffer, at: number, size: number): number {
  if (at + size > b.length) return 0;
  switch (size) {
    case 1:
      return b[at];
    case 2:
      return b.readUInt16LE(at);
    case 4:
      return b.readUInt32LE(at);
    default:
      return Number(b.readBigUInt64LE(at));
  }
}

function int(b: Buffer, at: number, size: number): number {
  return size === 4 && at + 4 <= b.length ? b.readInt32LE(at) : uint(b, at, size);
}

/** An IPv4 address kept in network order, as read from little-endian memory. */
function ipv4(v: number): string {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24].join('.');
}

async function readBlock(gdb: GdbSession, expr: string, size: number): Promise<Buffer> {
  const [block] = await mi.readMemory(gdb, `(char *)&${expr}`, size);
  return Buffer.from(block?.contents ?? '', 'hex');
}

interface Struct<K extends string> {
  layout: Layout<K>;
  bytes: Buffer;
  /** the unsigned value of one field */
  field(k: K): number;
}

/** One kernel variable read whole (its layout, then one memory read), or undefined when the
 *  kernel has no such symbol (its component is not linked, or it predates it). */
async function readStruct<K extends string>(gdb: GdbSession, symbol: string, fields: readonly K[]): Promise<Struct<K> | undefined> {
  const l = await layoutIfPresent(gdb, symbol, fields);
  if (!l) return undefined;
  const bytes = await readBlock(gdb, symbol, l.size);
  return { layout: l, bytes, field: (k) => uint(bytes, l[k].offset, l[k].size) };
}

/** The used slots of net_socks and how many sockets did not fit in it (net_socks_unlisted), or
 *  undefined when the kernel has no socket table. */
export async function readSockets(gdb: GdbSession): Promise<{ sockets: KernelSocketInfo[]; unlisted: number } | undefined> {
  const l = await layoutIfPresent(gdb, 'net_socks[0]', SOCK_FIELDS, ['sizeof(net_socks) / sizeof(net_socks[0])', 'net_socks_unlisted']);
  if (!l) return undefined;
  const [count, unlisted] = l.extra;
  const table = await readBlock(gdb, 'net_socks', l.size * count);
  const socks: KernelSocketInfo[] = [];
  const statePtr = new Map<number, bigint>();
  for (let i = 0; i < count; i++) {
    const at = i * l.size;
    const f = (k: (typeof SOCK_FIELDS)[number]) => uint(table, at + l[k].offset, l[k].size);
    if (f('used') === 0) continue;
    const type = f('type');
    if (l.state.size === 8 && at + l.state.offset + 8 <= table.length) statePtr.set(i, table.readBigUInt64LE(at + l.state.offset));
    socks.push({
      slot: i,
      fd: int(table, at + l.fd.offset, l.fd.size),
      proto: type === 1 ? 'tcp' : type === 2 ? 'udp' : `type ${type}`,
      state: '',
      local: `${ipv4(f('laddr'))}:${f('lport')}`,
      remote: `${ipv4(f('raddr'))}:${f('rport')}`,
      rxQueued: f('rx_queued'),
      txQueued: f('tx_queued'),
      retransmits: f('retransmits'),
      backlog: f('backlog'),
      backlogMax: f('backlog_max'),
      sndWnd: f('snd_wnd'),
      rcvWnd: f('rcv_wnd'),
      mss: f('mss'),
    });
  }
  // the state names: one printf per distinct string pointer
  const distinct = [...new Set([...statePtr.values()].filter((p) => p !== 0n))];
  if (distinct.length > 0) {
    const text = await runScript(gdb, 'states', distinct.map((p) => `printf "P\\t%lu\\t%s\\n", 0x${p.toString(16)}, (char *)0x${p.toString(16)}\n`).join(''));
    const names = new Map<bigint, string>();
    for (const line of text.split('\n')) {
      const f = line.split('\t');
      if (f[0] === 'P' && f.length >= 3) names.set(BigInt(f[1]), f[2]);
    }
    for (const s of socks) s.state = names.get(statePtr.get(s.slot) ?? 0n) ?? '';
  }
  return { sockets: socks, unlisted };
}

/** net_iface0, or undefined when the kernel has no network interface table. */
export async function readIface(gdb: GdbSession): Promise<KernelIfaceInfo | undefined> {
  const s = await readStruct(gdb, 'net_iface0', IFACE_FIELDS);
  if (!s) return undefined;
  const { layout: l, bytes: b, field: f } = s;
  // config points at one of a few literals: one printf reads it
  const configPtr = l.config.size === 8 && l.config.offset + 8 <= b.length ? b.readBigUInt64LE(l.config.offset) : 0n;
  let config = '';
  if (configPtr !== 0n) {
    const text = await runScript(gdb, 'config', `printf "C\\t%s\\n", (char *)0x${configPtr.toString(16)}\n`);
    config = text.split('\n').find((x) => x.startsWith('C\t'))?.slice(2) ?? '';
  }
  const mac = [...b.subarray(l.mac.offset, l.mac.offset + l.mac.size)].map((x) => x.toString(16).padStart(2, '0')).join(':');
  return {
    up: f('up') !== 0,
    mac,
    address: ipv4(f('addr')),
    mask: ipv4(f('mask')),
    gateway: ipv4(f('gw')),
    dns: ipv4(f('dns')),
    mtu: f('mtu'),
    rxFrames: f('rx_frames'),
    txFrames: f('tx_frames'),
    rxBytes: f('rx_bytes'),
    txBytes: f('tx_bytes'),
    rxDropped: f('rx_dropped'),
    txDropped: f('tx_dropped'),
    txQueued: f('tx_queued'),
    config,
    timeWait: await readTimeWait(gdb),
  };
}

/** net_timewait, or undefined when the kernel predates it. */
async function readTimeWait(gdb: GdbSession): Promise<KernelTimeWaitInfo | undefined> {
  const s = await readStruct(gdb, 'net_timewait', TIMEWAIT_FIELDS);
  if (!s) return undefined;
  return { count: s.field('count'), max: s.field('max'), recycled: s.field('recycled'), reused: s.field('reused') };
}
