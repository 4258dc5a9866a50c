// FAT16 and FAT32 images on virtio-blk (kernel/fs/fat*.c): images made on the host with
// dosfstools and filled with mtools, the guest's whole battery run on them (apps/fstest), and what
// the guest wrote read back with mtools after the VM exits, byte for byte, with fsck.fat finding
// nothing to fix. Also 64 MiB with a hash and a crash after fsync.

import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assertPasses, bootFs, checkApiOutput, describeExit, fnv1a, pattern, rmTemp, runFs, seedInput, tempDir } from './helpers';

/** dosfstools lives in /usr/sbin, which a user's PATH may lack. */
export function sbin(tool: string): string {
  return fs.existsSync(`/usr/sbin/${tool}`) ? `/usr/sbin/${tool}` : tool;
}

/** A fresh FAT image of `mib` MiB holding `from`'s files. */
export function makeImage(file: string, mib: number, bits: 16 | 32, from?: string): void {
  fs.writeFileSync(file, Buffer.alloc(0));
  fs.truncateSync(file, mib << 20);
  execFileSync(sbin('mkfs.fat'), ['-F', String(bits), ...(bits === 32 ? ['-s', '1'] : []), file], { stdio: 'pipe' });
  if (from) {
    for (const e of fs.readdirSync(from)) execFileSync('mcopy', ['-s', '-i', file, path.join(from, e), '::/']);
  }
}

/** The image's folder `rel` copied out with mtools. */
function extract(image: string, rel: string, dest: string): void {
  fs.mkdirSync(dest, { recursive: true });
  execFileSync('mcopy', ['-s', '-n', '-i', image, `::/${rel}`, dest], { stdio: 'pipe' });
}

function fsck(image: string): string {
  return execFileSync(sbin('fsck.fat'), ['-n', image], { encoding: 'utf8' });
}

describe('fs: FAT disks', function () {
  this.timeout(300_000);
  let dir: string;

  before(() => {
    dir = tempDir('fsfat');
  });
  after(() => rmTemp(dir));

  for (const bits of [16, 32] as const) {
    describe(`FAT${bits}`, function () {
      let image: string;
      let out: string;

      before(async function () {
        const seed = path.join(dir, `seed${bits}`);
        seedInput(seed);
        image = path.join(dir, `fat${bits}.img`);
        makeImage(image, 64, bits, seed);
        out = await runFs({ disks: [{ image, guest: '/data', format: 'fat', readOnly: false }], argv: ['api', '/data'] });
      });

      it('passes every guest-side case (calls, errors, stdio, 1000 files, deep and UTF-8 names)', function () {
        assertPasses(out, 58);
      });

      it('leaves a volume fsck.fat finds nothing wrong with', function () {
        assert.doesNotMatch(fsck(image), /\b(free cluster|fixed|corrected|Contains a free|lost|Reclaimed|differs)/i);
      });

      it('holds exactly what the guest wrote, read back with mtools', function () {
        const dest = path.join(dir, `out${bits}`);
        extract(image, 'out', dest);
        checkApiOutput(
          (rel) => fs.readFileSync(path.join(dest, rel)),
          (rel) => fs.readdirSync(path.join(dest, rel)),
        );
      });
    });
  }

  it('writes and reads back 64 MiB on FAT32, the same bytes mtools reads', async function () {
    const image = path.join(dir, 'big.img');
    makeImage(image, 80, 32);
    const out = await runFs({ disks: [{ image, guest: '/d', format: 'fat', readOnly: false }], argv: ['big', '/d', '64'], memory: '64M' });
    const dest = path.join(dir, 'bigout');
    fs.mkdirSync(dest);
    execFileSync('mcopy', ['-n', '-i', image, '::/big.bin', dest]);
    const data = fs.readFileSync(path.join(dest, 'big.bin'));
    assert.equal(data.length, 64 << 20);
    const want = fnv1a(data);
    assert.match(out, new RegExp(`^written hash ${want}\\r?$`, 'm'));
    assert.match(out, new RegExp(`^read hash ${want}\\r?$`, 'm'));
    assert.ok(data.equals(pattern(7, 64 << 20)));
  });

  it('keeps a file fsynced before the application crashed', async function () {
    const image = path.join(dir, 'crash.img');
    makeImage(image, 64, 16);
    const g = await bootFs({ disks: [{ image, guest: '/d', format: 'fat', readOnly: false }], argv: ['crash', '/d'] });
    const exit = await g.exited;
    assert.equal(exit.reason, 'crash', describeExit(exit, g.output()));
    assert.equal(execFileSync('mtype', ['-i', image, '::/synced.txt'], { encoding: 'utf8' }), 'survives the crash\n');
  });

  it('mounts a read-only disk and refuses writes with EROFS', async function () {
    const seed = path.join(dir, 'roseed');
    fs.mkdirSync(seed);
    fs.writeFileSync(path.join(seed, 'hello.txt'), 'hello from the host\n');
    const image = path.join(dir, 'ro.img');
    makeImage(image, 64, 16, seed);
    const before = fs.readFileSync(image);
    const out = await runFs({
      disks: [{ image, guest: '/ro', format: 'fat', readOnly: true }],
      argv: ['api', '/tmp', '/ro'],
    });
    assertPasses(out, 60);
    assert.match(out, /^PASS a read-only mount says EROFS on mkdir\r?$/m);
    assert.ok(fs.readFileSync(image).equals(before), 'the read-only image changed');
  });
});

describe('fs: corrupted FAT images', function () {
  this.timeout(600_000);
  let dir: string;

  before(() => {
    dir = tempDir('fsfuzz');
  });
  after(() => rmTemp(dir));

  /** A small volume with a few folders, long names and files to corrupt. */
  function seedTree(): string {
    const seed = path.join(dir, 'tree');
    fs.mkdirSync(path.join(seed, 'sub', 'deeper'), { recursive: true });
    fs.writeFileSync(path.join(seed, 'a.txt'), 'a'.repeat(5000));
    for (let i = 0; i < 30; i++) fs.writeFileSync(path.join(seed, 'sub', `a long file name ${i}.data`), Buffer.alloc(700 * i, i));
    fs.writeFileSync(path.join(seed, 'sub', 'deeper', 'é.txt'), 'x');
    return seed;
  }

  for (const [bits, mib, count, mode] of [[16, 3, 1200, 'rw'], [32, 34, 600, 'ro']] as const) {
    it(`mounts ${count} corrupted FAT${bits} variants (${mode}) without a crash: each mounts or is refused`, async function () {
      const image = path.join(dir, `fuzz${bits}.img`);
      fs.writeFileSync(image, Buffer.alloc(0));
      fs.truncateSync(image, mib << 20);
      execFileSync(sbin('mkfs.fat'), ['-F', String(bits), '-s', '1', image], { stdio: 'pipe' });
      const seed = seedTree();
      for (const e of fs.readdirSync(seed)) execFileSync('mcopy', ['-s', '-i', image, path.join(seed, e), '::/']);
      const out = await runFs({
        disks: [{ image, guest: '/unused', format: 'fat', readOnly: true }],
        argv: ['fuzz', String(count), String(bits), mode],
        memory: '128M',
        timeoutMs: 480_000,
      });
      assertPasses(out, 3);
      const m = /^fuzz: (\d+) variants, (\d+) mounted, (\d+) refused/m.exec(out);
      assert.ok(m, out);
      console.log(`      ${m[0]}`);
      assert.equal(Number(m[1]), count);
      assert.equal(Number(m[2]) + Number(m[3]), count);
    });
  }
});
