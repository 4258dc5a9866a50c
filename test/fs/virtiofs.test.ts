// A host folder over virtio-fs (kernel/fs/virtiofs.c) against the host's real virtiofsd
// (/usr/lib/qemu/virtiofsd, target/virtiofs.ts) and QEMU's vhost-user-fs-device on microvm: the
// guest runs the same file battery as over 9p (apps/fstest: reads, writes, errors, mkdir, rename,
// unlink, readdir of 1000 names, stdio), then the host reads what it wrote, byte for byte. And the
// mounts code's refusals: a non-root user and a read-only virtio-fs mount get errors naming 9p.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkMount, MinnowError, startQemu } from '../../target';
import { buildOnce } from '../virtio/helpers';
import { assertPasses, checkApiOutput, describeExit, FSTEST, fnv1a, pattern, rmTemp, runFs, runPaused, seedInput, tempDir } from './helpers';

describe('fs: virtio-fs host folders', function () {
  this.timeout(300_000);
  let dir: string;

  before(() => {
    dir = tempDir('fsvirtiofs');
  });
  after(() => rmTemp(dir));

  describe('the mounts code', function () {
    it('refuses virtio-fs for a user who is not root, naming 9p as the fix', function () {
      assert.throws(
        () => checkMount(dir, '/host', false, dir, 'minnow.json: "mounts[0]"', 'virtiofs', 1000),
        (e: unknown) => e instanceof MinnowError && /virtio-fs needs root for virtiofsd/.test(e.message) && /remove "type": "virtiofs"/.test(e.fix),
      );
    });

    it('refuses a read-only virtio-fs mount (virtiofsd 7.2 has no read-only option)', function () {
      assert.throws(() => checkMount(dir, '/host', true, dir, 'w', 'virtiofs', 0), /cannot be read-only/);
    });

    it('accepts virtio-fs as root and keeps 9p the default', function () {
      assert.equal(checkMount(dir, '/host', false, dir, 'w', 'virtiofs', 0).type, 'virtiofs');
      assert.equal(checkMount(dir, '/host', true, dir, 'w', undefined, 1000).type, undefined);
    });
  });

  for (const machine of ['microvm', 'q35'] as const) {
  describe(`on ${machine}`, function () {
    let host: string;
    let out: string;

    before(async function () {
      host = path.join(dir, `${machine}-rw`);
      seedInput(host);
      out = await runFs({ machine, mounts: [{ host, guest: '/host', readOnly: false, type: 'virtiofs' }], argv: ['api', '/host'] });
    });

    it('passes every guest-side case (calls, errors, stdio, 1000 files, deep and UTF-8 names)', function () {
      assertPasses(out, 60);
    });

    it('leaves exactly what the guest wrote in the host folder', function () {
      checkApiOutput(
        (rel) => fs.readFileSync(path.join(host, rel)),
        (rel) => fs.readdirSync(path.join(host, rel)),
      );
    });
  });
  }

  it('runs through startQemu from a mounts entry alone: the daemon, the devices and minnow.fs', async function () {
    const host = path.join(dir, 'run');
    fs.mkdirSync(host);
    fs.writeFileSync(path.join(host, 'hello.txt'), 'hello over virtio-fs\n');
    const elf = await buildOnce(FSTEST);
    let out = '';
    const q = await startQemu({
      elf,
      machine: 'microvm',
      memory: '96M',
      accel: 'tcg',
      argv: ['big', '/run', '1'],
      devices: { components: ['fs', 'virtiofs', 'virtio'], mounts: [checkMount(host, '/run', false, dir, 'test', 'virtiofs')] },
      timeoutMs: 240_000,
      onConsole: (t) => (out += t),
    });
    const exit = await q.exited;
    assert.equal(exit.reason, 'exit', describeExit(exit, out));
    assert.equal(exit.appExitCode, 0, describeExit(exit, out));
    assert.ok(fs.readFileSync(path.join(host, 'big.bin')).equals(pattern(7, 1 << 20)));
    assert.ok(q.command.includes('vhost-user-fs-device,chardev=vfs0,tag=m0'), q.command.join(' '));
  });

  it('forgets the nodes it looked up: virtiofsd does not keep a handle for each of 200 files', async function () {
    const host = path.join(dir, 'forget');
    const files = 200;
    fs.mkdirSync(path.join(host, 'in'), { recursive: true });
    for (let i = 0; i < files; i++) fs.writeFileSync(path.join(host, 'in', `n${i}`), `n${i}`);
    // virtiofsd holds an O_PATH descriptor for every node until the guest's FORGETs bring its
    // lookup count to 0 (its sandbox forks: count the busiest of its processes)
    const mounts = [{ host, guest: '/f', readOnly: false, type: 'virtiofs' as const }];
    const { out, value: held } = await runPaused({ mounts, argv: ['lookups', '/f', String(files)] }, () => daemonFds(host));
    assertPasses(out, 4);
    console.log(`      virtiofsd holds ${held} descriptors`);
    assert.ok(held > 0, 'found no virtiofsd serving the folder');
    assert.ok(held < files / 2, `virtiofsd holds ${held} descriptors after ${files} files were looked up twice`);
  });

  it('writes and reads back 8 MiB with the same hash as the host computes', async function () {
    const host = path.join(dir, 'big');
    fs.mkdirSync(host);
    const out = await runFs({ mounts: [{ host, guest: '/big', readOnly: false, type: 'virtiofs' }], argv: ['big', '/big', '8'], memory: '64M' });
    const data = fs.readFileSync(path.join(host, 'big.bin'));
    assert.equal(data.length, 8 << 20);
    const want = fnv1a(data);
    assert.match(out, new RegExp(`^written hash ${want}\\r?$`, 'm'));
    assert.match(out, new RegExp(`^read hash ${want}\\r?$`, 'm'));
    assert.ok(data.equals(pattern(7, 8 << 20)), 'big.bin differs from the pattern the guest wrote');
  });
});

/** The most descriptors any virtiofsd process serving `host` has open (0: none found). */
function daemonFds(host: string): number {
  let most = 0;
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (!cmd[0].endsWith('virtiofsd') || !cmd.includes(`source=${host}`)) continue;
      most = Math.max(most, fs.readdirSync(`/proc/${pid}/fd`).length);
    } catch {
      // the process ended meanwhile
    }
  }
  return most;
}
