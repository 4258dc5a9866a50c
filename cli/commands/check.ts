// `minnow check`: the toolchain doctor. Lists every tool Minnow needs, found or missing, what
// it is for, and the one command that installs whatever is missing. Exits 1 if anything
// required is missing. KVM, qboot and GRUB (minnow pack) are reported but optional.

import { aptInstall, checkTools, hasLwip, hasQbootRom, installCommand, kernelDir, lwipDir, LWIP_VERSION, packTools, probeKvm, PACK_PACKAGES, QBOOT_ROM, isMinnowError, type Tool } from '../../target';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, positionalsAtMost, type Specs } from '../args';
import type { Io } from '../io';

export const CHECK_USAGE = 'minnow check [options]';
export const CHECK_SPECS: Specs = {
  qemu: { kind: 'string', value: 'PATH', help: 'check this QEMU binary instead of qemu-system-x86_64 on PATH' },
};

const MIN_NODE = 20;

export async function checkCommand(argv: string[], io: Io): Promise<number> {
  const p = parseArgs(argv, CHECK_SPECS, 'check');
  positionalsAtMost(p, 0, 'check', CHECK_USAGE);
  const qemu = (p.options.qemu as string | undefined) ?? process.env.MINNOW_QEMU;
  const tools = checkTools(qemu ? { 'qemu-system-x86_64': qemu } : {});
  const rows: [string, string, string][] = [];
  const missing: Tool[] = [];
  for (const t of tools) {
    if (t.path) rows.push(['ok', t.bin, `${t.path}  (${t.role})`]);
    else {
      rows.push(['MISSING', t.bin, `${t.role}; package ${t.pkg}`]);
      missing.push(t);
    }
  }
  let problems = missing.length;
  const major = Number(process.versions.node.split('.')[0]);
  if (major >= MIN_NODE) rows.push(['ok', 'node', `v${process.versions.node}`]);
  else {
    rows.push(['MISSING', 'node', `v${process.versions.node} is too old; Minnow needs Node ${MIN_NODE} or newer`]);
    problems++;
  }
  try {
    const kdir = kernelDir();
    if (existsSync(join(kdir, 'Makefile'))) rows.push(['ok', 'kernel', kdir]);
    else {
      rows.push(['MISSING', 'kernel', `${kdir} has no Makefile; set MINNOW_KERNEL to the kernel/ folder of a Minnow checkout`]);
      problems++;
    }
  } catch (e) {
    if (!isMinnowError(e)) throw e;
    rows.push(['MISSING', 'kernel', `${e.message}; ${e.fix}`]);
    problems++;
  }
  const lwip = lwipDir();
  rows.push(hasLwip(lwip) ? ['ok', 'lwip', `${lwip}  (lwIP ${LWIP_VERSION}, the "net" component's TCP/IP stack)`] : ['fetched', 'lwip', `not in ${lwip} yet: the first build of an application with "net" fetches it from Debian (or: sh kernel/tools/fetch-lwip.sh)`]);
  rows.push([hasQbootRom() ? 'ok' : 'optional', 'qboot', hasQbootRom() ? `${QBOOT_ROM}  (fast q35 boot)` : `${QBOOT_ROM} not found: q35 boots with SeaBIOS (slower)`]);
  const pack = packTools();
  rows.push(
    pack.missing.length > 0
      ? ['optional', 'pack', `minnow pack needs ${pack.missing.join(', ')}: ${aptInstall(PACK_PACKAGES)}`]
      : ['ok', 'pack', `GRUB (grub-mkrescue, xorriso, mtools): minnow pack boots by BIOS${pack.efi ? ' and UEFI' : '; for UEFI too install grub-efi-amd64-bin'}`],
  );
  const kvm = probeKvm();
  rows.push(['info', 'kvm', kvm.usable ? 'usable: --accel auto uses KVM' : `not used (${kvm.why}); --accel auto uses TCG`]);
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  for (const [state, name, detail] of rows) io.out(`  ${state.padEnd(w0)}  ${name.padEnd(w1)}  ${detail}\n`);
  if (missing.length > 0) {
    io.out(`\nInstall what is missing:\n  ${installCommand(missing)}\n`);
  }
  if (problems > 0) {
    io.err(`minnow: ${problems} problem${problems > 1 ? 's' : ''} found\n`);
    return 1;
  }
  io.out('\nEverything Minnow needs is here.\n');
  return 0;
}
