// The host limit of each comparison: the same servers and the same file benchmark as in the
// Linux microVM, run directly on the host — `busybox httpd` (the fetched busybox-static) serving
// the same folder, peer-echo on host loopback, peer-fsbench on the host's filesystem. Everything
// listens on 127.0.0.1 only.

import type { ChildProcess } from 'node:child_process';
import { freePort, LOCALHOST } from '../../target';
import { parseFsbench, type FsbenchResult } from '../lib/netbench';
import { killChild, runTimed, spawnGroup } from '../lib/proc';
import { program } from './initramfs';
import { peerPackages } from './packages';

export interface HostServer {
  port: number;
  /** performance.now() just before the process was spawned. */
  startedAt: number;
  alive(): boolean;
  kill(): Promise<void>;
}

function track(child: ChildProcess, port: number, startedAt: number): HostServer {
  let gone = false;
  child.once('exit', () => (gone = true));
  return { port, startedAt, alive: () => !gone, kill: () => killChild(child) };
}

/** busybox httpd in the foreground on a free 127.0.0.1 port, serving `www`. */
export async function hostHttpd(www: string): Promise<HostServer> {
  const p = await peerPackages();
  const port = await freePort();
  const startedAt = performance.now();
  const child = spawnGroup(p.busybox, ['httpd', '-f', '-p', `${LOCALHOST}:${port}`, '-h', www], { stdio: 'ignore' });
  return track(child, port, startedAt);
}

/** peer-echo on a port of its choosing on 127.0.0.1; resolves once it listens. */
export async function hostEcho(): Promise<HostServer> {
  const p = await peerPackages();
  const bin = await program(p, 'echo');
  const startedAt = performance.now();
  const child = spawnGroup(bin, [LOCALHOST, '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      const m = /peer-echo: listening (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`peer-echo exited (${code}) before listening: ${out}`)));
    child.once('error', reject);
  });
  return track(child, port, startedAt);
}

/** peer-fsbench on a host folder. */
export async function hostFsbench(dir: string, mib: number, files: number): Promise<FsbenchResult> {
  const p = await peerPackages();
  const bin = await program(p, 'fsbench');
  const r = await runTimed(bin, [dir, String(mib), String(files)], 300_000);
  if (r.status !== 0) throw new Error(`peer-fsbench ${dir} failed (status ${r.status}): ${r.stderr.trim()}`);
  const res = parseFsbench(r.stdout).get(dir);
  if (!res) throw new Error(`peer-fsbench printed no FSBENCH line: ${r.stdout}`);
  return res;
}
