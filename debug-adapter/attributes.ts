// The one table of launch.json attributes. package.json's debugger schema (what VS Code completes
// and checks while the user types) is written from it by scripts/sync-schema.ts, and the adapter
// checks what it is given against it (`checkAttributes`), so an attribute is added here only.
// Each entry is a JSON-schema fragment plus the requests it belongs to; the checks read the
// fragment's type, enum, items and pattern, nothing else.

import { CPUS_MAX } from '../target/config';
import { errors } from './errors';

export type Request = 'launch' | 'attach';

export interface Attribute {
  requests: readonly Request[];
  type: 'string' | 'boolean' | 'integer' | 'array';
  /** for arrays: the element type */
  items?: { type: 'string' };
  enum?: readonly string[];
  enumDescriptions?: readonly string[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  description: string;
  /** a different description for attach, where the attribute means something else there */
  attachDescription?: string;
  /** what VS Code inserts when the user picks the attribute; also the documented default */
  default?: unknown;
  /** the sentence after "Fix it:" when the value is wrong (defaults to naming the attribute) */
  fix?: string;
}

export const ATTRIBUTES: Record<string, Attribute> = {
  app: {
    requests: ['launch'],
    type: 'string',
    description: 'Folder of the application (the one holding minnow.json).',
    default: '${workspaceFolder}',
  },
  target: {
    requests: ['attach'],
    type: 'string',
    pattern: '^[\\w.-]+:[0-9]+$',
    description: 'host:port of a gdbstub to attach to (a Minnow kernel started by `minnow debug`, or QEMU -s).',
    default: '127.0.0.1:1234',
    fix: 'Use the port `minnow debug` printed, e.g. "127.0.0.1:1234".',
  },
  program: {
    requests: ['attach'],
    type: 'string',
    description: 'The ELF the target runs (kernel and application), for symbols.',
    default: '${workspaceFolder}/build/app.elf',
  },
  stopOnEntry: {
    requests: ['launch', 'attach'],
    type: 'boolean',
    description: 'Stop at the first line of main.',
    attachDescription: 'Stop as soon as the debugger is attached (where the target is), instead of letting it run.',
    default: false,
  },
  gdbstub: {
    requests: ['launch'],
    type: 'string',
    enum: ['kernel', 'qemu'],
    enumDescriptions: [
      'The gdbstub inside the Minnow kernel: kernel threads are gdb threads.',
      "QEMU's own gdbstub: CPUs instead of threads; works before the kernel's stub is up.",
    ],
    description: 'Which gdbstub the debugger connects to.',
    default: 'kernel',
  },
  gdbTransport: {
    requests: ['launch'],
    type: 'string',
    enum: ['virtio', 'com2'],
    enumDescriptions: [
      "A virtio console of the stub's own: one notification per packet (microvm only; its default).",
      'The COM2 UART: works on every machine and hypervisor, several times slower per step.',
    ],
    description: "How the kernel's gdbstub talks to gdb. Default: virtio on microvm, com2 on q35.",
  },
  accel: {
    requests: ['launch'],
    type: 'string',
    enum: ['auto', 'tcg', 'kvm'],
    enumDescriptions: [
      'KVM when /dev/kvm is usable, TCG otherwise.',
      'Software emulation (always available).',
      'Hardware virtualization (needs /dev/kvm).',
    ],
    description: 'QEMU accelerator. Overrides the minnow.accel setting.',
    default: 'auto',
  },
  build: {
    requests: ['launch'],
    type: 'boolean',
    description:
      "Build the application with its kernel before booting. F5 through Minnow's build task (preLaunchTask \"minnow: build\") sets it to false: the task has just built.",
    default: true,
  },
  qemuPath: {
    requests: ['launch'],
    type: 'string',
    description: 'Path of qemu-system-x86_64. Overrides the minnow.qemuPath setting.',
    default: 'qemu-system-x86_64',
  },
  gdbPath: {
    requests: ['launch', 'attach'],
    type: 'string',
    description: 'Path of gdb. Overrides the minnow.gdbPath setting.',
    default: 'gdb',
  },
  qemuArgs: {
    requests: ['launch'],
    type: 'array',
    items: { type: 'string' },
    description: 'Extra QEMU arguments, appended after those from minnow.json.',
    default: [],
  },
  ports: {
    requests: ['launch'],
    type: 'array',
    items: { type: 'string' },
    description: 'Host ports published to the guest, like docker -p: "8080:80" forwards 127.0.0.1:8080 to the guest\'s TCP port 80 ("5353:53/udp" for UDP). Added to minnow.json\'s "ports"; links the net component unless the app names virtio_net.',
    default: [],
  },
  cpus: {
    requests: ['launch'],
    type: 'integer',
    minimum: 1,
    maximum: CPUS_MAX,
    description: 'CPUs to boot (QEMU -smp). Overrides minnow.json\'s "cpus" (1 by default). All-stop: when one CPU stops, every CPU stops.',
    default: 1,
  },
  gdbCommands: {
    requests: ['launch', 'attach'],
    type: 'array',
    items: { type: 'string' },
    description: 'gdb commands run after the target is loaded and before it starts.',
    default: [],
  },
  trace: {
    requests: ['launch', 'attach'],
    type: 'boolean',
    description: 'Write every gdb/MI line to the Debug Console (for bug reports).',
    default: false,
  },
};

/** The attributes a request must have. */
export const REQUIRED: Record<Request, readonly string[]> = { launch: [], attach: ['target', 'program'] };

/** package.json's `configurationAttributes[request]`: the schema VS Code checks launch.json with. */
export function schemaFor(request: Request): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const [name, a] of Object.entries(ATTRIBUTES)) {
    if (!a.requests.includes(request)) continue;
    const { requests: _r, fix: _f, attachDescription, ...schema } = a;
    if (request === 'attach' && attachDescription) schema.description = attachDescription;
    properties[name] = schema;
  }
  return REQUIRED[request].length ? { required: [...REQUIRED[request]], properties } : { properties };
}

function problemWith(a: Attribute, v: unknown): string | undefined {
  switch (a.type) {
    case 'string':
      if (typeof v !== 'string') return 'must be a string';
      if (a.enum && !a.enum.includes(v)) return `is "${v}"`;
      if (a.pattern && !new RegExp(a.pattern).test(v)) return `is "${v}"`;
      return undefined;
    case 'boolean':
      return typeof v === 'boolean' ? undefined : 'must be true or false';
    case 'integer':
      if (typeof v !== 'number' || !Number.isInteger(v)) return 'must be a whole number';
      if ((a.minimum !== undefined && v < a.minimum) || (a.maximum !== undefined && v > a.maximum)) return `is ${v}`;
      return undefined;
    case 'array':
      return Array.isArray(v) && v.every((x) => typeof x === 'string') ? undefined : 'must be an array of strings';
  }
}

function fixFor(name: string, a: Attribute): string {
  if (a.fix) return a.fix;
  if (a.enum) {
    const names = a.enum.map((e) => `"${e}"`);
    const dflt = typeof a.default === 'string' ? ` ("${a.default}" is the default)` : '';
    return `Use ${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}${dflt}.`;
  }
  if (a.type === 'integer' && a.minimum !== undefined && a.maximum !== undefined) {
    return `Use a number from ${a.minimum} to ${a.maximum} for "${name}" in launch.json.`;
  }
  return `Fix "${name}" in launch.json.`;
}

/**
 * Throws the adapter's badAttribute error for the first attribute of `request` whose value does
 * not fit the table, or a required one that is missing. Attributes the table does not know are
 * left alone (VS Code adds its own: type, name, preLaunchTask, __sessionId...).
 */
export function checkAttributes(request: Request, args: object): void {
  const given = args as Record<string, unknown>;
  for (const name of REQUIRED[request]) {
    if (given[name] === undefined) throw errors.badAttribute(name, 'is missing', fixFor(name, ATTRIBUTES[name]));
  }
  for (const [name, a] of Object.entries(ATTRIBUTES)) {
    const v = given[name];
    if (v === undefined || !a.requests.includes(request)) continue;
    const problem = problemWith(a, v);
    if (problem) throw errors.badAttribute(name, problem, fixFor(name, a));
  }
}
