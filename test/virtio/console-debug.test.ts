// Two virtio consoles on one microvm: the gdbstub's own (its default transport there, the first
// virtio device, so the highest MMIO slot) and the application's (test/virtio/apps/vconsole,
// through the kernel's virtio_console driver). The stub must take only its own, the driver only
// the other: gdb stops, interrupts and resumes the kernel while the application echoes bytes
// on its console, and neither stream sees the other's bytes.

import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { freePort, LOCALHOST, startQemu } from '../../target';
import type { QemuInstance } from '../../target';
import { Gdb } from '../gdbstub/gdbmi';
import { buildOnce, describeExit } from './helpers';

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    let tries = 0;
    const attempt = (): void => {
      const s = net.connect(port, LOCALHOST);
      s.once('connect', () => resolve(s));
      s.once('error', (e) => (++tries < 50 ? setTimeout(attempt, 100) : reject(e)));
    };
    attempt();
  });
}

/** Collects what the application's console sends; `until` waits for a text. */
function reader(sock: net.Socket): { until(text: string, timeoutMs?: number): Promise<string> } {
  let got = '';
  const waiters: Array<() => void> = [];
  sock.on('data', (d: Buffer) => {
    got += d.toString('latin1');
    waiters.splice(0).forEach((w) => w());
  });
  return {
    until(text, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`the app's console sent ${JSON.stringify(got)}, not ${JSON.stringify(text)}`)), timeoutMs);
        const check = (): void => {
          if (got.includes(text)) {
            clearTimeout(t);
            resolve(got);
          } else waiters.push(check);
        };
        check();
      });
    },
  };
}

describe("virtio-console beside the gdbstub's own virtio console", function () {
  this.timeout(180_000);
  let qemu: QemuInstance | undefined;
  let gdb: Gdb | undefined;
  let sock: net.Socket | undefined;

  after(async () => {
    sock?.destroy();
    gdb?.kill();
    await qemu?.kill();
  });

  it('gdb stops and resumes the kernel while the application echoes on its own console (microvm)', async () => {
    const elf = await buildOnce('test/virtio/apps/vconsole');
    const appPort = await freePort();
    let consoleText = '';
    qemu = await startQemu({
      elf, machine: 'microvm', accel: 'tcg', memory: '32M', name: 'vconsole', argv: [],
      gdbstub: { kind: 'kernel', wait: true },
      devices: { components: ['virtio_console'], virtioConsolePort: appPort },
      onConsole: (t) => (consoleText += t),
      timeoutMs: 150_000,
    });
    const append = qemu.command[qemu.command.indexOf('-append') + 1];
    assert.match(append, /minnow\.gdb\.transport=virtio/, 'the default transport on microvm');

    const g = (gdb = new Gdb(elf));
    await g.cmd('-gdb-set mi-async on');
    await g.cli('set confirm off');
    await g.cli(`target remote 127.0.0.1:${qemu.port}`);
    assert.match(await g.cli('info threads'), /"main"/);
    await g.cli('break vconsole_write');
    g.clearStops();
    await g.cmd('-exec-continue');

    sock = await connect(appPort);
    const rd = reader(sock);
    await new Promise<void>((resolve) => {
      const wait = (): void => (consoleText.includes('vconsole: ready') ? resolve() : void setTimeout(wait, 50));
      wait();
    });
    sock.write('ping\n');
    // the echo goes through vconsole_write: the breakpoint there stops the kernel first
    const stop = await g.nextStop();
    assert.match(stop, /func="vconsole_write"/, `${stop}\n${g.log.slice(-2000)}`);
    assert.match(await g.cli('bt'), /vconsole_write[\s\S]*main/);
    await g.cli('delete');
    await g.cmd('-exec-continue');
    await rd.until('PING\n');

    // a running kernel, blocked reading its console, is interrupted through the stub's console
    await new Promise((r) => setTimeout(r, 200));
    g.clearStops();
    await g.cmd('-exec-interrupt');
    const paused = await g.nextStop();
    assert.match(paused, /signal-name="SIGINT"/, paused);
    assert.match(await g.cli('info threads'), /"main" \(blocked/);
    await g.cmd('-exec-continue');

    sock.write('second\n');
    await rd.until('SECOND\n');
    sock.write(Buffer.from([4]));
    await rd.until('bye\n');
    const exit = await qemu.exited;
    assert.equal(exit.appExitCode, 0, describeExit(exit, consoleText));
    assert.match(consoleText, /vconsole: echoed 12 bytes/);
  });
});
