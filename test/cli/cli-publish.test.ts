// Published ports: `minnow run -p HOST:GUEST[/udp]`, minnow.json "ports" and the older
// network.hostForwards. The syntax and its errors, what publishing links in, and, with real QEMU,
// that a host client's connection and datagram arrive at the guest's port (seen in a packet
// capture QEMU itself writes, filter-dump, since examples/net speaks Ethernet, not TCP), that the
// ports are bound on 127.0.0.1 only, and that a host port held by a real listener is one clear
// error before boot and the same error when it is taken between the check and QEMU's bind.

import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { buildQemuArgs, freePort, loadApp, MinnowError, parsePublish, validateManifest } from '../../target';
import { loadComponents } from '../../target/components';
import { appFrom, cleanupTmp, cli, killStragglers, ROOT, startCli, tmp } from './helpers';

const THIEF = join(__dirname, 'fixtures', 'port-thief-qemu.js');
const GUEST_IP = '10.0.2.15';

function parseError(spec: string): MinnowError {
  try {
    parsePublish(spec, `-p ${spec}`);
  } catch (e) {
    assert.ok(e instanceof MinnowError, String(e));
    return e;
  }
  assert.fail(`parsePublish accepted "${spec}"`);
}

function manifestApp(manifest: object): string {
  const dir = tmp();
  writeFileSync(join(dir, 'main.c'), 'int main(void) { return 0; }\n');
  writeFileSync(join(dir, 'minnow.json'), JSON.stringify({ name: 'p', sources: ['main.c'], ...manifest }));
  return dir;
}

function loadError(manifest: object): MinnowError {
  try {
    loadApp(manifestApp(manifest));
  } catch (e) {
    assert.ok(e instanceof MinnowError, String(e));
    return e;
  }
  assert.fail('loadApp accepted it');
}

interface Frame {
  proto: number;
  dst: string;
  dport: number;
  /** TCP flags */
  flags: number;
  payload: Buffer;
}

/** IPv4 TCP/UDP frames of a pcap file (QEMU's filter-dump writes the classic format). */
function pcapFrames(file: string): Frame[] {
  if (!existsSync(file)) return [];
  const b = readFileSync(file);
  const out: Frame[] = [];
  for (let at = 24; at + 16 <= b.length; ) {
    const len = b.readUInt32LE(at + 8);
    const f = b.subarray(at + 16, at + 16 + len);
    at += 16 + len;
    if (f.length < 34 || f.readUInt16BE(12) !== 0x0800) continue;
    const ihl = (f[14] & 0x0f) * 4;
    const l4 = 14 + ihl;
    const proto = f[23];
    const dst = [...f.subarray(30, 34)].join('.');
    if (proto === 6 && f.length >= l4 + 20) {
      out.push({ proto, dst, dport: f.readUInt16BE(l4 + 2), flags: f[l4 + 13], payload: f.subarray(l4 + (f[l4 + 12] >> 4) * 4) });
    } else if (proto === 17 && f.length >= l4 + 8) {
      out.push({ proto, dst, dport: f.readUInt16BE(l4 + 2), flags: 0, payload: f.subarray(l4 + 8, l4 + f.readUInt16BE(l4 + 4)) });
    }
  }
  return out;
}

async function until(what: string, cond: () => boolean, ms = 60000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** /proc/net/<proto> rows bound on `port`, as "ADDR:PORT" local addresses (hex, as the kernel writes them). */
function boundOn(proto: 'tcp' | 'udp', port: number): string[] {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  return readFileSync(`/proc/net/${proto}`, 'utf8')
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[1])
    .filter((a) => a?.endsWith(`:${hex}`));
}

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(port, '127.0.0.1', () => resolve(s));
  });
}

describe('cli: published ports (-p, "ports")', function () {
  this.timeout(240000);
  after(() => {
    killStragglers();
    cleanupTmp();
  });

  it("reads docker's syntax and refuses what Minnow does not publish, with the fix", () => {
    assert.deepEqual(parsePublish('8080:80', 'x'), { proto: 'tcp', host: 8080, guest: 80 });
    assert.deepEqual(parsePublish('5353:53/udp', 'x'), { proto: 'udp', host: 5353, guest: 53 });
    assert.deepEqual(parsePublish('127.0.0.1:8080:80/tcp', 'x'), { proto: 'tcp', host: 8080, guest: 80 });
    assert.deepEqual(parsePublish('localhost:1:65535', 'x'), { proto: 'tcp', host: 1, guest: 65535 });
    const any = parseError('0.0.0.0:8080:80');
    assert.match(any.message, /publishes on 0\.0\.0\.0; Minnow publishes on 127\.0\.0\.1 only/);
    assert.match(any.fix, /-p 8080:80/);
    assert.match(parseError('80').fix, /-p 8080:80/);
    assert.match(parseError('8080-8081:80-81').message, /port range/);
    assert.match(parseError('8080:80/sctp').message, /protocol "sctp"/);
    assert.match(parseError('70000:80').message, /the host port "70000" .* not a port number \(1\.\.65535\)/);
    assert.match(parseError('8080:0').message, /the guest's port "0"/);
    assert.match(parseError('a:b:c:d').message, /is not HOST:GUEST/);
  });

  it('joins minnow.json "ports" to network.hostForwards and links a network when the app has none', () => {
    const app = loadApp(manifestApp({ ports: ['8080:80', '5353:53/udp'], network: { hostForwards: ['tcp:9000-90'] } }));
    assert.deepEqual(app.network?.hostForwards, ['tcp:9000-90', 'tcp:8080-80', 'udp:5353-53']);
    assert.equal(app.network?.backend, 'user');
    assert.ok(app.components.includes('virtio_net'), app.components.join(' '));
    const hasNet = loadComponents(join(ROOT, 'kernel')).some((c) => c.name === 'net');
    assert.equal(app.components.includes('net'), hasNet, 'the net component comes with a published port when the kernel has it');
    // an app that drives the card itself keeps doing so
    const raw = loadApp(manifestApp({ components: ['virtio_net'], ports: ['8080:80'] }));
    assert.deepEqual(raw.components.filter((c) => c === 'net'), []);
    const args = buildQemuArgs({ elf: '/x.elf', machine: 'microvm', accel: 'tcg', memory: '8M', argv: [], devices: { components: app.components, network: app.network } });
    assert.equal(args[args.indexOf('-netdev') + 1], 'user,id=net0,hostfwd=tcp:127.0.0.1:9000-:90,hostfwd=tcp:127.0.0.1:8080-:80,hostfwd=udp:127.0.0.1:5353-:53');
  });

  it('refuses ports with a dgram network, one host port published twice, and a bad "ports" entry', () => {
    const dgram = loadError({ ports: ['8080:80'], network: { backend: 'dgram', localPort: 5000, remotePort: 5001 } });
    assert.match(dgram.message, /"ports\[0\]": ports are published through QEMU's user network, but .*dgram/);
    assert.match(dgram.fix, /Remove "backend": "dgram"/);
    const twice = loadError({ ports: ['8080:80'], network: { hostForwards: ['tcp:8080-81'] } });
    assert.match(twice.message, /host port 8080\/tcp is published twice: to the guest's port 81 and to 80/);
    const p = validateManifest({ name: 'p', sources: ['main.c'], ports: ['0.0.0.0:80:80'] });
    assert.equal(p[0]?.field, 'ports[0]');
    assert.match(p[0].fix, /127\.0\.0\.1 only \(never 0\.0\.0\.0\)/);
  });

  it('forwards a TCP connection and a UDP datagram from 127.0.0.1 to the guest (real QEMU, seen on its link)', async () => {
    const app = appFrom('net');
    const pcap = join(tmp(), 'link.pcap');
    const manifest = JSON.parse(readFileSync(join(app, 'minnow.json'), 'utf8'));
    manifest.qemuArgs = ['-object', `filter-dump,id=cap,netdev=net0,file=${pcap}`];
    writeFileSync(join(app, 'minnow.json'), JSON.stringify(manifest));
    const [tcp, udp] = [await freePort(), await freePort()];
    const child = startCli(['run', app, '-p', `${tcp}:80`, '--publish', `${udp}:53/udp`, '--timeout', '150']);
    let stdout = '';
    child.stdout!.on('data', (b: Buffer) => (stdout += b.toString()));
    let stderr = '';
    child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
    try {
      await until('the guest to answer ARP and ping', () => /answering ARP and ping/.test(stdout), 150000);
      // only 127.0.0.1 holds the ports, never the wildcard address
      assert.deepEqual(boundOn('tcp', tcp), [`0100007F:${tcp.toString(16).toUpperCase().padStart(4, '0')}`]);
      assert.deepEqual(boundOn('udp', udp), [`0100007F:${udp.toString(16).toUpperCase().padStart(4, '0')}`]);
      const sock: Socket = createConnection({ host: '127.0.0.1', port: tcp });
      sock.on('error', () => undefined); // the guest has no TCP: QEMU drops the connection in the end
      const u = createSocket('udp4');
      u.send(Buffer.from('hello port 53'), udp, '127.0.0.1');
      const SYN = 0x02;
      await until('a SYN to the guest port 80 and the datagram to its port 53', () => {
        const frames = pcapFrames(pcap);
        return (
          frames.some((f) => f.proto === 6 && f.dst === GUEST_IP && f.dport === 80 && (f.flags & SYN) !== 0) &&
          frames.some((f) => f.proto === 17 && f.dst === GUEST_IP && f.dport === 53 && f.payload.toString() === 'hello port 53')
        );
      });
      sock.destroy();
      u.close();
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('close', r));
    }
    assert.doesNotMatch(stderr, /error/i);
  });

  it('stops before boot when a real listener holds the TCP port, naming it and the fix', async () => {
    const port = await freePort();
    const srv = await listen(port);
    try {
      const r = await cli(['run', appFrom('net'), '-p', `${port}:80`]);
      assert.equal(r.code, 1, r.stderr);
      assert.equal(r.stdout, '', 'nothing booted');
      assert.match(r.stderr, new RegExp(`minnow: error: host port ${port} \\(tcp, 127\\.0\\.0\\.1\\) is already in use, so it cannot be published to the guest's port 80\\n`));
      assert.match(r.stderr, new RegExp(`  fix: Stop the program that holds it \\(ss -ltnp 'sport = :${port}' names it\\), or publish another host port: -p ${port + 1}:80`));
    } finally {
      srv.close();
    }
  });

  it('says the same for a UDP port held by a bound socket, from minnow.json "ports"', async () => {
    const port = await freePort();
    const sock = createSocket('udp4');
    await new Promise<void>((r) => sock.bind(port, '127.0.0.1', r));
    try {
      const app = appFrom('net');
      const manifest = JSON.parse(readFileSync(join(app, 'minnow.json'), 'utf8'));
      writeFileSync(join(app, 'minnow.json'), JSON.stringify({ ...manifest, ports: [`${port}:53/udp`] }));
      const r = await cli(['run', app]);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`host port ${port} \\(udp, 127\\.0\\.0\\.1\\) is already in use.*\\n  fix: .*ss -lunp .*-p ${port + 1}:53/udp`));
    } finally {
      sock.close();
    }
  });

  it("turns QEMU's own failure when the port is taken after the check into the same error", async () => {
    for (const spec of ['tcp', 'udp']) {
      const port = await freePort();
      // the wrapper takes the port, then runs the real QEMU, which cannot bind it
      const r = await cli(['run', appFrom('net'), '-p', `${port}:7${spec === 'udp' ? '/udp' : ''}`, '--qemu', THIEF]);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`minnow: error: host port ${port} \\(${spec}, 127\\.0\\.0\\.1\\) is already in use, so it cannot be published to the guest's port 7\\n  fix: `));
      assert.doesNotMatch(r.stderr, /Could not set up host forwarding rule/, "QEMU's own line is replaced by Minnow's");
    }
  });

  it('refuses -p 0.0.0.0:… as a command-line mistake (exit 2)', async () => {
    const r = await cli(['run', appFrom('hello'), '-p', '0.0.0.0:8080:80', '--no-build']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /minnow: error: -p 0\.0\.0\.0:8080:80: "0\.0\.0\.0:8080:80" publishes on 0\.0\.0\.0; Minnow publishes on 127\.0\.0\.1 only\n  fix: Write it without the address \(-p 8080:80\)/);
  });

  it('shows the published ports of a background instance in minnow ps', async () => {
    const cache = tmp('minnow-cache-');
    const env = { ...process.env, XDG_CACHE_HOME: cache };
    const port = await freePort();
    const app = appFrom('net');
    const started = await cli(['run', '-d', app, '-p', `${port}:80`, '--rm'], { env });
    assert.equal(started.code, 0, started.stderr);
    const name = started.stdout.trim();
    try {
      const ps = await cli(['ps', '--json'], { env });
      const rows = JSON.parse(ps.stdout) as { name: string; ports: string[] }[];
      assert.deepEqual(rows.find((r) => r.name === name)?.ports, [`tcp 127.0.0.1:${port}->80`]);
      assert.deepEqual(boundOn('tcp', port).length, 1, 'QEMU holds the port');
    } finally {
      await cli(['rm', '-f', name], { env });
    }
  });
});
