// The folder the web tests serve: a few files of each type the server knows, a sub-folder with
// its own index, a folder without one, and a secret file beside (not inside) the root that no
// request may ever read.

import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SECRET = 'TOP-SECRET-b7e1c0de: outside the document root';

/** Fixed so Last-Modified is known: Tue, 14 Nov 2023 22:13:20 GMT. */
export const MTIME = 1700000000;
export const MTIME_HTTP = 'Tue, 14 Nov 2023 22:13:20 GMT';

export interface Site {
  /** The folder with www/ and secret.txt in it. */
  dir: string;
  /** The document root, dir/www. */
  root: string;
  files: Record<string, Buffer>;
  remove(): void;
}

/** Bytes that are the same on every run (a linear congruential generator). */
export function pseudoRandomBytes(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

export function makeSite(): Site {
  const dir = mkdtempSync(join(tmpdir(), 'minnow-web-'));
  const root = join(dir, 'www');
  const files: Record<string, Buffer> = {
    'index.html': Buffer.from('<!doctype html><title>Minnow</title><h1>Served by Minnow</h1>\n'),
    'style.css': Buffer.from('h1 { color: teal; }\n'),
    'app.js': Buffer.from('console.log("hi");\n'),
    'data.json': Buffer.from('{"fish": "minnow"}\n'),
    'notes.txt': Buffer.from('plain text\n'),
    'logo.png': Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pseudoRandomBytes(300, 7)]),
    'blob.unknownext': Buffer.from('what is this\n'),
    'empty.txt': Buffer.alloc(0),
    '1k.bin': pseudoRandomBytes(1024, 1),
    '64k.bin': pseudoRandomBytes(64 * 1024, 2),
    'big.bin': pseudoRandomBytes(300 * 1024 + 17, 3),
    'sub/index.html': Buffer.from('<!doctype html><h1>sub</h1>\n'),
    'sub/page.html': Buffer.from('<!doctype html><h1>a page</h1>\n'),
    'noindex/file.txt': Buffer.from('in a folder without an index\n'),
  };
  for (const [name, data] of Object.entries(files)) {
    const path = join(root, name);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, data);
    utimesSync(path, MTIME, MTIME);
  }
  writeFileSync(join(dir, 'secret.txt'), SECRET);
  return { dir, root, files, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
