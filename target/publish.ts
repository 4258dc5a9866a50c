// Published ports: a host port on 127.0.0.1 forwarded to a port of the guest through QEMU's user
// network (hostfwd). Three ways to ask, one meaning: `minnow run -p 8080:80` (docker's syntax,
// host:guest[/tcp|/udp], repeatable), minnow.json "ports": ["8080:80"], and the launch attribute
// "ports"; the older minnow.json "network": {"hostForwards": ["tcp:8080-80"]} is the same list in
// QEMU's own spelling, which is also how the rest of target/ carries it.
//
// Publishing is always on 127.0.0.1: a published port is for the developer's own curl and
// browser, and a unikernel under development should not be reachable from the network, so a
// 0.0.0.0 (or any other address) is refused with the fix. As with docker, publishing a port gives
// the application a network: an app that names no virtio_net gets the "net" component (lwIP and
// the sockets, which bring virtio_net); an app that drives virtio_net itself (raw frames, as
// examples/net does) keeps doing so and only gains the forward.
//
// A host port someone else holds is found before boot (we bind it ourselves for a moment), and
// the race between that check and QEMU's own bind, where QEMU says only "Could not set up host
// forwarding rule", ends in the same error naming the port and what to do.

import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import type { AppConfig } from './config';
import type { Component } from './components';
import { resolveComponents } from './components';
import { MinnowError, advise, type Advice, type Say } from './errors';
import { LOCALHOST, probePort } from './ports';

export type Proto = 'tcp' | 'udp';

export interface PortForward {
  proto: Proto;
  /** the port on 127.0.0.1 of the host */
  host: number;
  /** the guest's port */
  guest: number;
}

/** The component that gives an application sockets; it brings virtio_net with it. */
export const NET_COMPONENT = 'net';

/** A published port as each audience writes it: -p for the CLI, a "ports" entry in launch.json. */
const publish = (say: Say, spec: string): string => say(`-p ${spec}`, `"ports": ["${spec}"]`);

const PUBLISH_EXAMPLE: Advice = advise((_say, audience) =>
  audience === 'cli'
    ? 'For example -p 8080:80 (TCP) or -p 5353:53/udp; in minnow.json "ports": ["8080:80"].'
    : 'For example "ports": ["8080:80", "5353:53/udp"] (TCP, then UDP) in launch.json or minnow.json.',
);

function portNumber(text: string, what: string, spec: string, where: string): number {
  const n = Number(text);
  if (!/^[0-9]{1,5}$/.test(text) || n < 1 || n > 65535) {
    throw new MinnowError(`${where}: ${what} "${text}" in "${spec}" is not a port number (1..65535)`, PUBLISH_EXAMPLE);
  }
  return n;
}

/** docker's `[127.0.0.1:]HOST:GUEST[/tcp|/udp]` → a forward; `where` names the source in errors. */
export function parsePublish(spec: string, where: string): PortForward {
  const m = /^(?:(\[[^\]]*\]|[^:]*):)?([^:/]*):([^:/]*)(?:\/(.*))?$/.exec(spec.trim());
  if (!m) {
    if (/^[0-9]+(\/(tcp|udp))?$/.test(spec.trim())) {
      throw new MinnowError(`${where}: "${spec}" names only the guest's port; Minnow publishes a host port you choose`, advise((say) => `Give both, host first: ${publish(say, `8080:${spec.trim()}`)}.`));
    }
    throw new MinnowError(`${where}: "${spec}" is not HOST:GUEST[/tcp|/udp]`, PUBLISH_EXAMPLE);
  }
  const [, ip, host, guest, proto] = m;
  if (ip !== undefined && ip !== LOCALHOST && ip !== 'localhost') {
    throw new MinnowError(
      `${where}: "${spec}" publishes on ${ip || 'every address'}; Minnow publishes on 127.0.0.1 only`,
      advise((say) => `Write it without the address (${publish(say, `${host}:${guest}${proto ? `/${proto}` : ''}`)}); to reach the guest from another machine, forward that port yourself (ssh -L, a reverse proxy).`),
    );
  }
  if (/-/.test(host) || /-/.test(guest)) {
    throw new MinnowError(`${where}: "${spec}" is a port range, which Minnow does not publish`, advise((_say, audience) => `Publish each port with its own ${audience === 'cli' ? '-p' : '"ports" entry'}.`));
  }
  if (proto !== undefined && proto !== 'tcp' && proto !== 'udp') {
    throw new MinnowError(`${where}: "${spec}" asks for protocol "${proto}"`, 'Use /tcp (the default) or /udp.');
  }
  return { proto: (proto as Proto | undefined) ?? 'tcp', host: portNumber(host, 'the host port', spec, where), guest: portNumber(guest, "the guest's port", spec, where) };
}

/** QEMU's spelling, as minnow.json "network.hostForwards" writes it: "tcp:8080-80". */
export function parseHostForward(text: string): PortForward {
  const m = /^(tcp|udp):([0-9]+)-([0-9]+)$/.exec(text);
  if (!m) throw new MinnowError(`the host forward "${text}" is not protocol:hostport-guestport`, 'Write it like "tcp:8080-80".');
  return { proto: m[1] as Proto, host: Number(m[2]), guest: Number(m[3]) };
}

export function hostForwardText(f: PortForward): string {
  return `${f.proto}:${f.host}-${f.guest}`;
}

/** QEMU's -netdev user word for one forward; always bound on 127.0.0.1. */
export function hostfwdWord(f: PortForward): string {
  return `hostfwd=${f.proto}:${LOCALHOST}:${f.host}-:${f.guest}`;
}

/** "127.0.0.1:8080 → guest port 80/tcp", for messages. */
export function describeForward(f: PortForward): string {
  return `127.0.0.1:${f.host} → guest port ${f.guest}/${f.proto}`;
}

/**
 * Adds published ports to an application: its network's forwards (checked for a host port
 * given twice), a user network when it had none, and the net component when it names no
 * virtio_net. `specs` are docker-style strings; `where` says where they came from.
 */
export function publishPorts(app: AppConfig, specs: readonly string[], table: readonly Component[], where: (i: number) => string): void {
  if (specs.length === 0) return;
  const added = specs.map((s, i) => parsePublish(s, where(i)));
  if (app.network?.backend === 'dgram') {
    throw new MinnowError(
      `${where(0)}: ports are published through QEMU's user network, but minnow.json's "network.backend" is dgram`,
      'Remove "backend": "dgram" from "network" (or the published ports): a dgram network has no host forwarding.',
    );
  }
  const network = app.network ?? { backend: 'user' as const, hostForwards: [] };
  const all = [...network.hostForwards.map(parseHostForward), ...added];
  const seen = new Map<string, PortForward>();
  for (const f of all) {
    const key = `${f.proto}:${f.host}`;
    const before = seen.get(key);
    if (before && before.guest !== f.guest) {
      throw new MinnowError(
        `host port ${f.host}/${f.proto} is published twice: to the guest's port ${before.guest} and to ${f.guest}`,
        'Give each published port its own host port.',
      );
    }
    seen.set(key, f);
  }
  network.hostForwards = [...seen.values()].map(hostForwardText);
  app.network = network;
  if (!app.components.includes('virtio_net')) {
    const hasNet = table.some((c) => c.name === NET_COMPONENT);
    app.components = resolveComponents([...app.components, hasNet ? NET_COMPONENT : 'virtio_net'], [...table]);
  }
}

/** The error for a host port someone else holds: the same before boot and after QEMU's bind. */
export function portInUseError(f: PortForward): MinnowError {
  const ss = f.proto === 'tcp' ? `ss -ltnp 'sport = :${f.host}'` : `ss -lunp 'sport = :${f.host}'`;
  return new MinnowError(
    `host port ${f.host} (${f.proto}, 127.0.0.1) is already in use, so it cannot be published to the guest's port ${f.guest}`,
    advise((say) => `Stop the program that holds it (${ss} names it), or publish another host port: ${publish(say, `${f.host === 65535 ? f.host - 1 : f.host + 1}:${f.guest}${f.proto === 'udp' ? '/udp' : ''}`)} (or in minnow.json "ports").`),
  );
}

function probeUdp(port: number): Promise<'free' | 'busy'> {
  return new Promise((resolve, reject) => {
    const s = createSocket({ type: 'udp4', reuseAddr: false });
    s.once('error', (e: NodeJS.ErrnoException) => {
      s.close();
      if (e.code === 'EADDRINUSE' || e.code === 'EACCES') resolve('busy');
      else reject(e);
    });
    s.bind(port, LOCALHOST, () => s.close(() => resolve('free')));
  });
}

/** Throws portInUseError for the first forward whose host port is taken now. */
export async function checkHostPorts(forwards: readonly PortForward[]): Promise<void> {
  for (const f of forwards) {
    const state = f.proto === 'tcp' ? await probePort(f.host) : await probeUdp(f.host);
    if (state === 'busy') throw portInUseError(f);
  }
}

/** The forward QEMU's stderr says it could not set up ("Could not set up host forwarding rule 'tcp:127.0.0.1:8080-:80'"). */
export function failedForward(stderr: string): PortForward | undefined {
  const m = /Could not set up host forwarding rule '(tcp|udp):[^:]*:([0-9]+)-[^:]*:([0-9]+)'/.exec(stderr);
  return m ? { proto: m[1] as Proto, host: Number(m[2]), guest: Number(m[3]) } : undefined;
}

/** Socket inodes open in process `pid` (Linux), or undefined when /proc cannot tell. */
function socketInodes(pid: number): Set<string> | undefined {
  try {
    const out = new Set<string>();
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const m = /^socket:\[([0-9]+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m) out.add(m[1]);
      } catch {
        // the descriptor closed while we looked
      }
    }
    return out;
  } catch {
    return undefined;
  }
}

/**
 * Whether process `pid` itself holds every forward's host port on 127.0.0.1 (a LISTEN socket for
 * TCP, a bound one for UDP), from /proc/net/{tcp,udp} and the process's descriptors. undefined
 * where /proc cannot tell.
 */
export function ownsForwards(pid: number, forwards: readonly PortForward[]): boolean | undefined {
  const inodes = socketInodes(pid);
  if (!inodes) return undefined;
  const tables: Partial<Record<Proto, string[][]>> = {};
  for (const proto of ['tcp', 'udp'] as const) {
    try {
      tables[proto] = readFileSync(`/proc/net/${proto}`, 'utf8').split('\n').slice(1).map((l) => l.trim().split(/\s+/));
    } catch {
      return undefined;
    }
  }
  const TCP_LISTEN = '0A';
  return forwards.every((f) => {
    const local = `0100007F:${f.host.toString(16).toUpperCase().padStart(4, '0')}`;
    // fields: sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
    return (tables[f.proto] ?? []).some((r) => r[1] === local && (f.proto === 'udp' || r[3] === TCP_LISTEN) && inodes.has(r[9]));
  });
}

/**
 * Waits until QEMU (pid) holds all its forwarded ports, or exits, or `timeoutMs` passes. QEMU sets
 * up its network a few milliseconds into its start, before the guest runs.
 */
export async function waitForForwards(pid: number, forwards: readonly PortForward[], exited: () => boolean, timeoutMs = 10000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let delay = 5;
  while (Date.now() < deadline && !exited()) {
    const owned = ownsForwards(pid, forwards);
    if (owned !== false) return;
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 50);
  }
}
