// The CLI's hand-written argument parser: option forms, `--` for main's arguments, and the
// usage errors it raises.

import assert from 'node:assert/strict';
import { parseArgs, UsageError, type Specs } from '../../cli/args';

const specs: Specs = {
  machine: { kind: 'string', choices: ['microvm', 'q35'], help: '' },
  timeout: { kind: 'number', help: '' },
  wait: { kind: 'boolean', help: '' },
};

describe('cli: argument parsing', () => {
  it('reads flags, "--opt value", "--opt=value" and positionals', () => {
    const p = parseArgs(['app', '--machine', 'q35', '--timeout=2.5', '--wait'], specs, 'run');
    assert.deepEqual(p.positionals, ['app']);
    assert.deepEqual(p.options, { machine: 'q35', timeout: 2.5, wait: true });
    assert.equal(p.rest, undefined);
  });

  it('keeps everything after -- for main, options included', () => {
    const p = parseArgs(['--wait', '--', '--machine', 'x', '--'], specs, 'run');
    assert.deepEqual(p.rest, ['--machine', 'x', '--']);
    assert.deepEqual(p.positionals, []);
    assert.deepEqual(parseArgs(['--'], specs, 'run').rest, []);
  });

  const bad: [string[], RegExp][] = [
    [['--nope'], /unknown option --nope for "minnow run"/],
    [['-x'], /unknown option -x/],
    [['--machine'], /--machine needs a value/],
    [['--machine', 'pc'], /--machine must be one of microvm, q35, not "pc"/],
    [['--timeout', 'soon'], /--timeout needs a positive number, not "soon"/],
    [['--timeout', '-1'], /positive number/],
    [['--wait=yes'], /--wait takes no value/],
  ];
  for (const [argv, message] of bad) {
    it(`rejects ${argv.join(' ')} with a usage error`, () => {
      assert.throws(() => parseArgs(argv, specs, 'run'), (e: unknown) => e instanceof UsageError && message.test(e.message));
    });
  }
});
