/*
 * The local APIC (xAPIC, memory mapped at its default base): end of
 * interrupt, the one-shot timer that wakes sleepers, and the measurement
 * that calibrates the TSC (arch/x86_64/tsc.c).
 */
#ifndef KERNEL_LAPIC_H
#define KERNEL_LAPIC_H

#include <stdint.h>

/* arch/x86_64/lapic.c */
extern uint64_t lapic_timer_hz;	/* timer input clock (divide by 1) */
void lapic_init(void);
void lapic_eoi(void);
uint32_t lapic_id(void);
/* Raises interrupt `vector` on this CPU (delivered as soon as IF allows). */
void lapic_self_ipi(uint8_t vector);
/* Runs the timer (masked) for `ticks` ticks; returns the ticks and TSC
 * ticks actually elapsed between two matching reads. */
void lapic_measure(uint32_t ticks, uint64_t *lapic_ticks, uint64_t *tsc_ticks);

#endif
