// Generated malformed requests, the same on every run (seeded). Each kind is built so that no
// case in it can be a valid request by accident; `expect` is the one status it must get where
// that is certain, otherwise any 4xx or a close without an answer will do.

export interface Malformed {
  kind: string;
  bytes: Buffer;
  expect?: number;
}

class Rng {
  constructor(private x: number) {}
  next(): number {
    // xorshift32
    this.x ^= this.x << 13;
    this.x ^= this.x >>> 17;
    this.x ^= this.x << 5;
    return (this.x >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
  string(alphabet: string, min: number, max: number): string {
    let s = '';
    for (let n = min + this.int(max - min + 1); n > 0; n--) s += alphabet[this.int(alphabet.length)];
    return s;
  }
}

const TCHAR = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const NOT_TCHAR = '()<>@,;:\\"/[]?={}\t\x01\x7f\x80\xff';
const PATHS = ['/', '/index.html', '/style.css', '/sub/', '/nope'];
const VALID = (path: string) => `GET ${path} HTTP/1.1\r\nHost: t\r\n\r\n`;

/** A request line that breaks one rule of RFC 9112 section 3; all are 400. */
function badRequestLine(r: Rng): string {
  const path = r.pick(PATHS);
  switch (r.int(6)) {
    case 0: {
      // a method with a character a token may not have
      const m = r.string(TCHAR, 1, 8);
      const at = r.int(m.length + 1);
      return `${m.slice(0, at)}${r.pick([...NOT_TCHAR])}${m.slice(at)} ${path} HTTP/1.1`;
    }
    case 1: {
      // a version that is not HTTP/DIGIT.DIGIT
      let v: string;
      do v = r.pick(['HTTP/', 'http/', 'HTTP', 'HTTP/1.', 'HTTPS/', '']) + r.string('0123456789./xX', 0, 5);
      while (/^HTTP\/\d\.\d$/.test(v));
      return `GET ${path} ${v}`;
    }
    case 2: {
      // a control, space-like or non-ASCII byte in the target
      const at = 1 + r.int(path.length);
      const bad = String.fromCharCode(r.pick([0x01, 0x08, 0x09, 0x0b, 0x0c, 0x1b, 0x7f, 0x80, 0xa0, 0xff]));
      return `GET ${path.slice(0, at)}${bad}${path.slice(at)} HTTP/1.1`;
    }
    case 3:
      // too few or too many parts
      return r.pick([`GET`, `GET ${path}`, `GET ${path} HTTP/1.1 x`, ` GET ${path} HTTP/1.1`, `GET ${path}  HTTP/1.1`, `GET ${path} HTTP/1.1 `]);
    case 4:
      // a path that leaves the root
      return `GET ${r.pick(['/..', '/%2e%2e', '/.%2E', '/sub/..', '/%2e'])}${r.pick(['', '/', '/secret.txt', '%2fsecret.txt'])} HTTP/1.1`;
    default:
      // a target that is no path: relative, or a broken escape
      return `GET ${r.pick(['index.html', '%', '/%', '/%4', '/%g0', '/a%00b', '/%2F', '/%5C'])} HTTP/1.1`;
  }
}

/** A request whose fields break RFC 9112 section 5 or 9110's framing rules; all are 400. */
function badFields(r: Rng): string {
  const line = `GET ${r.pick(PATHS)} HTTP/1.1`;
  const f = r.pick([
    'Host : t',
    'Host: t\r\n folded',
    'Host: t\r\n\tfolded',
    'Host: t\r\nNoColonHere',
    'Host: t\r\n: no-name',
    'Host: t\r\nBad Name: x',
    'Host: t\r\nX: a\x00b',
    'Host: t\r\nX: a\x07b',
    'Host: t\r\nX: a\rb',
    'Host: a\r\nHost: b',
    'X-Only: no host',
    'Host: t\r\nContent-Length: x',
    'Host: t\r\nContent-Length: -5',
    'Host: t\r\nContent-Length: 1\r\nContent-Length: 2',
    'Host: t\r\nContent-Length: 99999999999999999999',
  ]);
  return `${line}\r\n${f}\r\n\r\n`;
}

/** Heads too big for the server's limits. */
function huge(r: Rng): Malformed {
  switch (r.int(3)) {
    case 0:
      return { kind: 'long target', bytes: Buffer.from(`GET /${'a'.repeat(2049 + r.int(12000))} HTTP/1.1\r\nHost: t\r\n\r\n`), expect: 414 };
    case 1: {
      const n = 65 + r.int(200);
      const fields = Array.from({ length: n }, (_, i) => `X-${i}: ${r.string(TCHAR, 1, 20)}\r\n`).join('');
      return { kind: 'many fields', bytes: Buffer.from(`GET / HTTP/1.1\r\nHost: t\r\n${fields}\r\n`), expect: 431 };
    }
    default:
      return { kind: 'huge field', bytes: Buffer.from(`GET / HTTP/1.1\r\nHost: t\r\nX-Big: ${'v'.repeat(8200 + r.int(20000))}\r\n\r\n`), expect: 431 };
  }
}

/** Random bytes, sometimes after a plausible start. */
function garbage(r: Rng): Buffer {
  const n = 1 + r.int(r.int(4) === 0 ? 12000 : 600);
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = r.int(256);
  // no accidental valid request: the first byte is never a token character
  while (TCHAR.includes(String.fromCharCode(b[0]))) b[0] = r.int(256);
  return r.int(3) === 0 ? Buffer.concat([Buffer.from('GET / HTTP/1.1\r\n'), b, Buffer.from('\r\n\r\n')]) : b;
}

export function malformedRequests(count: number, seed: number): Malformed[] {
  const r = new Rng(seed || 1);
  const out: Malformed[] = [];
  while (out.length < count) {
    switch (out.length % 5) {
      case 0:
        out.push({ kind: 'bad request line', bytes: Buffer.from(`${badRequestLine(r)}\r\nHost: t\r\n\r\n`, 'latin1'), expect: 400 });
        break;
      case 1:
        out.push({ kind: 'bad fields', bytes: Buffer.from(badFields(r), 'latin1'), expect: 400 });
        break;
      case 2:
        out.push(huge(r));
        break;
      case 3:
        out.push({ kind: 'binary garbage', bytes: garbage(r) });
        break;
      default: {
        // a valid request cut short: the client closes before the empty line
        const whole = VALID(r.pick(PATHS));
        out.push({ kind: 'early close', bytes: Buffer.from(whole.slice(0, r.int(whole.length - 2))) });
      }
    }
  }
  return out;
}
