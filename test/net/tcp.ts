// Host-side TCP clients for the net suite, on Node's net module: each resolves with what it
// observed and rejects with the socket's error, so a test can assert on both.

import { createHash, randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

export function open(port: number, host = '127.0.0.1'): Promise<Socket> {
  return new Promise((res, rej) => {
    const s = connect(port, host);
    s.once('connect', () => {
      s.off('error', rej);
      res(s);
    });
    s.once('error', rej);
  });
}

/** Sends `data` (then ends, unless keepOpen) and collects what comes back until `expect` bytes
 *  arrived (then it ends the socket) or the peer closed. */
export function exchange(port: number, data: Buffer, expect = data.length): Promise<Buffer> {
  return new Promise((res, rej) => {
    const chunks: Buffer[] = [];
    let got = 0;
    const s = connect(port, '127.0.0.1', () => s.write(data));
    s.on('data', (d: Buffer) => {
      chunks.push(d);
      got += d.length;
      if (got >= expect) s.end();
    });
    s.on('error', rej);
    s.on('close', () => res(Buffer.concat(chunks)));
  });
}

export function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

/** Streams `size` pseudo-random bytes to the echo server while hashing both directions. */
export function bulkEcho(port: number, size: number): Promise<{ sent: string; received: string; bytes: number; seconds: number }> {
  return new Promise((res, rej) => {
    const sent = createHash('sha256');
    const received = createHash('sha256');
    let bytes = 0;
    const t0 = Date.now();
    const s = connect(port, '127.0.0.1');
    // deterministic data: a counter through sha256, 32 bytes at a time
    let block = 0;
    const chunk = (): Buffer => {
      const parts: Buffer[] = [];
      for (let i = 0; i < 2048; i++) parts.push(createHash('sha256').update(String(block++)).digest());
      return Buffer.concat(parts);
    };
    let left = size;
    const pump = (): void => {
      while (left > 0) {
        const c = chunk().subarray(0, Math.min(left, 65536));
        left -= c.length;
        sent.update(c);
        if (!s.write(c)) {
          s.once('drain', pump);
          return;
        }
      }
    };
    s.on('connect', pump);
    s.on('data', (d: Buffer) => {
      received.update(d);
      bytes += d.length;
      if (bytes >= size) s.end();
    });
    s.on('error', rej);
    s.on('close', () => res({ sent: sent.digest('hex'), received: received.digest('hex'), bytes, seconds: (Date.now() - t0) / 1000 }));
  });
}

/** Opens n connections one by one, each checked by one echo, and keeps them open. QEMU's user
 *  network (libslirp) listens on a forwarded port with a backlog of 1: a burst of connects waits
 *  in the host kernel's queue, and some are reset by it, before the guest ever sees them. */
export async function openMany(port: number, n: number): Promise<Socket[]> {
  const socks: Socket[] = [];
  for (let i = 0; i < n; i++) {
    const s = await open(port);
    await new Promise<void>((res, rej) => {
      s.once('data', (d: Buffer) => (d.toString() === `${i}\n` ? res() : rej(new Error(`connection ${i}: ${d}`))));
      s.once('error', rej);
      s.write(`${i}\n`);
    });
    socks.push(s);
  }
  return socks;
}

/** Sends `size` random bytes on each socket at once and checks each echo by hash. */
export async function echoAll(socks: Socket[], size: number): Promise<void> {
  await Promise.all(
    socks.map(
      (s, i) =>
        new Promise<void>((res, rej) => {
          const data = randomBytes(size);
          const chunks: Buffer[] = [];
          let got = 0;
          s.on('data', (d: Buffer) => {
            chunks.push(d);
            got += d.length;
            if (got === size) {
              if (sha256(Buffer.concat(chunks)) === sha256(data)) res();
              else rej(new Error(`connection ${i}: the echo differs`));
            }
          });
          s.once('error', rej);
          s.write(data);
        }),
    ),
  );
}
