// Assignments gdb refuses (setVariable, setExpression, `x = 1` in the Debug Console), explained.
// In optimized code (-Og, the kernel's default) a local often has no storage of its own at the
// stop's pc: its DWARF location there is a known constant, a value computed from others (an
// entry value, DW_OP_stack_value) or nothing at all (optimized out). gdb then says only "Left
// operand of assignment is not an lvalue". `info scope *PC` says which, one range per location;
// the range holding the frame's pc is the one that counts.

import { errors } from './errors';
import { GdbError, mi, type GdbSession } from './gdb';
import type { FrameRef } from './stack';

export type Storage =
  | { kind: 'register'; register: string }
  | { kind: 'memory' }
  | { kind: 'constant'; value: string }
  | { kind: 'computed'; from?: string }
  | { kind: 'none' };

/** The variable an assignment writes, when it is a plain name (`done = 9`, `done += 2`). */
export function assignedName(expr: string): string | undefined {
  return /^\s*([A-Za-z_]\w*)\s*(?:<<|>>|[-+*/%&|^])?=(?!=)/.exec(expr)?.[1];
}

/** Whether an expression assigns (`=`, `+=`...; not `==`, `<=`, `!=`), outside strings and chars. */
export function isAssignment(expr: string): boolean {
  const bare = expr.replace(/"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'/g, '""');
  return /(?:^|[^=!<>])=(?!=)/.test(bare.replace(/(?:<<|>>)=/g, '+='));
}

/** One location description of gdb's (`a variable in $rbx`, `the constant 0`...) as a Storage. */
function storageOf(text: string): Storage {
  const reg = /^a variable in (\$\w+)/.exec(text);
  if (reg) return { kind: 'register', register: reg[1] };
  const constant = /^(?:the constant|a constant with value) (.+?)(?: \(0x[0-9a-f]+\))?$/.exec(text.trim());
  if (constant) return { kind: 'constant', value: constant[1] };
  if (/optimized out/.test(text)) return { kind: 'none' };
  if (/DW_OP_(?:GNU_)?entry_value/.test(text)) return { kind: 'computed', from: /\[(\$\w+)\]/.exec(text)?.[1] };
  if (/DW_OP_stack_value|DW_OP_(?:GNU_)?implicit_pointer/.test(text)) return { kind: 'computed' };
  return { kind: 'memory' };
}

/**
 * Where `name` lives at `pc`, from the text of `info scope *PC` (the innermost block's symbol
 * first): a multi-location symbol counts by the range that holds pc, none of them: no storage.
 */
export function storageAt(scope: string, name: string, pc: bigint): Storage | undefined {
  for (const entry of scope.split(/^Symbol /m).slice(1)) {
    const m = /^(\S+) is ([\s\S]*?)(?:,\s*length \d+\.)?\s*$/.exec(entry);
    if (!m || m[1] !== name) continue;
    const body = m[2];
    if (!body.startsWith('multi-location:')) return storageOf(body);
    const ranges = [...body.matchAll(/Range (0x[0-9a-f]+)-(0x[0-9a-f]+): ([\s\S]*?)(?=\n\s*(?:Base address \S+\s+)?Range |$)/g)];
    const hit = ranges.find((r) => BigInt(r[1]) <= pc && pc < BigInt(r[2]));
    return hit ? storageOf(hit[3]) : { kind: 'none' };
  }
  return undefined;
}

/** Why `name` cannot be assigned where it is stored, in words; undefined when gdb's message is all there is. */
export function whyNotAssignable(name: string, s: Storage, level: number): string | undefined {
  const here = `"${name}" cannot be assigned here`;
  switch (s.kind) {
    case 'constant':
      return `${here}: at this point the optimized code keeps it nowhere (no register, no memory); the compiler only knows its value, ${s.value}`;
    case 'computed':
      return s.from
        ? `${here}: at this point the optimized code keeps it nowhere; gdb works its value out from what ${s.from} held when the function was entered`
        : `${here}: at this point the optimized code keeps it nowhere; gdb computes its value from other values`;
    case 'none':
      return `${here}: it is optimized out at this point (the compiler keeps no location for it here)`;
    case 'register':
      // an outer frame's copy of a register the callee did not save has nowhere to be written
      return level > 0 ? `${here}: it lives in register ${s.register}, which the functions this frame called did not save` : undefined;
    case 'memory':
      return undefined;
  }
}

const FIX = 'Assign it where it is stored (a line where Locals shows a value for it, or where it is next set), or build the file with -O0 ("cflags": ["-O0"] in minnow.json) so every local keeps a place in memory.';

/**
 * The error for an assignment gdb refused: gdb's own message, made into a reason when the
 * variable has no storage of its own at the frame's pc.
 */
export async function refusal(gdb: GdbSession, name: string | undefined, f: FrameRef | undefined, e: unknown): Promise<unknown> {
  if (!(e instanceof GdbError) || name === undefined) return e;
  try {
    const ctx = f ? { thread: f.thread, frame: f.level } : undefined;
    const addr = f?.frame.addr ?? /^0x[0-9a-f]+/i.exec(await mi.evaluate(gdb, '$pc', ctx))?.[0];
    if (!addr) return e;
    const level = f?.level ?? 0;
    // an outer frame stands at its return address: the call it made ends one byte before
    const pc = BigInt(addr) - (level > 0 ? 1n : 0n);
    const s = storageAt(await mi.infoScope(gdb, `0x${pc.toString(16)}`), name, pc);
    const why = s && whyNotAssignable(name, s, level);
    return why ? errors.assignment(`${why} (gdb: ${e.message.replace(/\.$/, '')}).`, FIX) : e;
  } catch {
    return e;
  }
}
