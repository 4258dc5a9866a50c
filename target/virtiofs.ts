// The host side of virtio-fs mounts: one virtiofsd (qemu-system-common's C daemon,
// /usr/lib/qemu/virtiofsd) per mount, serving the folder on a vhost-user socket QEMU connects to.
// virtiofsd needs root; it sandboxes itself in namespaces, or with chroot(2) where the machine
// refuses namespaces (containers). It ends when QEMU disconnects; startQemu also stops it when QEMU
// exits, and it is registered like every child (target/children.ts), so it never outlives Node.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killAndWait, registerChild } from './children';
import { MinnowError, aptInstall } from './errors';
import type { MountConfig } from './mounts';

export const VIRTIOFSD = '/usr/lib/qemu/virtiofsd';
const SOCKET_WAIT_MS = 10_000;

export interface VirtiofsDaemons {
  /** The mounts, each virtio-fs one with the socket of its daemon. */
  mounts: MountConfig[];
  /** Stops every daemon and removes their sockets. */
  stop(): Promise<void>;
}

let namespacesOk: boolean | undefined;

/** Whether virtiofsd's default sandbox (mount, pid and net namespaces) works on this machine. */
function canUseNamespaces(): boolean {
  if (namespacesOk === undefined) {
    const r = spawnSync('unshare', ['--mount', '--pid', '--net', '--fork', 'true'], { stdio: 'ignore', timeout: 5000 });
    namespacesOk = r.status === 0;
  }
  return namespacesOk;
}

function waitForSocket(path: string, child: ChildProcess, stderr: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const start = Date.now();
    const tick = (): void => {
      if (existsSync(path)) return resolve();
      if (child.exitCode !== null || child.signalCode !== null || Date.now() - start > SOCKET_WAIT_MS) {
        return reject(new MinnowError(`virtiofsd did not start: ${stderr().trim() || 'no socket after 10 s'}`, 'Check that you are root and that the host folder is readable; or use the default 9p (remove "type": "virtiofs").', 'qemu'));
      }
      setTimeout(tick, 20);
    };
    tick();
  });
}

/** Starts a daemon for every virtio-fs mount; the others are returned unchanged. */
export async function startVirtiofsd(mounts: readonly MountConfig[]): Promise<VirtiofsDaemons> {
  const wanted = mounts.filter((m) => m.type === 'virtiofs');
  if (wanted.length === 0) return { mounts: [...mounts], stop: async () => undefined };
  if (!existsSync(VIRTIOFSD)) {
    throw new MinnowError(`virtiofsd is not installed (${VIRTIOFSD})`, `Install it: ${aptInstall(['qemu-system-common'])} — or use the default 9p (remove "type": "virtiofs").`, 'qemuMissing');
  }
  const dir = mkdtempSync(join(tmpdir(), 'minnow-virtiofs-'));
  const children: ChildProcess[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(children.map((c) => killAndWait(c)));
    rmSync(dir, { recursive: true, force: true });
  };
  const sandbox = canUseNamespaces() ? [] : ['-o', 'sandbox=chroot'];
  try {
    const out: MountConfig[] = [];
    for (const [i, m] of mounts.entries()) {
      if (m.type !== 'virtiofs') {
        out.push(m);
        continue;
      }
      const socket = join(dir, `m${i}.sock`);
      const child = spawn(VIRTIOFSD, [`--socket-path=${socket}`, '-o', `source=${m.host}`, '-o', 'cache=auto', ...sandbox], { stdio: ['ignore', 'ignore', 'pipe'] });
      registerChild(child);
      children.push(child);
      let tail = '';
      child.stderr!.on('data', (b: Buffer) => (tail = (tail + b.toString()).slice(-4096)));
      child.once('error', () => undefined);
      await waitForSocket(socket, child, () => tail);
      out.push({ ...m, socket });
    }
    return { mounts: out, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
