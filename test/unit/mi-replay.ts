// Replays a recorded gdb/MI transcript into a GdbSession: when the session writes the command
// with token N, everything the real gdb printed from there up to the answer to token N+1 is fed
// back (asynchronously, as a pipe would), so typed commands run against real gdb output.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GdbSession, type GdbIo } from '../../debug-adapter/gdb';
import type { TransportHandlers } from '../../debug-adapter/gdb/transport';

export function fixture(name: string): string[] {
  const text = readFileSync(join(__dirname, 'fixtures', name), 'latin1');
  // fixtures are raw bytes as gdb wrote them; decode as UTF-8 like the transport does
  return Buffer.from(text, 'latin1').toString('utf8').split('\n').filter((l) => l !== '');
}

export class ReplayIo implements GdbIo {
  readonly pid = 4242;
  alive = true;
  readonly written: string[] = [];
  private cursor = 0;
  h!: TransportHandlers;

  constructor(private readonly lines: string[]) {}

  static session(name: string): { gdb: GdbSession; io: ReplayIo } {
    const gdb = new GdbSession();
    const io = new ReplayIo(fixture(name));
    io.h = gdb.useIo(io);
    return { gdb, io };
  }

  write(line: string): void {
    this.written.push(line);
    const token = Number(/^\d+/.exec(line)?.[0]);
    const next = `${token + 1}^`;
    const chunk: string[] = [];
    while (this.cursor < this.lines.length && !this.lines[this.cursor].startsWith(next)) {
      chunk.push(this.lines[this.cursor++]);
    }
    // the next command's own ^running/^done and what follows belong to the next write
    setImmediate(() => chunk.forEach((l) => this.h.line(l)));
  }

  kill(): void {
    this.alive = false;
    setImmediate(() => this.h.exit(null, 'SIGKILL', ''));
  }
}
