/*
 * The local APIC in xAPIC mode at its default physical base (identity
 * mapped). Register offsets: Intel SDM vol. 3, table 10-1.
 */
#include <stdint.h>
#include <kernel/lapic.h>
#include <kernel/trap.h>

#define LAPIC_BASE 0xfee00000ul
#define LAPIC_EOI 0x0b0
#define LAPIC_SVR 0x0f0	/* spurious interrupt vector register */
#define LAPIC_SVR_ENABLE 0x100

static inline void lapic_write(uint32_t reg, uint32_t v)
{
	*(volatile uint32_t *)(LAPIC_BASE + reg) = v;
}

static inline uint32_t lapic_read(uint32_t reg)
{
	return *(volatile uint32_t *)(LAPIC_BASE + reg);
}

void lapic_init(void)
{
	lapic_write(LAPIC_SVR, LAPIC_SVR_ENABLE | TRAP_LAPIC_SPURIOUS);
}

void lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}
