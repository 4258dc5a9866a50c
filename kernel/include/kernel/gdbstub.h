/*
 * The kernel's gdbstub as the rest of the kernel sees it: two calls during
 * boot. Everything else reaches the stub through gdbstub_trap() in
 * kernel/trap.h (faults, int3, #DB, and TRAP_PANIC, which stops with
 * SIGABRT) and through the RX interrupt it registers itself.
 * Implemented in debug/gdbstub.c.
 */
#ifndef KERNEL_GDBSTUB_H
#define KERNEL_GDBSTUB_H

#include <stdbool.h>
#include <stdint.h>

/*
 * What the stub stops for besides breakpoints and steps: plain data that
 * a debugger writes (`set var gdbstub_catch = 1`; the adapter does it for
 * its "cpu" and "panic" exception filters). A fault or panic the stub does
 * not catch goes straight to the crash report and exit 127, gdb watching.
 */
#define GDBSTUB_CATCH_FAULT 1u	/* CPU exceptions: SIGSEGV, SIGFPE, ... */
#define GDBSTUB_CATCH_PANIC 2u	/* panic() and assert(): SIGABRT */
extern unsigned int gdbstub_catch;

/*
 * The exception of the last stop the stub made for one (vector 0 with
 * signal 0: none yet), plain data for the debugger: cr2 and the error code
 * are not gdb registers, and cr2 changes with the next page fault.
 */
struct gdbstub_fault {
	uint64_t vector;	/* TRAP_PF, ... or TRAP_PANIC */
	uint64_t error;		/* the CPU's error code (0 if it pushes none) */
	uint64_t cr2;		/* the faulting address of a #PF */
	uint64_t rip;
	int signal;		/* what gdb was told: GDB_SIG* */
};
extern struct gdbstub_fault gdbstub_fault;

/*
 * Probes the transport and, when it answers, takes it over and hooks its
 * RX interrupt so that gdb can stop a running kernel. The transport is
 * COM2 (IRQ 3), or with the kernel option minnow.gdb.transport=virtio the
 * virtio console in the highest virtio-mmio slot (COM2 when there is
 * none). Call once after the IDT and the IOAPIC are up. `option` is the
 * value of the kernel option minnow.gdb= ("wait", "off", "on") or NULL
 * when absent (same as "on"). Returns 0, -ENOMEM when its buffers (56 KiB
 * of pages) cannot be had, or -ENODEV when there is no
 * transport or the stub is switched off: the kernel then runs exactly as
 * without a stub.
 */
int gdbstub_init(const char *option);

/*
 * The virtio-mmio registers' address of the stub's own virtio console, or
 * 0: the virtio core leaves that device alone.
 */
unsigned long gdbstub_virtio_mmio(void);

/*
 * Called just before main(). True with minnow.gdb=wait (and no gdb seen
 * yet): the caller must then execute an int3 at once, where the kernel
 * stops and waits until gdb connects and continues, so breakpoints can be
 * set first, and gdb shows the caller's line. Interrupts are off from here
 * to that int3 (the stub turns them back on), so a gdb that attaches in
 * between cannot cause a second stop.
 */
bool gdbstub_before_main(void);

/* True while a gdb is connected (seen since boot and not detached). */
bool gdbstub_attached(void);

#endif
