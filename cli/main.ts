// The minnow command line: dispatches a verb, turns a MinnowError into two lines on stderr
// ("minnow: error: <problem>" and "  fix: <what to do>") and anything else into a bug report
// with a stack. Bundled to dist/cli.js and started by bin/minnow.

import pkg from '../package.json';
import { isMinnowError } from '../target';
import { describeOptions, UsageError, type Specs } from './args';
import { EXIT } from './common';
import { BUILD_OPTION_SPECS, BUILD_USAGE, buildCommand } from './commands/build';
import { CLEAN_SPECS, CLEAN_USAGE, cleanCommand } from './commands/clean';
import { CHECK_SPECS, CHECK_USAGE, checkCommand } from './commands/check';
import { DISK_SPECS, DISK_USAGE, diskCommand } from './commands/disk';
import { DEBUG_SPECS, DEBUG_USAGE, debugCommand } from './commands/debug';
import { listTemplates, NEW_SPECS, NEW_USAGE, newCommand, templateList } from './commands/new';
import { LOGS_SPECS, LOGS_USAGE, logsCommand } from './commands/logs';
import { PACK_SPECS, PACK_USAGE, packCommand } from './commands/pack';
import { PS_SPECS, PS_USAGE, psCommand } from './commands/ps';
import { RUN_SPECS, RUN_USAGE, runCommand } from './commands/run';
import { RM_SPECS, RM_USAGE, rmCommand, STOP_SPECS, STOP_USAGE, stopCommand } from './commands/stop';
import { superviseCommand, SUPERVISE_VERB } from './commands/supervise';
import { flushed, processIo, type Io } from './io';

interface Verb {
  usage: string;
  summary: string;
  specs: Specs;
  run(argv: string[], io: Io): Promise<number>;
  /** More help after the options (the templates of `new`). */
  more?(): string;
}

const VERBS: Record<string, Verb> = {
  new: {
    usage: NEW_USAGE,
    summary: 'start an application from a template (an example)',
    specs: NEW_SPECS,
    run: newCommand,
    more: () => `\nTemplates:\n${templateList(listTemplates())}\n`,
  },
  build: { usage: BUILD_USAGE, summary: 'build the application and its kernel into build/<name>.elf', specs: BUILD_OPTION_SPECS, run: buildCommand },
  run: { usage: RUN_USAGE, summary: 'build, boot under QEMU, show the console, exit with its exit code', specs: RUN_SPECS, run: runCommand },
  debug: { usage: DEBUG_USAGE, summary: 'like run, with a gdbstub on 127.0.0.1 and the gdb command to attach', specs: DEBUG_SPECS, run: debugCommand },
  ps: { usage: PS_USAGE, summary: 'list the background instances (run -d); --all: finished ones too, with how they ended', specs: PS_SPECS, run: psCommand },
  logs: { usage: LOGS_USAGE, summary: "print an instance's console; -f: follow it until the instance ends", specs: LOGS_SPECS, run: logsCommand },
  stop: { usage: STOP_USAGE, summary: 'stop running instances', specs: STOP_SPECS, run: stopCommand },
  rm: { usage: RM_USAGE, summary: 'remove finished instances and their logs', specs: RM_SPECS, run: rmCommand },
  disk: { usage: DISK_USAGE, summary: 'make a FAT disk image for "disks" in minnow.json, optionally filled from a folder', specs: DISK_SPECS, run: diskCommand },
  pack: { usage: PACK_USAGE, summary: 'a bootable ISO or disk image (GRUB, Multiboot2) for bare metal and other hypervisors', specs: PACK_SPECS, run: packCommand },
  clean: { usage: CLEAN_USAGE, summary: "remove the project's build folder; --cache: empty the shared cache of kernel objects", specs: CLEAN_SPECS, run: cleanCommand },
  check: { usage: CHECK_USAGE, summary: 'check the toolchain: what is missing and how to install it', specs: CHECK_SPECS, run: checkCommand },
};

function mainHelp(): string {
  const w = Math.max(...Object.keys(VERBS).map((v) => v.length));
  const verbs = Object.entries(VERBS)
    .map(([name, v]) => `  ${name.padEnd(w)}  ${v.summary}`)
    .join('\n');
  return `minnow ${pkg.version}: build, run and debug Minnow unikernels

Usage: minnow <command> [arguments]

Commands:
${verbs}

Options: --help (also: minnow <command> --help), --version

Exit status of run/debug: the application's exit code (0..125); ${EXIT.debugger} gdb's kill ended it;
${EXIT.crash} kernel crashed; ${EXIT.timeout} --timeout expired; ${EXIT.vm} QEMU failed or the VM ended without an exit code;
${EXIT.error} a Minnow error (bad minnow.json, build failed, missing tool); ${EXIT.usage} bad command line.
`;
}

function verbHelp(name: string, v: Verb): string {
  const opts = describeOptions(v.specs);
  return `Usage: ${v.usage}\n\n${v.summary[0].toUpperCase()}${v.summary.slice(1)}.\n${opts ? `\nOptions:\n${opts}\n` : ''}${v.more?.() ?? ''}`;
}

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    const topic = first === 'help' ? rest[0] : undefined;
    if (topic && VERBS[topic]) io.out(verbHelp(topic, VERBS[topic]));
    else io.out(mainHelp());
    return first === undefined ? EXIT.usage : 0;
  }
  if (first === '--version' || first === '-V' || first === 'version') {
    io.out(`${pkg.version}\n`);
    return 0;
  }
  if (first === SUPERVISE_VERB) return superviseCommand(rest, io);
  const verb = VERBS[first];
  if (!verb) {
    io.err(`minnow: error: unknown command "${first}"\n  fix: use one of ${Object.keys(VERBS).join(', ')} (minnow --help)\n`);
    return EXIT.usage;
  }
  const dashdash = rest.indexOf('--');
  const own = dashdash < 0 ? rest : rest.slice(0, dashdash);
  if (own.includes('--help') || own.includes('-h')) {
    io.out(verbHelp(first, verb));
    return 0;
  }
  try {
    return await verb.run(rest, io);
  } catch (e) {
    if (isMinnowError(e)) {
      io.err(`minnow: error: ${e.message}\n`);
      const [head, ...more] = e.fix.split('\n');
      io.err(`  fix: ${head}\n${more.map((l) => `  ${l}\n`).join('')}`);
      return e instanceof UsageError ? EXIT.usage : EXIT.error;
    }
    io.err(`minnow: internal error (a bug in Minnow; please report it):\n${(e as Error).stack ?? String(e)}\n`);
    return 70;
  }
}

/** Runs the CLI on process.argv and exits with its status (bin/minnow calls this). */
export function runCli(argv: string[] = process.argv.slice(2)): void {
  main(argv).then(
    async (code) => {
      await flushed();
      process.exit(code);
    },
    (e) => {
      process.stderr.write(`minnow: internal error: ${(e as Error).stack ?? String(e)}\n`);
      process.exit(70);
    },
  );
}

if (require.main === module) runCli();
