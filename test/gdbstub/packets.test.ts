/*
 * Raw RSP against the kernel's stub: each packet with its expected answer,
 * plus the framing rules (acks, no-ack mode, bad checksums, garbage,
 * truncated and overlong packets). Booted with minnow.gdb=wait, so the
 * kernel sits in the stub before main() until we continue or detach.
 */
import * as assert from 'node:assert/strict';
import { bootVm, buildTestApp, symbols, type Vm } from './harness';
import { RspClient, escapeBinary, frame, leHex } from './rsp';

const STOP = /^T([0-9a-f]{2})thread:([0-9a-f]+);06:([0-9a-f]{16});07:([0-9a-f]{16});10:([0-9a-f]{16});(.*)$/;
// 'g' carries the core registers only (rax..r15, rip, eflags, 6 selectors);
// gdb reads x87/SSE/fs_base/gs_base with 'p' when it needs them
const G_BYTES = 16 * 8 + 8 + 4 + 6 * 4;


function hex(v: bigint): string {
  return v.toString(16);
}

function le32(words: number[]): string {
  return Buffer.from(new Uint32Array(words).buffer).toString('hex');
}

if (typeof describe === "function") describe('gdbstub packets (raw RSP)', function () {
  this.timeout(180000);
  let elf: string;
  let sym: Map<string, bigint>;
  let vm: Vm;
  let rsp: RspClient;

  const addr = (name: string): bigint => {
    const a = sym.get(name);
    if (a === undefined) throw new Error(`no symbol ${name}`);
    return a;
  };

  before(() => {
    elf = buildTestApp();
    sym = symbols(elf);
  });

  beforeEach(async () => {
    vm = await bootVm(elf);
    rsp = await RspClient.connect(vm.port);
    rsp.write('+');
  });

  afterEach(async () => {
    rsp?.close();
    await vm?.kill();
  });

  it('answers the connection handshake and queries', async () => {
    const sup = await rsp.request('qSupported:multiprocess+;swbreak+;hwbreak+;xmlRegisters=i386');
    for (const f of ['PacketSize=4000', 'swbreak+', 'hwbreak+', 'vContSupported+', 'QStartNoAckMode+',
      'qXfer:features:read+', 'qXfer:threads:read+']) assert.ok(sup.split(';').includes(f), `${f} in ${sup}`);
    assert.equal(await rsp.request('vMustReplyEmpty'), '');
    const stop = STOP.exec(await rsp.request('?'));
    assert.ok(stop, 'stop reply with thread, rbp, rsp, rip');
    assert.equal(stop[1], '05');
    const tid = stop[2];
    assert.equal(await rsp.request('qC'), `QC${tid}`);
    assert.equal(await rsp.request('qAttached'), '1');
    assert.match(await rsp.request('qfThreadInfo'), new RegExp(`^m([0-9a-f]+,)*${tid}(,[0-9a-f]+)*$`));
    assert.equal(await rsp.request('qsThreadInfo'), 'l');
    const extra = Buffer.from(await rsp.request(`qThreadExtraInfo,${tid}`), 'hex').toString();
    assert.match(extra, /^\S+ \[running\]$/);
    assert.equal(await rsp.request(`Hg${tid}`), 'OK');
    assert.equal(await rsp.request('Hc-1'), 'OK');
    assert.equal(await rsp.request('Hg0'), 'OK');
    assert.equal(await rsp.request('Hg7654321'), 'E02');
    assert.equal(await rsp.request(`T${tid}`), 'OK');
    assert.equal(await rsp.request('T7654321'), 'E02');
    assert.equal(await rsp.request('vCont?'), 'vCont;c;C;s;S;t;r');
    for (const unknown of ['qFooBar', 'Jxyz', '!', 'vKill;1', 'qTStatus', 'bc', 'vRun;', 'QNonStop:1']) {
      assert.equal(await rsp.request(unknown), '', unknown);
    }
  });

  it('serves the target description and the thread list over qXfer', async () => {
    const whole = await rsp.request('qXfer:features:read:target.xml:0,3fff');
    assert.equal(whole[0], 'l');
    const xml = whole.slice(1);
    for (const s of ['<architecture>i386:x86-64</architecture>', 'org.gnu.gdb.i386.core', 'org.gnu.gdb.i386.sse',
      'org.gnu.gdb.i386.segments', 'name="fs_base"', 'name="gs_base"', 'name="rip"', 'name="ds"']) assert.ok(xml.includes(s), s);
    // the same document read in 100-byte windows
    let pieced = '';
    for (let off = 0; ; off += 0x100) {
      const part = await rsp.request(`qXfer:features:read:target.xml:${hex(BigInt(off))},100`);
      pieced += part.slice(1);
      if (part[0] === 'l') break;
      assert.equal(part[0], 'm');
    }
    assert.equal(pieced, xml);
    assert.equal(await rsp.request('qXfer:features:read:target.xml:ffff,10'), 'l');
    assert.equal(await rsp.request('qXfer:features:read:other.xml:0,10'), 'E22');
    const threads = await rsp.request('qXfer:threads:read::0,3fff');
    assert.match(threads, /^l<threads>(<thread id="[0-9a-f]+" name="[^"]+">[^<]*<\/thread>)+<\/threads>$/);
  });

  it('reads and writes registers (g G p P)', async () => {
    const stop = STOP.exec(await rsp.request('?'))!;
    const g = await rsp.request('g');
    assert.equal(g.length, G_BYTES * 2);
    assert.match(await rsp.request('p39'), /^[0-9a-f]{16}$/, 'fs_base via p');
    assert.equal(g.slice(16 * 16, 17 * 16), stop[5], 'rip in g equals rip in the stop reply');
    assert.equal(await rsp.request('p10'), stop[5]);
    assert.equal(await rsp.request('p7'), stop[4]);
    assert.equal(await rsp.request('p6'), stop[3]);
    assert.equal(await rsp.request('p3b'), 'E22');
    assert.match(await rsp.request('p18'), /^(xx){10}$/, 'st0 unavailable');
    const rax = await rsp.request('p0');
    assert.equal(await rsp.request('P0=efbeadde00000000'), 'OK');
    assert.equal(await rsp.request('p0'), 'efbeadde00000000');
    assert.equal(leHex(await rsp.request('p0')), 0xdeadbeefn);
    assert.equal(await rsp.request(`P0=${rax}`), 'OK');
    assert.equal(await rsp.request('P0=12'), 'E22');
    assert.equal(await rsp.request(`G${g}`), 'OK');
    assert.equal(await rsp.request('g'), g);
    assert.equal(await rsp.request('Gzz'), 'OK', 'a G shorter than one register changes nothing');
  });

  it('reads and writes memory (m M X), never faulting on bad addresses', async () => {
    const numbers = addr('numbers');
    assert.equal(await rsp.request(`m${hex(numbers)},20`), le32([1, 2, 3, 4, 5, 6, 7, 8]));
    assert.equal(await rsp.request(`M${hex(numbers)},4:2a000000`), 'OK');
    assert.equal(await rsp.request(`m${hex(numbers)},8`), le32([42, 2]));
    const bin = Buffer.from([0x23, 0x24, 0x7d, 0x2a, 0x00, 0xff, 0x03, 0x01]);
    assert.equal(await rsp.request(Buffer.concat([Buffer.from(`X${hex(numbers)},8:`), escapeBinary(bin)])), 'OK');
    assert.equal(await rsp.request(`m${hex(numbers)},8`), bin.toString('hex'));
    assert.equal(await rsp.request(`X${hex(numbers)},0:`), 'OK');
    assert.equal(await rsp.request(`M${hex(numbers)},4:${le32([1])}`), 'OK');
    // replies are run-length encoded; runs of 7 and 8 would need '#' and
    // '$' as the count, so they go shorter
    const runs = `a${'0'.repeat(7)}b${'0'.repeat(8)}c${'0'.repeat(40)}d1`;
    const blob = hex(addr('blob'));
    assert.equal(await rsp.request(`M${blob},${(runs.length / 2).toString(16)}:${runs}`), 'OK');
    assert.equal(await rsp.request(`m${blob},${(runs.length / 2).toString(16)}`), runs);
    const raw = rsp.lastRaw.toString('latin1');
    assert.ok(raw.includes('*') && raw.length < runs.length / 2, `encoded: ${raw}`);
    assert.doesNotMatch(raw, /[#$]/);
    // code bytes: writable by the stub even where text is mapped read-only
    // (CR0.WP is cleared for the write; today's kernel maps text RW)
    const square = addr('square');
    const code = await rsp.request(`m${hex(square)},1`);
    assert.equal(await rsp.request(`M${hex(square)},1:cc`), 'OK');
    assert.equal(await rsp.request(`m${hex(square)},1`), 'cc');
    assert.equal(await rsp.request(`M${hex(square)},1:${code}`), 'OK');
    assert.equal(await rsp.request('m0,4'), 'E14', 'the NULL page is unmapped');
    assert.equal(await rsp.request('mfff,2'), 'E14');
    for (const bad of ['800000000000', 'ffff7fffffffffff', '100000000000', 'fffffffffffffff0']) {
      assert.equal(await rsp.request(`m${bad},10`), 'E14', `m ${bad}`);
      assert.equal(await rsp.request(`M${bad},1:00`), 'E14', `M ${bad}`);
      assert.equal(await rsp.request(Buffer.from(`X${bad},1:\x00`, 'latin1')), 'E14', `X ${bad}`);
      assert.equal(await rsp.request(`Z0,${bad},1`), 'E14', `Z0 ${bad}`);
    }
    assert.equal((await rsp.request(`m${hex(addr('blob'))},100000`)).length, 0x2000 * 2, 'long m: a partial reply');
    assert.equal(await rsp.request('m12345678901234567,1'), 'E22');
    assert.equal(await rsp.request('mxyz'), 'E22');
    assert.equal(await rsp.request(`M${hex(numbers)},4:2a00`), 'E22');
  });

  it('stops at int3 and debug-register breakpoints and at watchpoints', async () => {
    const counter = addr('counter');
    assert.equal(await rsp.request(`Z0,${hex(addr('square'))},1`), 'OK');
    assert.equal(await rsp.request(`Z0,${hex(addr('square'))},1`), 'OK', 'inserting twice is fine');
    let stop = STOP.exec(await rsp.request('c'))!;
    assert.equal(leHex(stop[5]), addr('square'));
    assert.equal(stop[6], 'swbreak:;');
    assert.equal(await rsp.request(`z0,${hex(addr('square'))},1`), 'OK');
    assert.equal(await rsp.request(`Z1,${hex(addr('peek_counter'))},1`), 'OK');
    assert.equal(await rsp.request(`Z2,${hex(counter)},4`), 'OK');
    stop = STOP.exec(await rsp.request('c'))!;
    assert.equal(stop[6], `watch:${hex(counter)};`);
    assert.equal(await rsp.request(`m${hex(counter)},4`), le32([1]));
    assert.equal(await rsp.request(`z2,${hex(counter)},4`), 'OK');
    stop = STOP.exec(await rsp.request('c'))!;
    assert.equal(stop[6], 'hwbreak:;');
    assert.equal(leHex(stop[5]), addr('peek_counter'));
    assert.equal(await rsp.request(`z1,${hex(addr('peek_counter'))},1`), 'OK');
    assert.equal(await rsp.request(`Z3,${hex(counter)},4`), 'OK');
    stop = STOP.exec(await rsp.request('c'))!;
    assert.equal(stop[6], `rwatch:${hex(counter)};`);
    assert.equal(await rsp.request(`z3,${hex(counter)},4`), 'OK');
    // slots: four, then an error, never a silent miss
    for (let i = 0; i < 4; i++) assert.equal(await rsp.request(`Z2,${hex(counter + BigInt(4 * i + 16))},4`), 'OK');
    assert.equal(await rsp.request(`Z4,${hex(counter)},4`), 'E28');
    for (let i = 0; i < 4; i++) assert.equal(await rsp.request(`z2,${hex(counter + BigInt(4 * i + 16))},4`), 'OK');
    assert.equal(await rsp.request(`Z2,${hex(counter + 1n)},4`), 'E22', 'misaligned');
    assert.equal(await rsp.request(`Z2,${hex(counter)},3`), 'E22', 'odd length');
    assert.equal(await rsp.request(`Z5,${hex(counter)},4`), '', 'unknown type');
    // the way into the stub cannot take breakpoints: they would trap forever
    assert.equal(await rsp.request(`Z2,${hex(addr('percpu_cpus'))},4`), 'E01', 'watch the per-CPU table (trap_depth)');
    for (const fn of ['gdbstub_trap', 'gdb_packet_recv', 'trap_dispatch', 'isr_common']) {
      assert.equal(await rsp.request(`Z0,${hex(addr(fn))},1`), 'E01', `Z0 in ${fn}`);
      assert.equal(await rsp.request(`Z1,${hex(addr(fn) + 1n)},1`), 'E01', `Z1 in ${fn}`);
    }
    assert.equal(await rsp.request('D'), 'OK');
    await vm.waitConsole(/result 204 peek 8 label origin/);
    assert.equal(await vm.exited, 1);
  });

  it('watches 1, 2 and 8 aligned bytes', async () => {
    const blob = addr('blob');
    assert.equal(blob % 8n, 0n, 'blob is 8-aligned');
    for (const [off, len] of [[16n, 8], [34n, 2], [41n, 1]] as const) {
      const at = blob + off;
      assert.equal(await rsp.request(`Z2,${hex(at)},${len}`), 'OK');
      const stop = STOP.exec(await rsp.request('c'))!;
      assert.equal(stop[6], `watch:${hex(at)};`, `len ${len}`);
      // main fills blob[i] = i * 7 in order: the first byte written is at `at`
      const first = Number(off) * 7 & 0xff;
      assert.equal(await rsp.request(`m${hex(at)},1`), first.toString(16).padStart(2, '0'));
      assert.equal(await rsp.request(`z2,${hex(at)},${len}`), 'OK');
    }
    assert.equal(await rsp.request(`Z2,${hex(blob + 4n)},8`), 'E22', '8 bytes, 4-aligned');
    assert.equal(await rsp.request(`Z2,${hex(blob + 1n)},2`), 'E22', '2 bytes, odd address');
    assert.equal(await rsp.request('D'), 'OK');
    await vm.waitConsole(/result 204/);
  });

  it('single-steps, range-steps and continues with vCont', async () => {
    const first = STOP.exec(await rsp.request('?'))!;
    const tid = first[2];
    let stop = STOP.exec(await rsp.request(`vCont;s:${tid};c`))!;
    assert.equal(stop[1], '05');
    assert.notEqual(stop[5], first[5]);
    stop = STOP.exec(await rsp.request('s'))!;
    assert.equal(stop[1], '05');
    // range-step through sum_squares from its first instruction: stops at the call
    assert.equal(await rsp.request(`Z0,${hex(addr('sum_squares'))},1`), 'OK');
    stop = STOP.exec(await rsp.request('vCont;c'))!;
    assert.equal(leHex(stop[5]), addr('sum_squares'));
    assert.equal(await rsp.request(`z0,${hex(addr('sum_squares'))},1`), 'OK');
    const end = addr('sum_squares') + 0x400n;
    stop = STOP.exec(await rsp.request(`vCont;r${hex(addr('sum_squares'))},${hex(end)}:${tid};c`))!;
    const rip = leHex(stop[5]);
    assert.ok(rip < addr('sum_squares') || rip >= end || rip === addr('square'), `left the range at ${hex(rip)}`);
    assert.equal(leHex(stop[5]), addr('square'), 'the range step ends at the call');
    assert.equal(await rsp.request('vCont;t'), 'OK');
    assert.equal(await rsp.request('vCont;x'), 'E22');
    assert.equal(await rsp.request('vCont'), 'E22');
    await rsp.send('vCont;c');
    await vm.waitConsole(/result 204/);
    assert.equal(await vm.exited, 1);
  });

  it('single-steps pushf/cli/sti/popf keeping the stepped code\'s IF, not the stub\'s', async () => {
    const IF = 1n << 9n;
    const TF = 1n << 8n;
    assert.equal(await rsp.request(`Z0,${hex(addr('flags_dance'))},1`), 'OK');
    STOP.exec(await rsp.request('c'))!;
    assert.equal(await rsp.request(`z0,${hex(addr('flags_dance'))},1`), 'OK');
    const seen: Array<[bigint, bigint]> = [];
    // step until the function returns (rip outside it)
    for (let i = 0; i < 20; i++) {
      const stop = STOP.exec(await rsp.request('s'))!;
      const rip = leHex(stop[5]);
      const flags = leHex(await rsp.request('p11'));
      seen.push([rip, flags]);
      assert.equal(flags & TF, 0n, 'TF never shows');
      const insn = await rsp.request(`m${hex(rip)},1`);
      if (insn === 'c3') break; // at ret
    }
    const ifs = seen.map(([, f]) => ((f & IF) !== 0n ? 1 : 0)).join('');
    // pushf, cli (IF 0), sti (1), pushf, popf, pop: IF is 0 exactly once
    assert.match(ifs, /^1*01+$/, `IF after each step: ${ifs}`);
    const rax = leHex(await rsp.request('p0'));
    assert.equal(rax & IF, IF, 'pushf saw IF = 1');
    assert.equal(rax & TF, 0n, 'pushf saw no TF');
    assert.equal(await rsp.request('D'), 'OK');
    await vm.waitConsole(/result 204/);
    assert.doesNotMatch(vm.console(), /lost IF/);
  });

  it('a step that faults stops with the fault\'s signal and the code\'s own flags', async () => {
    await vm.kill();
    rsp.close();
    vm = await bootVm(elf, { args: ['div0'] });
    rsp = await RspClient.connect(vm.port);
    rsp.write('+');
    assert.equal(await rsp.request(`Z0,${hex(addr('divide'))},1`), 'OK');
    STOP.exec(await rsp.request('c'))!;
    assert.equal(await rsp.request(`z0,${hex(addr('divide'))},1`), 'OK');
    let sig = '05';
    for (let i = 0; i < 20 && sig === '05'; i++) sig = STOP.exec(await rsp.request('s'))![1];
    assert.equal(sig, '08', 'SIGFPE');
    const flags = leHex(await rsp.request('p11'));
    assert.equal(flags & (1n << 8n), 0n, 'no TF left behind');
    assert.equal(flags & (1n << 9n), 1n << 9n, 'IF as the thread had it');
    // continuing without moving rip hands the fault to the crash report, as without a debugger
    const reply = await rsp.request('c').catch((e: Error) => e.message);
    assert.match(reply, /^[WX][0-9a-f]{2}|RSP connection closed/);
    assert.equal(await vm.exited, (127 << 1) | 1, 'exit code 127: kernel crashed');
    assert.doesNotMatch(vm.console(), /result/);
  });

  it('keeps the framing rules: naks, garbage, truncation, overflow, no-ack mode', async () => {
    // bad checksum -> '-', the retransmission is accepted
    rsp.write('$qC#00');
    assert.equal(await rsp.readAck(), '-');
    assert.match(await rsp.request('qC'), /^QC[0-9a-f]+$/);
    // bytes between packets are ignored
    rsp.write('garbage\x03\x00##+-');
    assert.equal(await rsp.request('qAttached'), '1');
    // a packet cut short by a new '$' is dropped in favour of the new one
    rsp.write('$m1000');
    assert.equal(await rsp.request('qAttached'), '1');
    // overlong: read to its end, answered with an error
    rsp.write(frame('m' + '0'.repeat(20000)));
    assert.equal(await rsp.readAck(), '+');
    assert.equal((await rsp.readPacket()).toString(), 'E07');
    // a reply whose ack is a '-' is sent again
    rsp.write(frame('qAttached'));
    assert.equal(await rsp.readAck(), '+');
    assert.equal((await rsp.readPacket()).toString(), '1');
    await rsp.startNoAck();
    assert.equal(await rsp.request('qAttached'), '1');
    rsp.write('$qC#00');	// no-ack mode: a bad packet is dropped silently
    assert.match(await rsp.request('qC'), /^QC/);
    assert.equal(await rsp.request('D'), 'OK');
    await vm.waitConsole(/result 204/);
  });

  it('stops a busy loop on Ctrl-C, and the app finishes after detach', async () => {
    await vm.kill();
    rsp.close();
    vm = await bootVm(elf, { args: ['spin'] });
    rsp = await RspClient.connect(vm.port);
    rsp.write('+');
    await rsp.startNoAck();
    await rsp.send('c');
    await new Promise((r) => setTimeout(r, 300));
    rsp.write('\x03');
    const reply = (await rsp.readPacket(10000)).toString();
    const stop = STOP.exec(reply)!;
    assert.equal(stop[1], '02', reply);
    const rip = leHex(stop[5]);
    assert.ok(rip >= addr('spin') && rip < addr('spin') + 0x40n, `stopped in spin() at ${hex(rip)}`);
    assert.equal(await rsp.request(`M${hex(addr('spin_stop'))},4:${le32([1])}`), 'OK');
    assert.equal(await rsp.request('D'), 'OK');
    rsp.close();
    await vm.waitConsole(/result 204 peek \d+ label origin/);
    assert.equal(await vm.exited, 1);
  });

  it('stops the idle thread on Ctrl-C when every thread sleeps', async () => {
    await vm.kill();
    rsp.close();
    vm = await bootVm(elf, { args: ['idle'] });
    rsp = await RspClient.connect(vm.port);
    rsp.write('+');
    await rsp.startNoAck();
    // the ticker and main wake now and then: try again if one of them ran
    let name = '';
    for (let i = 0; i < 5 && !name.startsWith('idle ['); i++) {
      await rsp.send('c');
      await new Promise((r) => setTimeout(r, 300));
      rsp.write('\x03');
      const reply = (await rsp.readPacket(10000)).toString();
      const stop = STOP.exec(reply)!;
      assert.equal(stop[1], '02', reply);
      name = Buffer.from(await rsp.request(`qThreadExtraInfo,${stop[2]}`), 'hex').toString();
    }
    assert.match(name, /^idle \[/);
    assert.equal(await rsp.request(`M${hex(addr('spin_stop'))},4:${le32([1])}`), 'OK');
    assert.equal(await rsp.request('D'), 'OK');
    await vm.waitConsole(/result 204 peek 8 label origin/);
  });

  it('switches itself off without COM2: minnow.gdb=wait does not wait', async () => {
    await vm.kill();
    rsp.close();
    vm = await bootVm(elf, { noCom2: true });
    await vm.waitConsole(/result 204 peek 8 label origin/);
    assert.equal(await vm.exited, 1);
  });

  it('leaves faults to the crash report while no gdb is attached', async () => {
    await vm.kill();
    rsp.close();
    vm = await bootVm(elf, { wait: false, args: ['div0'] });
    assert.equal(await vm.exited, (127 << 1) | 1, 'exit code 127: kernel crashed');
    assert.doesNotMatch(vm.console(), /result/);
  });

  it('attaches again after a detach, and k ends the VM', async () => {
    await vm.kill();
    rsp.close();
    vm = await bootVm(elf, { args: ['spin'] });
    rsp = await RspClient.connect(vm.port);
    rsp.write('+');
    await rsp.startNoAck();
    assert.equal(await rsp.request('D'), 'OK');
    rsp.close();
    await new Promise((r) => setTimeout(r, 200));
    // a new session while the kernel runs: its first packet stops the kernel
    rsp = await RspClient.connect(vm.port);
    rsp.write('+');
    assert.match(await rsp.request('qSupported:swbreak+', 10000), /PacketSize/);
    const stop = STOP.exec(await rsp.request('?'))!;
    assert.equal(stop[1], '05');
    await rsp.send('k');
    // 126: "ended by the debugger", which the runner does not call a crash
    assert.equal(await vm.exited, (126 << 1) | 1);
  });
});
