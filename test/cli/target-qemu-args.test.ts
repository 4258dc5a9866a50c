// The pure parts of the QEMU runner: the command line of the run contract, the kernel command
// line, the exit-status mapping, and the KVM decision.

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ATTRIBUTES } from '../../debug-adapter/attributes';
import { MINNOW_SCHEMA } from '../../target/schema';
import { buildQemuArgs, CPUS_MAX, kernelCmdline, mapExit, MinnowError, probeKvm, resolveAccel, type KvmProbe } from '../../target';
import { cleanupTmp, tmp } from './helpers';

function argAfter(args: string[], flag: string): string[] {
  return args.flatMap((a, i) => (a === flag ? [args[i + 1]] : []));
}

describe('target: QEMU command line', () => {
  after(cleanupTmp);
  const base = { elf: '/a/app.elf', accel: 'tcg' as const, memory: '8M', name: 'app', argv: ['x', 'y z'] };

  it('boots microvm per the run contract', () => {
    const args = buildQemuArgs({ ...base, machine: 'microvm' });
    assert.deepEqual(argAfter(args, '-M'), ['microvm,pic=off,pit=off,rtc=off,acpi=off,x-option-roms=off,auto-kernel-cmdline=off']);
    assert.deepEqual(argAfter(args, '-kernel'), ['/a/app.elf']);
    assert.deepEqual(argAfter(args, '-append'), ['minnow.name=app x "y z"']);
    assert.deepEqual(argAfter(args, '-serial'), ['stdio']);
    assert.deepEqual(argAfter(args, '-accel'), ['tcg']);
    assert.deepEqual(argAfter(args, '-m'), ['8M']);
    assert.ok(args.includes('-nodefaults') && args.includes('-no-reboot') && args.includes('-nographic'));
    assert.deepEqual(argAfter(args, '-device'), ['isa-debug-exit,iobase=0xf4,iosize=0x04']);
  });

  it('uses -cpu max under TCG and -cpu host under KVM', () => {
    assert.deepEqual(argAfter(buildQemuArgs({ ...base, machine: 'microvm' }), '-cpu'), ['max']);
    assert.deepEqual(argAfter(buildQemuArgs({ ...base, machine: 'microvm', accel: 'kvm' }), '-cpu'), ['host']);
    assert.deepEqual(argAfter(buildQemuArgs({ ...base, machine: 'microvm', accel: 'kvm', cpu: 'host,-arch-capabilities' }), '-cpu'), ['host,-arch-capabilities']);
  });

  it('boots one CPU by default, and N with -smp N and a host thread per CPU under TCG', () => {
    const one = buildQemuArgs({ ...base, machine: 'microvm' });
    assert.deepEqual(argAfter(one, '-smp'), []);
    const four = buildQemuArgs({ ...base, machine: 'microvm', cpus: 4 });
    assert.deepEqual(argAfter(four, '-smp'), ['4']);
    assert.deepEqual(argAfter(four, '-accel'), ['tcg,thread=multi']);
    assert.deepEqual(argAfter(buildQemuArgs({ ...base, machine: 'q35', accel: 'kvm', cpus: 2 }), '-accel'), ['kvm']);
  });

  it("knows the kernel's CPU limit: CPUS_MAX is CPU_MAX, and minnow.json's and launch.json's maximum", () => {
    const header = readFileSync(join(__dirname, '../../kernel/include/kernel/percpu.h'), 'utf8');
    assert.equal(Number(/#define CPU_MAX (\d+)/.exec(header)?.[1]), CPUS_MAX);
    assert.equal(MINNOW_SCHEMA.properties?.cpus?.maximum, CPUS_MAX);
    assert.equal(ATTRIBUTES.cpus.maximum, CPUS_MAX);
  });

  it('puts the kernel gdbstub on a virtio console of its own on microvm by default', () => {
    const args = buildQemuArgs({ ...base, machine: 'microvm', gdbstub: { kind: 'kernel', port: 4321, wait: true } });
    assert.deepEqual(argAfter(args, '-chardev'), ['socket,id=gdb,host=127.0.0.1,port=4321,server=on,wait=off,nodelay=on']);
    const devices = argAfter(args, '-device');
    assert.ok(devices.includes('virtio-serial-device,id=gdb-serial'));
    assert.ok(devices.includes('virtconsole,chardev=gdb,bus=gdb-serial.0'));
    assert.ok(!devices.some((d) => d.startsWith('isa-serial')));
    assert.deepEqual(argAfter(args, '-global'), ['virtio-mmio.force-legacy=false']);
    assert.match(argAfter(args, '-append')[0], /^minnow\.name=app minnow\.gdb=wait minnow\.gdb\.transport=virtio x/);
  });

  it("puts the stub's virtio console before the application's virtio devices (it takes the highest slot)", () => {
    const args = buildQemuArgs({
      ...base,
      machine: 'microvm',
      gdbstub: { kind: 'kernel', port: 4321, wait: false },
      devices: { components: ['virtio_console', 'virtio_blk'], disk: { image: '/d/disk.img', format: 'raw', readOnly: false } },
    });
    const devices = argAfter(args, '-device');
    const stub = devices.indexOf('virtio-serial-device,id=gdb-serial');
    assert.ok(stub >= 0 && devices.findIndex((d) => d.startsWith('virtio-')) === stub, devices.join(' '));
    assert.ok(devices.includes('virtconsole,chardev=vcon,bus=vcon-serial.0'));
    assert.deepEqual(argAfter(args, '-global'), ['virtio-mmio.force-legacy=false'], 'given once');
  });

  it('puts the kernel gdbstub on COM2 as an isa-serial on microvm with transport com2', () => {
    const args = buildQemuArgs({ ...base, machine: 'microvm', gdbstub: { kind: 'kernel', port: 4321, wait: true, transport: 'com2' } });
    assert.deepEqual(argAfter(args, '-chardev'), ['socket,id=gdb,host=127.0.0.1,port=4321,server=on,wait=off,nodelay=on']);
    assert.ok(argAfter(args, '-device').includes('isa-serial,chardev=gdb,index=1'));
    assert.ok(!argAfter(args, '-device').some((d) => d.startsWith('virtio')));
    assert.match(argAfter(args, '-append')[0], /^minnow\.name=app minnow\.gdb=wait x/);
  });

  it('refuses the virtio transport on q35, naming the fix', () => {
    assert.throws(
      () => buildQemuArgs({ ...base, machine: 'q35', gdbstub: { kind: 'kernel', port: 4321, wait: false, transport: 'virtio' } }),
      (e: MinnowError) =>
        /virtio transport needs the microvm machine/.test(e.message) && /--gdb-transport com2/.test(e.fixFor('cli')) && /"gdbTransport": "com2" in launch\.json/.test(e.fixFor('launch')),
    );
  });

  it('uses qboot and a second -serial on q35', () => {
    const args = buildQemuArgs({ ...base, machine: 'q35', qbootRom: '/q/qboot.rom', gdbstub: { kind: 'kernel', port: 4321, wait: false } });
    assert.deepEqual(argAfter(args, '-M'), ['q35']);
    assert.deepEqual(argAfter(args, '-bios'), ['/q/qboot.rom']);
    assert.deepEqual(argAfter(args, '-serial'), ['stdio', 'chardev:gdb']);
    assert.doesNotMatch(argAfter(args, '-append')[0], /minnow\.gdb/);
  });

  it("starts QEMU's own stub frozen with -S", () => {
    const args = buildQemuArgs({ ...base, machine: 'microvm', gdbstub: { kind: 'qemu', port: 1234, wait: true } });
    assert.deepEqual(argAfter(args, '-gdb'), ['tcp:127.0.0.1:1234']);
    assert.ok(args.includes('-S'));
    assert.deepEqual(argAfter(args, '-chardev'), []);
  });

  it('appends extra arguments last and adds virtio devices for the drivers', () => {
    const args = buildQemuArgs({
      ...base,
      machine: 'microvm',
      extraArgs: ['-smp', '1'],
      devices: { components: ['virtio_blk', 'virtio_net'], disk: { image: '/d/disk.img', format: 'raw', readOnly: false }, network: { backend: 'user', hostForwards: ['tcp:8080-80'] } },
    });
    assert.deepEqual(args.slice(-2), ['-smp', '1']);
    assert.ok(argAfter(args, '-device').includes('virtio-blk-device,drive=disk0'));
    assert.deepEqual(argAfter(args, '-netdev'), ['user,id=net0,hostfwd=tcp:127.0.0.1:8080-:80']);
  });

  it('connects virtio_net to a dgram backend on 127.0.0.1', () => {
    const args = buildQemuArgs({ ...base, machine: 'q35', devices: { components: ['virtio_net'], network: { backend: 'dgram', hostForwards: [], localPort: 5001, remotePort: 5002 } } });
    assert.deepEqual(argAfter(args, '-netdev'), ['dgram,id=net0,local.type=inet,local.host=127.0.0.1,local.port=5001,remote.type=inet,remote.host=127.0.0.1,remote.port=5002']);
    assert.ok(argAfter(args, '-device').includes('virtio-net-pci,netdev=net0,romfile='));
  });

  it('refuses what the kernel command line cannot carry', () => {
    assert.throws(() => kernelCmdline({ argv: ['a"b'] }), MinnowError);
    assert.throws(() => kernelCmdline({ argv: ['x'.repeat(2000)] }), /at most 1023/);
    assert.equal(kernelCmdline({ argv: ['', 'tab\there'] }), '"" "tab\there"');
  });
});

describe('target: exit status mapping', () => {
  it('maps (v << 1) | 1 back to the exit code v', () => {
    for (const v of [0, 1, 3, 42, 125]) {
      const e = mapExit({ status: (v << 1) | 1, signal: null, stderrTail: '' });
      assert.equal(e.reason, 'exit');
      assert.equal(e.appExitCode, v);
      assert.equal(e.crashed, false);
    }
  });

  it('reports v = 126 as the debugger\'s kill, not a crash', () => {
    const e = mapExit({ status: (126 << 1) | 1, signal: null, stderrTail: '' });
    assert.equal(e.reason, 'killed-by-debugger');
    assert.equal(e.crashed, false);
    assert.equal(e.appExitCode, undefined);
    assert.equal(e.summary, 'ended by the debugger (kill)');
  });

  it('reports v = 127 as a kernel crash', () => {
    const e = mapExit({ status: 255, signal: null, stderrTail: '' });
    assert.equal(e.reason, 'crash');
    assert.equal(e.crashed, true);
    assert.equal(e.appExitCode, undefined);
  });

  it('reports an even status as a VM that ended without the exit device', () => {
    const e = mapExit({ status: 0, signal: null, stderrTail: '' });
    assert.equal(e.reason, 'no-exit-device');
    assert.equal(e.appExitCode, undefined);
  });

  it('tells a QEMU error from exit code 0', () => {
    const e = mapExit({ status: 1, signal: null, stderrTail: 'qemu-system-x86_64: -m 1Q: Parameter size expects a size\n' });
    assert.equal(e.reason, 'qemu-error');
    assert.match(e.summary, /Parameter size/);
    const w = mapExit({ status: 1, signal: null, stderrTail: 'qemu-system-x86_64: warning: something\n' });
    assert.equal(w.reason, 'exit');
    assert.equal(w.appExitCode, 0);
  });

  it('reports signals and timeouts', () => {
    assert.equal(mapExit({ status: null, signal: 'SIGKILL', stderrTail: '' }).reason, 'killed');
    assert.equal(mapExit({ status: null, signal: 'SIGTERM', stderrTail: '', timedOut: true }).reason, 'timeout');
    // QEMU catches SIGTERM and exits with status 0: not "the VM ended without an exit code"
    const caught = mapExit({ status: 0, signal: null, stderrTail: 'qemu-system-x86_64: terminating on signal 15 from pid 7 (node)\n' });
    assert.equal(caught.reason, 'killed');
    assert.equal(caught.signal, 'SIGTERM');
  });
});

describe('target: accelerator choice', () => {
  const probe = (devKvm: boolean, cpuFlag: boolean) => (): KvmProbe => ({ devKvm, cpuFlag, usable: devKvm && cpuFlag, why: 'test' });

  it('auto picks KVM only when /dev/kvm works and the CPU has vmx/svm', () => {
    assert.equal(resolveAccel('auto', probe(true, true)), 'kvm');
    assert.equal(resolveAccel('auto', probe(true, false)), 'tcg');
    assert.equal(resolveAccel('auto', probe(false, true)), 'tcg');
    assert.equal(resolveAccel('tcg', probe(true, true)), 'tcg');
  });

  it('refuses an explicit kvm without /dev/kvm, with the fix', () => {
    assert.throws(() => resolveAccel('kvm', probe(false, false)), (e: MinnowError) => e instanceof MinnowError && /--accel tcg/.test(e.fix) && /"accel": "tcg" \(or "auto"\) in launch\.json/.test(e.fixFor('launch')));
    assert.equal(resolveAccel('kvm', probe(true, false)), 'kvm');
  });

  it('reads the vmx/svm flag from cpuinfo', () => {
    const dir = tmp();
    const dev = join(dir, 'kvm');
    writeFileSync(dev, '');
    const noFlag = join(dir, 'cpuinfo1');
    writeFileSync(noFlag, 'processor\t: 0\nflags\t\t: fpu vme de pse hypervisor\n');
    const withFlag = join(dir, 'cpuinfo2');
    writeFileSync(withFlag, 'processor\t: 0\nflags\t\t: fpu vme vmx de\n');
    assert.equal(probeKvm(dev, noFlag).usable, false);
    assert.equal(probeKvm(dev, withFlag).usable, true);
    assert.equal(probeKvm(join(dir, 'none'), withFlag).usable, false);
  });

  it('on this machine auto means TCG unless the CPU really has vmx/svm', () => {
    const p = probeKvm();
    assert.equal(resolveAccel('auto'), p.usable ? 'kvm' : 'tcg');
  });
});
