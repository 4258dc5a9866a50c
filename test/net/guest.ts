// Booting a network application of the kernel for a test: the folder (an example, or one of
// test/net/apps) built once per run into a temporary folder, then booted under QEMU (TCG) with
// QEMU's user network and a free 127.0.0.1 port forwarded to each guest port the test names.
// The tests then talk to 127.0.0.1:<port> with Node's net and dgram modules: real peers.

import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { buildApp, freePort, loadApp, qemuOptionsFor, startQemu, type AppConfig, type QemuInstance } from '../../target';

export const ROOT = resolve(__dirname, '..', '..');

const builds = new Map<string, Promise<AppConfig>>();

/** The application in `dir` (relative to the repository) copied and built, once per run. */
export function buildGuest(dir: string): Promise<AppConfig> {
  let p = builds.get(dir);
  if (!p) {
    p = (async () => {
      const copy = join(mkdtempSync(join(tmpdir(), 'minnow-net-')), basename(dir));
      cpSync(resolve(ROOT, dir), copy, { recursive: true, filter: (src) => basename(src) !== 'build' });
      const app = loadApp(copy);
      let log = '';
      await buildApp(app, { onOutput: (t) => (log += t) }).catch((e: Error) => {
        throw new Error(`building ${dir} failed: ${e.message}\n${log.slice(-4000)}`);
      });
      return app;
    })();
    builds.set(dir, p);
  }
  return p;
}

export interface Guest {
  qemu: QemuInstance;
  /** host port forwarded to each guest port asked for, by "tcp:7" / "udp:7" */
  ports: Record<string, number>;
  output(): string;
  /** true once QEMU exited (a crash, a panic, or the program returned) */
  gone(): boolean;
  /** Waits until the console matches `re` (or the VM exits, or timeoutMs passes). */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  stop(): Promise<void>;
}

export interface GuestOptions {
  /** guest ports to forward, e.g. ["tcp:7", "udp:7"] */
  forward?: string[];
  argv?: string[];
  /** console line that says the guest is ready */
  ready?: RegExp;
  /** instead of QEMU's user network: a dgram netdev to these UDP ports (test/net/relay.ts) */
  dgram?: { localPort: number; remotePort: number };
  /** the kernel's gdbstub on a free port (guest.qemu.port); wait: stop before main for gdb */
  gdbstub?: { wait: boolean };
}

export async function startGuest(dir: string, opts: GuestOptions = {}): Promise<Guest> {
  const app = await buildGuest(dir);
  const base = qemuOptionsFor(app);
  const ports: Record<string, number> = {};
  const hostForwards: string[] = [];
  for (const f of opts.forward ?? []) {
    const [proto, guestPort] = f.split(':');
    const port = await freePort();
    ports[f] = port;
    hostForwards.push(`${proto}:${port}-${guestPort}`);
  }
  let text = '';
  const qemu = await startQemu({
    ...base,
    accel: 'tcg',
    argv: opts.argv ?? base.argv,
    gdbstub: opts.gdbstub ? { kind: 'kernel', port: 0, wait: opts.gdbstub.wait } : undefined,
    devices: {
      ...base.devices,
      network: opts.dgram ? { backend: 'dgram', hostForwards: [], ...opts.dgram } : { backend: 'user', hostForwards },
    },
    onConsole: (t) => (text += t),
    onStderr: (t) => (text += t),
  });
  let gone = false;
  void qemu.exited.then(() => (gone = true));
  const waitFor = async (re: RegExp, timeoutMs = 60000): Promise<RegExpMatchArray> => {
    const t0 = Date.now();
    for (;;) {
      const m = re.exec(text);
      if (m) return m;
      if (gone) throw new Error(`the guest exited before printing ${re}:\n${text}`);
      if (Date.now() - t0 > timeoutMs) throw new Error(`the guest did not print ${re} in ${timeoutMs} ms:\n${text}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  const guest: Guest = { qemu, ports, output: () => text, gone: () => gone, waitFor, stop: () => qemu.kill() };
  if (opts.ready) {
    try {
      await waitFor(opts.ready);
    } catch (e) {
      await qemu.kill();
      throw e;
    }
  }
  return guest;
}

/** A number field of what gdb printed for a struct ("rx_frames = 257"). */
export function gdbNumber(text: string, name: string): number {
  const m = new RegExp(`\\b${name} = (\\d+)`).exec(text);
  if (!m) throw new Error(`no ${name} in what gdb printed: ${text}`);
  return Number(m[1]);
}
