/*
 * The local APIC (xAPIC, memory mapped at its default base): end of
 * interrupt, and the timer that drives sleeping and timeouts.
 */
#ifndef KERNEL_LAPIC_H
#define KERNEL_LAPIC_H

#include <stdint.h>

/* arch/x86_64/lapic.c */
void lapic_init(void);
void lapic_eoi(void);

#endif
