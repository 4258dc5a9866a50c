// The web server's file half on the real kernel, before (and besides) the network: the example's
// own files.c and http_date.c linked into a small Minnow app (apps/files) that resolves
// request-targets under /www, a temp folder mounted over virtio-9p, and prints what it found.
// Checked against the folder on the host: sizes, dates from the 9p stat, types, the bytes.

import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, loadApp, qemuOptionsFor, startQemu } from '../../target';
import { EXAMPLE } from './server';
import { MTIME_HTTP, makeSite, type Site } from './site';

/** FNV-1a, 32 bits, as apps/files/main.c computes it. */
function fnv1a(b: Buffer): string {
  let h = 2166136261;
  for (const x of b) h = Math.imul(h ^ x, 16777619) >>> 0;
  return h.toString(16).padStart(8, '0');
}

describe('webserver files on Minnow (9p)', function () {
  this.timeout(600000);
  let site: Site;

  before(() => (site = makeSite()));
  after(() => site?.remove());

  it('opens files, indexes and folders under /www and refuses paths that leave it', async function () {
    const dir = mkdtempSync(join(tmpdir(), 'minnow-webfiles-'));
    copyFileSync(join(__dirname, 'apps', 'files', 'main.c'), join(dir, 'main.c'));
    for (const f of ['files.c', 'files.h', 'http.h', 'http_date.c', 'http_date.h']) copyFileSync(join(EXAMPLE, f), join(dir, f));
    writeFileSync(join(dir, 'minnow.json'), JSON.stringify({ name: 'webfiles', sources: ['main.c', 'files.c', 'http_date.c'], memory: '16M', mounts: [{ host: site.root, guest: '/www', readonly: true }] }));
    const app = loadApp(dir);
    let log = '';
    await buildApp(app, { onOutput: (t) => (log += t) }).catch((e: Error) => assert.fail(`${e.message}\n${log.slice(-3000)}`));

    const files = ['/index.html', '/style.css', '/logo.png', '/64k.bin', '/big.bin', '/empty.txt', '/sub/page.html', '/%73ub/p%61ge.html'];
    const others: Record<string, string> = {
      '/': 'index.html', '/sub/': 'sub/index.html', '/sub': '301 /sub/', '/nope': '404', '/noindex/': '404', '/style.css/': '404',
      '/../secret.txt': '400', '/%2e%2e/secret.txt': '400', '/..%2fsecret.txt': '400', '/sub/%2e%2e/%2e%2e/secret.txt': '400',
    };
    let console = '';
    const q = await startQemu({ ...qemuOptionsFor(app), accel: 'tcg', argv: [...files, ...Object.keys(others)], onConsole: (t) => (console += t) });
    const exit = await q.exited;
    assert.equal(exit.appExitCode, 0, `${exit.summary}\n${console}`);
    const lines = new Map(console.split('\n').filter((l) => l.startsWith('T ')).map((l) => [l.split(' ')[1], l.trim()] as const));

    const expectFile = (target: string, name: string, type?: string) => {
      const data = site.files[name];
      const line = lines.get(target);
      assert.ok(line, `no line for ${target}:\n${console}`);
      // T <target> 200 <st_size> <bytes read> <date>|<type>|<hash>
      const [head, ctype, hash] = line.split('|');
      const [, , status, size, read, ...date] = head.split(' ');
      assert.equal(status, '200', line);
      assert.equal(Number(size), data.length, `${target}: st_size`);
      assert.equal(Number(read), data.length, `${target}: bytes read`);
      assert.equal(date.join(' '), MTIME_HTTP, `${target}: the 9p mtime as an HTTP date`);
      if (type) assert.equal(ctype, type, target);
      assert.equal(hash, fnv1a(data), `${target}: the bytes differ`);
    };
    for (const t of files) expectFile(t, decodeURIComponent(t.slice(1)));
    expectFile('/index.html', 'index.html', 'text/html; charset=utf-8');
    expectFile('/logo.png', 'logo.png', 'image/png');
    for (const [t, want] of Object.entries(others)) {
      if (/^\d/.test(want)) assert.equal(lines.get(t)?.split(' ').slice(2).join(' ').replace(/ -$/, ''), want, t);
      else expectFile(t, want);
    }
  });
});
