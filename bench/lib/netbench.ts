// Measurements of a server that do not care who serves: Minnow, the Linux microVM peer or the
// host itself. Each takes a 127.0.0.1 port (or, for files, the output of a program) and returns
// numbers; how the server was started is the caller's business.
//   firstHttp200   process start → first HTTP 200 on a path (polling with overlapping attempts)
//   wrk            requests/s and latency percentiles with wrk (Debian package wrk)
//   echoRoundTrip  1-byte round trips over one TCP connection (Node's net client, TCP_NODELAY)
//   echoBulk       bytes sent and echoed back over one connection, MiB/s
//   parseFsbench   the FSBENCH line that bench/peer/guest/fsbench.c (or a Minnow program) prints

import * as http from 'node:http';
import * as net from 'node:net';
import { LOCALHOST } from '../../target';
import { runTimed } from './proc';

const POLL_EVERY_MS = 20;
const ATTEMPT_TIMEOUT_MS = 3_000;
const MAX_IN_FLIGHT = 50;

/**
 * One GET; resolves with the status and the body's length, rejects on any error or timeout, or
 * when `signal` aborts it (its connection is closed at once).
 */
export function httpGet(port: number, urlPath: string, timeoutMs = ATTEMPT_TIMEOUT_MS, signal?: AbortSignal): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: LOCALHOST, port, path: urlPath, agent: false, timeout: timeoutMs, signal }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.once('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts) }));
      res.once('error', reject);
    });
    req.once('timeout', () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    req.once('error', reject);
  });
}

/**
 * ms from `startedAt` (performance.now() taken just before the server's process was spawned) to
 * the first 200 answer for `urlPath` on `port`. A new attempt starts every 20 ms while earlier ones
 * are still pending: QEMU's user network accepts a connection before the guest listens and may
 * hold it, so waiting for each attempt in turn would add its timeout to the figure.
 * `alive` is polled too: when it returns false (the server exited) the wait fails at once.
 * Once it is decided, the attempts still pending are aborted: left open, each kept a connection
 * (and its retransmitted SYN) queued at the guest, and a Linux guest whose busybox httpd had its
 * listen backlog full of them left the next request unanswered for 30 s and more under load.
 */
export function firstHttp200(port: number, urlPath: string, startedAt: number, timeoutMs: number, alive: () => boolean = () => true): Promise<number> {
  return new Promise((resolve, reject) => {
    let done = false;
    let inFlight = 0;
    let last = '';
    const pending = new AbortController();
    const finish = (f: () => void): void => {
      if (done) return;
      done = true;
      clearInterval(timer);
      pending.abort();
      f();
    };
    const attempt = (): void => {
      if (done) return;
      if (!alive()) return finish(() => reject(new Error(`the server exited before answering 200 on ${urlPath} (last: ${last || 'no answer'})`)));
      if (performance.now() - startedAt > timeoutMs) {
        return finish(() => reject(new Error(`no 200 on 127.0.0.1:${port}${urlPath} within ${timeoutMs} ms (last: ${last || 'no answer'})`)));
      }
      if (inFlight >= MAX_IN_FLIGHT) return;
      inFlight++;
      httpGet(port, urlPath, ATTEMPT_TIMEOUT_MS, pending.signal).then(
        (r) => {
          inFlight--;
          const t = performance.now();
          if (r.status === 200) finish(() => resolve(t - startedAt));
          else last = `HTTP ${r.status}`;
        },
        (e: Error) => {
          inFlight--;
          last = e.message;
        },
      );
    };
    const timer = setInterval(attempt, POLL_EVERY_MS);
    attempt();
  });
}

export interface WrkResult {
  requestsPerSec: number;
  /** Latency percentiles, ms. */
  p50: number;
  p99: number;
  /** Socket errors and non-2xx answers wrk counted (0 on a clean run). */
  errors: number;
  requests: number;
}

const UNIT_MS: Readonly<Record<string, number>> = { us: 1e-3, ms: 1, s: 1000, m: 60_000 };

/** wrk's duration text ("812.00us", "1.20ms", "2.00s") in ms. */
function wrkMs(text: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text);
  if (!m) throw new Error(`cannot read wrk's latency ${text}`);
  return Number(m[1]) * UNIT_MS[m[2]];
}

/** Reads wrk --latency's report. */
export function parseWrk(out: string): WrkResult {
  const rps = /^Requests\/sec:\s+([\d.]+)/m.exec(out);
  const p50 = /^\s+50%\s+(\S+)/m.exec(out);
  const p99 = /^\s+99%\s+(\S+)/m.exec(out);
  const total = /^\s+(\d+) requests in/m.exec(out);
  if (!rps || !p50 || !p99 || !total) throw new Error(`cannot read wrk's report: ${out.slice(0, 400)}`);
  let errors = 0;
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  if (sock) errors += sock.slice(1).reduce((n, x) => n + Number(x), 0);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  if (non2xx) errors += Number(non2xx[1]);
  return { requestsPerSec: Number(rps[1]), p50: wrkMs(p50[1]), p99: wrkMs(p99[1]), errors, requests: Number(total[1]) };
}

/**
 * wrk against http://127.0.0.1:port/urlPath with `connections` connections for `seconds`, one wrk
 * thread (the machine's other core is the server's). The connections are kept alive where the
 * server keeps them; with `close` every request asks for "Connection: close", so that every
 * server answers each on a new TCP connection.
 */
export async function wrk(port: number, urlPath: string, connections: number, seconds: number, opts: { close?: boolean } = {}): Promise<WrkResult> {
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '10s', '--latency'];
  if (opts.close) args.push('-H', 'Connection: close');
  args.push(`http://${LOCALHOST}:${port}${urlPath}`);
  let r;
  try {
    r = await runTimed('wrk', args, (seconds + 30) * 1000);
  } catch (e) {
    throw new Error(`wrk could not run (${(e as Error).message}); fix: apt-get install wrk`);
  }
  if (r.status !== 0) throw new Error(`wrk ${args.join(' ')} failed (status ${r.status}): ${r.stderr.trim() || r.stdout.trim()}`);
  return parseWrk(r.stdout);
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: LOCALHOST, port, noDelay: true });
    s.once('connect', () => (s.off('error', reject), resolve(s)));
    s.once('error', reject);
  });
}

/** Resolves after `n` more bytes have arrived on `s` (from the moment of the call). */
function receive(s: net.Socket, n: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let got = 0;
    const onData = (d: Buffer): void => {
      got += d.length;
      if (got >= n) finish(null);
    };
    const onEnd = (): void => finish(new Error(`the echo server closed after ${got} of ${n} bytes`));
    const timer = setTimeout(() => finish(new Error(`${got} of ${n} echoed bytes in ${timeoutMs} ms`)), timeoutMs);
    const finish = (e: Error | null): void => {
      clearTimeout(timer);
      s.off('data', onData);
      s.off('end', onEnd);
      s.off('error', finish);
      if (e) reject(e);
      else resolve();
    };
    s.on('data', onData);
    s.once('end', onEnd);
    s.once('error', finish);
  });
}

/**
 * ms from `startedAt` to the first byte echoed back on `port`, trying again every 20 ms: QEMU's
 * user network accepts connections before the guest listens, then drops them.
 */
export async function firstEcho(port: number, startedAt: number, timeoutMs: number, alive: () => boolean = () => true): Promise<number> {
  let last = '';
  for (;;) {
    if (!alive()) throw new Error(`the echo server exited before echoing (last: ${last || 'nothing'})`);
    if (performance.now() - startedAt > timeoutMs) throw new Error(`no echo on 127.0.0.1:${port} within ${timeoutMs} ms (last: ${last || 'nothing'})`);
    try {
      const s = await connect(port);
      try {
        const back = receive(s, 1, 1_000);
        s.write('x');
        await back;
        return performance.now() - startedAt;
      } finally {
        s.destroy();
      }
    } catch (e) {
      last = (e as Error).message;
      await new Promise((r) => setTimeout(r, POLL_EVERY_MS));
    }
  }
}

/** `count` 1-byte round trips over one connection; the µs of each. */
export async function echoRoundTrip(port: number, count: number): Promise<number[]> {
  const s = await connect(port);
  try {
    const one = Buffer.from('x');
    const out: number[] = [];
    for (let i = 0; i < count; i++) {
      const t0 = performance.now();
      const back = receive(s, 1, 10_000);
      s.write(one);
      await back;
      out.push((performance.now() - t0) * 1000);
    }
    return out;
  } finally {
    s.destroy();
  }
}

/** `mib` MiB written in 64 KiB pieces and read back over one connection; MiB/s of the echo. */
export async function echoBulk(port: number, mib: number): Promise<number> {
  const s = await connect(port);
  try {
    const chunk = Buffer.alloc(64 * 1024, 0x5a);
    const total = mib * 1024 * 1024;
    const t0 = performance.now();
    const back = receive(s, total, 600_000);
    for (let sent = 0; sent < total; sent += chunk.length) {
      if (!s.write(chunk)) await new Promise((r) => s.once('drain', r));
    }
    await back;
    return mib / ((performance.now() - t0) / 1000);
  } finally {
    s.destroy();
  }
}

export interface FsbenchResult {
  dir: string;
  mib: number;
  files: number;
  writeMiBs: number;
  readMiBs: number;
  createPerSec: number;
  statPerSec: number;
}

/** Every FSBENCH line in `text` (console output), keyed by its dir=. */
export function parseFsbench(text: string): Map<string, FsbenchResult> {
  const out = new Map<string, FsbenchResult>();
  for (const m of text.matchAll(/^FSBENCH (.*)$/gm)) {
    const kv = new Map(m[1].trim().split(/\s+/).map((w) => w.split('=') as [string, string]));
    const num = (k: string): number => {
      const v = Number(kv.get(k));
      if (!Number.isFinite(v)) throw new Error(`FSBENCH line without ${k}: ${m[0]}`);
      return v;
    };
    const dir = kv.get('dir') ?? '?';
    out.set(dir, { dir, mib: num('mib'), files: num('files'), writeMiBs: num('write_mib_s'), readMiBs: num('read_mib_s'), createPerSec: num('create_per_s'), statPerSec: num('stat_per_s') });
  }
  return out;
}
