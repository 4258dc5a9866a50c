/*
 * Ending the VM. QEMU's isa-debug-exit device (iobase 0xf4) turns a write of
 * v into the process exit status (v << 1) | 1; the runner maps it back.
 */
#ifndef KERNEL_POWER_H
#define KERNEL_POWER_H

#define POWER_EXIT_PORT 0xf4
/*
 * Exit values the runner reads (the run contract): an application's codes
 * are 0..MINNOW_EXIT_APP_MAX - 1; MINNOW_EXIT_APP_MAX means its code did
 * not fit (power_exit), the two above it are the kernel's own.
 */
#define MINNOW_EXIT_APP_MAX 125	/* the application's code was out of range */
#define MINNOW_EXIT_DEBUGGER 126	/* gdb's kill (`k` packet) */
#define MINNOW_EXIT_CRASH 127	/* fault, panic, assert */

/* core/power.c */
__attribute__((noreturn)) void power_off(int code);
__attribute__((noreturn)) void power_exit(int code);

#endif
