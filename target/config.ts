// Reads an application's minnow.json into an AppConfig: parse (a syntax error names line and
// column), validate against the schema (a wrong field is named, with the fix), apply defaults,
// and check what the schema cannot: that the sources and the disk image exist.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { MinnowError, advise } from './errors';
import { validateManifest } from './schema';
import { loadComponents, resolveComponents } from './components';
import { kernelDir as findKernelDir } from './paths';
import { checkFsDisk, checkGuestPaths, checkMount } from './mounts';
import type { FsDiskConfig, MountConfig, MountType } from './mounts';
import { publishPorts } from './publish';

export type Machine = 'microvm' | 'q35';
/** A kernel component's name (kernel/components.mk). */
export type Driver = string;

export const MACHINES: readonly Machine[] = ['microvm', 'q35'];
/** The kernel's CPU_MAX (kernel/include/kernel/percpu.h). */
export const CPUS_MAX = 16;
export const MANIFEST = 'minnow.json';

export interface DiskConfig {
  /** Absolute path of the image. */
  image: string;
  format: 'raw' | 'qcow2';
  readOnly: boolean;
  /** Bytes of the empty raw image created when `image` is missing; undefined: never create. */
  createSize?: number;
}

/** "8M" → bytes. */
export function parseSize(text: string): number {
  const m = /^([1-9][0-9]*)([KMG])$/.exec(text);
  if (!m) throw new MinnowError(`invalid size "${text}"`, 'Write a number and a unit K, M or G, e.g. "1M".', 'manifest');
  return Number(m[1]) * { K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[m[2] as 'K' | 'M' | 'G'];
}

export interface NetworkConfig {
  backend: 'user' | 'dgram';
  /**
   * user: "tcp:8080-80" forwards 127.0.0.1:8080 on the host to port 80 of the guest; minnow.json's
   * "ports" and `minnow run -p` are added here too (target/publish.ts).
   */
  hostForwards: string[];
  /** dgram: QEMU's UDP port and the peer's, both on 127.0.0.1. */
  localPort?: number;
  remotePort?: number;
}

export interface AppConfig {
  /** Absolute path of the application folder (where minnow.json is). */
  dir: string;
  name: string;
  description?: string;
  /** Relative to dir, as written in minnow.json. */
  sources: string[];
  /** QEMU -m syntax, "8M" by default. */
  memory: string;
  machine: Machine;
  /** CPUs to boot (QEMU -smp), 1 by default. */
  cpus: number;
  qemuArgs: string[];
  /**
   * The kernel components linked in: those minnow.json's "components" (or "drivers", its older
   * name) lists, and everything they need, in the table's order.
   */
  components: string[];
  /** Default argv[1..] for main. */
  args: string[];
  cflags: string[];
  disk?: DiskConfig;
  network?: NetworkConfig;
  /** Host folders shared over 9p ("mounts"); the 9p component comes with them. */
  mounts: MountConfig[];
  /** FAT images mounted in the guest ("disks"); the fat component comes with them. */
  disks: FsDiskConfig[];
  /** Absolute: <dir>/build. */
  buildDir: string;
  /** Absolute: <dir>/build/<name>.elf (may not exist yet). */
  elf: string;
}

/** 1-based line and column of a character offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split('\n');
  return { line: lines.length, column: lines[lines.length - 1].length + 1 };
}

/** JSON.parse with an error that says where: "minnow.json:3:14: Expected ',' ...". */
export function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const m = /at position (\d+)/.exec(msg);
    const offset = m ? Number(m[1]) : text.length;
    const { line, column } = lineColumn(text, offset);
    const what = msg.replace(/\s*in JSON at position \d+.*$/s, '').replace(/^Unexpected end of JSON input$/, 'Unexpected end of the file');
    throw new MinnowError(
      `${file}:${line}:${column}: invalid JSON: ${what}`,
      `Fix the JSON syntax at line ${line}, column ${column} (a missing comma or quote, or a trailing comma, is the usual cause).`,
      'manifest',
    );
  }
}

/**
 * Reads, validates and completes <dir>/minnow.json. Throws MinnowError on any user mistake.
 * `kernelDir`: the kernel sources whose components table applies (default: kernelDir()).
 */
export function loadApp(dir: string, opts: { kernelDir?: string } = {}): AppConfig {
  const abs = resolve(dir);
  if (!existsSync(abs) || !statSync(abs).isDirectory()) {
    throw new MinnowError(`${abs} is not a folder`, 'Give the folder of a Minnow application (the one with minnow.json).', 'manifest');
  }
  const file = join(abs, MANIFEST);
  if (!existsSync(file)) {
    throw new MinnowError(
      `no ${MANIFEST} in ${abs}`,
      advise((_say, audience) =>
        audience === 'cli'
          ? `Run this in an application folder, pass one (minnow build path/to/app), or create one with: minnow new hello ${dir === '.' ? 'myapp' : dir}`
          : `Point "app" in launch.json at an application folder (the one with minnow.json), or create one: Minnow: New Project, or minnow new hello ${abs}`,
      ),
      'manifest',
    );
  }
  const raw = parseJson(readFileSync(file, 'utf8'), file);
  const problems = validateManifest(raw);
  if (problems.length > 0) {
    const first = problems[0];
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''}: ${problems.slice(1).map((p) => p.message).join('; ')})` : '';
    throw new MinnowError(`${file}: ${first.message}${more}`, first.fix, 'manifest');
  }
  const m = raw as Record<string, any>;
  for (const [i, src] of (m.sources as string[]).entries()) {
    if (!existsSync(join(abs, src))) {
      throw new MinnowError(`${file}: "sources[${i}]" names ${src}, which does not exist in ${abs}`, `Create ${src} or remove it from "sources".`, 'manifest');
    }
  }
  const mounts = ((m.mounts ?? []) as { host: string; guest: string; readonly?: boolean; type?: MountType }[]).map((x, i) =>
    checkMount(x.host, x.guest, x.readonly ?? false, abs, `${file}: "mounts[${i}]"`, x.type ?? '9p'));
  const disks = ((m.disks ?? []) as { image: string; guest: string; readonly?: boolean }[]).map((x, i) =>
    checkFsDisk(x.image, x.guest, x.readonly ?? false, abs, `${file}: "disks[${i}]"`));
  checkGuestPaths([...mounts.map((x) => x.guest), ...disks.map((x) => x.guest)], file);
  const wanted = [...((m.components ?? []) as string[]), ...((m.drivers ?? []) as string[])];
  if (mounts.some((x) => x.type !== 'virtiofs')) wanted.push('9p');
  if (mounts.some((x) => x.type === 'virtiofs')) wanted.push('virtiofs');
  if (disks.length) wanted.push('fat');
  const table = loadComponents(findKernelDir(opts.kernelDir));
  const components = resolveComponents(wanted, table, `${file}: "components"`);
  let disk: DiskConfig | undefined;
  if (m.disk) {
    const image = isAbsolute(m.disk.image) ? m.disk.image : join(abs, m.disk.image);
    disk = { image, format: m.disk.format ?? 'raw', readOnly: m.disk.readOnly ?? false, createSize: m.disk.size ? parseSize(m.disk.size) : undefined };
  }
  // only a raw virtio_blk asked for by name needs "disk"; fat brings it for "disks"
  if (wanted.includes('virtio_blk') && !disk && disks.length === 0) {
    throw new MinnowError(`${file}: "components" has virtio_blk but "disk" is missing`, 'Add "disk": { "image": "disk.img" } naming the disk image.', 'manifest');
  }
  const network: NetworkConfig | undefined = m.network
    ? { backend: m.network.backend ?? 'user', hostForwards: m.network.hostForwards ?? [], localPort: m.network.localPort, remotePort: m.network.remotePort }
    : undefined;
  if (network?.backend === 'dgram' && (network.localPort === undefined || network.remotePort === undefined)) {
    throw new MinnowError(`${file}: "network.backend" is dgram but "network.localPort" or "network.remotePort" is missing`, 'Add both: "localPort" (QEMU receives there) and "remotePort" (your program receives there).', 'manifest');
  }
  const buildDir = join(abs, 'build');
  const app: AppConfig = {
    dir: abs,
    name: m.name,
    description: m.description,
    sources: m.sources,
    memory: m.memory ?? '8M',
    machine: m.machine ?? 'microvm',
    cpus: m.cpus ?? 1,
    qemuArgs: m.qemuArgs ?? [],
    components,
    args: m.args ?? [],
    cflags: m.cflags ?? [],
    disk,
    network,
    mounts,
    disks,
    buildDir,
    elf: join(buildDir, `${m.name}.elf`),
  };
  // "ports" (docker's syntax) join network.hostForwards and give the app a network
  publishPorts(app, (m.ports ?? []) as string[], table, (i) => `${file}: "ports[${i}]"`);
  return app;
}
