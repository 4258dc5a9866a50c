/*
 * Ending the VM. QEMU's isa-debug-exit device (iobase 0xf4) turns a write of
 * v into the process exit status (v << 1) | 1; the runner maps it back.
 */
#ifndef KERNEL_POWER_H
#define KERNEL_POWER_H

#define POWER_EXIT_PORT 0xf4
#define MINNOW_EXIT_CRASH 127	/* fault, panic, assert (contracts.md) */

/* core/power.c */
__attribute__((noreturn)) void power_off(int code);

#endif
