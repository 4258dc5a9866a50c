// The web server example from the command line, as its README line says to run it: `minnow run
// -p HOST:80 -v FOLDER:/www` publishes the port and serves FOLDER in place of the example's own
// www/ (a -v replaces minnow.json's mount on the same guest path). Real bin/minnow, QEMU and curl.

import assert from 'node:assert/strict';
import { once } from 'node:events';
import { killStragglers, startCli } from '../cli/helpers';
import { curlReply } from './http';
import { buildMinnowServer, freePort } from './server';
import { makeSite, type Site } from './site';

describe('webserver: minnow run -p -v', function () {
  this.timeout(600000);
  let site: Site;

  before(async function () {
    site = makeSite();
    await buildMinnowServer();
  });
  after(function () {
    killStragglers();
    site?.remove();
  });

  it('publishes the port and serves the folder given with -v', async function () {
    const app = (await buildMinnowServer()).dir;
    const port = await freePort();
    const child = startCli(['run', '--no-build', '--accel', 'tcg', '-p', `${port}:80`, '-v', `${site.root}:/www:ro`, app]);
    let out = '';
    child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
    const exited = once(child, 'exit');
    const t0 = Date.now();
    while (!/webserver: serving \/www on port 80/.test(out)) {
      assert.ok(child.exitCode === null, `minnow run exited (${child.exitCode}):\n${out}`);
      assert.ok(Date.now() - t0 < 120000, `the server did not start in 120 s:\n${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const r = await curlReply([`http://127.0.0.1:${port}/`]);
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, site.files['index.html'], "the -v folder's index.html, not the example's own");
    const s = await curlReply([`http://127.0.0.1:${port}/stats`]);
    assert.match(s.body.toString(), /^requests: \d+\n/);
    child.kill('SIGINT');
    await exited;
  });
});
