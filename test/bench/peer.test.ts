// The Linux microVM peer of the benchmarks (bench/peer), for real: Debian's cloud kernel and
// busybox-static fetched with apt-get download into the user's cache (first run only), an
// initramfs written by our cpio writer, booted on QEMU microvm under TCG. It must serve a file
// over HTTP (Node's http client) and echo over TCP (Node's net client) through QEMU's forwarded
// ports, and its archive must read back with a real cpio (busybox's). No figure is checked:
// speed belongs to `npm run bench`.

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { CpioWriter } from '../../bench/peer/cpio';
import { resolveModules } from '../../bench/peer/modules';
import { peerPackages, type PeerPackages } from '../../bench/peer/packages';
import { blankImage, startPeer, type PeerVm } from '../../bench/peer/vm';
import { firstEcho, firstHttp200, httpGet, parseFsbench, wrk } from '../../bench/lib/netbench';
import { hostEcho, hostHttpd } from '../../bench/peer/host';
import { minnowFiles, minnowMissing } from '../../bench/measures/peer-minnow';

function echoOnce(port: number, data: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port });
    const parts: Buffer[] = [];
    let got = 0;
    s.on('data', (d: Buffer) => {
      parts.push(d);
      got += d.length;
      if (got >= data.length) {
        s.destroy();
        resolve(Buffer.concat(parts));
      }
    });
    s.once('error', reject);
    s.once('connect', () => s.write(data));
    setTimeout(() => (s.destroy(), reject(new Error(`echo: ${got} of ${data.length} bytes in 30 s`))), 30_000).unref();
  });
}

describe('Linux microVM peer (bench/peer)', function () {
  this.timeout(600_000);
  let pkgs: PeerPackages;
  let dir: string;

  before(async () => {
    pkgs = await peerPackages((t) => process.stderr.write(`${t}\n`));
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'minnow-peer-test-'));
  });

  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes a newc archive that busybox cpio lists and extracts byte for byte', () => {
    const data = Buffer.from(Array.from({ length: 1001 }, (_, i) => i & 0xff));
    const archive = new CpioWriter()
      .addWithParents({ kind: 'file', path: 'a/b/c.bin', data, mode: 0o600 })
      .add({ kind: 'symlink', path: 'a/link', target: 'b/c.bin' })
      .add({ kind: 'chardev', path: 'a/console', major: 5, minor: 1 })
      .finish();
    assert.equal(archive.length % 4, 0);
    const list = spawnSync(pkgs.busybox, ['cpio', '-t'], { input: archive, encoding: 'utf8' });
    assert.equal(list.status, 0, list.stderr);
    assert.deepEqual(list.stdout.trim().split('\n'), ['a', 'a/b', 'a/b/c.bin', 'a/link', 'a/console']);
    const out = path.join(dir, 'x');
    fs.mkdirSync(out);
    const x = spawnSync(pkgs.busybox, ['cpio', '-i', '-d'], { input: archive, cwd: out, encoding: 'utf8' });
    assert.equal(x.status, 0, x.stderr);
    assert.deepEqual(fs.readFileSync(path.join(out, 'a/b/c.bin')), data);
    assert.equal(fs.readlinkSync(path.join(out, 'a/link')), 'b/c.bin');
  });

  it('orders the kernel modules after what they depend on, and names an unknown one', () => {
    const order = resolveModules(pkgs.modDir, ['virtio_net']).map((f) => path.basename(f, '.ko'));
    assert.ok(order.includes('virtio_net') && order.at(-1) === 'virtio_net', order.join(' '));
    for (const dep of ['virtio', 'virtio_ring', 'net_failover']) {
      assert.ok(order.indexOf(dep) >= 0 && order.indexOf(dep) < order.indexOf('virtio_net'), `${dep} before virtio_net: ${order.join(' ')}`);
    }
    assert.throws(() => resolveModules(pkgs.modDir, ['no_such_module']), /no_such_module.*neither built into this kernel/);
  });

  describe('booted', () => {
    let vm: PeerVm;
    let alive = true;
    const page = Buffer.from(Array.from({ length: 1024 }, (_, i) => (i * 31) & 0xff));

    before(async () => {
      const www = path.join(dir, 'www');
      fs.mkdirSync(www);
      fs.writeFileSync(path.join(www, '1k.bin'), page);
      vm = await startPeer({ www, log: (t) => process.stderr.write(`${t}\n`) });
      void vm.exited.then(() => (alive = false));
      const image = gunzipSync(fs.readFileSync(vm.image.initramfs.file)).subarray(0, 6).toString('ascii');
      assert.equal(image, '070701', 'the initramfs is a gzipped newc archive');
    });

    after(async () => {
      await vm?.kill();
    });

    it('serves a file of the folder over HTTP through the forwarded port', async () => {
      await firstHttp200(vm.ports[80], '/1k.bin', vm.startedAt, 300_000, () => alive);
      // generous: the 3 s a benchmark attempt gets is too little for a TCG guest on a busy host
      const r = await httpGet(vm.ports[80], '/1k.bin', 60_000);
      assert.equal(r.status, 200);
      assert.deepEqual(r.body, page);
      assert.equal((await httpGet(vm.ports[80], '/missing.bin', 60_000)).status, 404);
    });

    it('echoes every byte over TCP', async () => {
      await firstEcho(vm.ports[7], vm.startedAt, 300_000, () => alive);
      const data = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7 + 3) & 0xff));
      assert.deepEqual(await echoOnce(vm.ports[7], data), data);
    });

    it('binds its forwards to 127.0.0.1 only', () => {
      const netdev = vm.command[vm.command.indexOf('-netdev') + 1];
      for (const fwd of netdev.split(',').filter((w) => w.startsWith('hostfwd='))) assert.match(fwd, /^hostfwd=tcp:127\.0\.0\.1:\d+-:\d+$/);
    });
  });

  it('serves the folder itself over 9p with a kernel that has 9p, and refuses with the cloud kernel', async () => {
    const www = path.join(dir, 'www-9p');
    fs.mkdirSync(www, { recursive: true });
    const page = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 13) & 0xff));
    fs.writeFileSync(path.join(www, 'page.bin'), page);
    await assert.rejects(startPeer({ www, wwwOver9p: true }), /cloud-amd64 has no 9p \(CONFIG_NET_9P is not set\).*copy in the initramfs/);
    const vm = await startPeer({ www, wwwOver9p: true, kernel: 'generic', log: (t) => process.stderr.write(`${t}\n`) });
    let alive = true;
    void vm.exited.then(() => (alive = false));
    try {
      await firstHttp200(vm.ports[80], '/page.bin', vm.startedAt, 300_000, () => alive);
      assert.match(vm.console(), /peer: www over 9p/);
      assert.equal(vm.image.initramfs.wwwBytes, 0, 'no copy of the folder in the initramfs');
      assert.deepEqual((await httpGet(vm.ports[80], '/page.bin')).body, page);
      // the share is the host folder itself: a file written after boot is served
      fs.writeFileSync(path.join(www, 'later.txt'), 'written after boot\n');
      assert.equal((await httpGet(vm.ports[80], '/later.txt')).body.toString(), 'written after boot\n');
    } finally {
      await vm.kill();
    }
  });

  it('runs the file benchmark in the guest on tmpfs and on FAT over virtio-blk, and says the cloud kernel has no 9p', async () => {
    const www = path.join(dir, 'fs-www');
    fs.mkdirSync(www, { recursive: true });
    const share = path.join(dir, 'fs-share');
    fs.mkdirSync(share, { recursive: true });
    const vm = await startPeer({ www, mode: 'fsbench', fsbench: { mib: 2, files: 20 }, disk: blankImage(path.join(dir, 'fat.img'), 64), share });
    try {
      const out = await vm.waitFor(/peer: fsbench done/, 300_000);
      const r = parseFsbench(out);
      for (const d of ['/tmp', '/data']) {
        const x = r.get(d);
        assert.ok(x, `no FSBENCH line for ${d}: ${out.slice(-600)}`);
        assert.equal(x.mib, 2);
        assert.equal(x.files, 20);
        assert.ok(x.writeMiBs > 0 && x.readMiBs > 0 && x.createPerSec > 0 && x.statPerSec > 0, JSON.stringify(x));
      }
      assert.match(out, /peer: no 9p/);
    } finally {
      await vm.kill();
    }
  });

  it('runs the same file benchmark on Minnow (ramfs and 9p)', async () => {
    assert.equal(minnowMissing('files'), undefined);
    const scratch = path.join(dir, 'minnow-files');
    fs.mkdirSync(scratch, { recursive: true });
    const ctx = { quick: true, tmp: scratch, runs: () => 1, log: () => undefined };
    const r = await minnowFiles(ctx).fsbench(1, 10, scratch);
    for (const k of ['ram', '9p'] as const) {
      const x = r[k];
      assert.ok(typeof x !== 'string', `${k}: ${String(x)}`);
      assert.equal(x.files, 10);
      assert.ok(x.writeMiBs > 0 && x.readMiBs > 0 && x.createPerSec > 0 && x.statPerSec > 0, JSON.stringify(x));
    }
    assert.deepEqual(fs.readdirSync(path.join(scratch, 'minnow-share')), [], 'the benchmark removed what it wrote on the share');
  });

  it('runs the host limit: the same echo program on loopback', async () => {
    const e = await hostEcho();
    try {
      assert.deepEqual(await echoOnce(e.port, Buffer.from('peer')), Buffer.from('peer'));
    } finally {
      await e.kill();
    }
  });

  it('measures the host httpd with wrk (the host limit of the HTTP rows)', async () => {
    const www = path.join(dir, 'host-www');
    fs.mkdirSync(www, { recursive: true });
    fs.writeFileSync(path.join(www, '1k.bin'), Buffer.alloc(1024, 'h'));
    const h = await hostHttpd(www);
    try {
      assert.ok((await firstHttp200(h.port, '/1k.bin', h.startedAt, 30_000, h.alive)) > 0);
      const r = await wrk(h.port, '/1k.bin', 2, 1);
      assert.ok(r.requests > 0 && r.requestsPerSec > 0, JSON.stringify(r));
      assert.ok(r.p99 >= r.p50, JSON.stringify(r));
      assert.equal(r.errors, 0, JSON.stringify(r));
    } finally {
      await h.kill();
    }
  });

  it('reads FSBENCH lines, and refuses one with a missing figure', () => {
    const r = parseFsbench('x\nFSBENCH dir=/data mib=8 files=100 write_mib_s=10.5 read_mib_s=20.0 create_per_s=300 stat_per_s=4000\n');
    assert.deepEqual(r.get('/data'), { dir: '/data', mib: 8, files: 100, writeMiBs: 10.5, readMiBs: 20, createPerSec: 300, statPerSec: 4000 });
    assert.throws(() => parseFsbench('FSBENCH dir=/x mib=1\n'), /without files/);
  });
});
