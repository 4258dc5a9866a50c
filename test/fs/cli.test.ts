// Files from the command line as a user meets them: examples/files run with its minnow.json
// "mounts", `minnow run -v host:guest[:ro]`, and the errors for folders that are not there,
// all through bin/minnow with real make and QEMU. `minnow disk create` makes a FAT image with the
// real mkfs.fat and mcopy, the guest's battery runs on it, and mtools reads back what it wrote.

import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cli, killStragglers, ROOT } from '../cli/helpers';
import { checkApiOutput, rmTemp, seedInput, tempDir } from './helpers';

describe('fs: the CLI', function () {
  this.timeout(300_000);
  let dir: string;
  let app: string;

  before(() => {
    dir = tempDir('fscli');
    app = path.join(dir, 'files');
    fs.cpSync(path.join(ROOT, 'examples', 'files'), app, { recursive: true, filter: (src) => !src.includes(`${path.sep}build`) });
    fs.rmSync(path.join(app, 'data', 'log.txt'), { force: true });
    fs.rmSync(path.join(app, 'data', 'index.html'), { force: true });
  });
  after(() => {
    killStragglers();
    rmTemp(dir);
  });

  it('runs examples/files: lists /www, copies into /data, appends to the log on each run', async function () {
    for (const run of [1, 2]) {
      const r = await cli(['run', app]);
      assert.equal(r.code, 0, r.stderr + r.stdout);
      assert.match(r.stdout, /^ {2}index\.html +93$/m);
      assert.match(r.stdout, /^ {2}docs .*\(folder\)$/m);
      assert.match(r.stdout, /writing to \/www fails as it should: Read-only file system/);
      assert.match(r.stdout, new RegExp(`appended run ${run} to /data/log.txt`));
    }
    assert.equal(fs.readFileSync(path.join(app, 'data', 'index.html'), 'utf8'), fs.readFileSync(path.join(app, 'www', 'index.html'), 'utf8'));
    assert.equal(fs.readFileSync(path.join(app, 'data', 'log.txt'), 'utf8'), 'run 1: copied 93 bytes\nrun 2: copied 93 bytes\n');
    assert.ok(!fs.existsSync(path.join(app, 'www', 'new.txt')));
  });

  it('shares a folder given with -v and passes main its arguments', async function () {
    const host = path.join(dir, 'vol');
    seedInput(host);
    const r = await cli(['run', path.join(ROOT, 'test', 'fs', 'apps', 'fstest'), '-v', `${host}:/vol`, '--', 'api', '/vol']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    checkApiOutput(
      (rel) => fs.readFileSync(path.join(host, rel)),
      (rel) => fs.readdirSync(path.join(host, rel)),
    );
  });

  it('names a missing -v folder before booting, with the fix', async function () {
    const r = await cli(['run', app, '-v', './no-such-folder:/x', '--no-build'], { cwd: dir });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /-v \.\/no-such-folder:\/x: the host folder .*no-such-folder does not exist/);
    assert.match(r.stderr, /fix: Create it \(mkdir -p /);
  });

  it('refuses a -v without a guest path, and two -v on one path', async function () {
    let r = await cli(['run', app, '-v', 'www', '--no-build']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /-v www: expected <host folder>:<guest path>\[:ro\]/);
    // (a -v over a path minnow.json mounts replaces that mount: test/web/cli.test.ts)
    r = await cli(['run', app, '-v', `${path.join(app, 'www')}:/x`, '-v', `${path.join(app, 'data')}:/x/`, '--no-build']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /two mounts on one guest path/);
  });

  it('names a missing "mounts" folder in minnow.json', async function () {
    const bad = path.join(dir, 'bad');
    fs.cpSync(app, bad, { recursive: true });
    fs.rmSync(path.join(bad, 'www'), { recursive: true });
    const r = await cli(['run', bad, '--no-build']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /minnow\.json: "mounts\[0\]": the host folder .*www does not exist/);
  });

  describe('minnow disk create', function () {
    let disks: string;
    before(() => {
      disks = path.join(dir, 'disks');
      fs.mkdirSync(disks);
    });

    it('makes a FAT image from a folder that the guest reads and writes, read back with mtools', async function () {
      const seed = path.join(dir, 'diskseed');
      seedInput(seed);
      const guestApp = path.join(dir, 'fstest-disk');
      fs.cpSync(path.join(ROOT, 'test', 'fs', 'apps', 'fstest'), guestApp, { recursive: true, filter: (src) => !src.includes(`${path.sep}build`) });
      let r = await cli(['disk', 'create', '--fat', '64M', 'data.img', '--from', seed], { cwd: guestApp });
      assert.equal(r.code, 0, r.stderr + r.stdout);
      assert.match(r.stdout, /^data\.img: FAT16, 64 MiB, 2 files and 2 folders from /m);
      assert.match(r.stdout, /"disks": \[\{ "image": "data\.img", "guest": "\/data", "format": "fat" \}\]/);
      const image = path.join(guestApp, 'data.img');
      // mcopy was given a UTF-8 locale: the name is on the disk as the host spells it
      assert.equal(execFileSync('mcopy', ['-n', '-i', image, '::/in/with space é€.txt', '-'], { env: { ...process.env, LC_ALL: 'C.UTF-8' } }).toString(), 'utf8\n');
      const manifest = JSON.parse(fs.readFileSync(path.join(guestApp, 'minnow.json'), 'utf8'));
      manifest.disks = [{ image: 'data.img', guest: '/data', format: 'fat' }];
      fs.writeFileSync(path.join(guestApp, 'minnow.json'), JSON.stringify(manifest));
      r = await cli(['run', guestApp, '--', 'api', '/data']);
      assert.equal(r.code, 0, r.stderr + r.stdout);
      assert.doesNotMatch(r.stdout, /^FAIL/m);
      const back = path.join(dir, 'diskback');
      fs.mkdirSync(back);
      execFileSync('mcopy', ['-s', '-n', '-i', image, '::/out', back], { env: { ...process.env, LC_ALL: 'C.UTF-8' } });
      checkApiOutput(
        (rel) => fs.readFileSync(path.join(back, rel)),
        (rel) => fs.readdirSync(path.join(back, rel)),
      );
      const fsck = fs.existsSync('/usr/sbin/fsck.fat') ? '/usr/sbin/fsck.fat' : 'fsck.fat';
      execFileSync(fsck, ['-n', image], { stdio: 'pipe' });
    });

    it('makes FAT32 from 512M, or when asked, and an empty image without --from', async function () {
      let r = await cli(['disk', 'create', '--fat', '40M', '--fat-type', '32', 'f32.img'], { cwd: disks });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^f32\.img: FAT32, 40 MiB, empty$/m);
      assert.equal(fs.statSync(path.join(disks, 'f32.img')).size, 40 << 20);
      // the boot sector's file system type field (FAT32: offset 82, Microsoft's FAT specification)
      assert.equal(fs.readFileSync(path.join(disks, 'f32.img')).subarray(82, 90).toString(), 'FAT32   ');
      r = await cli(['disk', 'create', '--fat', '1G', 'big.img'], { cwd: disks });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /FAT32, 1024 MiB/);
      fs.rmSync(path.join(disks, 'big.img'));
    });

    it('names each bad request and leaves no image behind', async function () {
      const mk = (name: string, fill: (d: string) => void): string => {
        const d = path.join(disks, name);
        fs.mkdirSync(d);
        fill(d);
        return d;
      };
      const cases: { args: string[]; code: number; err: RegExp; setup?: () => string }[] = [
        { args: ['--fat', '8M', 'x.img'], code: 1, err: /a FAT16 image must be 16M to 2048M, not 8M/ },
        { args: ['--fat', '20M', '--fat-type', '32', 'x.img'], code: 1, err: /FAT32 image must be 33M .*\n {2}fix: Give 33M or more, or --fat-type 16/ },
        { args: ['--fat', '64', 'x.img'], code: 1, err: /invalid size "64"/ },
        { args: ['x.img'], code: 2, err: /needs --fat SIZE/ },
        { args: ['--fat', '16M'], code: 2, err: /needs the path of the image/ },
        { args: ['--fat', '16M', 'no/such/dir/x.img'], code: 1, err: /the folder .*no\/such\/dir does not exist/ },
        { args: ['--fat', '16M', 'f32.img'], code: 1, err: /f32\.img exists already\n {2}fix: .*--force/ },
        { args: ['--fat', '16M', 'x.img', '--from', 'nowhere'], code: 1, err: /--from: the folder .*nowhere does not exist/ },
        { args: ['--fat', '16M', 'x.img', '--from', 'big'], code: 1, err: /do not fit in 16M\n {2}fix: Make the image bigger/, setup: () => mk('big', (d) => fs.writeFileSync(path.join(d, 'a'), Buffer.alloc(17 << 20))) },
        { args: ['--fat', '16M', 'x.img', '--from', 'full'], code: 1, err: /the files in .*full do not fit in a 16M FAT16 image/, setup: () => mk('full', (d) => fs.writeFileSync(path.join(d, 'a'), Buffer.alloc(16_750_000))) },
        { args: ['--fat', '16M', 'x.img', '--from', 'fifo'], code: 1, err: /"p" is not a file or a folder/, setup: () => mk('fifo', (d) => execFileSync('mkfifo', [path.join(d, 'p')])) },
        { args: ['--fat', '16M', 'x.img', '--from', 'case'], code: 1, err: /"(A|a)\.txt" and "(a|A)\.txt" are one name on FAT/, setup: () => mk('case', (d) => ['A.txt', 'a.txt'].forEach((n) => fs.writeFileSync(path.join(d, n), n))) },
        { args: ['--fat', '16M', 'x.img', '--from', 'odd'], code: 1, err: /"sub\/what\?" has a character FAT names cannot hold/, setup: () => mk('odd', (d) => { fs.mkdirSync(path.join(d, 'sub')); fs.writeFileSync(path.join(d, 'sub', 'what?'), ''); }) },
        { args: ['create2', '--fat', '16M', 'x.img'], code: 2, err: /unknown subcommand "disk create2"/ },
      ];
      for (const c of cases) {
        c.setup?.();
        const args = c.args[0] === 'create2' ? ['disk', ...c.args] : ['disk', 'create', ...c.args];
        const r = await cli(args, { cwd: disks });
        assert.equal(r.code, c.code, `${args.join(' ')}: ${r.stderr}`);
        assert.match(r.stderr, c.err, args.join(' '));
        assert.doesNotMatch(r.stderr, /internal error|at .*\.js:/, args.join(' '));
        assert.ok(!fs.existsSync(path.join(disks, 'x.img')), `${args.join(' ')} left x.img`);
      }
    });
  });
});
