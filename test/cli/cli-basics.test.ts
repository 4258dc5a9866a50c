// bin/minnow as a user meets it first: --help, --version, check, new, and command-line mistakes.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pkg from '../../package.json';
import { cleanupTmp, cli, killStragglers, pathWithout, ROOT, tmp } from './helpers';

describe('cli: basics', function () {
  this.timeout(120000);
  after(() => {
    killStragglers();
    cleanupTmp();
  });

  it('--help lists every verb and exits 0', async () => {
    const r = await cli(['--help']);
    assert.equal(r.code, 0, r.stderr);
    for (const verb of ['new', 'build', 'run', 'debug', 'check']) assert.match(r.stdout, new RegExp(`^  ${verb} `, 'm'));
  });

  it('<verb> --help shows the options of that verb', async () => {
    const r = await cli(['run', '--help']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Usage: minnow run \[dir\]/);
    for (const opt of ['--machine microvm\\|q35', '--accel auto\\|tcg\\|kvm', '--timeout SECONDS']) assert.match(r.stdout, new RegExp(opt));
    const n = await cli(['new', '--help']);
    assert.match(n.stdout, /Templates:\n\s+blk|Templates:\n\s+hello/);
    assert.match(n.stdout, /^\s+hello\s+The smallest application/m);
    const d = await cli(['debug', '--help']);
    assert.match(d.stdout, /--wait/);
    assert.match(d.stdout, /--qemu-gdbstub/);
  });

  it('--version prints the package version', async () => {
    const r = await cli(['--version']);
    assert.equal(r.code, 0);
    assert.equal(r.stdout.trim(), pkg.version);
  });

  it('rejects an unknown command and an unknown option with exit 2', async () => {
    const r = await cli(['frobnicate']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown command "frobnicate"/);
    const o = await cli(['run', '--fast']);
    assert.equal(o.code, 2);
    assert.match(o.stderr, /unknown option --fast for "minnow run"/);
    assert.match(o.stderr, /fix: See: minnow run --help/);
    const m = await cli(['run', '--machine', 'pc']);
    assert.equal(m.code, 2);
    assert.match(m.stderr, /--machine must be one of microvm, q35, not "pc"/);
  });

  it('bin/minnow rebuilds dist/cli.js when it is older than its sources', async () => {
    const bundle = join(ROOT, 'dist', 'cli.js');
    assert.equal((await cli(['--version'])).code, 0);
    const old = new Date('2000-01-01T00:00:00Z');
    utimesSync(bundle, old, old);
    const r = await cli(['--version']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), pkg.version);
    assert.ok(statSync(bundle).mtimeMs > old.getTime() + 1000, 'the bundle was rebuilt');
  });

  describe('check', () => {
    it('finds every tool on this machine and exits 0', async () => {
      const r = await cli(['check']);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      for (const tool of ['qemu-system-x86_64', 'gcc', 'ld', 'make', 'gdb']) assert.match(r.stdout, new RegExp(`ok\\s+${tool}\\s+/`));
      assert.match(r.stdout, /kvm/);
    });

    it('reports missing tools with the install command and exits 1', async () => {
      const path = pathWithout(['gdb', 'qemu-system-x86_64']);
      const r = await cli(['check'], { env: { ...process.env, PATH: path } });
      assert.equal(r.code, 1);
      assert.match(r.stdout, /MISSING\s+qemu-system-x86_64/);
      assert.match(r.stdout, /MISSING\s+gdb/);
      assert.match(r.stdout, /ok\s+gcc/);
      assert.match(r.stdout, /apt-get install -y --no-install-recommends qemu-system-x86 gdb/);
      assert.match(r.stderr, /2 problems found/);
    });

    it('reports a kernel folder without a Makefile', async () => {
      const r = await cli(['check'], { env: { ...process.env, MINNOW_KERNEL: tmp() } });
      assert.equal(r.code, 1);
      assert.match(r.stdout, /MISSING\s+kernel\s+.*has no Makefile/);
    });

    it('checks the QEMU given with --qemu', async () => {
      const r = await cli(['check', '--qemu', '/nonexistent/qemu']);
      assert.equal(r.code, 1);
      assert.match(r.stdout, /MISSING\s+\/nonexistent\/qemu/);
    });
  });

  describe('new', () => {
    it('copies a template into a new folder named after it', async () => {
      const dir = join(tmp(), 'myapp');
      const r = await cli(['new', 'hello', dir]);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(existsSync(join(dir, 'main.c')));
      assert.ok(!existsSync(join(dir, 'build')), 'build/ of the example is not copied');
      const manifest = JSON.parse(readFileSync(join(dir, 'minnow.json'), 'utf8'));
      assert.equal(manifest.name, 'myapp');
      assert.deepEqual(manifest.sources, ['main.c']);
      assert.match(r.stdout, /minnow run/);
    });

    it('accepts an existing empty folder', async () => {
      const dir = join(tmp(), 'empty');
      mkdirSync(dir);
      const r = await cli(['new', 'hello', dir]);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(existsSync(join(dir, 'minnow.json')));
    });

    it('refuses a non-empty folder and touches nothing', async () => {
      const dir = tmp();
      writeFileSync(join(dir, 'main.c'), 'mine\n');
      const r = await cli(['new', 'hello', dir]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /is not empty; minnow new never overwrites files/);
      assert.match(r.stderr, /fix: Choose a new or empty folder/);
      assert.equal(readFileSync(join(dir, 'main.c'), 'utf8'), 'mine\n');
      assert.ok(!existsSync(join(dir, 'minnow.json')));
    });

    it('lists the templates with their descriptions for an unknown one', async () => {
      const r = await cli(['new', 'nosuch', join(tmp(), 'x')]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /unknown template "nosuch"/);
      assert.match(r.stderr, /^\s+hello\s+The smallest application/m);
    });

    it('explains its usage without arguments', async () => {
      const r = await cli(['new']);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /needs a template and a folder/);
      assert.match(r.stderr, /hello/);
    });
  });
});
