// Starting the web server example for a test, in either of two places:
//   host    the example's own sources built with the host's gcc against test/web/host (a
//           stand-in for <minnow.h> that keeps cooperative scheduling), run as a process;
//   minnow  the example built with the kernel and booted under QEMU (TCG), the folder mounted
//           over virtio-9p and a free port on 127.0.0.1 forwarded to its port 80.
// Either way the tests talk to 127.0.0.1:<port> with real clients.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { buildApp, freePort, loadApp, qemuOptionsFor, startQemu, type AppConfig, type QemuInstance } from '../../target';

export { freePort };

export const ROOT = join(__dirname, '..', '..');
export const EXAMPLE = join(ROOT, 'examples', 'webserver');
const HOST_SHIM = join(__dirname, 'host');

// the calls that block on Minnow, where the host stand-in lets go of its CPU lock, and the
// allocator, counted for /stats
const WRAPPED = ['read', 'write', 'accept', 'poll', 'malloc', 'calloc', 'realloc', 'free'];

export interface RunningServer {
  kind: 'host' | 'minnow';
  port: number;
  /** What the server printed so far. */
  output(): string;
  stop(): Promise<void>;
}

let hostBinary: string | undefined;

/** Builds the example's sources for the host once per test run; the binary's path. */
export function buildHostServer(): string {
  if (hostBinary) return hostBinary;
  const out = join(mkdtempSync(join(tmpdir(), 'minnow-webhost-')), 'webserver');
  const sources = readdirSync(EXAMPLE)
    .filter((f) => f.endsWith('.c'))
    .map((f) => join(EXAMPLE, f));
  const args = [
    '-std=gnu11', '-O1', '-g', '-Wall', '-Wextra', '-Wno-unused-parameter', '-Werror',
    '-I', HOST_SHIM, ...sources, join(HOST_SHIM, 'host.c'), '-o', out, '-lpthread',
    `-Wl,${WRAPPED.map((w) => `--wrap=${w}`).join(',')}`,
  ];
  const r = spawnSync('gcc', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`building the host web server failed:\n${r.stderr}`);
  hostBinary = out;
  return out;
}

/** Waits until the server's output has the line it prints once it listens. */
function waitForReady(child: ChildProcess, output: () => string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`the server did not start in ${timeoutMs} ms:\n${output()}`)), timeoutMs);
    const check = (): void => {
      if (/webserver: serving .* on port \d+/.test(output())) done();
    };
    const exited = (code: number | null): void => done(new Error(`the server exited (${code}) before serving:\n${output()}`));
    function done(err?: Error): void {
      clearTimeout(timer);
      child.stdout?.off('data', check);
      child.off('exit', exited);
      if (err) reject(err);
      else resolve();
    }
    child.stdout?.on('data', check);
    child.once('exit', exited);
    check();
  });
}

/** The example as a host process serving root on a free port (127.0.0.1 only). */
export async function startHostServer(root: string, extraArgs: string[] = []): Promise<RunningServer> {
  const bin = buildHostServer();
  const port = await freePort();
  const child = spawn(bin, [`--root=${root}`, `--port=${port}`, '--addr=127.0.0.1', ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout!.on('data', (b: Buffer) => (text += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (text += b.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitForReady(child, () => text, 20000);
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  return {
    kind: 'host',
    port,
    output: () => text,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

let minnowApp: Promise<AppConfig> | undefined;

/** A copy of examples/webserver (without build/) in a temp folder, as New Project makes it, with
 *  its "ports" (127.0.0.1:8080) left out: each test publishes a free port of its own, and 8080
 *  may be someone else's. The components stay the same ("net" is named), so the build does too. */
export function copyExample(): string {
  const parent = mkdtempSync(join(tmpdir(), 'minnow-webvm-'));
  process.once('exit', () => rmSync(parent, { recursive: true, force: true }));
  const dir = join(parent, 'webserver');
  cpSync(EXAMPLE, dir, { recursive: true, filter: (src) => basename(src) !== 'build' });
  const manifest = JSON.parse(readFileSync(join(dir, 'minnow.json'), 'utf8')) as Record<string, unknown>;
  delete manifest.ports;
  writeFileSync(join(dir, 'minnow.json'), JSON.stringify(manifest, null, 2) + '\n');
  return dir;
}

/** examples/webserver copied to a temp folder and built with the kernel, once per test run. */
export function buildMinnowServer(): Promise<AppConfig> {
  minnowApp ??= (async () => {
    const dir = copyExample();
    const app = loadApp(dir);
    let log = '';
    await buildApp(app, { onOutput: (t) => (log += t) }).catch((e: Error) => {
      throw new Error(`building examples/webserver failed: ${e.message}\n${log.slice(-3000)}`);
    });
    return app;
  })();
  return minnowApp;
}

/** The example booted under QEMU (TCG): root mounted read-only at /www over virtio-9p, and
 *  127.0.0.1:<free port> forwarded to its port 80. */
export async function startMinnowServer(root: string, opts: { argv?: string[] } = {}): Promise<RunningServer & { qemu: QemuInstance }> {
  const app = await buildMinnowServer();
  const port = await freePort();
  const base = qemuOptionsFor(app);
  let text = '';
  const qemu = await startQemu({
    ...base,
    accel: 'tcg',
    argv: opts.argv ?? base.argv,
    devices: {
      ...base.devices,
      network: { backend: 'user', hostForwards: [`tcp:${port}-80`] },
      mounts: [{ host: root, guest: '/www', readOnly: true }],
    },
    onConsole: (t) => (text += t),
    onStderr: (t) => (text += t),
  });
  let gone = false;
  void qemu.exited.then(() => (gone = true));
  const t0 = Date.now();
  while (!/webserver: serving \/www on port 80/.test(text)) {
    if (gone || Date.now() - t0 > 60000) {
      await qemu.kill();
      throw new Error(`the web server did not start ${gone ? '(the VM exited)' : 'in 60 s'}:\n${text}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { kind: 'minnow', port, qemu, output: () => text, stop: () => qemu.kill() };
}
