/*
 * A gdb that connects before the kernel has set COM2 up (`minnow debug
 * --wait` and gdb started together) must get its first packet answered at
 * once, not after gdb's 2 s retransmit. QEMU starts frozen (-S) so that the
 * bytes are surely in the UART before the kernel runs; QEMU's own gdbstub
 * then lets the CPU go.
 */
import * as assert from 'node:assert/strict';
import { bootVm, buildTestApp, type Vm } from './harness';
import { RspClient } from './rsp';

// well under gdb's 2 s retransmit, well over a loaded machine's boot
// generous: the point is that the early packet is answered at all (a stub that dropped it would
// leave this client, which never retransmits, waiting); how fast is the benchmark's business
const ANSWER_MS = 30_000;

describe('gdbstub: a gdb that connected before the transport was set up', function () {
  this.timeout(120000);
  let vm: Vm | undefined;
  const clients: RspClient[] = [];

  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await vm?.kill();
    vm = undefined;
  });

  // gdb greets with '+' then qSupported; a client may also start with '$'
  for (const prelude of ['+', '']) {
    it(`answers "${prelude}$qSupported" sent before boot`, async () => {
      const elf = buildTestApp();
      vm = await bootVm(elf, { qemuStub: true, freeze: true });
      const com2 = await RspClient.connect(vm.port);
      clients.push(com2);
      com2.write(prelude);
      com2.write(Buffer.from('$qSupported:swbreak+;hwbreak+#'));
      // checksum written by hand: frame() would send it in one piece too
      const sum = [...Buffer.from('qSupported:swbreak+;hwbreak+')].reduce((a, b) => (a + b) & 0xff, 0);
      com2.write(sum.toString(16).padStart(2, '0'));
      // QEMU moves the first byte into the UART while the CPU is frozen
      await new Promise((r) => setTimeout(r, 300));

      const qemu = await RspClient.connect(vm.qemuPort!);
      clients.push(qemu);
      qemu.write('+');
      const t0 = Date.now();
      await qemu.send('c');
      const reply = (await com2.readPacket(ANSWER_MS)).toString('latin1');
      assert.match(reply, /PacketSize=/, `${reply} (after ${Date.now() - t0} ms)`);
      // and the session goes on normally
      assert.match(await com2.request('?'), /^T05/);
    });
  }
});
