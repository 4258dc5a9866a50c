// Installs what a fresh Debian/Ubuntu machine lacks for Minnow: the toolchain and QEMU from apt,
// and the npm dependencies. Used by `npm start` and `npm test`; it only acts on what is missing.
// Without root it prints the exact apt command instead of failing later with an obscure error.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const APT_TOOLS = [
  { bin: 'qemu-system-x86_64', pkg: 'qemu-system-x86' },
  { bin: 'gcc', pkg: 'gcc' },
  { bin: 'ld', pkg: 'binutils' },
  { bin: 'make', pkg: 'make' },
  { bin: 'gdb', pkg: 'gdb' },
  // the benchmark's Linux peer (bench/peer): wrk drives HTTP, and its test programs are linked
  // with glibc's static libc
  { bin: 'wrk', pkg: 'wrk' },
  { file: '/usr/lib/x86_64-linux-gnu/libc.a', pkg: 'libc6-dev' },
  // FAT images (kernel/fs/fat.c): made by mkfs.fat and minnow disk create, read back by mtools
  { bin: 'mcopy', pkg: 'mtools' },
  { file: '/usr/sbin/mkfs.fat', pkg: 'dosfstools' },
  // lwIP's sources for the "net" component (kernel/tools/fetch-lwip.sh): Debian's source
  // package, unpacked with xz and checked against Debian's signed index
  { bin: 'xz', pkg: 'xz-utils' },
  { file: '/usr/share/keyrings/debian-archive-keyring.gpg', pkg: 'debian-archive-keyring' },
  // minnow pack (target/pack.ts): GRUB for BIOS and UEFI, and xorriso for grub-mkrescue; the
  // tests boot the images under SeaBIOS and OVMF
  { bin: 'grub-mkrescue', pkg: 'grub-common' },
  { file: '/usr/lib/grub/i386-pc/multiboot2.mod', pkg: 'grub-pc-bin' },
  { file: '/usr/lib/grub/x86_64-efi/multiboot2.mod', pkg: 'grub-efi-amd64-bin' },
  { bin: 'xorriso', pkg: 'xorriso' },
  { file: '/usr/share/OVMF/OVMF_CODE_4M.fd', pkg: 'ovmf' },
];

function onPath(bin) {
  return (process.env.PATH ?? '').split(delimiter).some((d) => d && existsSync(join(d, bin)));
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  return r.status === 0;
}

const missing = APT_TOOLS.filter((t) => (t.bin ? !onPath(t.bin) : !existsSync(t.file))).map((t) => t.pkg);
if (missing.length > 0) {
  const args = ['install', '-y', '--no-install-recommends', ...missing];
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) {
    console.error(`minnow: missing ${missing.join(', ')}. Install them with:\n\n  sudo apt-get update && sudo apt-get ${args.join(' ')}\n`);
    process.exit(1);
  }
  console.log(`minnow: installing ${missing.join(', ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!run('apt-get', ['update'], { env }) || !run('apt-get', args, { env })) {
    console.error(`minnow: apt-get failed; run it by hand:\n\n  apt-get update && apt-get ${args.join(' ')}\n`);
    process.exit(1);
  }
}

const stamp = 'node_modules/.package-lock.json';
const needNpm = !existsSync(stamp) || statSync('package.json').mtimeMs > statSync(stamp).mtimeMs;
if (needNpm) {
  console.log('minnow: installing npm dependencies');
  if (!run('npm', ['install', '--no-audit', '--no-fund'])) {
    console.error('minnow: npm install failed (see above)');
    process.exit(1);
  }
}

// lwIP 2.1.3 into the user's cache (never into the repository); a complete folder is left as is
if (!run('sh', ['kernel/tools/fetch-lwip.sh'], { stdio: ['ignore', 'ignore', 'inherit'] })) {
  console.error('minnow: fetching lwIP failed (see above); the "net" component cannot be built without it');
  process.exit(1);
}
