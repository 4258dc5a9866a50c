// Files from the command line as a user meets them: examples/files run with its minnow.json
// "mounts", `minnow run -v host:guest[:ro]`, and the errors for folders that are not there,
// all through bin/minnow with real make and QEMU.

import * as assert from 'node:assert/strict';
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

  it('refuses a -v without a guest path, and two mounts on one path', async function () {
    let r = await cli(['run', app, '-v', 'www', '--no-build']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /-v www: expected <host folder>:<guest path>\[:ro\]/);
    r = await cli(['run', app, '-v', `${path.join(app, 'www')}:/www`, '--no-build']);
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
});
