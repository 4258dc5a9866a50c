// The goals of issue 7 (and the targets of issues 2, 3 and 4), by row name: one place to read
// what each figure is held to. A row without an entry here has no goal.

import type { Goal } from './stats';

const ratio = (text: string, limit: number): Goal => ({ text, on: 'ratio', limit });
const median = (text: string, limit: number): Goal => ({ text, on: 'median', limit });

export const GOALS: Readonly<Record<string, Goal>> = {
  'qemu-hello': ratio('≤ 1.10× floor', 1.1),
  'pvh-to-main': median('≤ 1000 µs (TCG)', 1000),
  'hello-elf-file': median('≤ 64 KiB', 64),
  'hello-elf-stripped': median('≤ 64 KiB', 64),
  'hello-loaded': median('≤ 64 KiB', 64),
  'hello-min-memory': median('≤ 2048 KiB', 2048),
  'gdb-stepi': ratio('≤ 1.5× QEMU stub', 1.5),
  'gdb-next': ratio('≤ 1.0× QEMU stub', 1.0),
  'gdb-read-64k': median('≤ 640 ms (≥ 100 KiB/s)', 640),
  // the same goals over COM2, the fallback transport (the rows above use the default, virtio)
  'gdb-stepi-com2': ratio('≤ 1.5× QEMU stub', 1.5),
  'gdb-next-com2': ratio('≤ 1.0× QEMU stub', 1.0),
  'gdb-read-64k-com2': median('≤ 640 ms (≥ 100 KiB/s)', 640),
  // issue 11: parked CPUs cost the stub next to nothing
  'gdb-stepi-4cpu': ratio('≤ 1.5× 1 CPU', 1.5),
  'gdb-stepi-4cpu-locked': ratio('≤ 1.5× 1 CPU', 1.5),
  'dap-launch': median('≤ 1500 ms', 1500),
  'dap-next': median('≤ 30 ms', 30),
  'dap-inspect': median('≤ 100 ms', 100),
  'build-incremental': median('≤ 500 ms', 500),
  'build-fresh-warm-cache': median('≤ 500 ms', 500),
  'f5-new-project-warm-cache': median('≤ 1500 ms', 1500),
};
