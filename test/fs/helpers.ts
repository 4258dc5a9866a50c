// Shared plumbing of the fs suite: the guest program (apps/fstest), booted with host folders and
// disk images turned into devices by the target's own code (target/mounts.ts), and the host-side
// checks of what the guest left behind.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fsDeviceArgs, startVirtiofsd, virtiofsMemoryArgs } from '../../target';
import type { FsDiskConfig, MountConfig } from '../../target';
import { boot, buildOnce, describeExit, type Guest, type Machine } from '../virtio/helpers';

export { describeExit, rmTemp, tempDir } from '../virtio/helpers';

export const FSTEST = 'test/fs/apps/fstest';

export interface FsBoot {
  machine?: Machine;
  mounts?: MountConfig[];
  disks?: FsDiskConfig[];
  argv: string[];
  memory?: string;
  timeoutMs?: number;
  app?: string;
}

/** Boots the fs guest with the devices and the minnow.fs option the run contract gives. */
export async function bootFs(o: FsBoot): Promise<Guest> {
  const machine = o.machine ?? 'microvm';
  const elf = await buildOnce(o.app ?? FSTEST);
  const memory = o.memory ?? '96M';
  // virtio-fs mounts: a real virtiofsd each, stopped when the guest is gone
  const daemons = await startVirtiofsd(o.mounts ?? []);
  const { args, option } = fsDeviceArgs(machine, daemons.mounts, o.disks ?? []);
  try {
    const g = await boot(elf, machine, o.argv, [...virtiofsMemoryArgs(daemons.mounts, memory), ...args], {
      memory,
      verbose: false,
      kernelOptions: option ? [option] : [],
      timeoutMs: o.timeoutMs ?? 240_000,
    });
    void g.exited.then(() => daemons.stop());
    return g;
  } catch (e) {
    await daemons.stop();
    throw e;
  }
}

/** Runs the guest to its end; fails unless it exited with `code`. */
export async function runFs(o: FsBoot, code = 0): Promise<string> {
  const g = await bootFs(o);
  const exit = await g.exited;
  const out = g.output();
  assert.equal(exit.reason, 'exit', describeExit(exit, out));
  assert.equal(exit.appExitCode, code, describeExit(exit, out));
  return out;
}

/** Boots a guest that says "ready" and waits for a line; runs `atReady` then, sends the line and
 *  waits for the guest to say "done" and exit 0. */
export async function runPaused<T>(o: FsBoot, atReady: () => T): Promise<{ out: string; value: T }> {
  const g = await bootFs(o);
  await g.waitFor(/^ready\r?$/m);
  const value = atReady();
  g.qemu.writeConsole('go\r');
  const exit = await g.exited;
  const out = g.output();
  assert.equal(exit.appExitCode, 0, describeExit(exit, out));
  assert.match(out, /^done\r?$/m);
  return { out, value };
}

/** The guest's PASS/FAIL lines: no FAIL, and at least `min` PASS. */
export function assertPasses(out: string, min: number): void {
  const lines = out.split('\n').map((l) => l.replace(/\r$/, ''));
  assert.deepEqual(lines.filter((l) => l.startsWith('FAIL')), [], out);
  const passes = lines.filter((l) => l.startsWith('PASS')).length;
  assert.ok(passes >= min, `only ${passes} PASS lines (want ${min}):\n${out}`);
}

/** xorshift32 bytes as the guest makes them (apps/fstest/main.c, rng_byte). */
export function pattern(seed: number, n: number): Buffer {
  const b = Buffer.alloc(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    b[i] = s & 0xff;
  }
  return b;
}

/** 32-bit FNV-1a, as the guest prints it. */
export function fnv1a(buf: Buffer): string {
  let h = 2166136261;
  for (let i = 0; i < buf.length; i++) {
    h ^= buf[i];
    h = Math.imul(h, 16777619) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/** The input files the api battery reads (in/). */
export function seedInput(root: string): void {
  fs.mkdirSync(path.join(root, 'in', 'sub'), { recursive: true });
  fs.writeFileSync(path.join(root, 'in', 'hello.txt'), 'hello from the host\n');
  fs.writeFileSync(path.join(root, 'in', 'with space é€.txt'), 'utf8\n');
}

/** What the api battery must have left in out/, read from a folder on the host. */
export function checkApiOutput(read: (rel: string) => Buffer, list: (rel: string) => string[]): void {
  assert.ok(read('out/pattern.bin').equals(pattern(42, 300000)), 'out/pattern.bin differs from what the guest wrote');
  assert.equal(read('out/append.txt').toString(), 'truncated\n');
  const deep = ['out', ...Array.from({ length: 40 }, (_, i) => `d${i}`), 'deep.txt'].join('/');
  assert.equal(read(deep).toString(), 'deep\n');
  assert.equal(read('out/with space é€.txt').toString(), 'written\n');
  const many = list('out/many').filter((n) => n !== '.' && n !== '..').sort();
  assert.equal(many.length, 1000);
  for (const [i, n] of many.entries()) {
    const want = `file${String(i).padStart(4, '0')}.txt`;
    assert.equal(n, want);
    assert.equal(read(`out/many/${n}`).toString(), `out/many/${want}`);
  }
  const stdio = read('out/stdio.txt').toString().split('\n');
  assert.equal(stdio.length, 503);
  assert.equal(stdio[0], 'line 0 of stdio');
  assert.equal(stdio[499], 'line 499 of stdio');
  assert.deepEqual(stdio.slice(500), ['last', 'appended', '']);
  // test_churn: a third unlinked, half of those made again, ten renamed, sub made twice
  const churn: string[] = ['sub'];
  for (let i = 0; i < 300; i++) {
    const n = `entry number ${String(i).padStart(3, '0')}.txt`;
    if (i % 3 === 0 && i % 6 !== 0) continue;
    const name = i % 3 === 1 && i < 30 ? `moved ${String(i).padStart(3, '0')}.txt` : n;
    churn.push(name);
    assert.equal(read(`out/churn/${name}`).toString(), `out/churn/${n}`);
  }
  assert.deepEqual(list('out/churn').filter((n) => n !== '.' && n !== '..').sort(), churn.sort());
  assert.deepEqual(list('out/churn/sub').filter((n) => n !== '.' && n !== '..'), []);
  assert.ok(list('out').includes('Mixed Case Long Name.text'));
  assert.ok(!list('out').includes('excl.txt') && !list('out').includes('renamed.txt') && !list('out').includes('unlinked.txt'));
}
