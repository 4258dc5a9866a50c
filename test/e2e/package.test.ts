// The .vsix holds what an installed extension needs and nothing else, and stays small:
// dist/ programs, the kernel sources, the templates, snippets, the schema, media, README and
// LICENSE; no TypeScript, tests, node_modules or build output; at most 2 MB.

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { packageExtension } from './harness';

const MAX_BYTES = 2 * 1024 * 1024;

describe('e2e: the packaged .vsix', function () {
  this.timeout(120_000);

  it('ships the runtime, the kernel and the templates, nothing else, in at most 2 MB', () => {
    const vsix = packageExtension();
    const size = statSync(vsix).size;
    console.log(`      .vsix: ${(size / 1024).toFixed(1)} KiB`);
    assert.ok(size <= MAX_BYTES, `${size} bytes > 2 MB`);
    const r = spawnSync('unzip', ['-Z1', vsix], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const files = r.stdout
      .split('\n')
      .filter((f) => f.startsWith('extension/'))
      .map((f) => f.slice('extension/'.length));
    for (const needed of [
      'package.json',
      'dist/extension.js',
      'dist/cli.js',
      'dist/debugAdapter.js',
      'kernel/Makefile',
      'kernel/components.mk',
      'kernel/include/minnow.h',
      'examples/hello/minnow.json',
      'examples/threads/main.c',
      'snippets/c.json',
      'schemas/minnow.schema.json',
      'media/icon.png',
    ]) {
      assert.ok(files.includes(needed), `missing ${needed}`);
    }
    assert.ok(files.some((f) => /^readme\.md$/i.test(f)), 'README');
    assert.ok(files.some((f) => /^license(\.txt|\.md)?$/i.test(f)), 'LICENSE');
    const unwanted = files.filter((f) => /\.ts$|\.map$|^node_modules\/|^test\/|\/build\/|\.o$|\.elf$|\.img$/.test(f));
    assert.deepEqual(unwanted, [], 'files that must not ship');
  });
});
