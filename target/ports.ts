// TCP ports on 127.0.0.1 for the gdbstubs. A port is "free" when we can bind it ourselves; once
// QEMU is listening on it, binding fails with EADDRINUSE (Linux refuses a second bind on a
// listening port even with SO_REUSEADDR). That gives a readiness check that, unlike a test
// connection, never disturbs the guest's serial line.

import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

export const LOCALHOST = '127.0.0.1';

/** A port that was free on 127.0.0.1 a moment ago (the kernel picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, LOCALHOST, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

/** 'free' if we can bind 127.0.0.1:port now, 'busy' if someone listens on it. */
export function probePort(port: number): Promise<'free' | 'busy'> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE' || e.code === 'EACCES') resolve('busy');
      else reject(e);
    });
    srv.listen(port, LOCALHOST, () => srv.close(() => resolve('free')));
  });
}

/**
 * Linux: whether /proc/net/tcp shows a LISTEN socket on 127.0.0.1:port (or on the wildcard address, which
 * also takes the port from us).
 * Reading it cannot race with QEMU's own bind, unlike probePort. undefined elsewhere.
 */
export function listeningInProc(port: number): boolean | undefined {
  let table: string;
  try {
    table = readFileSync('/proc/net/tcp', 'utf8');
  } catch {
    return undefined;
  }
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const LISTEN = '0A';
  return table.split('\n').some((line) => {
    const f = line.trim().split(/\s+/);
    // f[1] = local address "0100007F:1F90", f[3] = state
    return (f[1] === `0100007F:${hexPort}` || f[1] === `00000000:${hexPort}`) && f[3] === LISTEN;
  });
}

async function isListening(port: number): Promise<boolean> {
  return listeningInProc(port) ?? (await probePort(port)) === 'busy';
}

/**
 * Polls until something listens on 127.0.0.1:port (true) or `stop()` says to give up, or
 * `timeoutMs` passes (false).
 */
export async function waitForListener(port: number, stop: () => boolean, timeoutMs = 10000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let delay = 5;
  while (Date.now() < deadline) {
    if (stop()) return false;
    if (await isListening(port)) return true;
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 50);
  }
  return false;
}
