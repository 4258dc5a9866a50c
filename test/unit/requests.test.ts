// Minnow's own DAP requests: one table of names and arguments for the extension and the adapter.

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { argsProblem, isMinnowRequest, MINNOW_REQUESTS } from '../../debug-adapter/requests';

const REPO = resolve(__dirname, '..', '..');

describe('custom requests', () => {
  it('names each argument that is missing or of the wrong type, with no braces', () => {
    assert.equal(argsProblem('minnow/focusThread', { threadId: 3 }), undefined);
    assert.equal(argsProblem('minnow/focusThread', {}), 'minnow/focusThread needs threadId, a number (got none)');
    assert.equal(argsProblem('minnow/consoleInput', { text: 5 }), 'minnow/consoleInput needs text, a string (got 5)');
    assert.equal(argsProblem('minnow/consoleInput', undefined), 'minnow/consoleInput needs text, a string (got none)');
    assert.equal(argsProblem('minnow/kernelInfo', undefined), undefined);
  });

  it('knows its own requests and no others', () => {
    assert.ok(isMinnowRequest('minnow/kernelInfo'));
    assert.ok(!isMinnowRequest('minnow/nothing'));
    assert.ok(!isMinnowRequest('toString'));
  });

  it('is what the extension sends: every request the extension names is in the table', () => {
    const sent = new Set<string>();
    for (const f of ['extension.ts', 'guestConsole.ts', 'kernelView.ts']) {
      const text = readFileSync(join(REPO, 'extension', f), 'utf8');
      for (const m of text.matchAll(/'(minnow\/[A-Za-z]+)'/g)) sent.add(m[1]);
      assert.ok(!text.includes('session.customRequest('), `${f} sends through minnowRequest`);
    }
    for (const name of sent) assert.ok((MINNOW_REQUESTS as string[]).includes(name), name);
  });
});
