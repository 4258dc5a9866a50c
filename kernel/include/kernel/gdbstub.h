/*
 * The kernel's gdbstub as the rest of the kernel sees it: three calls during
 * boot and one from panic(). Everything else (traps, the COM2 interrupt)
 * reaches the stub through gdbstub_trap() in kernel/trap.h and the IRQ it
 * registers itself. Implemented in debug/gdbstub.c.
 */
#ifndef KERNEL_GDBSTUB_H
#define KERNEL_GDBSTUB_H

#include <stdbool.h>

/*
 * Probes COM2 and, when a UART answers, takes it over and hooks its RX
 * interrupt (IRQ 3) so that gdb can stop a running kernel. Call once after
 * the IDT and the IOAPIC are up. `option` is the value of the kernel option
 * minnow.gdb= ("wait", "off", "on") or NULL when absent (same as "on").
 * Returns 0, or -ENODEV when there is no COM2 or the stub is switched off:
 * the kernel then runs exactly as without a stub.
 */
int gdbstub_init(const char *option);

/*
 * Called just before main(). With minnow.gdb=wait it stops in the stub and
 * waits until gdb connects and continues, so breakpoints can be set first;
 * otherwise it returns at once.
 */
void gdbstub_before_main(void);

/*
 * Called by panic()/assert before the crash report: with a debugger attached
 * the kernel stops with SIGABRT inside this function (`up` shows the
 * caller); returns when gdb resumes. Without a debugger it returns at once.
 */
void gdbstub_panic(void);

/* True while a gdb is connected (seen since boot and not detached). */
bool gdbstub_attached(void);

#endif
