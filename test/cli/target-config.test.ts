// minnow.json: parsing with line:column errors, validation against the schema (every problem
// names its field and a fix), defaults, and the examples themselves.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadApp, MinnowError, validateManifest, parseJson } from '../../target';
import { cleanupTmp, ROOT, tmp } from './helpers';

function appDir(manifest: string | object, files: string[] = ['main.c']): string {
  const dir = tmp();
  writeFileSync(join(dir, 'minnow.json'), typeof manifest === 'string' ? manifest : JSON.stringify(manifest, null, 2));
  for (const f of files) {
    mkdirSync(join(dir, f, '..'), { recursive: true });
    writeFileSync(join(dir, f), 'int main(void) { return 0; }\n');
  }
  return dir;
}

function loadError(manifest: string | object, files?: string[]): MinnowError {
  try {
    loadApp(appDir(manifest, files));
  } catch (e) {
    assert.ok(e instanceof MinnowError, `expected a MinnowError, got ${String(e)}`);
    return e;
  }
  assert.fail('loadApp accepted an invalid minnow.json');
}

describe('target: minnow.json', () => {
  after(cleanupTmp);

  it('applies the defaults and makes paths absolute', () => {
    const dir = appDir({ name: 'demo', sources: ['main.c'] });
    const app = loadApp(dir);
    assert.equal(app.dir, dir);
    assert.equal(app.name, 'demo');
    assert.deepEqual(app.sources, ['main.c']);
    assert.equal(app.memory, '8M');
    assert.equal(app.machine, 'microvm');
    assert.equal(app.cpus, 1);
    assert.deepEqual(app.qemuArgs, []);
    assert.deepEqual(app.components, []);
    assert.deepEqual(app.args, []);
    assert.equal(app.buildDir, join(dir, 'build'));
    assert.equal(app.elf, join(dir, 'build', 'demo.elf'));
  });

  it('keeps every field it is given', () => {
    const dir = appDir({
      name: 'full',
      description: 'all fields',
      sources: ['main.c', 'lib/util.c'],
      memory: '16M',
      machine: 'q35',
      cpus: 4,
      qemuArgs: ['-smp', '1'],
      drivers: ['virtio_blk', 'virtio_net'],
      args: ['one', 'two words'],
      cflags: ['-O0'],
      disk: { image: 'disk.img', readOnly: true },
      network: { hostForwards: ['tcp:8080-80'] },
    }, ['main.c', 'lib/util.c']);
    const app = loadApp(dir);
    assert.equal(app.machine, 'q35');
    assert.equal(app.cpus, 4);
    assert.deepEqual(app.components, ['virtio', 'virtio_blk', 'virtio_net']);
    assert.deepEqual(app.args, ['one', 'two words']);
    assert.deepEqual(app.disk, { image: join(dir, 'disk.img'), format: 'raw', readOnly: true, createSize: undefined });
    assert.deepEqual(app.network, { backend: 'user', hostForwards: ['tcp:8080-80'], localPort: undefined, remotePort: undefined });
  });

  it('reports a missing minnow.json with the command that creates one', () => {
    const e = (() => {
      try {
        loadApp(tmp());
      } catch (err) {
        return err as MinnowError;
      }
      assert.fail('no error');
    })();
    assert.match(e.message, /no minnow\.json in /);
    assert.match(e.fix, /minnow new hello/);
  });

  it('names line and column of a JSON syntax error', () => {
    const e = loadError('{\n  "name": "x",\n  "sources": ["main.c"],\n}\n');
    assert.match(e.message, /minnow\.json:4:1: invalid JSON/);
    assert.match(e.fix, /line 4, column 1/);
    const eof = (() => {
      try {
        parseJson('{\n "a": [1,', 'f.json');
      } catch (err) {
        return err as MinnowError;
      }
      assert.fail('no error');
    })();
    assert.match(eof.message, /^f\.json:2:10: invalid JSON/);
  });

  const cases: [string, object, RegExp, RegExp][] = [
    ['a missing name', { sources: ['main.c'] }, /"name" is missing/, /Add "name"/],
    ['a bad machine', { name: 'x', sources: ['main.c'], machine: 'pc' }, /"machine" is "pc", which is not one of: microvm, q35/, /microvm, q35/],
    ['a bad driver', { name: 'x', sources: ['main.c'], drivers: ['virtio_net', 'e1000'] }, /"drivers\[1\]" is "e1000"/, /virtio_blk, virtio_net, virtio_console/],
    ['a bad component', { name: 'x', sources: ['main.c'], components: ['e1000'] }, /"components\[0\]" is "e1000"/, /virtio_blk, virtio_net, virtio_console/],
    ['a bad memory size', { name: 'x', sources: ['main.c'], memory: 8 }, /"memory" must be a string, not an integer/, /"8M"/],
    ['a malformed memory size', { name: 'x', sources: ['main.c'], memory: '8 MB' }, /"memory" has an invalid value "8 MB"/, /e\.g\. "8M"/],
    ['empty sources', { name: 'x', sources: [] }, /"sources" needs at least 1 element/, /\["main\.c"\]/],
    ['a source outside the folder', { name: 'x', sources: ['../main.c'] }, /"sources\[0\]" has an invalid value/, /without spaces or '\.\.'/],
    ['a misspelled field', { name: 'x', sources: ['main.c'], machnie: 'q35' }, /"machnie" is not a known field/, /Did you mean "machine"\?/],
    ['an unknown field', { name: 'x', sources: ['main.c'], zzzzzzzz: 1 }, /"zzzzzzzz" is not a known field/, /known fields: name, description, sources/],
    ['a bad name', { name: '-x', sources: ['main.c'] }, /"name" has an invalid value "-x"/, /letters, digits/],
    ['a disk without image', { name: 'x', sources: ['main.c'], disk: {} }, /"disk\.image" is missing/, /Add "image"/],
    ['qemuArgs not strings', { name: 'x', sources: ['main.c'], qemuArgs: ['-smp', 2] }, /"qemuArgs\[1\]" must be a string/, /Write a string/],
    ['a port out of range', { name: 'x', sources: ['main.c'], network: { backend: 'dgram', localPort: 70000, remotePort: 1 } }, /"network\.localPort" is 70000, outside 1\.\.65535/, /from 1 to 65535/],
    ['no CPUs', { name: 'x', sources: ['main.c'], cpus: 0 }, /"cpus" is 0, outside 1\.\.16/, /from 1 to 16/],
    ['more CPUs than the kernel runs', { name: 'x', sources: ['main.c'], cpus: 17 }, /"cpus" is 17, outside 1\.\.16/, /from 1 to 16/],
    ['a fraction of a CPU', { name: 'x', sources: ['main.c'], cpus: 1.5 }, /"cpus" must be an integer/, /from 1 to 16/],
    ['a quote in args', { name: 'x', sources: ['main.c'], args: ['a"b'] }, /"args\[0\]" has an invalid value/, /double quote/],
  ];
  for (const [what, manifest, message, fix] of cases) {
    it(`rejects ${what}, naming the field and the fix`, () => {
      const e = loadError(manifest);
      assert.match(e.message, message);
      assert.match(e.fix, fix);
    });
  }

  it('rejects a source file that does not exist', () => {
    const e = loadError({ name: 'x', sources: ['main.c', 'other.c'] });
    assert.match(e.message, /"sources\[1\]" names other\.c, which does not exist/);
    assert.match(e.fix, /Create other\.c or remove it/);
  });

  it('requires both ports for a dgram network', () => {
    const e = loadError({ name: 'x', sources: ['main.c'], drivers: ['virtio_net'], network: { backend: 'dgram', localPort: 5000 } });
    assert.match(e.message, /dgram but "network\.localPort" or "network\.remotePort" is missing/);
  });

  it('requires a disk image for virtio_blk', () => {
    const e = loadError({ name: 'x', sources: ['main.c'], drivers: ['virtio_blk'] });
    assert.match(e.message, /virtio_blk but "disk" is missing/);
  });

  it('lists every problem, not only the first', () => {
    const problems = validateManifest({ name: 1, sources: 'main.c', machine: 'pc' });
    assert.deepEqual(problems.map((p) => p.field), ['name', 'sources', 'machine']);
  });

  it('accepts every example in examples/, each with a description', () => {
    // A folder without minnow.json is an example still being written, not a template.
    const examples = readdirSync(join(ROOT, 'examples')).filter((ex) => existsSync(join(ROOT, 'examples', ex, 'minnow.json')));
    assert.ok(examples.includes('hello'));
    for (const ex of examples) {
      const app = loadApp(join(ROOT, 'examples', ex));
      assert.ok(app.description, `examples/${ex}/minnow.json has no "description" (minnow new lists it)`);
    }
  });
});
