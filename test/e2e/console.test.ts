// The guest's console both ways: what the application prints shows in the "Minnow console"
// terminal (and the Debug Console), and a line typed into that terminal reaches the guest's COM1,
// where fgets(stdin) reads it.

import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { processesMatching, scratchDir, useVsCode } from './harness';
import type { VsCode } from './harness';

const ECHO_APP = `#include <minnow.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	char line[64];

	printf("type a line:\\n");
	if (!fgets(line, sizeof(line), stdin))
		return 1;
	printf("got: %s", line);
	return 0;
}
`;

describe('e2e: the Minnow console terminal', function () {
  this.timeout(240_000);
  const openVsCode = useVsCode();

  /** Writes ECHO_APP as application `name` into a fresh folder, opens it and presses F5. */
  async function launchEchoApp(scenario: string, name: string): Promise<{ app: string; vsc: VsCode }> {
    const app = scratchDir(name);
    writeFileSync(join(app, 'minnow.json'), JSON.stringify({ name, sources: ['main.c'], memory: '8M' }, null, 2));
    writeFileSync(join(app, 'main.c'), ECHO_APP);
    const vsc = await openVsCode(scenario, app);
    await vsc.trace.waitFor((e) => e.event === 'activated', 'activation');
    await vsc.openFile('main.c');
    await vsc.focusEditor();
    await vsc.page.keyboard.press('F5');
    return { app, vsc };
  }

  it('shows guest output and sends typed lines to the guest', async () => {
    const { app, vsc } = await launchEchoApp('console', 'echo');
    await vsc.trace.waitForGuestText('type a line:', 180_000);
    await vsc.command('Minnow: Show Guest Console');
    // the terminal that shows the guest's prompt (other terminals have their own, hidden or not)
    const term = vsc.page.locator('.terminal-wrapper:visible', { has: vsc.page.locator('.xterm-rows', { hasText: 'type a line:' }) }).first();
    await term.waitFor({ timeout: 30_000 });
    // typed into that terminal's own input (focused first), not wherever the focus is
    const keys = term.locator('.xterm-helper-textarea');
    await keys.pressSequentially('hello guest');
    await keys.press('Enter');
    await vsc.trace.waitFor((e) => e.event === 'console-input', 'the line was sent');
    await vsc.trace.waitForGuestText('got: hello guest');
    await vsc.page.locator('.terminal-wrapper .xterm-rows', { hasText: 'got: hello guest' }).first().waitFor({ timeout: 30_000 });
    await vsc.screenshot('console-echo');
    const exited = await vsc.trace.waitFor((e) => e.event === 'exited', 'the application exits', 60_000);
    assert.equal(exited.exitCode, 0);
    await vsc.trace.waitFor((e) => e.event === 'session-end', 'the session ends', 60_000);
    assert.deepEqual(processesMatching('qemu-system', app), [], 'no QEMU left');
  });

  it('the status bar item shows the running instance and stops it when clicked', async () => {
    const { app, vsc } = await launchEchoApp('status-bar', 'waiter');
    const booted = await vsc.trace.waitFor((e) => e.event === 'status-booted', 'the instance booted', 180_000);
    console.log(`      status bar: ${String(booted.text)}`);
    assert.match(String(booted.text), /waiter · booted in [\d.]+ s/);
    const item = vsc.page.locator('.statusbar-item', { hasText: /waiter · booted in [\d.]+ s/ }).first();
    await item.waitFor();
    assert.ok(processesMatching('qemu-system', app).length > 0, 'QEMU runs while the item is shown');
    await vsc.screenshot('status-bar-item');
    await item.click();
    await vsc.trace.waitFor((e) => e.event === 'session-end', 'clicking the item stopped the session', 60_000);
    await item.waitFor({ state: 'hidden' });
    await vsc.trace.waitFor((e) => e.event === 'adapter-exit', 'the adapter exited', 30_000);
    assert.deepEqual(processesMatching('qemu-system', app), [], 'no QEMU left');
  });
});
