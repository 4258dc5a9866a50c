// "Minnow: New Project…" in a VS Code that has never seen Minnow: pick a template, pick an empty
// folder, the folder opens with main.c; then "Minnow: Run (without debugging)" builds and boots
// it, with the status bar item while it runs and the guest's output in the terminal.

import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { processesMatching, scratchDir, useVsCode } from './harness';

describe('e2e: New Project and Run', function () {
  this.timeout(240_000);
  const openVsCode = useVsCode();

  it('creates a project from the hello template, opens it, and runs it', async () => {
    const empty = scratchDir('start');
    const target = scratchDir('newapp');
    const vsc = await openVsCode('new-project', empty);
    await vsc.newProject('hello', target);
    await vsc.trace.waitFor((e) => e.event === 'new-project', 'the project is written');
    // opening the folder reloads the workbench; the new extension host opens main.c
    await vsc.waitForFolder(target);
    await vsc.page.locator('.tabs-container .tab.active', { hasText: 'main.c' }).waitFor({ timeout: 60_000 });
    await vsc.screenshot('project-opened');
    const launch = JSON.parse(readFileSync(join(target, '.vscode', 'launch.json'), 'utf8')) as { configurations: Array<{ type: string }> };
    assert.equal(launch.configurations[0].type, 'minnow');
    assert.ok(existsSync(join(target, '.vscode', 'tasks.json')));
    const settings = readFileSync(join(target, '.vscode', 'settings.json'), 'utf8');
    assert.match(settings, /build\/compile_commands\.json/);
    const name = (JSON.parse(readFileSync(join(target, 'minnow.json'), 'utf8')) as { name: string }).name;
    assert.equal(name, basename(target));

    const before = vsc.trace.length;
    await vsc.focusEditor();
    await vsc.command('Minnow: Run (without debugging)');
    await vsc.trace.waitFor((e) => e.event === 'status-show', 'the status bar item appears', 60_000, before);
    const end = await vsc.trace.waitFor((e) => e.event === 'task-end' && e.command === 'run', 'the run task ends', 120_000, before);
    assert.equal(end.exitCode, 0);
    await vsc.trace.waitFor((e) => e.event === 'status-hide', 'the status bar item goes away', 10_000, before);
    await vsc.page.locator('.terminal-wrapper .xterm-rows', { hasText: `Hello from Minnow! I am ${name}.` }).first().waitFor({ timeout: 30_000 });
    await vsc.screenshot('run-output');
    assert.deepEqual(processesMatching('qemu-system', target), [], 'no QEMU left');

    // a second New Project into the same, now non-empty, folder asks first; Cancel leaves it be
    const mainBefore = readFileSync(join(target, 'main.c'), 'utf8');
    const created = vsc.trace.events().filter((e) => e.event === 'new-project').length;
    await vsc.newProject('threads', target);
    const dialog = vsc.page.locator('.monaco-dialog-box', { hasText: 'is not empty' });
    await dialog.waitFor({ timeout: 30_000 });
    await vsc.screenshot('not-empty-asks');
    await dialog.locator('.monaco-button', { hasText: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(vsc.trace.events().filter((e) => e.event === 'new-project').length, created, 'nothing created');
    assert.equal(readFileSync(join(target, 'main.c'), 'utf8'), mainBefore, 'main.c untouched');
  });
});
