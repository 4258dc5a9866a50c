// The error catalogue (target/errors.ts): one user-error type whose kind gives a stable id, the
// same in the CLI and in the adapter's DAP error responses.

import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  advise,
  buildApp,
  buildQemuArgs,
  ERROR_IDS,
  findQemu,
  isMinnowError,
  loadApp,
  MinnowError,
  parsePublish,
  portInUseError,
  qemuEndedEarly,
  resolveAccel,
  startQemu,
  type AppConfig,
} from '../../target';
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
      assert.match(toDapError(manifest).format, /no minnow\.json in .*\. Point "app" in launch\.json at an application folder/);
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

  describe('a fix that names a setting, in the words of each caller', () => {
    /** the two wordings, checked against what each must and must not say */
    function wording(e: MinnowError, cli: RegExp, launch: RegExp, cliOnly: RegExp): void {
      assert.match(e.fixFor('cli'), cli);
      assert.equal(e.fix, e.fixFor('cli'), 'fix is the command line\'s');
      assert.match(e.fixFor('launch'), launch);
      assert.doesNotMatch(e.fixFor('launch'), cliOnly, 'a launch configuration is told no CLI flag');
      assert.doesNotMatch(e.fixFor('cli'), /launch\.json/, 'the command line is told no launch attribute');
      // the adapter's DAP error carries the launch wording
      assert.ok(toDapError(e).format.endsWith(e.fixFor('launch')), toDapError(e).format);
    }
    const rejected = async (p: Promise<unknown>): Promise<MinnowError> =>
      p.then(
        () => assert.fail('nothing was thrown'),
        (e: unknown) => {
          assert.ok(isMinnowError(e), `a MinnowError, not ${String(e)}`);
          return e;
        },
      );

    it('advise: say() is the flag for the CLI and the attribute in launch.json for a launch', () => {
      const a = advise((say) => `Use ${say('--accel tcg', '"accel": "tcg"')}.`);
      assert.deepEqual(a, { cli: 'Use --accel tcg.', launch: 'Use "accel": "tcg" in launch.json.' });
      const plain = new MinnowError('m', 'Same for both.');
      assert.deepEqual([plain.fixFor('cli'), plain.fixFor('launch')], ['Same for both.', 'Same for both.']);
    });

    it('KVM asked for but unusable: --accel tcg / "accel": "tcg"', () => {
      const e = thrown(() => resolveAccel('kvm', () => ({ devKvm: false, cpuFlag: false, usable: false, why: '/dev/kvm is missing' })));
      wording(e, /^Use --accel tcg \(or auto\), or add yourself to the kvm group/, /^Use "accel": "tcg" \(or "auto"\) in launch\.json, or add yourself/, /--accel/);
    });

    it('QEMU missing or not at qemuPath: --qemu / "qemuPath"', () => {
      const at = thrown(() => findQemu('/nonexistent/qemu'));
      assert.equal(at.message, 'QEMU not found at /nonexistent/qemu');
      wording(at, /^Fix --qemu, or leave it out/, /^Fix "qemuPath" in launch\.json, or leave it out/, /--qemu/);
      const saved = process.env.PATH;
      process.env.PATH = '/nonexistent';
      try {
        wording(thrown(() => findQemu()), /give your QEMU binary with --qemu PATH\.$/, /give your QEMU binary with "qemuPath" in launch\.json\.$/, /--qemu/);
      } finally {
        process.env.PATH = saved;
      }
    });

    it('no minnow.json: minnow build path/to/app / "app"', () => {
      const dir = mkdtempSync(join(tmpdir(), 'minnow-errors-'));
      try {
        wording(thrown(() => loadApp(dir)), /pass one \(minnow build path\/to\/app\)/, /^Point "app" in launch\.json at an application folder/, /minnow build/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('no kernel image: minnow build or --no-build / "build": false', async () => {
      const e = await rejected(startQemu({ elf: '/nonexistent/app.elf' }));
      wording(e, /^Build the application first \(minnow build\), or leave out --no-build\.$/, /^Build the application first: remove "build": false from launch\.json/, /--no-build/);
    });

    it('no kernel Makefile: --kernel / MINNOW_KERNEL', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'minnow-errors-'));
      try {
        const e = await rejected(buildApp({ name: 'x' } as AppConfig, { kernelDir: dir }));
        wording(e, /^Point --kernel \(or MINNOW_KERNEL\) at/, /^Point MINNOW_KERNEL at/, /--kernel/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('the virtio gdbstub transport off microvm: --gdb-transport com2 / "gdbTransport": "com2"', () => {
      const e = thrown(() =>
        buildQemuArgs({ elf: '/a/app.elf', accel: 'tcg', memory: '8M', name: 'app', argv: [], machine: 'q35', gdbstub: { kind: 'kernel', port: 4321, wait: false, transport: 'virtio' } }),
      );
      wording(e, /\(--gdb-transport com2\)/, /\("gdbTransport": "com2" in launch\.json\)/, /--gdb-transport/);
    });

    it('published ports: -p / a "ports" entry', () => {
      wording(thrown(() => parsePublish('80', 'x')), /^Give both, host first: -p 8080:80\.$/, /^Give both, host first: "ports": \["8080:80"\] in launch\.json\.$/, /-p /);
      wording(thrown(() => parsePublish('0.0.0.0:8080:80', 'x')), /without the address \(-p 8080:80\)/, /without the address \("ports": \["8080:80"\] in launch\.json\)/, /-p /);
      wording(thrown(() => parsePublish('8080-8081:80-81', 'x')), /its own -p\.$/, /its own "ports" entry\.$/, /-p\b/);
      wording(thrown(() => parsePublish('a:b:c:d', 'x')), /^For example -p 8080:80/, /"ports": \["8080:80", "5353:53\/udp"\]/, /-p /);
      wording(portInUseError({ proto: 'udp', host: 5353, guest: 53 }), /another host port: -p 5354:53\/udp/, /another host port: "ports": \["5354:53\/udp"\] in launch\.json/, /-p /);
    });

    it('QEMU refused its arguments: qemuArgs in minnow.json, and in launch.json for a launch', () => {
      const e = qemuEndedEarly({ status: 1, signal: null, reason: 'qemu-error', crashed: false, summary: 'QEMU failed', stderrTail: 'qemu-system-x86_64: -bogus: invalid option\n' });
      assert.equal(e.message, 'QEMU did not start: qemu-system-x86_64: -bogus: invalid option');
      assert.equal(e.fixFor('cli'), 'Check the QEMU arguments ("qemuArgs" in minnow.json) against QEMU\'s message.');
      assert.equal(e.fixFor('launch'), 'Check the QEMU arguments ("qemuArgs" in minnow.json and in launch.json) against QEMU\'s message.');
    });
  });
});
