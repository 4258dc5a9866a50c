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
/*
 * TSC calibration: lapic_init() starts the (masked) timer counting at the
 * bus clock; lapic_measure_end() waits until at least min_ticks have
 * passed and returns the timer ticks and TSC ticks elapsed since then, so
 * the boot work in between doubles as the measuring window.
 */
void lapic_measure_start(void);
void lapic_measure_end(uint32_t min_ticks, uint64_t *lapic_ticks,
		       uint64_t *tsc_ticks);

#endif
