// The error catalogue (target/errors.ts): one user-error type whose kind gives a stable id, the
// same in the CLI and in the adapter's DAP error responses.

import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ERROR_IDS, findQemu, isMinnowError, loadApp, MinnowError } from '../../target';
import { parseArgs, UsageError } from '../../cli/args';
import { errors, toDapError } from '../../debug-adapter/errors';

function thrown(f: () => unknown): MinnowError {
  try {
    f();
  } catch (e) {
    assert.ok(isMinnowError(e), `a MinnowError, not ${String(e)}`);
    return e;
  }
  assert.fail('nothing was thrown');
}

describe('error catalogue', () => {
  it('gives every kind its own id', () => {
    const ids = Object.values(ERROR_IDS);
    assert.equal(new Set(ids).size, ids.length);
  });

  it('names the kind of what target/ refuses, and the adapter answers with its id', () => {
    const dir = mkdtempSync(join(tmpdir(), 'minnow-errors-'));
    try {
      const manifest = thrown(() => loadApp(dir));
      assert.equal(manifest.kind, 'manifest');
      assert.equal(toDapError(manifest).id, ERROR_IDS.manifest);
      assert.match(toDapError(manifest).format, /no minnow\.json in .*\. Run this in an application folder/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const qemu = thrown(() => findQemu('/nonexistent/qemu-system-x86_64'));
    assert.equal(qemu.id, ERROR_IDS.qemuMissing);
    assert.equal(toDapError(qemu).id, 1003);
  });

  it('is the same type for the CLI\'s usage errors and the adapter\'s own', () => {
    const usage = thrown(() => parseArgs(['--bogus'], {}, 'run'));
    assert.ok(usage instanceof UsageError);
    assert.equal(usage.id, ERROR_IDS.usage);
    const attr = errors.badAttribute('accel', 'is "fast"', 'Use "tcg".');
    assert.ok(attr instanceof MinnowError);
    assert.deepEqual([toDapError(attr).id, toDapError(attr).format], [ERROR_IDS.config, 'The launch attribute "accel" is "fast". Use "tcg".']);
    assert.equal(toDapError(errors.memory('0x0', 'unmapped')).showUser, false);
  });
});
