/*
 * The I/O APIC set-up called at boot; irq_register() and friends are
 * declared in kernel/trap.h.
 */
#ifndef KERNEL_IOAPIC_H
#define KERNEL_IOAPIC_H

/* arch/x86_64/ioapic.c */
void ioapic_init(void);
/* Vectors >= IRQ_BASE (but the LAPIC timer) that have a handler: counted
 * by trap_set_handler() for the idle thread's deadlock check. */
extern int irq_registered;

#endif
