// `minnow pack`: bootable images made with GRUB (target/pack.ts), booted for real. The ISO and
// the disk image boot on QEMU q35 by SeaBIOS and, where Debian's ovmf is installed, by UEFI;
// main's output and exit code come through GRUB's Multiboot2 entry (kernel/arch/x86_64/
// multiboot2.S) just as through PVH, other CPUs start under GRUB too, and the ELF inside the ISO
// is byte for byte the one `minnow run` boots by PVH on microvm and q35.

import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, type Proc } from '../kernel/qemu';
import { appWith, cleanupTmp, cli, killStragglers, pathWithout, ROOT, tmp, type CliResult } from './helpers';

const OVMF_CODE = '/usr/share/OVMF/OVMF_CODE_4M.fd';
const OVMF_VARS = '/usr/share/OVMF/OVMF_VARS_4M.fd';
// No skipped tests: without OVMF the UEFI cases are simply not defined.
const FIRMWARES: ('bios' | 'uefi')[] = existsSync(OVMF_CODE) && existsSync(OVMF_VARS) ? ['bios', 'uefi'] : ['bios'];
const EXIT_APP = join(ROOT, 'test', 'kernel', 'apps', 'exit', 'main.c');

interface Booted {
  exitCode?: number;
  console: string;
  proc: Proc;
}

/** Boots an image on q35 (SeaBIOS, or OVMF with its own copy of the variable store). */
async function bootImage(image: { iso?: string; disk?: string }, firmware: 'bios' | 'uefi', cpus = 1): Promise<Booted> {
  const args = ['-M', 'q35', '-cpu', 'max', '-m', '128M', '-display', 'none', '-no-reboot', '-monitor', 'none', '-serial', 'stdio'];
  args.push('-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04');
  if (cpus > 1) args.push('-smp', String(cpus), '-accel', 'tcg,thread=multi');
  if (firmware === 'uefi') {
    const vars = join(tmp('minnow-ovmf-'), 'vars.fd');
    copyFileSync(OVMF_VARS, vars);
    args.push('-drive', `if=pflash,format=raw,readonly=on,file=${OVMF_CODE}`, '-drive', `if=pflash,format=raw,file=${vars}`);
  }
  if (image.iso) args.push('-cdrom', image.iso);
  if (image.disk) args.push('-drive', `file=${image.disk},format=raw`);
  const proc = await run('qemu-system-x86_64', args, 240_000);
  const status = proc.status ?? 0;
  return { exitCode: status % 2 === 1 ? (status - 1) / 2 : undefined, console: proc.stdout, proc };
}

function show(b: Booted | CliResult): string {
  if ('proc' in b) return `exit ${b.exitCode ?? 'none'} (QEMU ${b.proc.status}${b.proc.timedOut ? ', timed out' : ''})\n${b.console}\n${b.proc.stderr}`;
  return `code ${b.code}\n--- stdout ---\n${b.stdout}\n--- stderr ---\n${b.stderr}`;
}

describe('minnow pack (GRUB, Multiboot2)', function () {
  this.timeout(600_000);
  let dir = '';
  let out = '';
  let iso = '';
  let disk = '';
  let packed: CliResult;

  before(async function () {
    dir = appWith(readFileSync(EXIT_APP, 'utf8'), { name: 'exit' });
    out = tmp('minnow-pack-out-');
    iso = join(out, 'exit.iso');
    disk = join(out, 'images', 'exit.img');
    packed = await cli(['pack', dir, '--iso', iso, '--disk', disk, '--', 'args', 'x', 'y z', 'c$d;e']);
  });

  after(function () {
    killStragglers();
    cleanupTmp();
  });

  it('writes a hybrid ISO (El Torito for BIOS and UEFI) and a disk image of whole MiB', async function () {
    assert.equal(packed.code, 0, show(packed));
    assert.deepEqual(packed.stdout.trim().split('\n'), [iso, disk]);
    assert.match(packed.stderr, /packed exit \(GRUB, Multiboot2; boots by BIOS and UEFI\)/);
    assert.match(packed.stderr, /try it: qemu-system-x86_64 -M q35/);
    const report = await run('xorriso', ['-indev', iso, '-report_el_torito', 'plain'], 60_000);
    assert.match(report.stdout + report.stderr, /El Torito boot img :\s+\d+\s+BIOS/);
    assert.match(report.stdout + report.stderr, /El Torito boot img :\s+\d+\s+UEFI/);
    assert.equal(statSync(disk).size % (1024 * 1024), 0);
    assert.ok(statSync(disk).size >= statSync(iso).size);
  });

  it('the ELF carries a Multiboot2 header GRUB accepts (grub-file)', async function () {
    const r = await run('grub-file', ['--is-x86-multiboot2', join(dir, 'build', 'exit.elf')], 60_000);
    assert.equal(r.status, 0, `grub-file: ${r.stdout}${r.stderr}`);
  });

  it('the ISO holds the very ELF that minnow run boots', async function () {
    const copy = join(tmp(), 'exit.elf');
    const x = await run('xorriso', ['-osirrox', 'on', '-indev', iso, '-extract', '/boot/exit.elf', copy], 60_000);
    assert.equal(x.status, 0, x.stderr);
    assert.ok(readFileSync(copy).equals(readFileSync(join(dir, 'build', 'exit.elf'))), 'the ELF in the ISO differs from build/exit.elf');
  });

  for (const firmware of FIRMWARES) {
    const by = firmware === 'bios' ? 'SeaBIOS' : 'OVMF (UEFI)';
    it(`the ISO boots on q35 by ${by}: main sees its argv and exits 0`, async function () {
      const b = await bootImage({ iso }, firmware);
      assert.match(b.console, /argc=5 \[exit\] \[args\] \[x\] \[y z\] \[c\$d;e\]/, show(b));
      assert.equal(b.exitCode, 0, show(b));
    });

    it(`the disk image boots on q35 by ${by} as a hard disk`, async function () {
      const b = await bootImage({ disk }, firmware);
      assert.match(b.console, /argc=5 \[exit\] \[args\] \[x\] \[y z\] \[c\$d;e\]/, show(b));
      assert.equal(b.exitCode, 0, show(b));
    });
  }

  it('main\'s exit code comes through GRUB (return 42, exit(7) from a thread)', async function () {
    for (const [how, code] of [['return', 42], ['exit', 7]] as const) {
      const img = join(out, `${how}.iso`);
      const r = await cli(['pack', dir, '--no-build', '--iso', img, '--', how, String(code)]);
      assert.equal(r.code, 0, show(r));
      for (const firmware of FIRMWARES) {
        const b = await bootImage({ iso: img }, firmware);
        assert.equal(b.exitCode, code, `${how} ${code} by ${firmware}: ${show(b)}`);
      }
    }
  });

  it('the same ELF still boots by PVH on microvm and on q35', async function () {
    for (const machine of ['microvm', 'q35']) {
      const r = await cli(['run', dir, '--no-build', '--machine', machine, '--', 'args', 'pvh']);
      assert.equal(r.code, 0, `${machine}: ${show(r)}`);
      assert.match(r.stdout, /argc=3 \[exit\] \[args\] \[pvh\]/, `${machine}: ${show(r)}`);
    }
  });

  it('the other CPUs start under GRUB too (the SMP self-test on 2 CPUs)', async function () {
    // the self-test app with its shared header, under a minnow.json of its own
    const root = tmp();
    const smp = join(root, 'smp');
    mkdirSync(join(root, 'common'));
    mkdirSync(smp);
    for (const f of ['check.h']) copyFileSync(join(ROOT, 'test', 'kernel', 'apps', 'common', f), join(root, 'common', f));
    copyFileSync(join(ROOT, 'test', 'kernel', 'apps', 'smp', 'main.c'), join(smp, 'main.c'));
    writeFileSync(join(smp, 'minnow.json'), JSON.stringify({ name: 'smp', sources: ['main.c'], memory: '32M' }));
    const img = join(out, 'smp.iso');
    const r = await cli(['pack', smp, '--iso', img, '--', '2']);
    assert.equal(r.code, 0, show(r));
    const b = await bootImage({ iso: img }, 'bios', 2);
    assert.match(b.console, /PASS smp_all_online/, show(b));
    assert.match(b.console, /DONE: 0 failed/, show(b));
    assert.equal(b.exitCode, 0, show(b));
  });

  it('with no --iso or --disk: build/<name>.iso', async function () {
    const r = await cli(['pack', dir, '--no-build']);
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stdout.trim(), join(dir, 'build', 'exit.iso'));
    assert.ok(statSync(join(dir, 'build', 'exit.iso')).size > 0);
  });

  it('without GRUB: a clear error naming the missing tool and the apt line', async function () {
    const r = await cli(['pack', dir, '--no-build', '--iso', join(out, 'none.iso')], { env: { ...process.env, PATH: pathWithout(['grub-mkrescue']) } });
    assert.equal(r.code, 1, show(r));
    assert.match(r.stderr, /minnow pack needs grub-mkrescue \(grub-common\)/);
    assert.match(r.stderr, /apt-get install .*grub-pc-bin/);
    assert.ok(!existsSync(join(out, 'none.iso')));
  });

  it('refuses arguments GRUB would change (a single quote, a backslash), naming them', async function () {
    for (const [arg, what] of [["it's", 'a single quote'], ['a\\b', 'a backslash']]) {
      const r = await cli(['pack', dir, '--no-build', '--iso', join(out, 'bad.iso'), '--', arg]);
      assert.equal(r.code, 1, show(r));
      assert.match(r.stderr, new RegExp(`contains ${what}, which GRUB cannot pass`), show(r));
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'a stack trace');
    }
  });

  it('--no-build before any build: says to build first', async function () {
    const fresh = appWith(readFileSync(EXIT_APP, 'utf8'), { name: 'exit' });
    const r = await cli(['pack', fresh, '--no-build']);
    assert.equal(r.code, 1, show(r));
    assert.match(r.stderr, /the kernel image .*exit\.elf does not exist/);
    assert.match(r.stderr, /Build it first/);
  });
});
