// What a CPU exception or panic stop means, in words: the kernel's gdbstub keeps the vector, the
// error code and cr2 of the exception it stopped for in `gdbstub_fault` (plain data, see
// kernel/include/kernel/gdbstub.h), and panic() its message in `panic_message`. This module reads
// them and words the stop ("page fault writing 0x0 (not present)") for the stop description and
// the Registers scope. It also tells the stub which exceptions to stop at (`gdbstub_catch`).

import { mi, type GdbSession } from './gdb';

/** x86 exception vectors (Intel SDM vol. 3A, 6.15) and the kernel's TRAP_PANIC (0xf1). */
const VECTORS: Record<number, string> = {
  0: 'divide error (#DE)',
  1: 'debug trap (#DB)',
  3: 'breakpoint (#BP)',
  4: 'overflow (#OF)',
  5: 'bound range exceeded (#BR)',
  6: 'invalid opcode (#UD)',
  7: 'device not available (#NM)',
  8: 'double fault (#DF)',
  10: 'invalid TSS (#TS)',
  11: 'segment not present (#NP)',
  12: 'stack-segment fault (#SS)',
  13: 'general protection fault (#GP)',
  14: 'page fault (#PF)',
  16: 'x87 floating-point error (#MF)',
  17: 'alignment check (#AC)',
  18: 'machine check (#MC)',
  19: 'SIMD floating-point error (#XM)',
  20: 'virtualization exception (#VE)',
  21: 'control protection (#CP)',
  0xf1: 'panic',
};
const TRAP_PF = 14;
const TRAP_PANIC = 0xf1;
/** #PF error code bits (Intel SDM vol. 3A, 4.7) */
const PF_PRESENT = 1;
const PF_WRITE = 2;
const PF_RESERVED = 8;
const PF_FETCH = 16;

/** gdbstub_catch's bits (GDBSTUB_CATCH_FAULT, GDBSTUB_CATCH_PANIC) */
const CATCH_BITS: Record<string, number> = { cpu: 1, panic: 2 };

export interface Fault {
  vector: number;
  error: bigint;
  cr2: bigint;
  /** the vector's name: "page fault (#PF)" */
  name: string;
  /** a sentence: "page fault writing 0x0 (not present)", "panic: assertion ... failed" */
  description: string;
}

const hex = (v: bigint): string => `0x${v.toString(16)}`;

/** Words a fault from the stub's record (pure, for the unit tests). */
export function describeFault(vector: number, error: bigint, cr2: bigint, panicMessage?: string): Fault {
  const name = VECTORS[vector] ?? `exception ${vector}`;
  let description = name;
  if (vector === TRAP_PF) {
    const access = error & BigInt(PF_FETCH) ? 'executing' : error & BigInt(PF_WRITE) ? 'writing' : 'reading';
    const why = error & BigInt(PF_RESERVED) ? 'reserved bit set' : error & BigInt(PF_PRESENT) ? 'protection violation' : 'not present';
    description = `page fault ${access} ${hex(cr2)} (${why})`;
  } else if (vector === TRAP_PANIC) {
    description = panicMessage ? `panic: ${panicMessage}` : 'panic';
  }
  return { vector, error, cr2, name, description };
}

/** The exception the stub stopped for, or undefined when the kernel has no record (QEMU's stub, an old kernel). */
export async function readFault(gdb: GdbSession): Promise<Fault | undefined> {
  try {
    // "{vector = 14, error = 2, cr2 = 0, rip = 1079355, signal = 11}"
    const v = await mi.evaluate(gdb, 'gdbstub_fault');
    const field = (name: string): bigint | undefined => {
      const m = new RegExp(`\\b${name} = (\\d+)`).exec(v);
      return m ? BigInt(m[1]) : undefined;
    };
    const vector = field('vector');
    if (vector === undefined) return undefined;
    let message: string | undefined;
    if (Number(vector) === TRAP_PANIC) {
      const p = await mi.evaluate(gdb, 'panic_message').catch(() => '');
      // gdb prints a char array as "text", '\000' <repeats 200 times>
      const m = /^"((?:[^"\\]|\\.)*)"/.exec(p);
      message = m ? m[1].replace(/\\(["\\])/g, '$1') : undefined;
    }
    return describeFault(Number(vector), field('error') ?? 0n, field('cr2') ?? 0n, message);
  } catch {
    return undefined;
  }
}

/** The Registers scope's first rows for an exception stop. */
export function faultRows(f: Fault): { name: string; value: string }[] {
  const rows = [{ name: 'vector', value: `${f.vector} ${f.name}` }];
  if (f.vector !== TRAP_PANIC) rows.push({ name: 'error code', value: hex(f.error) });
  if (f.vector === TRAP_PF) rows.push({ name: 'cr2', value: hex(f.cr2) });
  return rows;
}

/**
 * Tells the kernel's stub which exceptions stop (the DAP exception filters): one it does not
 * catch runs into the crash report without stopping. False when the kernel has no such switch.
 */
export async function setCatch(gdb: GdbSession, filters: Set<string>): Promise<boolean> {
  let bits = 0;
  for (const f of filters) bits |= CATCH_BITS[f] ?? 0;
  return gdb
    .whileStopped(() => mi.evaluate(gdb, `gdbstub_catch = ${bits}`))
    .then(
      () => true,
      () => false,
    );
}
