// Debugging on 4 CPUs in a real VS Code: the adapter tests' SMP application (a worker pinned to
// each CPU, main busy on CPU 0) with a gutter breakpoint on CPU 2, F5, and the Call Stack names
// the threads with their CPUs; the Minnow Kernel view groups the threads under CPU 0..CPU 3, each
// with its running thread first; Shift+F5 leaves no QEMU behind.

import { strict as assert } from 'node:assert';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, marker, processesMatching, scratchDir, useVsCode } from './harness';
import { kernelViewRows, showKernelView } from './kernelView';

const SMP_APP = join(REPO, 'test', 'adapter', 'smpapp');

describe('e2e: the Kernel view on 4 CPUs', function () {
  this.timeout(300_000);
  const openVsCode = useVsCode();

  it('F5 to a breakpoint on CPU 2: Call Stack threads name their CPU, the Kernel view groups them by CPU', async () => {
    const app = scratchDir('smp');
    for (const f of ['main.c', 'minnow.json']) copyFileSync(join(SMP_APP, f), join(app, f));
    const main = join(app, 'main.c');
    const vsc = await openVsCode('kernel-view-smp', app);
    const fold = async (panes: string[]): Promise<void> => {
      for (const name of panes) {
        const h = vsc.page.locator('.pane-header', { hasText: new RegExp(`^${name}`, 'i') }).first();
        if ((await h.getAttribute('aria-expanded')) === 'true') await h.click();
      }
    };
    await vsc.trace.waitFor((e) => e.event === 'activated', 'activation');
    await vsc.openFile('main.c');
    await vsc.breakpointInGutter(marker(main, 'on-cpu2'));
    let from = vsc.trace.length;
    await vsc.page.keyboard.press('F5');
    const stop = await vsc.trace.waitFor((e) => e.event === 'stopped', 'paused on CPU 2', 240_000, from);
    assert.equal(stop.reason, 'breakpoint', JSON.stringify(stop));
    await vsc.page.locator('.debug-call-stack', { hasText: /Paused on breakpoint/i }).waitFor({ timeout: 60_000 });
    await vsc.waitForPaused();

    // the Call Stack, given room (a list draws only the rows it has room for): every CPU's
    // running thread named with its CPU
    await fold(['Variables', 'Watch', 'Breakpoints']);
    for (const name of ['worker-2 · CPU 2 (running)', 'main · CPU 0 (running)', 'worker-1 · CPU 1 (running)', 'worker-3 · CPU 3 (running)']) {
      await vsc.page.locator('.debug-call-stack .monaco-list-row', { hasText: name }).first().waitFor({ timeout: 30_000 }).catch(async () => {
        assert.fail(`Call Stack has no "${name}":\n${(await vsc.rows('.debug-call-stack')).join('\n')}`);
      });
    }
    await vsc.screenshot('call-stack-cpus');

    // room for the Kernel view (its rows are drawn only where the pane has room)
    await fold(['Call Stack']);
    from = vsc.trace.length;
    await showKernelView(vsc);
    const view = await vsc.trace.waitFor((e) => e.event === 'kernel-view' || e.event === 'kernel-view-error', 'the Kernel view read the kernel', 60_000, from);
    assert.equal(view.event, 'kernel-view', JSON.stringify(view));
    const cpus = view.cpus as { label: string; running?: string; threads: string[] }[] | undefined;
    assert.deepEqual(
      cpus?.map((g) => [g.label, g.running, g.threads[0]]),
      [
        ['CPU 0', 'main', 'main'],
        ['CPU 1', 'worker-1', 'worker-1'],
        ['CPU 2', 'worker-2', 'worker-2'],
        ['CPU 3', 'worker-3', 'worker-3'],
      ],
      JSON.stringify(view),
    );
    // and on screen: the threads group says 4 CPUs, each CPU's row names what it runs
    await kernelViewRows(vsc, /Threads \(\d+ on 4 CPUs\)/).first().waitFor({ timeout: 30_000 });
    for (const [cpu, thread] of [[0, 'main'], [1, 'worker-1'], [2, 'worker-2'], [3, 'worker-3']]) {
      await kernelViewRows(vsc, new RegExp(`^CPU ${cpu}\\s*running ${thread} · \\d+ threads?`)).first().waitFor({ timeout: 30_000 }).catch(async () => {
        const pane = vsc.page.locator('.pane', { has: vsc.page.locator('.pane-header', { hasText: /Minnow Kernel/i }) });
        assert.fail(`no row "CPU ${cpu} running ${thread}" in the Kernel view:\n${(await pane.locator('.monaco-list-row').allTextContents()).join('\n')}`);
      });
    }
    // the row after CPU 2's is its running thread
    const pane = vsc.page.locator('.pane', { has: vsc.page.locator('.pane-header', { hasText: /Minnow Kernel/i }) });
    const rows = await pane.locator('.pane-body .monaco-list-row').allTextContents();
    const at = rows.findIndex((r) => r.startsWith('CPU 2'));
    assert.match(rows[at + 1] ?? '', /^worker-2\s*running/, rows.join('\n'));
    await vsc.screenshot('kernel-view-cpus');

    // stop: the session ends and takes QEMU with it
    from = vsc.trace.length;
    await vsc.page.keyboard.press('Shift+F5');
    await vsc.trace.waitFor((e) => e.event === 'session-end', 'the session ends', 60_000, from);
    const end = Date.now() + 10_000;
    while (processesMatching('qemu-system', app).length > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(processesMatching('qemu-system', app), [], 'no QEMU left');
  });
});
