// Command-line parsing for the CLI: `--flag`, `--opt value`, `--opt=value`, `-h`, positionals,
// and everything after `--` kept apart (arguments for the application's main). Small on purpose:
// each verb declares its options and gets a typed-enough record back.

import { MinnowError } from '../target';

export interface OptionSpec {
  /** boolean flags take no value; a list option may be given many times (values in order). */
  kind: 'boolean' | 'string' | 'number' | 'list';
  /** Allowed values of a string option. */
  choices?: readonly string[];
  /** Value placeholder and help text, for usage messages. */
  value?: string;
  help: string;
  /** A one-letter alias: `-d` for --detach, `-v X` for --volume X. */
  short?: string;
}

export type Specs = Record<string, OptionSpec>;

export interface Parsed {
  positionals: string[];
  options: Record<string, string | number | boolean | string[] | undefined>;
  /** Arguments after `--`, or undefined when there was no `--`. */
  rest?: string[];
}

/** A mistake in the command line itself; the CLI exits with status 2 for these. */
/** A mistake in the CLI's own command line (exit status 2, like other Unix tools). */
export class UsageError extends MinnowError {
  constructor(message: string, fix: string) {
    super(message, fix, 'usage');
  }
}

export function parseArgs(argv: readonly string[], specs: Specs, verb: string): Parsed {
  const out: Parsed = { positionals: [], options: {} };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      out.rest = argv.slice(i + 1);
      break;
    }
    if (a === '-h') {
      out.options.help = true;
      continue;
    }
    const alias = /^-[a-zA-Z]$/.test(a) ? Object.keys(specs).find((k) => specs[k].short === a.slice(1)) : undefined;
    if ((!a.startsWith('--') || a === '-') && !alias) {
      if (a.startsWith('-') && a !== '-') {
        throw new UsageError(`unknown option ${a} for "minnow ${verb}"`, `See: minnow ${verb} --help`);
      }
      out.positionals.push(a);
      continue;
    }
    const eq = alias ? -1 : a.indexOf('=');
    const name = alias ?? a.slice(2, eq < 0 ? undefined : eq);
    const spec = name === 'help' ? { kind: 'boolean' as const, help: '' } : specs[name];
    if (!spec) {
      throw new UsageError(`unknown option --${name} for "minnow ${verb}"`, `See: minnow ${verb} --help`);
    }
    if (spec.kind === 'boolean') {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`, `Write just --${name}.`);
      out.options[name] = true;
      continue;
    }
    let value: string | undefined;
    if (eq >= 0) value = a.slice(eq + 1);
    else if (i + 1 < argv.length) value = argv[++i];
    if (value === undefined || value === '') {
      throw new UsageError(`--${name} needs a value`, `Write --${name} ${spec.value ?? 'VALUE'}.`);
    }
    if (spec.choices && !spec.choices.includes(value)) {
      throw new UsageError(`--${name} must be one of ${spec.choices.join(', ')}, not "${value}"`, `Write e.g. --${name} ${spec.choices[0]}.`);
    }
    if (spec.kind === 'number') {
      const n = Number(value);
      if (!Number.isFinite(n) || n <= 0) {
        throw new UsageError(`--${name} needs a positive number, not "${value}"`, `Write e.g. --${name} 10.`);
      }
      out.options[name] = n;
    } else if (spec.kind === 'list') {
      out.options[name] = [...((out.options[name] as string[] | undefined) ?? []), value];
    } else {
      out.options[name] = value;
    }
  }
  return out;
}

/** The options block of a usage message. */
export function describeOptions(specs: Specs): string {
  const rows = Object.entries(specs).map(([name, s]) => {
    const left = `${s.short ? `-${s.short}, ` : ''}--${name}${s.kind === 'boolean' ? '' : ` ${s.value ?? (s.choices ? s.choices.join('|') : 'VALUE')}`}`;
    return [left, s.help];
  });
  const width = Math.max(0, ...rows.map(([l]) => l.length));
  return rows.map(([l, h]) => `  ${l.padEnd(width)}  ${h}`).join('\n');
}

/** At most `max` positionals, else a usage error. */
export function positionalsAtMost(p: Parsed, max: number, verb: string, usage: string): void {
  if (p.positionals.length > max) {
    throw new UsageError(`too many arguments for "minnow ${verb}": ${p.positionals.slice(max).join(' ')}`, `Usage: ${usage} (arguments for main go after --)`);
  }
}
