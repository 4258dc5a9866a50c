// What a user sees when something is wrong before the kernel boots: a compile error lands in the
// Problems panel at its line and no debug session starts; a broken minnow.json is marked by the
// schema in the editor and F5 says what is wrong instead of building.

import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyExample, marker, processesMatching, scratchDir, useVsCode } from './harness';

describe('e2e: errors before boot', function () {
  this.timeout(180_000);
  const openVsCode = useVsCode();

  it('a compile error shows in Problems at its line and no session starts', async () => {
    const app = copyExample('hello');
    const main = join(app, 'main.c');
    // the error goes on the line of `return 0;` (found by text, not by number)
    writeFileSync(main, readFileSync(main, 'utf8').replace('return 0;', 'return no_such_variable; // #ERR'));
    const line = marker(main, 'ERR');
    const vsc = await openVsCode('compile-error', app);
    await vsc.trace.waitFor((e) => e.event === 'activated', 'activation');
    await vsc.focusEditor();
    await vsc.openFile('main.c');
    await vsc.page.locator('.monaco-editor .view-line', { hasText: 'no_such_variable' }).waitFor();
    await vsc.screenshot('main-with-error');
    await vsc.page.keyboard.press('F5');
    await vsc.trace.waitFor((e) => e.event === 'f5-no-launch-json', 'F5 resolved by the extension');
    // the preLaunchTask fails; VS Code asks what to do (default debug.onTaskErrors = prompt)
    const showErrors = vsc.page.locator('.monaco-dialog-box .monaco-button', { hasText: 'Show Errors' });
    await showErrors.waitFor({ timeout: 90_000 });
    await vsc.screenshot('task-failed-dialog');
    await showErrors.click();
    const row = vsc.page.locator('.markers-panel .monaco-list-row', { hasText: 'no_such_variable' }).first();
    await row.waitFor({ timeout: 30_000 });
    const text = (await row.textContent()) ?? '';
    assert.match(text, new RegExp(`\\[Ln ${line}, Col \\d+\\]`), `Problems row: ${text}`);
    await vsc.screenshot('problems');
    assert.equal(vsc.trace.events().filter((e) => e.event === 'session-start').length, 0, 'no debug session started');
    assert.equal(await vsc.page.locator('.debug-toolbar').isVisible(), false);
    assert.deepEqual(processesMatching('qemu-system', app), [], 'no QEMU left');
  });

  it('F5 in a folder without minnow.json offers New Project', async () => {
    const dir = scratchDir('plain');
    writeFileSync(join(dir, 'plain.c'), 'int main(void)\n{\n\treturn 0;\n}\n');
    const vsc = await openVsCode('no-manifest', dir);
    await vsc.openFile('plain.c');
    await vsc.focusEditor();
    await vsc.page.keyboard.press('F5');
    await vsc.trace.waitFor((e) => e.event === 'f5-no-launch-json' && e.dir === null, 'F5 reaches the extension');
    const offer = vsc.notification(/no minnow\.json here/);
    await offer.waitFor({ timeout: 30_000 });
    await offer.locator('.monaco-button', { hasText: 'New Project…' }).waitFor();
    await vsc.screenshot('offers-new-project');
    // Run and Debug, with no launch.json, offers it too
    await vsc.page.keyboard.press('Control+Shift+D');
    await vsc.page.locator('.welcome-view-content a, .welcome-view-content .monaco-button', { hasText: 'New Minnow Project…' }).first().waitFor({ timeout: 30_000 });
    await vsc.screenshot('run-and-debug-welcome');
    assert.equal(vsc.trace.events().filter((e) => e.event === 'session-start').length, 0, 'no debug session started');
  });

  it('a broken minnow.json is marked by the schema and F5 explains it', async () => {
    const app = copyExample('hello');
    const manifest = join(app, 'minnow.json');
    writeFileSync(manifest, readFileSync(manifest, 'utf8').replace('"memory": "8M"', '"memory": "lots"'));
    const vsc = await openVsCode('broken-manifest', app);
    await vsc.trace.waitFor((e) => e.event === 'activated', 'activation');
    await vsc.focusEditor();
    await vsc.openFile('minnow.json');
    // the JSON language service validates against schemas/minnow.schema.json (jsonValidation)
    await vsc.page.locator('.monaco-editor .squiggly-warning, .monaco-editor .squiggly-error').first().waitFor({ timeout: 60_000 });
    await vsc.page.keyboard.press('Control+Shift+M');
    const marker = vsc.page.locator('.markers-panel .monaco-list-row', { hasText: /unit K, M or G|does not match/ }).first();
    await marker.waitFor({ timeout: 30_000 });
    await vsc.screenshot('schema-marks-memory');
    await vsc.openFile('main.c');
    await vsc.page.locator('.monaco-editor .view-line', { hasText: 'Hello from Minnow' }).waitFor();
    await vsc.focusEditor();
    await vsc.page.keyboard.press('F5');
    const refused = await vsc.trace.waitFor((e) => e.event === 'launch-refused', 'F5 refuses the broken manifest');
    assert.match(String(refused.problem), /memory/);
    await vsc.notification(/minnow\.json.*memory/).waitFor({ timeout: 30_000 });
    await vsc.screenshot('f5-explains');
    assert.equal(vsc.trace.events().filter((e) => e.event === 'session-start').length, 0, 'no debug session started');
  });
});
