import * as assert from 'node:assert/strict';
import { parseMiLine, list, str, tuple, type MiRecord } from '../../debug-adapter/gdb';
import { fixture } from './mi-replay';

function parse(line: string): MiRecord {
  return parseMiLine(line);
}

describe('MI parser', () => {
  for (const name of ['native-session.mi', 'watch-dprintf.mi', 'interrupt.mi', 'kernel-stub.mi', 'qemu-stub.mi']) {
    it(`parses every line of the recorded transcript ${name}`, () => {
      const lines = fixture(name);
      assert.ok(lines.length > 10);
      for (const l of lines) {
        const r = parse(l);
        assert.notEqual(r.kind, 'unknown', `did not parse: ${l}`);
      }
    });
  }

  it('parses the BreakpointTable of -break-list (gdb-js choked on it)', () => {
    const line = fixture('native-session.mi').find((l) => l.includes('BreakpointTable'))!;
    const r = parse(line);
    assert.equal(r.kind, 'result');
    if (r.kind !== 'result') return;
    assert.equal(r.token, 6);
    const table = tuple(r.results.BreakpointTable)!;
    assert.equal(str(table.nr_rows), '3');
    assert.equal(list(table.hdr).length, 6);
    const body = list(table.body).map((b) => tuple(b)!);
    assert.deepEqual(
      body.map((b) => str(b.func)),
      ['main', 'add', 'main'],
    );
    assert.deepEqual(list(body[0]['thread-groups']), ['i1']);
  });

  it('decodes \\377 \\001 \\e \\a and tab in console text', () => {
    const line = fixture('watch-dprintf.mi').find((l) => l.startsWith('~"\\377'))!;
    const r = parse(line);
    assert.deepEqual(r, { kind: 'console', text: '\u00ff\u0001\u001b\u0007 tab\there\n' });
  });

  it('decodes nested escapes in a value (gdb quoting a C string)', () => {
    const r = parse('14^done,value="0x55555555600b \\"p \\\\\\"quoted\\\\\\"\\\\\\\\ \\\\377\\\\001\\\\033\\\\a\\""');
    assert.equal(r.kind, 'result');
    if (r.kind !== 'result') return;
    assert.equal(str(r.results.value), '0x55555555600b "p \\"quoted\\"\\\\ \\377\\001\\033\\a"');
  });

  it('decodes octal runs that form UTF-8 as characters', () => {
    assert.deepEqual(parse('~"caf\\303\\251\\n"'), { kind: 'console', text: 'café\n' });
  });

  it('tolerates tuples of bare values (dprintf script) and repeated names', () => {
    const line = fixture('watch-dprintf.mi').find((l) => l.includes('dprintf'))!;
    const r = parse(line);
    assert.equal(r.kind, 'result');
    if (r.kind !== 'result') return;
    const bkpt = tuple(r.results.bkpt)!;
    assert.deepEqual(tuple(bkpt.script)!._values, ['printf "g=%d\\n",g']);
    const ids = parse('29^done,thread-ids={thread-id="1",thread-id="2"},number-of-threads="2"');
    assert.equal(ids.kind, 'result');
    if (ids.kind === 'result') assert.deepEqual(list(tuple(ids.results['thread-ids'])!['thread-id']), ['1', '2']);
  });

  it('tolerates mi2 multi-location breakpoints (bkpt={...},{...})', () => {
    const r = parse('=breakpoint-created,bkpt={number="2",addr="<MULTIPLE>"},{number="2.1",addr="0x1"},{number="2.2",addr="0x2"}');
    assert.equal(r.kind, 'notify');
    if (r.kind === 'notify') assert.equal(list(r.results._values).length, 2);
  });

  it('types results, async records, streams and prompts', () => {
    assert.deepEqual(parse('(gdb) '), { kind: 'prompt' });
    assert.deepEqual(parse('12^running'), { kind: 'result', token: 12, resultClass: 'running', results: {} });
    assert.deepEqual(parse('*running,thread-id="all"'), {
      kind: 'exec',
      token: undefined,
      asyncClass: 'running',
      results: { 'thread-id': 'all' },
    });
    assert.deepEqual(parse('&"warning\\n"'), { kind: 'log', text: 'warning\n' });
    assert.deepEqual(parse('@"guest\\r\\n"'), { kind: 'target', text: 'guest\r\n' });
    assert.deepEqual(parse('+download,section=".text"'), {
      kind: 'status',
      token: undefined,
      asyncClass: 'download',
      results: { section: '.text' },
    });
  });

  it('never throws: odd lines become unknown records', () => {
    for (const l of ['', 'Remote debugging using 127.0.0.1:1234', '^done,x=', '~"unterminated', '1^bogus', '*stopped,a="x"junk', '^done,a={b="1"', '~"\\']) {
      assert.doesNotThrow(() => parse(l));
    }
    assert.equal(parse('~"unterminated').kind, 'unknown');
    assert.equal(parse('1^bogus').kind, 'unknown');
    // random mutations of real lines
    const lines = fixture('native-session.mi');
    let seed = 7;
    const rnd = (n: number): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
    for (let i = 0; i < 20000; i++) {
      const l = lines[rnd(lines.length)];
      const p = rnd(l.length + 1);
      const mutated = rnd(2) ? l.slice(0, p) + String.fromCharCode(rnd(128)) + l.slice(p + 1) : l.slice(0, p);
      assert.doesNotThrow(() => parse(mutated));
    }
  });
});
