// GDB/MI output parser (GDB manual, "GDB/MI Output Syntax"). One line in, one record out; it
// never throws: a line that does not follow the grammar becomes an `unknown` record so the session
// can show it as log output instead of losing the stream (the failure that sank gdb-js).
//
// Values: a c-string is a JS string, a tuple is an object, a list is an array. Two deviations gdb
// really emits are tolerated: tuples with repeated names (`thread-ids={thread-id="1",thread-id="2"}`
// become an array under that name) and bare values inside tuples (`script={"printf ..."}`, mi2's
// `bkpt={...},{...}`), which are collected under the name `_values`.

export type MiValue = string | MiTuple | MiValue[];
export interface MiTuple {
  [name: string]: MiValue;
}

export type ResultClass = 'done' | 'running' | 'connected' | 'error' | 'exit';

export interface MiResultRecord {
  kind: 'result';
  token?: number;
  resultClass: ResultClass;
  results: MiTuple;
}

export interface MiAsyncRecord {
  /** exec: *stopped/*running; status: +download; notify: =thread-created, =breakpoint-modified... */
  kind: 'exec' | 'status' | 'notify';
  token?: number;
  asyncClass: string;
  results: MiTuple;
}

export interface MiStreamRecord {
  /** console ~ (gdb's CLI output), target @ (the program's output), log & (gdb's own messages) */
  kind: 'console' | 'target' | 'log';
  text: string;
}

export interface MiPrompt {
  kind: 'prompt';
}

export interface MiUnknown {
  kind: 'unknown';
  line: string;
}

export type MiRecord = MiResultRecord | MiAsyncRecord | MiStreamRecord | MiPrompt | MiUnknown;

const RESULT_CLASSES: ReadonlySet<string> = new Set(['done', 'running', 'connected', 'error', 'exit']);

class Bad extends Error {}

/** Parses one line of gdb's MI output (without the trailing newline). */
export function parseMiLine(line: string): MiRecord {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  if (/^\(gdb\)\s*$/.test(text)) return { kind: 'prompt' };
  try {
    return parseRecord(text);
  } catch {
    return { kind: 'unknown', line: text };
  }
}

function parseRecord(text: string): MiRecord {
  const c0 = text[0];
  if (c0 === '~' || c0 === '@' || c0 === '&') {
    const p = new Cursor(text, 1);
    const s = p.cstring();
    if (!p.atEnd()) throw new Bad();
    return { kind: c0 === '~' ? 'console' : c0 === '@' ? 'target' : 'log', text: s };
  }
  const m = /^(\d*)([\^*+=])([A-Za-z_-][\w-]*)/.exec(text);
  if (!m) throw new Bad();
  const token = m[1] === '' ? undefined : Number(m[1]);
  const p = new Cursor(text, m[0].length);
  const results = p.resultList();
  if (!p.atEnd()) throw new Bad();
  if (m[2] === '^') {
    if (!RESULT_CLASSES.has(m[3])) throw new Bad();
    return { kind: 'result', token, resultClass: m[3] as ResultClass, results };
  }
  const kind = m[2] === '*' ? 'exec' : m[2] === '+' ? 'status' : 'notify';
  return { kind, token, asyncClass: m[3], results };
}

class Cursor {
  constructor(
    private readonly s: string,
    private i: number,
  ) {}

  atEnd(): boolean {
    return this.i >= this.s.length;
  }

  /** ( "," result )* up to the end of the line */
  resultList(): MiTuple {
    const out: MiTuple = {};
    while (this.s[this.i] === ',') {
      this.i++;
      this.member(out);
    }
    return out;
  }

  /** a `name=value` result, or a bare value (tolerated, stored under _values) */
  private member(into: MiTuple): void {
    const m = /^([A-Za-z_][\w-]*)=/.exec(this.s.slice(this.i, this.i + 200));
    if (m) {
      this.i += m[0].length;
      add(into, m[1], this.value());
    } else {
      add(into, '_values', this.value(), true);
    }
  }

  private value(): MiValue {
    const c = this.s[this.i];
    if (c === '"') return this.cstring();
    if (c === '{') return this.tuple();
    if (c === '[') return this.list();
    throw new Bad();
  }

  private tuple(): MiTuple {
    this.i++; // {
    const out: MiTuple = {};
    if (this.s[this.i] === '}') {
      this.i++;
      return out;
    }
    for (;;) {
      this.member(out);
      const c = this.s[this.i++];
      if (c === '}') return out;
      if (c !== ',') throw new Bad();
    }
  }

  /** a list of values or of results; result names are dropped (`[frame={..},frame={..}]`) */
  private list(): MiValue[] {
    this.i++; // [
    const out: MiValue[] = [];
    if (this.s[this.i] === ']') {
      this.i++;
      return out;
    }
    for (;;) {
      const m = /^([A-Za-z_][\w-]*)=/.exec(this.s.slice(this.i, this.i + 200));
      if (m) this.i += m[0].length;
      out.push(this.value());
      const c = this.s[this.i++];
      if (c === ']') return out;
      if (c !== ',') throw new Bad();
    }
  }

  /**
   * A C string as gdb writes it (utils.c printchar): \n \t \r \b \f \v \a \e \" \\ \' and octal
   * \NNN for other bytes. Octal escapes are raw bytes: runs of them are decoded as UTF-8 when
   * they form valid UTF-8 (gdb escapes multi-byte characters byte by byte), else as Latin-1.
   */
  cstring(): string {
    if (this.s[this.i] !== '"') throw new Bad();
    this.i++;
    let out = '';
    let bytes: number[] = [];
    const flush = (): void => {
      if (bytes.length) {
        out += decodeBytes(bytes);
        bytes = [];
      }
    };
    for (;;) {
      if (this.i >= this.s.length) throw new Bad();
      const c = this.s[this.i++];
      if (c === '"') {
        flush();
        return out;
      }
      if (c !== '\\') {
        flush();
        out += c;
        continue;
      }
      if (this.i >= this.s.length) throw new Bad();
      const e = this.s[this.i++];
      if (e >= '0' && e <= '7') {
        let v = e.charCodeAt(0) - 48;
        for (let k = 0; k < 2 && this.s[this.i] >= '0' && this.s[this.i] <= '7'; k++) {
          v = v * 8 + this.s.charCodeAt(this.i++) - 48;
        }
        bytes.push(v & 0xff);
        continue;
      }
      if (e === 'x' && /^[0-9a-fA-F]{1,2}/.test(this.s.slice(this.i, this.i + 2))) {
        const h = /^[0-9a-fA-F]{1,2}/.exec(this.s.slice(this.i, this.i + 2))![0];
        this.i += h.length;
        bytes.push(parseInt(h, 16));
        continue;
      }
      const simple = ESCAPES[e];
      bytes.push(simple !== undefined ? simple : e.charCodeAt(0) & 0xff);
    }
  }
}

const ESCAPES: Record<string, number> = {
  n: 10,
  t: 9,
  r: 13,
  b: 8,
  f: 12,
  v: 11,
  a: 7,
  e: 27,
  '"': 34,
  '\\': 92,
  "'": 39,
  '?': 63,
};

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeBytes(bytes: number[]): string {
  const b = Uint8Array.from(bytes);
  try {
    return utf8.decode(b);
  } catch {
    return String.fromCharCode(...bytes);
  }
}

function add(into: MiTuple, name: string, v: MiValue, alwaysList = false): void {
  const prev = into[name];
  if (prev === undefined) {
    into[name] = alwaysList ? [v] : v;
  } else if (alwaysList || (Array.isArray(prev) && (prev as unknown as { _dup?: true })._dup)) {
    (prev as MiValue[]).push(v);
  } else {
    const arr: MiValue[] & { _dup?: true } = [prev, v];
    Object.defineProperty(arr, '_dup', { value: true, enumerable: false });
    into[name] = arr;
  }
}

// Small typed accessors, so callers do not sprinkle casts over MI results.

export function str(v: MiValue | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function tuple(v: MiValue | undefined): MiTuple | undefined {
  return v !== undefined && typeof v === 'object' && !Array.isArray(v) ? v : undefined;
}

export function list(v: MiValue | undefined): MiValue[] {
  if (Array.isArray(v)) return v;
  if (v === undefined) return [];
  return [v];
}

export function num(v: MiValue | undefined): number | undefined {
  if (typeof v !== 'string' || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}
