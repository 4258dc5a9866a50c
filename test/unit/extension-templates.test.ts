// New Project's file work, without VS Code: the templates it offers, what it copies and what it
// writes into .vscode/, checked against package.json (the problem matchers it names exist, the
// preLaunchTask names the build task) and against `minnow new` (same rename rule).

import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BUILD_TASK_LABEL, createProject, isEmptyDir, listTemplates, PROBLEM_MATCHERS } from '../../extension/templates';

const REPO = resolve(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));

describe('New Project templates', () => {
  let tmp: string;

  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), 'minnow-templates-'));
  });

  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  it('offers every example with a minnow.json, hello first, each with its description', () => {
    const templates = listTemplates(join(REPO, 'examples'));
    const names = templates.map((t) => t.name);
    assert.equal(names[0], 'hello');
    assert.ok(names.includes('threads'));
    for (const t of templates) assert.ok(t.description, `${t.name} has a one-line description in its minnow.json`);
    assert.deepEqual(listTemplates(join(tmp, 'nothing-here')), []);
  });

  it('copies the application without build output and names it after the folder', () => {
    const src = join(tmp, 'examples', 'demo');
    mkdirSync(join(src, 'build'), { recursive: true });
    writeFileSync(join(src, 'minnow.json'), JSON.stringify({ name: 'demo', description: 'a demo', sources: ['main.c'] }));
    writeFileSync(join(src, 'main.c'), 'int main(void) { return 0; }\n');
    writeFileSync(join(src, 'build', 'demo.elf'), 'ELF');
    writeFileSync(join(src, 'disk.img'), 'IMG');
    const [t] = listTemplates(join(tmp, 'examples'));
    const target = join(tmp, 'my-app');
    const open = createProject(t, target);
    assert.equal(open, join(target, 'main.c'));
    assert.ok(existsSync(join(target, 'main.c')));
    assert.ok(!existsSync(join(target, 'build')), 'no build output');
    assert.ok(!existsSync(join(target, 'disk.img')), 'no disk image');
    assert.equal(JSON.parse(readFileSync(join(target, 'minnow.json'), 'utf8')).name, 'my-app');
    // a folder name that is not a valid application name keeps the template's
    const odd = join(tmp, '.hidden app');
    createProject(t, odd);
    assert.equal(JSON.parse(readFileSync(join(odd, 'minnow.json'), 'utf8')).name, 'demo');
  });

  it('copies examples/webserver with its www/ folder, so the new project serves a page at once', () => {
    const web = listTemplates(join(REPO, 'examples')).find((t) => t.name === 'webserver');
    assert.ok(web, 'examples/webserver is a template');
    assert.match(web.description, /web server/);
    const target = join(tmp, 'site');
    assert.equal(createProject(web, target), join(target, 'main.c'));
    for (const f of ['www/index.html', 'www/about/index.html', 'www/style.css']) {
      assert.deepEqual(readFileSync(join(target, f)), readFileSync(join(web.dir, f)), f);
    }
    const manifest = JSON.parse(readFileSync(join(target, 'minnow.json'), 'utf8'));
    assert.deepEqual(manifest.mounts, [{ host: 'www', guest: '/www', readonly: true }]);
    assert.equal(manifest.name, 'site');
  });

  it('copies examples/intercore with its "cpus": 4, so the new project boots several CPUs at once', () => {
    const smp = listTemplates(join(REPO, 'examples')).find((t) => t.name === 'intercore');
    assert.ok(smp, 'examples/intercore is a template');
    assert.match(smp.description, /CPU/);
    const target = join(tmp, 'cores');
    assert.equal(createProject(smp, target), join(target, 'main.c'));
    const manifest = JSON.parse(readFileSync(join(target, 'minnow.json'), 'utf8'));
    assert.equal(manifest.cpus, 4);
    assert.equal(manifest.name, 'cores');
  });

  it('writes launch.json, tasks.json and settings.json that fit together and with package.json', () => {
    const [hello] = listTemplates(join(REPO, 'examples'));
    const target = join(tmp, 'hello-app');
    createProject(hello, target);
    const launch = JSON.parse(readFileSync(join(target, '.vscode', 'launch.json'), 'utf8'));
    const tasks = JSON.parse(readFileSync(join(target, '.vscode', 'tasks.json'), 'utf8'));
    const settings = JSON.parse(readFileSync(join(target, '.vscode', 'settings.json'), 'utf8'));
    const config = launch.configurations[0];
    assert.equal(config.type, 'minnow');
    assert.equal(config.request, 'launch');
    assert.equal(config.app, '${workspaceFolder}');
    assert.equal(config.preLaunchTask, BUILD_TASK_LABEL);
    const build = tasks.tasks.find((t: { label: string }) => t.label === BUILD_TASK_LABEL);
    assert.deepEqual({ type: build.type, command: build.command }, { type: 'minnow', command: 'build' });
    const contributed = pkg.contributes.problemMatchers.map((m: { name: string }) => `$${m.name}`);
    for (const m of PROBLEM_MATCHERS) assert.ok(contributed.includes(m), `${m} is contributed`);
    assert.deepEqual(build.problemMatcher, PROBLEM_MATCHERS);
    assert.equal(settings['C_Cpp.default.compileCommands'], '${workspaceFolder}/build/compile_commands.json');
    assert.ok(settings['clangd.arguments'].includes('--compile-commands-dir=${workspaceFolder}/build'));
  });

  it('knows an empty folder', () => {
    assert.ok(isEmptyDir(tmp));
    assert.ok(isEmptyDir(join(tmp, 'missing')));
    writeFileSync(join(tmp, 'x'), '');
    assert.ok(!isEmptyDir(tmp));
  });
});
