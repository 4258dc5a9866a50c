// Every snippet in snippets/c.json, expanded the way VS Code expands it (placeholders take their
// default, choices their first option, mirrors their placeholder's value), compiles against the
// kernel's application headers with the kernel's own flags and -Werror. A snippet that no longer
// matches minnow.h fails here, not in a user's editor.

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const REPO = resolve(__dirname, '..', '..');

interface Snippet {
  prefix: string | string[];
  body: string | string[];
  description?: string;
}

/** Where each snippet goes when the test compiles it. A new snippet must be added here. */
const CONTEXT: Record<string, 'file' | 'toplevel' | 'statement'> = {
  'Minnow application': 'file',
  'Minnow thread function': 'toplevel',
  'Minnow create a thread': 'statement',
  'Minnow join a thread': 'statement',
  'Minnow sleep': 'statement',
  'Minnow yield': 'statement',
  'Minnow wait queue': 'toplevel',
  'Minnow wait on a queue': 'statement',
  'Minnow wait with a timeout': 'statement',
  'Minnow wake waiters': 'statement',
  'Minnow measure time': 'statement',
  'Minnow panic': 'statement',
  'Minnow block device read': 'statement',
  'Minnow virtio console read': 'statement',
  'Minnow read a console line': 'statement',
  'Minnow console key with timeout': 'statement',
  'Minnow read a file': 'statement',
  'Minnow write a file': 'statement',
  'Minnow append a line (stdio)': 'statement',
  'Minnow read lines (stdio)': 'statement',
  'Minnow list a folder': 'statement',
  'Minnow file size (stat)': 'statement',
  'Minnow make, rename, remove': 'statement',
  'Minnow TCP server': 'statement',
  'Minnow TCP client': 'statement',
  'Minnow UDP socket': 'statement',
  'Minnow poll sockets': 'statement',
  'Minnow non-blocking connect': 'statement',
  'Minnow receive time-out': 'statement',
};

const VARIABLES: Record<string, string> = { TM_FILENAME_BASE: 'app', TM_FILENAME: 'app.c' };

/** Expands VS Code snippet syntax (the subset the snippets use, plus escapes). */
export function expandSnippet(body: string): string {
  const values = new Map<string, string>();
  let i = 0;

  function parse(stopAt: string | undefined): string {
    let out = '';
    while (i < body.length) {
      const c = body[i];
      if (stopAt && c === stopAt) return out;
      if (c === '\\' && i + 1 < body.length && '$}\\,|'.includes(body[i + 1])) {
        out += body[i + 1];
        i += 2;
        continue;
      }
      if (c !== '$') {
        out += c;
        i++;
        continue;
      }
      const simple = /^\$(\d+|[A-Z_][A-Z_0-9]*)/.exec(body.slice(i));
      if (simple) {
        i += simple[0].length;
        const name = simple[1];
        out += /^\d+$/.test(name) ? values.get(name) ?? '' : VARIABLES[name] ?? '';
        continue;
      }
      const open = /^\$\{(\d+|[A-Z_][A-Z_0-9]*)([:|}])/.exec(body.slice(i));
      if (!open) throw new Error(`unsupported snippet syntax at ${body.slice(i, i + 20)}`);
      i += open[0].length;
      const [, name, kind] = open;
      let value: string;
      if (kind === '}') {
        value = /^\d+$/.test(name) ? values.get(name) ?? '' : VARIABLES[name] ?? '';
      } else if (kind === ':') {
        const inner = parse('}');
        i++; // the closing brace
        value = /^\d+$/.test(name) ? inner : VARIABLES[name] ?? inner;
      } else {
        const end = body.indexOf('|}', i);
        if (end < 0) throw new Error('unterminated choice');
        value = body.slice(i, end).split(',')[0];
        i = end + 2;
      }
      if (/^\d+$/.test(name) && !values.has(name)) values.set(name, value);
      out += value;
    }
    return out;
  }

  return parse(undefined);
}

const PRELUDE = [
  '#include <minnow.h>',
  '#include <stdio.h>',
  '#include <errno.h>',
  '#include <string.h>',
  '#include <fcntl.h>',
  '#include <unistd.h>',
  '#include <dirent.h>',
  '#include <sys/stat.h>',
  '#include <sys/socket.h>',
  '#include <netinet/in.h>',
  '#include <arpa/inet.h>',
  '#include <netdb.h>',
  '#include <poll.h>',
  '#include <minnow/virtio_blk.h>',
  '#include <minnow/virtio_console.h>',
  '',
].join('\n');

const STATEMENT_SCOPE = [
  'static struct waitq jobs = WAITQ_INITIALIZER("jobs");',
  'static bool ready, condition;',
  'static struct thread *t;',
  'static int worker(void *arg) { return 0; }',
  'static int lfd, cfd, fd;',
  '',
].join('\n');

function source(context: 'file' | 'toplevel' | 'statement', code: string): string {
  switch (context) {
    case 'file':
      return code;
    case 'toplevel':
      return `${PRELUDE}\n${code}\n`;
    case 'statement':
      return `${PRELUDE}\n${STATEMENT_SCOPE}\nvoid snippet_under_test(void)\n{\n${code}\n}\n`;
  }
}

describe('snippets/c.json', function () {
  this.timeout(60_000);
  const snippets = JSON.parse(readFileSync(join(REPO, 'snippets', 'c.json'), 'utf8')) as Record<string, Snippet>;
  const gccInclude = spawnSync('gcc', ['-print-file-name=include'], { encoding: 'utf8' }).stdout.trim();
  let dir: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'minnow-snippets-'));
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it('expands placeholders, choices, mirrors and variables like VS Code', () => {
    assert.equal(expandSnippet('a ${1:x} $1 ${2|one,all|} ${3:${TM_FILENAME_BASE}} $0 \\$'), 'a x x one app  $');
  });

  it('gives every snippet a prefix, a description and a compile context', () => {
    for (const [name, s] of Object.entries(snippets)) {
      assert.ok(s.prefix.length > 0, `${name}: prefix`);
      assert.ok(s.description, `${name}: description`);
      assert.ok(CONTEXT[name], `${name}: add it to CONTEXT in this test`);
    }
  });

  for (const [name, s] of Object.entries(snippets)) {
    it(`"${name}" compiles against kernel/include`, () => {
      const body = Array.isArray(s.body) ? s.body.join('\n') : s.body;
      const file = join(dir, `${name.replace(/\W+/g, '_')}.c`);
      writeFileSync(file, source(CONTEXT[name] ?? 'statement', expandSnippet(body)));
      const r = spawnSync(
        'gcc',
        [
          '-std=gnu11', '-ffreestanding', '-nostdinc', '-isystem', gccInclude, '-I', join(REPO, 'kernel', 'include'),
          '-mno-red-zone', '-mgeneral-regs-only', '-Wall', '-Wextra', '-Wno-unused-parameter', '-Wno-unused-variable',
          '-Wno-unused-function', '-Wno-unused-but-set-variable', '-Werror', '-c', file, '-o', `${file}.o`,
        ],
        { encoding: 'utf8' },
      );
      assert.equal(r.status, 0, `gcc failed on\n${readFileSync(file, 'utf8')}\n${r.stderr}`);
    });
  }
});
