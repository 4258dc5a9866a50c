// A writer of the "newc" cpio format (the one Linux unpacks an initramfs from; the kernel's
// Documentation/driver-api/early-userspace/buffer-format.rst): each entry is a 110-byte ASCII
// header ("070701" and 13 eight-digit hex fields), the NUL-terminated name padded to 4 bytes,
// then the data padded to 4 bytes; a "TRAILER!!!" entry ends the archive. Owners, modes and
// device numbers are whatever we write, so no root is needed to make /dev/console.

const MAGIC = '070701';
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;
const TRAILER = 'TRAILER!!!';

export type CpioEntry =
  | { kind: 'dir'; path: string; mode?: number }
  | { kind: 'file'; path: string; data: Buffer; mode?: number }
  | { kind: 'symlink'; path: string; target: string }
  | { kind: 'chardev'; path: string; major: number; minor: number; mode?: number };

function hex8(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new Error(`cpio: field ${n} does not fit in 32 bits`);
  return n.toString(16).padStart(8, '0');
}

const pad4 = (n: number): Buffer => Buffer.alloc((4 - (n % 4)) % 4);

export class CpioWriter {
  private readonly parts: Buffer[] = [];
  private ino = 1;
  private readonly names = new Set<string>();

  add(e: CpioEntry): this {
    const name = e.path.replace(/^\/+/, '');
    if (name === '' || name.split('/').includes('..')) throw new Error(`cpio: bad path ${JSON.stringify(e.path)}`);
    if (this.names.has(name)) throw new Error(`cpio: ${name} added twice`);
    this.names.add(name);
    let mode: number;
    let data: Buffer = Buffer.alloc(0);
    let rdev = [0, 0];
    switch (e.kind) {
      case 'dir':
        mode = S_IFDIR | (e.mode ?? 0o755);
        break;
      case 'file':
        mode = S_IFREG | (e.mode ?? 0o644);
        data = e.data;
        break;
      case 'symlink':
        mode = S_IFLNK | 0o777;
        data = Buffer.from(e.target, 'utf8');
        break;
      case 'chardev':
        mode = S_IFCHR | (e.mode ?? 0o600);
        rdev = [e.major, e.minor];
        break;
    }
    this.entry(name, mode, data, e.kind === 'dir' ? 2 : 1, rdev);
    return this;
  }

  /** Adds every missing parent directory of `path`, then the entry itself. */
  addWithParents(e: CpioEntry): this {
    const parts = e.path.replace(/^\/+/, '').split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (!this.names.has(dir)) this.add({ kind: 'dir', path: dir });
    }
    return this.add(e);
  }

  has(path: string): boolean {
    return this.names.has(path.replace(/^\/+/, ''));
  }

  private entry(name: string, mode: number, data: Buffer, nlink: number, rdev: number[]): void {
    const nameBytes = Buffer.from(`${name}\0`, 'utf8');
    const fields = [this.ino++, mode, 0, 0, nlink, 0, data.length, 0, 0, rdev[0], rdev[1], nameBytes.length, 0];
    const header = Buffer.from(MAGIC + fields.map(hex8).join(''), 'ascii');
    this.parts.push(header, nameBytes, pad4(header.length + nameBytes.length), data, pad4(data.length));
  }

  /** The archive, with its trailer. */
  finish(): Buffer {
    this.entry(TRAILER, 0, Buffer.alloc(0), 1, [0, 0]);
    return Buffer.concat(this.parts);
  }
}
