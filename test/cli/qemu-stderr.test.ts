// The CLI's filter on QEMU's stderr: QEMU's note about the SIGTERM Minnow itself sent (--timeout)
// is dropped even when it arrives split over several chunks; everything else passes.

import assert from 'node:assert/strict';
import { qemuStderr } from '../../cli/common';

function feed(chunks: string[], wait = 0): Promise<string> {
  let out = '';
  const f = qemuStderr((t) => (out += t));
  for (const c of chunks) f(c);
  return new Promise((resolve) => setTimeout(() => resolve(out), wait));
}

describe('cli: QEMU stderr filter', () => {
  const note = `qemu-system-x86_64: terminating on signal 15 from pid ${process.pid} (node)\n`;

  it('drops our own SIGTERM note, whole or split anywhere', async () => {
    for (let i = 0; i <= note.length; i++) {
      assert.equal(await feed([note.slice(0, i), note.slice(i)]), '', `split at ${i}`);
    }
  });

  it('keeps other messages, and a signal from another process', async () => {
    const other = 'qemu-system-x86_64: terminating on signal 15 from pid 1 (init)\n';
    const bad = 'qemu-system-x86_64: -foo: invalid option\n';
    assert.equal(await feed([bad.slice(0, 10), bad.slice(10) + note + other]), bad + other);
  });

  it('passes on a last line that never gets its newline', async () => {
    assert.equal(await feed(['qemu: odd ending'], 250), 'qemu: odd ending');
  });
});
