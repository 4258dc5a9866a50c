// Objects made stale by a change of content (target/stale.ts): the files a gcc -MMD -MP dependency
// file names, the files that changed between two records, and the objects removed from a folder
// when one of their sources changed content whatever its date.

import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { changedFiles, depFiles, forgetStale, readSums } from '../../target/stale';

describe('stale objects (target/stale.ts)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'minnow-stale-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the prerequisites of a dependency file, continued lines, phony targets and escaped spaces', () => {
    const text = '/o/kernel/core/a.c.o: /k/core/a.c /k/include/x.h \\\n /k/my\\ dir/y.h /k/core/../include/z.h\n/k/include/x.h:\n/k/my\\ dir/y.h:\n';
    assert.deepEqual(depFiles(text), ['/o/kernel/core/a.c.o', '/k/core/a.c', '/k/include/x.h', '/k/my dir/y.h', '/k/include/z.h', '/k/include/x.h', '/k/my dir/y.h']);
  });

  it('finds the files added, removed or changed', () => {
    assert.deepEqual([...changedFiles({ '/a': '1', '/b': '2', '/c': '3' }, { '/a': '1', '/b': '9', '/d': '4' })].sort(), ['/b', '/c', '/d']);
  });

  it('removes the objects whose sources changed, and the files made from them, then records the new content', () => {
    const obj = join(dir, 'obj');
    mkdirSync(join(obj, 'kernel', 'core'), { recursive: true });
    for (const n of ['a', 'b']) {
      writeFileSync(join(obj, 'kernel', 'core', `${n}.c.o`), '');
      writeFileSync(join(obj, 'kernel', 'core', `${n}.c.d`), `${obj}/kernel/core/${n}.c.o: /k/core/${n}.c /k/include/${n}.h\n`);
    }
    const elf = join(dir, 'app.elf');
    writeFileSync(elf, '');
    const was = { '/k/core/a.c': '1', '/k/include/a.h': '1', '/k/core/b.c': '1', '/k/include/b.h': '1' };
    // no record yet: nothing says what the objects were built from, all of them go
    assert.equal(forgetStale(obj, was, [elf]), 2);
    assert.deepEqual(readSums(obj), was);
    for (const n of ['a', 'b']) {
      writeFileSync(join(obj, 'kernel', 'core', `${n}.c.o`), '');
      writeFileSync(join(obj, 'kernel', 'core', `${n}.c.d`), `${obj}/kernel/core/${n}.c.o: /k/core/${n}.c /k/include/${n}.h\n`);
    }
    writeFileSync(elf, '');
    assert.equal(forgetStale(obj, was, [elf]), 0, 'the same content: nothing removed');
    assert.ok(existsSync(elf));
    const now = { ...was, '/k/include/b.h': '2' };
    assert.equal(forgetStale(obj, now, [elf]), 1);
    assert.ok(existsSync(join(obj, 'kernel', 'core', 'a.c.o')), 'a.c.o does not read b.h');
    assert.ok(!existsSync(join(obj, 'kernel', 'core', 'b.c.o')) && !existsSync(join(obj, 'kernel', 'core', 'b.c.d')));
    assert.ok(!existsSync(elf), 'the ELF is linked again');
    assert.deepEqual(readSums(obj), now);
  });
});
