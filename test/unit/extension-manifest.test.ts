// The extension's package.json contributions agree with DESIGN.md and with the code: every
// launch/attach attribute has a schema entry with a description, every contributed command is
// registered by extension/extension.ts, the files the manifest points at exist, and the Kernel
// view's parser copes with the adapter's answer (and with partial ones).

import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { cpuGroups, deviceRow, parseKernelInfo, formatBytes, formatOpenFlags, ifaceRows, socketDetail, socketLabel } from '../../extension/kernelInfo';
import { ATTRIBUTES, checkAttributes } from '../../debug-adapter/attributes';
import { syncedPackage } from '../../scripts/sync-schema';

const REPO = resolve(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));

describe('extension manifest', () => {
  const dbg = pkg.contributes.debuggers.find((d: { type: string }) => d.type === 'minnow');

  it('describes every launch and attach attribute of DESIGN.md', () => {
    const launch = dbg.configurationAttributes.launch.properties;
    for (const a of ['app', 'stopOnEntry', 'gdbstub', 'accel', 'build', 'qemuPath', 'gdbPath', 'qemuArgs', 'gdbCommands']) {
      assert.ok(launch[a], `launch.${a}`);
      assert.ok(launch[a].description, `launch.${a} has a description`);
      assert.ok('default' in launch[a], `launch.${a} has a default`);
    }
    assert.deepEqual(launch.gdbstub.enum, ['kernel', 'qemu']);
    assert.deepEqual(launch.accel.enum, ['auto', 'tcg', 'kvm']);
    const attach = dbg.configurationAttributes.attach.properties;
    for (const a of ['target', 'program']) assert.ok(attach[a]?.description, `attach.${a}`);
    assert.ok(dbg.initialConfigurations.length > 0 && dbg.configurationSnippets.length > 0);
  });

  it('has the launch attributes of debug-adapter/attributes.ts, and nothing else (npm run build syncs them)', () => {
    const text = readFileSync(join(REPO, 'package.json'), 'utf8');
    assert.equal(syncedPackage(text), text, 'package.json is out of date: run npm run build');
    assert.ok(dbg.configurationAttributes.launch.properties.trace, 'trace is documented for launch');
    assert.deepEqual(dbg.configurationAttributes.attach.required, ['target', 'program']);
  });

  it('checks launch.json values against the same table, naming the attribute and the fix', () => {
    const message = (request: 'launch' | 'attach', args: object): string => {
      try {
        checkAttributes(request, args);
        return '';
      } catch (e) {
        return `${(e as Error).message} ${(e as { fix?: string }).fix ?? ''}`;
      }
    };
    assert.equal(message('launch', { app: '/x', accel: 'tcg', qemuArgs: ['-m', '64'], trace: true, name: 'extra is fine' }), '');
    assert.match(message('launch', { gdbstub: 'bogus' }), /"gdbstub" is "bogus".*Use "kernel" or "qemu"/);
    assert.match(message('launch', { accel: 'fast' }), /"accel" is "fast".*"auto", "tcg" or "kvm"/);
    assert.match(message('launch', { stopOnEntry: 'yes' }), /"stopOnEntry" must be true or false/);
    assert.match(message('launch', { qemuArgs: '-m 64' }), /"qemuArgs" must be an array of strings/);
    assert.match(message('launch', { app: 7 }), /"app" must be a string/);
    assert.match(message('attach', { program: '/x.elf' }), /"target" is missing/);
    assert.match(message('attach', { target: 'localhost', program: '/x.elf' }), /"target" is "localhost".*minnow debug/);
    assert.equal(message('attach', { target: '127.0.0.1:1234', program: '/x.elf' }), '');
    // an attribute of the other request is not checked here (VS Code's schema flags it)
    assert.equal(message('attach', { target: '127.0.0.1:1', program: '/x', gdbstub: 'bogus' }), '');
    for (const [name, a] of Object.entries(ATTRIBUTES)) assert.ok(a.description.length > 10, `${name} is described`);
  });

  it('allows breakpoints in C and assembly', () => {
    const langs = pkg.contributes.breakpoints.map((b: { language: string }) => b.language);
    assert.ok(langs.includes('c'));
    assert.ok(langs.includes('asm'));
    // VS Code has no language for .S files: the extension contributes one, or no breakpoints there
    const asm = pkg.contributes.languages.find((l: { id: string }) => l.id === 'asm');
    assert.ok(asm.extensions.includes('.S'));
  });

  it('registers every contributed command', () => {
    const code = ['extension.ts'].map((f) => readFileSync(join(REPO, 'extension', f), 'utf8')).join('\n');
    for (const c of pkg.contributes.commands as Array<{ command: string }>) {
      assert.ok(code.includes(`'${c.command}'`), `${c.command} is registered`);
    }
  });

  it('points at files that exist', () => {
    for (const s of pkg.contributes.snippets) assert.ok(existsSync(join(REPO, s.path)), s.path);
    for (const j of pkg.contributes.jsonValidation) assert.ok(existsSync(join(REPO, j.url)), j.url);
    for (const w of pkg.contributes.walkthroughs) {
      for (const step of w.steps) assert.ok(existsSync(join(REPO, step.media.markdown)), step.media.markdown);
    }
    assert.ok(existsSync(join(REPO, pkg.icon)), pkg.icon);
  });

  it('has the settings of issue 5', () => {
    const props = pkg.contributes.configuration.properties;
    for (const s of ['minnow.qemuPath', 'minnow.gdbPath', 'minnow.accel', 'minnow.kernelPath']) assert.ok(props[s], s);
  });
});

describe('Kernel view: parseKernelInfo', () => {
  it('reads the adapter answer', () => {
    const info = parseKernelInfo({
      threads: [
        { id: 1, name: 'main', state: 'blocked', waitReason: 'join', stackUsed: 16, stackSize: 65536 },
        { id: 2, name: 'idle', state: 'ready', stackUsed: 80, stackSize: 16384 },
      ],
      heap: { arenas: 1, arenaBytes: 65536, usedBytes: 1331, usedBlocks: 3, freeBytes: 64000, freeBlocks: 1 },
      devices: [{ name: 'virtio-blk0', deviceId: 2, claimed: true, irqCount: 7 }],
      files: [
        { fd: 0, kind: 'console', label: 'console (COM1)', refs: 3, flags: 2 },
        { fd: 4, kind: 'socket', label: 'tcp 10.0.2.15:80', refs: 1, flags: 2 },
        { fd: 5, kind: '9p', label: '/www/index.html', refs: 1, flags: 0o2001, offset: 93 },
        { kind: 'no fd' },
      ],
      mounts: [
        { path: '/', fs: 'ramfs', source: 'ramfs', readOnly: false, opens: 2 },
        { path: '/www', fs: '9p', source: '9p tag m0', readOnly: true, opens: 1, host: '/home/u/app/www' },
        { fs: 'fat' },
      ],
      missing: [],
    });
    assert.deepEqual(info.files, [
      { fd: 0, kind: 'console', label: 'console (COM1)', flags: 2 },
      { fd: 4, kind: 'socket', label: 'tcp 10.0.2.15:80', flags: 2 },
      { fd: 5, kind: '9p', label: '/www/index.html', flags: 0o2001, offset: 93 },
    ]);
    assert.deepEqual(info.mounts, [
      { path: '/', fs: 'ramfs', source: 'ramfs', readOnly: false, opens: 2 },
      { path: '/www', fs: '9p', source: '9p tag m0', readOnly: true, opens: 1, host: '/home/u/app/www' },
    ]);
    assert.equal(formatOpenFlags(0o2001), 'O_WRONLY|O_APPEND');
    assert.equal(formatOpenFlags(0o4002), 'O_RDWR|O_NONBLOCK');
    assert.equal(formatOpenFlags(0), 'O_RDONLY');
    assert.equal(info.threads.length, 2);
    assert.equal(info.threads[0].waitReason, 'join');
    assert.deepEqual(info.heap, { used: 1331, total: 65536 });
    assert.deepEqual(info.devices[0], { name: 'virtio-blk0', kind: 'virtio-blk', detail: '7 interrupts' });
    // named by type, the address after it
    assert.deepEqual(deviceRow({ name: 'virtio-mmio@0xfeb00c00', kind: 'virtio-net', detail: '3 interrupts' }), { label: 'virtio-net', description: 'virtio-mmio@0xfeb00c00 · 3 interrupts' });
    assert.deepEqual(deviceRow({ name: 'virtio-mmio@0xfeb00e00', kind: '' }), { label: 'virtio-mmio@0xfeb00e00', description: undefined });
  });

  it('survives partial and malformed answers', () => {
    const info = parseKernelInfo({ threads: [{ name: 'no id' }, null, { id: 3 }], devices: 'x', missing: ['devices: no symbol', 4] });
    assert.deepEqual(info.threads.map((t) => t.name), ['thread 3']);
    assert.deepEqual(info.devices, []);
    assert.deepEqual(info.mounts, []);
    assert.equal(info.heap, undefined);
    assert.deepEqual(info.missing, ['devices: no symbol']);
    assert.deepEqual(parseKernelInfo(undefined).threads, []);
    // no virtio linked: the device table does not exist, which is not worth a warning
    const none = parseKernelInfo({ threads: [], devices: [], missing: ['devices: /tmp/x/devices.gdb:1: Error in sourced command file:\nNo symbol "virtio_devices" in current context.'] });
    assert.deepEqual(none.missing, []);
  });

  it('reads the sockets and the interface, and formats their rows', () => {
    const info = parseKernelInfo({
      threads: [],
      sockets: [
        { slot: 0, fd: 3, proto: 'tcp', state: 'LISTEN', local: '0.0.0.0:7', remote: '0.0.0.0:0', rxQueued: 0, txQueued: 0, retransmits: 0, backlog: 1, backlogMax: 128 },
        { slot: 1, fd: 4, proto: 'tcp', state: 'ESTABLISHED', local: '10.0.2.15:7', remote: '10.0.2.2:40312', rxQueued: 19, txQueued: 2048, retransmits: 1, backlog: 0, backlogMax: 0, sndWnd: 65535, rcvWnd: 5840, mss: 1460 },
        { slot: 2, fd: -1, proto: 'tcp', state: 'TIME_WAIT', local: '10.0.2.15:7', remote: '10.0.2.2:40300' },
        { proto: 'udp', state: 'UDP' },
        'x',
      ],
      iface: { up: true, mac: '52:54:00:12:34:56', address: '10.0.2.15', mask: '255.255.255.0', gateway: '10.0.2.2', dns: '10.0.2.3', mtu: 1500, rxFrames: 12, txFrames: 9, rxBytes: 3000, txBytes: 1500, rxDropped: 0, txDropped: 2, txQueued: 1, config: 'dhcp', timeWait: { count: 1024, max: 1024, recycled: 300, reused: 4 } },
      socketsUnlisted: 2,
      missing: [],
    });
    assert.deepEqual(info.sockets?.map(socketLabel), ['tcp 0.0.0.0:7', 'tcp 10.0.2.15:7 → 10.0.2.2:40312', 'tcp 10.0.2.15:7 → 10.0.2.2:40300']);
    assert.deepEqual(info.sockets?.[1], { proto: 'tcp', state: 'ESTABLISHED', local: '10.0.2.15:7', remote: '10.0.2.2:40312', fd: 4, rxQueued: 19, txQueued: 2048, retransmits: 1, backlog: 0, backlogMax: 0, sndWnd: 65535, rcvWnd: 5840, mss: 1460 });
    assert.equal(info.socketsUnlisted, 2);
    assert.equal(socketDetail(info.sockets![0]), '1 of 128 waiting for accept, fd 3');
    assert.equal(socketDetail(info.sockets![1]), 'rx queued 19 B, tx queued 2.0 KiB, 1 retransmit, windows 64 KiB out, 5.7 KiB in, mss 1460, fd 4');
    assert.equal(socketDetail(info.sockets![2]), 'no descriptor');
    assert.equal(info.iface?.address, '10.0.2.15');
    assert.equal(info.iface?.rxFrames, 12);
    const rows = ifaceRows(info.iface!);
    assert.deepEqual(rows.map((r) => [r.label, r.description]), [
      ['10.0.2.15/24', 'gateway 10.0.2.2 · dns 10.0.2.3 · dhcp'],
      ['MAC 52:54:00:12:34:56', 'MTU 1500'],
      ['received', '12 frames · 2.9 KiB'],
      ['sent', '9 frames · 1.5 KiB · 2 dropped · 1 waiting'],
      ['TIME_WAIT', '1024 of 1024 · 300 recycled · 4 reused'],
    ]);
    assert.equal(ifaceRows({ up: false, address: '0.0.0.0' })[0].label, 'no address');
    // a kernel without the "net" component: no groups, and nothing missing
    const none = parseKernelInfo({ threads: [], missing: [] });
    assert.equal(none.sockets, undefined);
    assert.equal(none.iface, undefined);
    assert.equal(none.socketsUnlisted, undefined);
    assert.deepEqual(parseKernelInfo({ sockets: 'x', iface: { up: true } }).sockets, undefined);
    assert.equal(parseKernelInfo({ sockets: [], iface: { up: true } }).iface, undefined);
    assert.deepEqual(parseKernelInfo({ sockets: [] }).sockets, []);
  });

  it('groups threads by CPU on several CPUs, the running one first; one CPU keeps the flat list', () => {
    const info = parseKernelInfo({
      threads: [
        { id: 1, name: 'main', state: 'running', cpu: 0, onCpu: 0 },
        { id: 2, name: 'idle', state: 'ready', cpu: 0, onCpu: 0 },
        { id: 3, name: 'idle1', state: 'ready', cpu: 1, onCpu: 1 },
        { id: 4, name: 'worker', state: 'blocked', waitReason: 'wait queue jobs', cpu: 1, onCpu: 1 },
        // handed to CPU 2's scheduler, still running on CPU 1: shown where it runs
        { id: 5, name: 'mover', state: 'running', cpu: 2, onCpu: 1 },
        { id: 6, name: 'idle2', state: 'running', cpu: 2, onCpu: 2 },
        { id: 7, name: 'old', state: 'ready' },
      ],
      cpus: [
        { id: 0, apicId: 0, online: true, current: 1, idle: 2, trapDepth: 1, switches: 12, wakeIpis: 0 },
        { id: 1, apicId: 1, online: true, current: 5, idle: 3, trapDepth: 2, switches: 1, wakeIpis: 3, irqs: 40 },
        { id: 2, apicId: 2, online: true, current: 6, idle: 6, trapDepth: 0, switches: 0, wakeIpis: 1 },
        { id: 3, apicId: 3, online: false, trapDepth: 0, switches: 0, wakeIpis: 0 },
        { apicId: 9 },
      ],
      missing: [],
    });
    assert.equal(info.threads[4].onCpu, 1);
    assert.deepEqual(info.cpus[1], { id: 1, apicId: 1, online: true, current: 5, idle: 3, trapDepth: 2, switches: 1, wakeIpis: 3, irqs: 40 });
    const by = cpuGroups(info)!;
    assert.deepEqual(
      by.groups.map((g) => [g.label, g.running?.name, g.threads.map((t) => t.name), g.description]),
      [
        ['CPU 0', 'main', ['main', 'idle'], 'running main · 2 threads · 12 switches'],
        ['CPU 1', 'mover', ['mover', 'idle1', 'worker'], 'running mover · 3 threads · in a trap handler · 1 switch · 3 wake IPIs · 40 device interrupts'],
        ['CPU 2', 'idle2', ['idle2'], 'running idle2 · 1 thread · 0 switches · 1 wake IPI'],
        ['CPU 3', undefined, [], 'offline · 0 threads · 0 switches'],
      ],
    );
    assert.deepEqual(by.others.map((t) => t.name), ['old']);
    // one CPU, or an adapter that does not say: the flat list
    assert.equal(cpuGroups({ ...info, cpus: info.cpus.slice(0, 1) }), undefined);
    assert.equal(cpuGroups(parseKernelInfo({ threads: [{ id: 1, name: 'main', state: 'running' }] })), undefined);
  });

  it('formats sizes', () => {
    assert.equal(formatBytes(80), '80 B');
    assert.equal(formatBytes(1331), '1.3 KiB');
    assert.equal(formatBytes(65536), '64 KiB');
    assert.equal(formatBytes(8 * 1024 * 1024), '8.0 MiB');
  });
});
