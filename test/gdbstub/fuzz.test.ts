/*
 * Fuzzing the stub's packet layer over its real transport: at least 100,000
 * malformed inputs per run (random bytes, mutated valid packets with the
 * old or a fixed-up checksum, truncated and overlong packets, garbage
 * between packets). After each batch a probe packet must be answered; at
 * the end a detach lets the application finish with the right output.
 *
 * Inputs that could make the kernel run or change its state (c s C S v D k
 * M X G P Q right after a '$') are rewritten first: the fuzz targets the
 * parser, not the debugger's right to write memory. Seeded: set
 * GDBSTUB_FUZZ_SEED to replay a run, GDBSTUB_FUZZ_CASES to change its size.
 */
import * as assert from 'node:assert/strict';
import { bootVm, buildTestApp, type Vm } from './harness';
import { frame, RspClient } from './rsp';

const CASES = Number(process.env.GDBSTUB_FUZZ_CASES ?? 100000);
const BATCH = 1000;
const SEED = Number(process.env.GDBSTUB_FUZZ_SEED ?? Date.now() % 2147483647);
const UNSAFE = new Set([...'cCsSvDkMXGPQRr!AiIbB'].map((c) => c.charCodeAt(0)));

/** xorshift32: small, seedable, good enough for fuzzing */
function rng(seed: number): () => number {
  let x = seed || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

const VALID = [
  '?', 'g', 'p10', 'p7', 'p3a', 'qC', 'qAttached', 'qfThreadInfo', 'qsThreadInfo', 'qThreadExtraInfo,2',
  'qSupported:swbreak+;hwbreak+', 'qXfer:features:read:target.xml:0,100', 'qXfer:threads:read::0,200',
  'm100000,40', 'm0,4', 'mffffffffffff0000,8', 'm800000000000,1', 'Hg1', 'Hc-1', 'Hg2', 'T1', 'T2',
  'Z0,100000,1', 'z0,100000,1', 'Z2,200000,4', 'z2,200000,4', 'Z1,100010,1', 'z1,100010,1', 'Z3,7,3',
  'qXfer:features:read:target.xml:fff,fff', 'qRcmd,6869', 'qOffsets', 'qSymbol::', 'qTStatus',
];

function randomBytes(r: () => number, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(r() * 256);
  return b;
}

function mutate(r: () => number, p: Buffer): Buffer {
  const a = [...p];
  const kind = Math.floor(r() * 4);
  const at = Math.floor(r() * (a.length + 1));
  if (kind === 0 && a.length) a[Math.min(at, a.length - 1)] = Math.floor(r() * 256);
  else if (kind === 1) a.splice(at, 0, Math.floor(r() * 256));
  else if (kind === 2 && a.length) a.splice(Math.min(at, a.length - 1), 1);
  else a.splice(at, 0, ...randomBytes(r, 1 + Math.floor(r() * 8)));
  return Buffer.from(a);
}

/** One malformed (or odd) input; every 5000th is an overlong packet. */
function fuzzCase(r: () => number, n: number): Buffer {
  if (n % 5000 === 4999) return frame('m' + '1'.repeat(16400 + Math.floor(r() * 600)));
  const base = Buffer.from(VALID[Math.floor(r() * VALID.length)], 'latin1');
  const k = r();
  if (k < 0.2) return randomBytes(r, 1 + Math.floor(r() * 24));
  if (k < 0.45) {
    // mutated payload, the original checksum: almost always a '-'
    const f = frame(base);
    const body = mutate(r, base);
    return Buffer.concat([Buffer.from('$'), body, f.subarray(f.length - 3)]);
  }
  if (k < 0.7) return frame(mutate(r, base)); // mutated, valid checksum
  if (k < 0.85) {
    const f = frame(base);
    return f.subarray(0, Math.floor(r() * f.length)); // truncated
  }
  return Buffer.concat([randomBytes(r, 1 + Math.floor(r() * 6)), frame(base)]);
}

/** Rewrites any byte after a '$' that would resume, write or change mode. */
function sanitize(b: Buffer): Buffer {
  for (let i = 0; i + 1 < b.length; i++) {
    if (b[i] === 0x24 && UNSAFE.has(b[i + 1])) b[i + 1] = 0x6d; // 'm'
  }
  return b;
}

describe('gdbstub fuzz', function () {
  this.timeout(1800000);
  let vm: Vm | undefined;
  let rsp: RspClient | undefined;

  after(async () => {
    rsp?.close();
    await vm?.kill();
  });

  it(`survives ${CASES} malformed inputs (seed ${SEED}) and the app still finishes`, async () => {
    const elf = buildTestApp();
    vm = await bootVm(elf);
    rsp = await RspClient.connect(vm.port);
    rsp.write('+');
    // Each batch ends with a probe of its own, a slice of the target description at an offset
    // no other batch uses, so neither a fuzz case that happens to equal a probe nor a late
    // retransmission (a '-' in the fuzz asks for the last reply again) passes for its answer.
    let xml = '';
    for (;;) {
      const part = await rsp.request(`qXfer:features:read:target.xml:${xml.length.toString(16)},400`);
      xml += part.slice(1);
      if (part[0] === 'l') break;
    }
    let probes = 0;
    const nextProbe = (): { probe: string; expected: string } => {
      const off = (probes++ * 37) % (xml.length - 64);
      const len = 16 + (probes % 48);
      return { probe: `qXfer:features:read:target.xml:${off.toString(16)},${len.toString(16)}`, expected: `m${xml.slice(off, off + len)}` };
    };
    const r = rng(SEED);
    let sent = 0;
    let bytes = 0;
    const t0 = Date.now();
    while (sent < CASES) {
      const parts: Buffer[] = [];
      for (let i = 0; i < BATCH && sent < CASES; i++, sent++) parts.push(fuzzCase(r, sent));
      // '##' ends a half-read checksum; the probe's '$' ends a half-read packet
      const chunk = sanitize(Buffer.concat([...parts, Buffer.from('##')]));
      bytes += chunk.length;
      const { probe, expected } = nextProbe();
      rsp.write(chunk);
      rsp.write(frame(probe));
      // skip the replies to the batch until the probe's answer comes
      for (;;) {
        const reply = (await rsp.readPacket(60000)).toString('latin1');
        if (reply === expected) break;
      }
    }
    const secs = (Date.now() - t0) / 1000;
    console.log(`      ${sent} cases, ${(bytes / 1024).toFixed(0)} KiB in ${secs.toFixed(1)} s (seed ${SEED})`);
    // a last probe, skipping any retransmission still on its way
    const last = nextProbe();
    await rsp.send(last.probe);
    while ((await rsp.readPacket(60000)).toString('latin1') !== last.expected);
    assert.equal(await rsp.request('D'), 'OK');
    await vm.waitConsole(/result 204 peek 8 label origin/);
    assert.equal(await vm.exited, 1);
  });
});
