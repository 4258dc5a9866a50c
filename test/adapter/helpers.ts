// Shared by the adapter tests: the real dist/debugAdapter.js driven by DebugClient, the test
// application in test/adapter/app, and places found by markers (// #NAME), never line numbers.

import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { join, resolve } from 'node:path';
import { lineOf, marker as markerIn } from '../markers';

export const ROOT = resolve(__dirname, '..', '..');
/** MINNOW_ADAPTER: another adapter bundle to test (e.g. a patched build) */
export const ADAPTER = process.env.MINNOW_ADAPTER ?? join(ROOT, 'dist', 'debugAdapter.js');
export const APP = join(__dirname, 'app');
export const MAIN_C = join(APP, 'main.c');
export const ELF = join(APP, 'build', 'dbgtest.elf');

/** The 1-based line of the marker `// #NAME` in a source file (the test application's main.c). */
export function marker(name: string, file = MAIN_C): number {
  return markerIn(file, name);
}

/** The line of the first occurrence of `text` in a kernel source (for kernel functions only). */
export { lineOf };

export interface Client {
  dc: DebugClient;
  output: DebugProtocol.OutputEvent['body'][];
  text(category?: string): string;
}

/** timeoutMs: how long a request may take; a launch that builds the kernel from scratch is slow */
export async function startClient(timeoutMs = 60_000, env?: Record<string, string>): Promise<Client> {
  const dc = new DebugClient('node', ADAPTER, 'minnow', { cwd: ROOT, env: env ? { ...process.env, ...env } : undefined }, true);
  dc.defaultTimeout = timeoutMs;
  const output: DebugProtocol.OutputEvent['body'][] = [];
  dc.on('output', (e: DebugProtocol.OutputEvent) => output.push(e.body));
  await dc.start();
  return {
    dc,
    output,
    text: (category?: string) => output.filter((o) => !category || o.category === category).map((o) => o.output).join(''),
  };
}

export type Bps = Record<string, DebugProtocol.SourceBreakpoint[]>;

/** initialize + launch (or attach) + breakpoints + configurationDone, as VS Code does it. */
export async function launch(
  c: Client,
  args: Record<string, unknown>,
  bps: Bps = {},
  extra?: (dc: DebugClient) => Promise<void>,
  request: 'launch' | 'attach' = 'launch',
): Promise<void> {
  await c.dc.initializeRequest({ adapterID: 'minnow', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path', supportsProgressReporting: true });
  const configured = c.dc.waitForEvent('initialized').then(async () => {
    for (const [path, list] of Object.entries(bps)) await c.dc.setBreakpointsRequest({ source: { path }, breakpoints: list });
    if (extra) await extra(c.dc);
    await c.dc.configurationDoneRequest();
  });
  const started = request === 'launch' ? c.dc.launchRequest(args as DebugProtocol.LaunchRequestArguments) : c.dc.attachRequest(args as DebugProtocol.AttachRequestArguments);
  await Promise.all([started, configured]);
}

/**
 * Follows the `breakpoint` `changed` events: a breakpoint given while a launch boots is answered
 * at once, unverified, and settled by such an event when gdb has inserted it. Returns what the
 * client knows of a breakpoint now (its last event, else the response's).
 */
export function breakpointUpdates(c: Client): (b: DebugProtocol.Breakpoint) => DebugProtocol.Breakpoint {
  const last = new Map<number, DebugProtocol.Breakpoint>();
  c.dc.on('breakpoint', (e) => {
    const b = (e as DebugProtocol.BreakpointEvent).body.breakpoint;
    if (b.id !== undefined) last.set(b.id, b);
  });
  return (b) => (b.id !== undefined ? last.get(b.id) : undefined) ?? b;
}

export function appArgs(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { app: APP, accel: 'tcg', ...extra };
}

export async function stopped(c: Client, timeout = 60_000): Promise<DebugProtocol.StoppedEvent['body']> {
  const e = (await c.dc.waitForEvent('stopped', timeout)) as DebugProtocol.StoppedEvent;
  return e.body;
}

export async function topFrame(c: Client, threadId: number): Promise<DebugProtocol.StackFrame> {
  const st = await c.dc.stackTraceRequest({ threadId, startFrame: 0, levels: 20 });
  return st.body.stackFrames[0];
}

export function alive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function processes(c: Client): Promise<{ qemu?: number; gdb?: number; port?: number }> {
  const r = await c.dc.customRequest('minnow/processes');
  return r.body as { qemu?: number; gdb?: number; port?: number };
}

export async function waitGone(pids: (number | undefined)[], ms = 5000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (pids.every((p) => !alive(p))) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return pids.every((p) => !alive(p));
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
