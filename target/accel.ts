// Choosing between KVM and TCG. /dev/kvm alone proves little: on nested, paravirtual hosts it
// exists but every port I/O costs ~23 µs and int3 kills QEMU (notes/machine.md). So `auto` picks
// KVM only when /dev/kvm can be opened read-write AND the CPU advertises vmx or svm.

import { accessSync, constants, readFileSync } from 'node:fs';
import { MinnowError, advise } from './errors';

export type Accel = 'auto' | 'tcg' | 'kvm';
export const ACCELS: readonly Accel[] = ['auto', 'tcg', 'kvm'];

export interface KvmProbe {
  devKvm: boolean;
  cpuFlag: boolean;
  /** Both hold: KVM is the real thing. */
  usable: boolean;
  /** Why not, in words, when not usable. */
  why: string;
}

// MINNOW_KVM_DEVICE names another device node (tests use it to check the refusal on any machine).
export function probeKvm(
  devPath = process.env.MINNOW_KVM_DEVICE || '/dev/kvm',
  cpuinfoPath = '/proc/cpuinfo',
): KvmProbe {
  let devKvm = false;
  try {
    accessSync(devPath, constants.R_OK | constants.W_OK);
    devKvm = true;
  } catch {
    devKvm = false;
  }
  let cpuFlag = false;
  try {
    cpuFlag = /^flags\s*:.*\b(vmx|svm)\b/m.test(readFileSync(cpuinfoPath, 'utf8'));
  } catch {
    cpuFlag = false;
  }
  const why = !devKvm
    ? `${devPath} is missing or not readable and writable by this user`
    : !cpuFlag
      ? 'the CPU shows no vmx/svm flag (nested or paravirtual KVM, slow and unreliable for debugging)'
      : '';
  return { devKvm, cpuFlag, usable: devKvm && cpuFlag, why };
}

/** The accelerator QEMU gets for a requested one. Throws when 'kvm' is asked for but impossible. */
export function resolveAccel(requested: Accel, probe: () => KvmProbe = probeKvm): 'tcg' | 'kvm' {
  if (requested === 'tcg') return 'tcg';
  const p = probe();
  if (requested === 'auto') return p.usable ? 'kvm' : 'tcg';
  if (!p.devKvm) {
    throw new MinnowError(
      `KVM was requested but ${p.why}`,
      advise((say) => `Use ${say('--accel tcg (or auto)', '"accel": "tcg" (or "auto")')}, or add yourself to the kvm group: sudo usermod -aG kvm $USER (then log in again).`),
      'config',
    );
  }
  // /dev/kvm works but the CPU hides vmx/svm: honour the explicit request.
  return 'kvm';
}
