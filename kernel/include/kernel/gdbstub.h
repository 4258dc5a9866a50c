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
