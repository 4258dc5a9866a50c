// The Debian packages the Linux microVM peer is made of, fetched by the benchmark itself on a
// fresh machine: the cloud kernel (the metapackage linux-image-cloud-amd64 names the real one,
// linux-image-<abi>-cloud-amd64) and busybox-static. The cloud kernel has no 9p, so the 9p rows
// use Debian's generic kernel (linux-image-amd64 → linux-image-<abi>-amd64; 70 MB, 400 MB
// unpacked), fetched only when those rows run. `apt-get download` fetches the .deb files
// into the user's cache (XDG_CACHE_HOME or ~/.cache, then minnow/peer) and `dpkg-deb -x` unpacks
// them there; nothing is installed into the system, and no root is needed once apt's package
// lists exist (an `apt-get update` is run when they do not and we are root). Each package is
// unpacked once; later runs reuse the folder without touching apt.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTimed } from '../lib/proc';

export type KernelFlavour = 'cloud' | 'generic';
/** Each flavour's metapackage and the shape of the real package it depends on. */
const KERNELS: Readonly<Record<KernelFlavour, { meta: string; real: RegExp }>> = {
  cloud: { meta: 'linux-image-cloud-amd64', real: /^linux-image-\d\S*-cloud-amd64$/ },
  generic: { meta: 'linux-image-amd64', real: /^linux-image-\d[^-]*-\d+-amd64$/ },
};
export const BUSYBOX_PKG = 'busybox-static';

const APT_TIMEOUT_MS = 300_000;

export interface PeerPackages {
  /** The cache folder (…/minnow/peer). */
  cache: string;
  kernelPackage: string;
  /** uname -r of the kernel, e.g. 6.1.0-57-cloud-amd64. */
  kernelRelease: string;
  /** The bzImage. */
  vmlinuz: string;
  /** The kernel's build configuration (boot/config-<release>). */
  config: string;
  /** lib/modules/<release>. */
  modDir: string;
  /** The static busybox binary. */
  busybox: string;
}

/** …/minnow/peer under XDG_CACHE_HOME, or ~/.cache. */
export function peerCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'minnow', 'peer');
}

const isRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;

async function run(cmd: string, args: string[], cwd?: string): Promise<string> {
  let r;
  try {
    r = await runTimed(cmd, args, APT_TIMEOUT_MS, { cwd });
  } catch (e) {
    throw new Error(`the Linux peer needs ${cmd} (Debian's apt and dpkg) to fetch its kernel and busybox: ${(e as Error).message}`);
  }
  if (r.timedOut) throw new Error(`${cmd} ${args.join(' ')} took more than ${APT_TIMEOUT_MS / 1000} s`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (status ${r.status}): ${r.stderr.trim().split('\n').slice(-3).join(' / ')}`);
  return r.stdout;
}

/** The real kernel package behind the metapackage, from apt's lists (an update first if needed). */
async function kernelPackage(flavour: KernelFlavour, log: (t: string) => void): Promise<string> {
  const { meta, real } = KERNELS[flavour];
  const ask = async (): Promise<string | undefined> => {
    const out = await run('apt-cache', ['depends', '--important', meta]).catch(() => '');
    return [...out.matchAll(/Depends:\s*(\S+)/g)].map((m) => m[1]).find((p) => real.test(p));
  };
  let pkg = await ask();
  if (!pkg && isRoot()) {
    log(`  peer: apt knows no ${meta}; running apt-get update`);
    await run('apt-get', ['update']);
    pkg = await ask();
  }
  if (!pkg) {
    const sudo = isRoot() ? '' : 'sudo ';
    throw new Error(`apt knows no package ${meta} (the Linux peer's kernel); fix: ${sudo}apt-get update (Debian bookworm's main archive has it)`);
  }
  return pkg;
}

/** Downloads `pkg` and unpacks it into cache/pkgs/<pkg>, unless that folder is there already. */
async function unpacked(cache: string, pkg: string, log: (t: string) => void): Promise<string> {
  const dest = path.join(cache, 'pkgs', pkg);
  if (fs.existsSync(path.join(dest, '.unpacked'))) return dest;
  const debs = path.join(cache, 'debs');
  fs.mkdirSync(debs, { recursive: true });
  log(`  peer: apt-get download ${pkg}`);
  // as root, apt drops to the _apt user to download, who cannot write the user's cache
  const sandbox = isRoot() ? ['-o', 'APT::Sandbox::User=root'] : [];
  await run('apt-get', [...sandbox, 'download', pkg], debs);
  const deb = fs
    .readdirSync(debs)
    .filter((f) => f.startsWith(`${pkg}_`) && f.endsWith('.deb'))
    .map((f) => path.join(debs, f))
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0];
  if (!deb) throw new Error(`apt-get download ${pkg} left no ${pkg}_*.deb in ${debs}`);
  const tmp = `${dest}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  await run('dpkg-deb', ['-x', deb, tmp]);
  fs.writeFileSync(path.join(tmp, '.unpacked'), `${path.basename(deb)}\n`);
  fs.rmSync(dest, { recursive: true, force: true });
  fs.renameSync(tmp, dest);
  fs.rmSync(deb);
  return dest;
}

const fetched = new Map<KernelFlavour, Promise<PeerPackages>>();

/** The peer's kernel and busybox, fetched and unpacked on first use (once per process). */
export function peerPackages(log: (t: string) => void = () => undefined, flavour: KernelFlavour = 'cloud'): Promise<PeerPackages> {
  let p = fetched.get(flavour);
  if (!p) {
    p = fetchPackages(flavour, log);
    fetched.set(flavour, p);
    p.catch(() => fetched.delete(flavour));
  }
  return p;
}

async function fetchPackages(flavour: KernelFlavour, log: (t: string) => void): Promise<PeerPackages> {
  const cache = peerCacheDir();
  fs.mkdirSync(cache, { recursive: true });
  const cachedKernel = fs.existsSync(path.join(cache, 'pkgs'))
    ? fs.readdirSync(path.join(cache, 'pkgs')).find((d) => KERNELS[flavour].real.test(d) && fs.existsSync(path.join(cache, 'pkgs', d, '.unpacked')))
    : undefined;
  const kpkg = cachedKernel ?? (await kernelPackage(flavour, log));
  const kdir = await unpacked(cache, kpkg, log);
  const bdir = await unpacked(cache, BUSYBOX_PKG, log);
  const release = kpkg.replace(/^linux-image-/, '');
  const p: PeerPackages = {
    cache,
    kernelPackage: kpkg,
    kernelRelease: release,
    vmlinuz: path.join(kdir, 'boot', `vmlinuz-${release}`),
    config: path.join(kdir, 'boot', `config-${release}`),
    modDir: path.join(kdir, 'lib', 'modules', release),
    busybox: path.join(bdir, 'bin', 'busybox'),
  };
  for (const f of [p.vmlinuz, p.config, p.modDir, p.busybox]) {
    if (!fs.existsSync(f)) throw new Error(`${f} is missing from the unpacked packages; fix: delete ${cache} and run again`);
  }
  return p;
}

/** CONFIG_X of the kernel: 'y', 'm' or undefined (not set). */
export function kernelConfig(p: PeerPackages, option: string): 'y' | 'm' | undefined {
  const m = new RegExp(`^${option}=([ym])$`, 'm').exec(fs.readFileSync(p.config, 'utf8'));
  return m ? (m[1] as 'y' | 'm') : undefined;
}
