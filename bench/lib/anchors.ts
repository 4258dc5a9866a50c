// Figures from elsewhere that each row is read beside (issue 7), for bench/RESULTS.md.

export const ANCHORS: Readonly<Record<string, string>> = {
  'qemu-hello': 'Toro: 75 ms CI threshold',
  'pvh-to-main': 'Unikraft 82 µs (KVM)',
  'hello-elf-file': 'Toro 130 KB, Unikraft 197 KB',
  'hello-elf-stripped': 'Toro 130 KB, Unikraft 197 KB',
  'hello-loaded': 'Toro 130 KB, Unikraft 197 KB',
  'hello-min-memory': 'Unikraft 2 MB, Toro 4 MB',
  'gdb-stepi': 'QEMU stub 0.4–1.0 ms/stepi (notes/machine.md)',
};
