// The Instances view: a VM started in the background by the CLI (`minnow run -d --debug`) shows
// in Run and Debug's "Minnow Instances" with its status and ports; its row attaches the debugger
// (the gdbstub port from the instance's record), and stops it, after which the row says so and
// no QEMU is left.

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { copyExample, processesMatching, REPO, useVsCode } from './harness';

function cli(args: string[]): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [join(REPO, 'dist', 'cli.js'), ...args], { encoding: 'utf8', timeout: 180_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('e2e: the Instances view', function () {
  this.timeout(300_000);
  const openVsCode = useVsCode();
  const name = `e2e-view-${process.pid}`;

  after(() => {
    cli(['stop', name]);
    cli(['rm', name]);
  });

  it('lists a background instance, attaches the debugger from its row, and stops it', async () => {
    const app = copyExample('echo');
    // the example publishes the fixed host port 7007; nothing here needs it
    const manifest = JSON.parse(readFileSync(join(app, 'minnow.json'), 'utf8')) as Record<string, unknown>;
    delete manifest.network;
    writeFileSync(join(app, 'minnow.json'), JSON.stringify(manifest, null, 2));
    const started = cli(['run', '-d', '--debug', '--name', name, app]);
    assert.equal(started.status, 0, started.out);

    // the instances live under the user's cache: VS Code must look where the CLI wrote
    const cache = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
    const vsc = await openVsCode('instances', app, { env: { XDG_CACHE_HOME: cache } });
    await vsc.trace.waitFor((e) => e.event === 'activated', 'activation');
    await vsc.command('View: Show Run and Debug');
    // the view starts collapsed below the Run section: open it as a user would
    const header = vsc.page.locator('.pane-header', { hasText: 'Minnow Instances' });
    await header.waitFor({ timeout: 30_000 });
    if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
    const pane = vsc.page.locator('.pane', { has: header });
    const row = pane.locator('.monaco-list-row', { hasText: name });
    await row.filter({ hasText: /running · echo · up .* · gdb 127\.0\.0\.1:\d+/ }).waitFor({ timeout: 60_000 });
    await vsc.screenshot('instances-running');

    await row.hover();
    await row.locator('.action-label[aria-label="Attach the Debugger"]').click();
    await vsc.trace.waitFor((e) => e.event === 'session-start', 'the attach session', 120_000);
    await vsc.page.locator('.statusbar-item', { hasText: /echo · attached to 127\.0\.0\.1:\d+/ }).first().waitFor({ timeout: 120_000 });
    await vsc.screenshot('instances-attached');
    // detach: the instance goes on running
    await vsc.page.keyboard.press('Shift+F5');
    await vsc.trace.waitFor((e) => e.event === 'session-end', 'detached', 60_000);
    await row.filter({ hasText: 'running' }).waitFor({ timeout: 30_000 });

    await row.hover();
    await row.locator('.action-label[aria-label="Stop Instance"]').click();
    await row.filter({ hasText: 'exited (stopped)' }).waitFor({ timeout: 60_000 });
    await vsc.screenshot('instances-stopped');
    assert.deepEqual(processesMatching('qemu-system', name), [], 'no QEMU left');
  });
});
