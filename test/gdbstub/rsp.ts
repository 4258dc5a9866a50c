/*
 * A minimal GDB Remote Serial Protocol client for testing the kernel's stub
 * byte by byte: framing, acks, no-ack mode, and raw writes for malformed
 * input. It knows nothing about Minnow. Reference: GDB manual, appendix E.
 */
import * as net from 'node:net';

export function checksum(payload: Buffer): number {
  let sum = 0;
  for (const b of payload) sum = (sum + b) & 0xff;
  return sum;
}

/** "$payload#cs" for a payload given as text or bytes. */
export function frame(payload: string | Buffer): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'latin1') : payload;
  const cs = checksum(body).toString(16).padStart(2, '0');
  return Buffer.concat([Buffer.from('$'), body, Buffer.from(`#${cs}`)]);
}

/** Escapes binary data for X packets and qXfer replies ('#', '$', '}', '*'). */
export function escapeBinary(data: Buffer): Buffer {
  const out: number[] = [];
  for (const b of data) {
    if (b === 0x23 || b === 0x24 || b === 0x7d || b === 0x2a) out.push(0x7d, b ^ 0x20);
    else out.push(b);
  }
  return Buffer.from(out);
}

export function unescapeBinary(data: Buffer): Buffer {
  const out: number[] = [];
  for (let i = 0; i < data.length; i++) {
    if (data[i] === 0x7d && i + 1 < data.length) out.push(data[++i] ^ 0x20);
    else out.push(data[i]);
  }
  return Buffer.from(out);
}

/**
 * Expands run-length encoding as gdb's read_frame does: "c*N" is c and
 * N - 29 more copies of it. Applied to every reply before anything else.
 */
export function expandRle(body: Buffer): Buffer {
  const out: number[] = [];
  for (let i = 0; i < body.length; i++) {
    if (body[i] === 0x2a && out.length > 0 && i + 1 < body.length) {
      const n = body[++i] - 29;
      for (let k = 0; k < n; k++) out.push(out[out.length - 1]);
    } else {
      out.push(body[i]);
    }
  }
  return Buffer.from(out);
}

/** Little-endian hex (register images) to a bigint. */
export function leHex(hex: string): bigint {
  let v = 0n;
  for (let i = hex.length - 2; i >= 0; i -= 2) v = (v << 8n) | BigInt(parseInt(hex.slice(i, i + 2), 16));
  return v;
}

export class RspTimeout extends Error {}

export class RspClient {
  /** False until QStartNoAckMode succeeds. */
  noAck = false;
  /** The last packet's payload as it came, before run-length expansion. */
  lastRaw = Buffer.alloc(0);
  private rx = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  private closed = false;

  private constructor(private readonly sock: net.Socket) {
    sock.on('data', (d: Buffer) => {
      this.rx = Buffer.concat([this.rx, d]);
      this.wake();
    });
    sock.on('close', () => {
      this.closed = true;
      this.wake();
    });
    sock.on('error', () => {
      this.closed = true;
      this.wake();
    });
  }

  /** Connects to 127.0.0.1:port, retrying while QEMU is still starting. */
  static async connect(port: number, timeoutMs = 20000): Promise<RspClient> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const sock = await new Promise<net.Socket>((resolve, reject) => {
          const s = net.connect({ host: '127.0.0.1', port }, () => resolve(s));
          s.once('error', reject);
        });
        sock.setNoDelay(true);
        return new RspClient(sock);
      } catch (e) {
        if (Date.now() > deadline) throw e;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Waits until parse() finds something in the receive buffer. */
  private async until<T>(parse: () => T | undefined, timeoutMs: number): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = parse();
      if (v !== undefined) return v;
      if (this.closed) throw new Error('RSP connection closed');
      const left = deadline - Date.now();
      if (left <= 0) throw new RspTimeout(`RSP timeout; pending bytes: ${JSON.stringify(this.rx.toString('latin1').slice(0, 80))}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  write(data: string | Buffer): void {
    this.sock.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  /** Next ack character ('+' or '-'), skipping nothing else. */
  async readAck(timeoutMs = 5000): Promise<string> {
    return this.until(() => {
      if (this.rx.length === 0) return undefined;
      const c = String.fromCharCode(this.rx[0]);
      this.rx = this.rx.subarray(1);
      return c;
    }, timeoutMs);
  }

  /**
   * Next complete packet's payload (checksum verified; acked in ack mode).
   * Bytes before the '$' (stray acks) are dropped.
   */
  async readPacket(timeoutMs = 5000): Promise<Buffer> {
    return this.until(() => {
      const start = this.rx.indexOf(0x24);
      if (start < 0) return undefined;
      const hash = this.rx.indexOf(0x23, start);
      if (hash < 0 || this.rx.length < hash + 3) return undefined;
      const body = this.rx.subarray(start + 1, hash);
      const cs = parseInt(this.rx.subarray(hash + 1, hash + 3).toString('latin1'), 16);
      this.rx = this.rx.subarray(hash + 3);
      if (cs !== checksum(body)) throw new Error(`bad checksum from stub on ${body.toString('latin1')}`);
      if (!this.noAck) this.write('+');
      this.lastRaw = Buffer.from(body);
      return expandRle(body);
    }, timeoutMs);
  }

  /** Drops whatever has arrived and not been read. */
  drain(): void {
    this.rx = Buffer.alloc(0);
  }

  /** Sends a packet; in ack mode waits for '+' (resending on '-'). */
  async send(payload: string | Buffer, timeoutMs = 5000): Promise<void> {
    for (let tries = 0; ; tries++) {
      this.write(frame(payload));
      if (this.noAck) return;
      const ack = await this.readAck(timeoutMs);
      if (ack === '+') return;
      if (ack !== '-' || tries > 5) throw new Error(`unexpected ack ${JSON.stringify(ack)}`);
    }
  }

  /** Sends a packet and returns the reply's payload as text. */
  async request(payload: string | Buffer, timeoutMs = 5000): Promise<string> {
    await this.send(payload, timeoutMs);
    return (await this.readPacket(timeoutMs)).toString('latin1');
  }

  async startNoAck(): Promise<void> {
    const r = await this.request('QStartNoAckMode');
    if (r !== 'OK') throw new Error(`QStartNoAckMode: ${r}`);
    this.noAck = true;
  }

  async readMemory(addr: bigint, len: number): Promise<Buffer> {
    const r = await this.request(`m${addr.toString(16)},${len.toString(16)}`);
    if (/^E[0-9a-fA-F]{2}$/.test(r)) throw new Error(`m: ${r}`);
    return Buffer.from(r, 'hex');
  }

  close(): void {
    this.sock.destroy();
  }
}
