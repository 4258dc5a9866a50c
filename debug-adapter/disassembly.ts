// The disassemble request. DAP asks for N instructions around an address, possibly starting
// before it (negative instructionOffset); x86 instructions have no fixed size, so we disassemble a
// window that starts early enough, find the instruction at the address and count from there.

import type { DebugProtocol } from '@vscode/debugprotocol';
import { basename } from 'node:path';
import { GdbError, mi, type GdbSession, type MiInstruction } from './gdb';

const MAX_INSN = 15;

export async function disassemble(gdb: GdbSession, args: DebugProtocol.DisassembleArguments): Promise<DebugProtocol.DisassembledInstruction[]> {
  const base = BigInt(args.memoryReference) + BigInt(args.offset ?? 0);
  const before = Math.max(0, -(args.instructionOffset ?? 0));
  const after = Math.max(0, args.instructionCount + (args.instructionOffset ?? 0));
  const count = args.instructionCount;
  // a window large enough on both sides; average x86 instructions are ~4 bytes
  const lo = base - BigInt(before * 8 + 64) > 0n ? base - BigInt(before * 8 + 64) : 0n;
  const hi = base + BigInt(after * MAX_INSN + 16);
  let insns: MiInstruction[] = [];
  // gdb stops decoding at unreadable memory; on error shrink the window to what surely exists
  for (const start of [lo, base]) {
    try {
      insns = await mi.disassemble(gdb, hex(start), hex(hi));
      if (insns.length) break;
    } catch (e) {
      if (!(e instanceof GdbError)) throw e;
    }
  }
  insns.sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1));
  let at = insns.findIndex((i) => BigInt(i.address) >= base);
  if (at < 0) at = insns.length;
  const first = at + (args.instructionOffset ?? 0);
  const out: DebugProtocol.DisassembledInstruction[] = [];
  let lastFile: string | undefined;
  for (let k = first; k < first + count; k++) {
    const i = k >= 0 ? insns[k] : undefined;
    if (!i) {
      out.push({ address: hex(k < 0 ? base - BigInt(-k) : hi + BigInt(k - insns.length)), instruction: '??', presentationHint: 'invalid' });
      continue;
    }
    const file = i.fullname;
    out.push({
      address: i.address,
      instructionBytes: i.opcodes,
      instruction: i.inst,
      symbol: i.funcName ? `${i.funcName}+${i.offset ?? 0}` : undefined,
      location: file && file !== lastFile ? { name: basename(file), path: file } : undefined,
      line: i.line,
    });
    lastFile = file ?? lastFile;
  }
  return out;
}

function hex(n: bigint): string {
  return '0x' + n.toString(16);
}
