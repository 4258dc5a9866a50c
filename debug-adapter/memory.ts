// readMemory/writeMemory for the memory view. Addresses are gdb expressions (a memory reference
// is a hex address, but `&buffer` works too); unreadable ranges are reported, not failed.

import type { DebugProtocol } from '@vscode/debugprotocol';
import { GdbError, mi, type GdbSession } from './gdb';
import { errors } from './errors';

const MAX_READ = 1 << 20;

export async function readMemory(gdb: GdbSession, args: DebugProtocol.ReadMemoryArguments): Promise<DebugProtocol.ReadMemoryResponse['body']> {
  const count = Math.min(Math.max(0, args.count), MAX_READ);
  const offset = args.offset ?? 0;
  if (count === 0) return { address: args.memoryReference, data: '' };
  try {
    const blocks = await mi.readMemory(gdb, args.memoryReference, count, offset);
    const first = blocks[0];
    if (!first) return { address: args.memoryReference, unreadableBytes: count };
    const data = Buffer.from(first.contents, 'hex');
    return {
      address: first.begin,
      data: data.toString('base64'),
      unreadableBytes: count - data.length > 0 ? count - data.length : undefined,
    };
  } catch (e) {
    if (e instanceof GdbError && /cannot access|unable to read/i.test(e.message)) {
      return { address: addHex(args.memoryReference, offset), unreadableBytes: count };
    }
    throw e;
  }
}

export async function writeMemory(gdb: GdbSession, args: DebugProtocol.WriteMemoryArguments): Promise<DebugProtocol.WriteMemoryResponse['body']> {
  const data = Buffer.from(args.data, 'base64');
  const address = addHex(args.memoryReference, args.offset ?? 0);
  try {
    await mi.writeMemory(gdb, address, data.toString('hex'));
  } catch (e) {
    if (e instanceof GdbError) throw errors.memory(address, e.message);
    throw e;
  }
  return { bytesWritten: data.length };
}

/** reference + offset, as a hex address when the reference is one, else a gdb expression */
export function addHex(ref: string, offset: number): string {
  if (offset === 0) return ref;
  if (/^0x[0-9a-f]+$/i.test(ref)) return '0x' + (BigInt(ref) + BigInt(offset)).toString(16);
  return `(char *)(${ref}) + ${offset}`;
}
