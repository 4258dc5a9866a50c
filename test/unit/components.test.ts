// The components table (kernel/components.mk) as the CLI and the adapter read it, and the
// schema's enums that scripts/build.mjs derives from it.

import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadComponents, parseComponents, resolveComponents } from '../../target/components';
import { MinnowError } from '../../target';
import { syncedSchema } from '../../scripts/sync-schema';

const root = join(__dirname, '..', '..');

describe('kernel components table', () => {
  const table = loadComponents(join(root, 'kernel'));

  it('reads every block of kernel/components.mk with its sources and needs', () => {
    const blk = table.find((c) => c.name === 'virtio_blk');
    assert.ok(blk, 'virtio_blk is in the table');
    assert.deepEqual(blk.srcs, ['drivers/virtio_blk.c', 'drivers/blkdev.c']);
    assert.deepEqual(blk.needs, ['virtio']);
    assert.match(blk.about, /virtio-blk/);
    for (const c of table) assert.ok(c.about.length > 0, `${c.name} has an "about" line`);
  });

  it('resolves what a component needs, transitively, in table order', () => {
    const t = parseComponents(
      ['ALL_COMPONENTS += a', 'a.srcs := a/*.c', 'a.needs :=', 'a.cflags := -DA', 'a.about := A',
        'ALL_COMPONENTS += b', 'b.srcs := b.c', 'b.needs := a', 'b.cflags :=', 'b.about := B',
        'ALL_COMPONENTS += c', 'c.srcs := c.c', 'c.needs := b', 'c.cflags :=', 'c.about := C'].join('\n'),
    );
    assert.deepEqual(resolveComponents(['c'], t), ['a', 'b', 'c']);
    assert.deepEqual(resolveComponents([], t), []);
    assert.deepEqual(t[0].cflags, ['-DA']);
  });

  it('names an unknown component and lists the known ones', () => {
    assert.throws(() => resolveComponents(['e1000'], table, 'minnow.json: "components"'), (e: unknown) => {
      assert.ok(e instanceof MinnowError);
      assert.match(e.message, /"components" names "e1000", which is not a kernel component/);
      assert.match(e.fix, /virtio_blk/);
      return true;
    });
  });

  it('refuses a line it cannot read', () => {
    assert.throws(() => parseComponents('ALL_COMPONENTS += a\nb.srcs := x.c\n'), /components\.mk:2: cannot read/);
  });

  it('schemas/minnow.schema.json lists exactly the table\'s components (npm run build syncs it)', () => {
    const text = readFileSync(join(root, 'schemas', 'minnow.schema.json'), 'utf8');
    const names = table.map((c) => c.name);
    assert.equal(syncedSchema(text, names), text, 'the schema is out of date: run npm run build');
    assert.notEqual(syncedSchema(text, [...names, 'placeholder']), text);
  });
});
