// Minnow's own DAP requests, typed once for both sides: the extension sends them through
// `minnowRequest` (extension/sessions.ts), the adapter's session answers them and checks what it
// was sent with `argsProblem`. Plain types and data only, so that the extension's bundle takes
// nothing else of the adapter with it.

import type { KernelInfo } from './kernelinfo';

export interface MinnowRequests {
  /** The Kernel view's data: threads, open files, devices, heap (README, "Adapter ↔ extension"). */
  'minnow/kernelInfo': { args: Record<string, never>; body: KernelInfo };
  /** Select a thread in VS Code's Call Stack: answered with a `stopped` event for it. */
  'minnow/focusThread': { args: { threadId: number }; body: Record<string, never> };
  /** A line typed into the Minnow console terminal, to the guest's COM1. */
  'minnow/consoleInput': { args: { text: string }; body: undefined };
  /** For tests and bug reports: the processes this session owns. */
  'minnow/processes': { args: Record<string, never>; body: { adapter: number; qemu?: number; gdb?: number; port?: number } };
}

export type MinnowRequest = keyof MinnowRequests;
export type RequestArgs<R extends MinnowRequest> = MinnowRequests[R]['args'];
export type RequestBody<R extends MinnowRequest> = MinnowRequests[R]['body'];

/** The type of each argument, as `typeof` names it. */
const ARGUMENTS: { [R in MinnowRequest]: Record<string, 'number' | 'string'> } = {
  'minnow/kernelInfo': {},
  'minnow/focusThread': { threadId: 'number' },
  'minnow/consoleInput': { text: 'string' },
  'minnow/processes': {},
};

export const MINNOW_REQUESTS = Object.keys(ARGUMENTS) as MinnowRequest[];

export function isMinnowRequest(command: string): command is MinnowRequest {
  return Object.prototype.hasOwnProperty.call(ARGUMENTS, command);
}

/** Why `args` are not what `name` takes ("minnow/focusThread needs threadId, a number"), or undefined. */
export function argsProblem(name: MinnowRequest, args: unknown): string | undefined {
  const given = (typeof args === 'object' && args !== null ? args : {}) as Record<string, unknown>;
  for (const [key, type] of Object.entries(ARGUMENTS[name])) {
    if (typeof given[key] !== type) return `${name} needs ${key}, a ${type} (got ${given[key] === undefined ? 'none' : JSON.stringify(given[key])})`;
  }
  return undefined;
}
