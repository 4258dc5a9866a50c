// HTTP clients for the web tests, all real: curl as a process, Node's http, and a raw TCP
// socket for the bytes no well-behaved client would send. Plus a small parser of the responses a
// raw socket gets back (it understands only what the server under test sends: Content-Length
// bodies, no chunking).

import { spawn } from 'node:child_process';
import * as http from 'node:http';
import * as net from 'node:net';

export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export interface CurlResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Runs curl with these arguments (never through a shell). */
export function curl(args: string[], timeoutMs = 60000): Promise<CurlResult> {
  return new Promise((resolve) => {
    const child = spawn('curl', ['--silent', '--show-error', '--max-time', String(timeoutMs / 1000), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr }));
  });
}

/** curl -i: the reply parsed from what curl printed. */
export async function curlReply(args: string[]): Promise<Reply> {
  const r = await curl(['--include', ...args]);
  if (r.code !== 0) throw new Error(`curl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  const replies = parseReplies(r.stdout, args.includes('--head') || args.includes('-I'));
  if (replies.length === 0) throw new Error(`curl printed no response: ${r.stdout.toString('latin1')}`);
  return replies[replies.length - 1];
}

/** One request with Node's http; the agent decides about keep-alive. */
export function nodeRequest(
  port: number,
  path: string,
  opts: { method?: string; headers?: Record<string, string>; agent?: http.Agent } = {},
): Promise<Reply & { reusedSocket: boolean }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path, method: opts.method ?? 'GET', headers: opts.headers, agent: opts.agent ?? false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : String(v);
          resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks), reusedSocket: req.reusedSocket });
        });
        res.on('error', reject);
      },
    );
    req.setTimeout(60000, () => req.destroy(new Error(`no answer to ${opts.method ?? 'GET'} ${path} in 60 s`)));
    req.on('error', reject);
    req.end();
  });
}

export interface RawOptions {
  /** Half-close after writing (default true): the server then sees the end of the stream. */
  end?: boolean;
  /** Give up (and reject) after this long. */
  timeoutMs?: number;
}

/** Writes the bytes on a fresh connection and returns everything the server sent until it closed. */
export function raw(port: number, data: Buffer | string, opts: RawOptions = {}): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`the server neither answered nor closed in ${opts.timeoutMs ?? 60000} ms`));
    }, opts.timeoutMs ?? 60000);
    sock.on('connect', () => {
      sock.write(data);
      if (opts.end ?? true) sock.end();
    });
    sock.on('data', (c: Buffer) => chunks.push(c));
    // a reset after the answer still counts as the answer
    sock.on('error', () => undefined);
    sock.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
  });
}

/** Every complete response in buf, in order. headOnly: bodies are absent (answers to HEAD). */
export function parseReplies(buf: Buffer, headOnly = false): Reply[] {
  const out: Reply[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const end = buf.indexOf('\r\n\r\n', pos);
    if (end < 0) break;
    const lines = buf.subarray(pos, end).toString('latin1').split('\r\n');
    const m = /^HTTP\/1\.[01] (\d{3}) /.exec(lines[0]);
    if (!m) throw new Error(`not a status line: ${JSON.stringify(lines[0])}`);
    const headers: Record<string, string> = {};
    for (const l of lines.slice(1)) {
      const i = l.indexOf(':');
      headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
    }
    const status = Number(m[1]);
    const len = headOnly || status === 304 ? 0 : Number(headers['content-length'] ?? 0);
    const bodyStart = end + 4;
    if (bodyStart + len > buf.length) break;
    out.push({ status, headers, body: buf.subarray(bodyStart, bodyStart + len) });
    pos = bodyStart + len;
  }
  return out;
}

/** The first status code in what a raw connection got, or undefined when it got nothing. */
export function firstStatus(buf: Buffer): number | undefined {
  const m = /^HTTP\/1\.1 (\d{3}) /.exec(buf.subarray(0, 64).toString('latin1'));
  return m ? Number(m[1]) : undefined;
}

/** The /stats page as numbers. */
export async function stats(port: number): Promise<Record<string, number>> {
  const r = await nodeRequest(port, '/stats');
  if (r.status !== 200) throw new Error(`/stats answered ${r.status}`);
  const out: Record<string, number> = {};
  for (const line of r.body.toString().split('\n')) {
    const m = /^(\w+): (\d+)$/.exec(line);
    if (m) out[m[1]] = Number(m[2]);
  }
  return out;
}
