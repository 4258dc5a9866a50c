/*
 * The crash report: what a CPU fault, panic() or assert() prints before the
 * VM exits with MINNOW_EXIT_CRASH (127): the fault, the thread, the
 * registers and a symbolized backtrace. Also the symbol table behind it.
 */
#ifndef KERNEL_CRASH_H
#define KERNEL_CRASH_H

#include <stdint.h>
#include <kernel/trap.h>

/* core/crash.c */
__attribute__((noreturn)) void crash_report(struct trap_frame *f);
void crash_backtrace(uintptr_t rip, uintptr_t rsp, uintptr_t rbp);

/* core/ksyms.c: function containing addr, or NULL; *offset from its start */
const char *ksyms_lookup(uintptr_t addr, uintptr_t *offset);

/* core/panic.c */
#define PANIC_MESSAGE_MAX 256
extern char panic_message[PANIC_MESSAGE_MAX];	/* for the report and gdb */
__attribute__((noreturn, format(printf, 1, 2))) void panic(const char *fmt, ...);

#endif
