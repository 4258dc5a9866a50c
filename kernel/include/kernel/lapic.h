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
void lapic_init_ap(void);
void lapic_eoi(void);
uint32_t lapic_id(void);
/* Raises interrupt `vector` on this CPU (delivered as soon as IF allows). */
void lapic_self_ipi(uint8_t vector);
/* Interrupt `vector` / an NMI on the CPU with LAPIC id apic_id. */
void lapic_send_ipi(uint32_t apic_id, uint8_t vector);
void lapic_send_nmi(uint32_t apic_id);
/* Raw ICR write to apic_id (SDM vol. 3, 10.6.1): the low half's command. */
void lapic_icr(uint32_t apic_id, uint32_t low);
/* ICR command bits (SDM vol. 3, figure 10-12) */
#define LAPIC_ICR_FIXED 0x000
#define LAPIC_ICR_NMI 0x400
#define LAPIC_ICR_INIT 0x500
#define LAPIC_ICR_STARTUP 0x600
#define LAPIC_ICR_ASSERT (1u << 14)
#define LAPIC_ICR_LEVEL (1u << 15)
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
