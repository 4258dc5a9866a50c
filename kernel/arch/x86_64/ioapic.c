/*
 * The I/O APIC at its usual address (microvm and q35 both put one at
 * 0xfec00000): device interrupt routing. GSI n is delivered as vector
 * IRQ_BASE + n to this CPU's LAPIC. Every pin starts masked; irq_register()
 * installs the handler first and unmasks the pin last, so no interrupt can
 * arrive without its handler.
 *
 * Registers and redirection entry format: Intel 82093AA I/O APIC datasheet,
 * sections 3.1 and 3.2.4.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <kernel/ioapic.h>
#include <kernel/lapic.h>
#include <kernel/trap.h>

#define IOAPIC_BASE 0xfec00000ul
#define IOAPIC_REGSEL 0x00
#define IOAPIC_WINDOW 0x10
#define IOAPIC_VER 0x01
#define IOAPIC_REDTBL(n) (0x10 + 2 * (n))
#define IOAPIC_LEVEL (1u << 15)	/* trigger mode: level */
#define IOAPIC_ACTIVE_LOW (1u << 13)
#define IOAPIC_MASKED (1u << 16)

static unsigned int ioapic_pins;
int irq_registered;	/* interrupt vectors with a handler (deadlock check) */

static uint32_t ioapic_read(uint32_t reg)
{
	*(volatile uint32_t *)(IOAPIC_BASE + IOAPIC_REGSEL) = reg;
	return *(volatile uint32_t *)(IOAPIC_BASE + IOAPIC_WINDOW);
}

static void ioapic_write(uint32_t reg, uint32_t v)
{
	*(volatile uint32_t *)(IOAPIC_BASE + IOAPIC_REGSEL) = reg;
	*(volatile uint32_t *)(IOAPIC_BASE + IOAPIC_WINDOW) = v;
}

void ioapic_init(void)
{
	uint32_t ver = ioapic_read(IOAPIC_VER);

	if (ver == 0xffffffff)
		return;	/* nothing there */
	ioapic_pins = ((ver >> 16) & 0xff) + 1;
	if (ioapic_pins > IRQ_GSI_MAX)
		ioapic_pins = IRQ_GSI_MAX;
	/* the destination (high half) is written by irq_register() */
	for (unsigned int i = 0; i < ioapic_pins; i++)
		ioapic_write(IOAPIC_REDTBL(i), IOAPIC_MASKED | (IRQ_BASE + i));
}

/* Edge-triggered lines are active high (ISA); level-triggered ones are
 * active low (PCI INTx). */
int irq_register(unsigned int gsi, bool level, irq_handler_t handler,
		 void *arg)
{
	uint32_t low = IRQ_BASE + gsi;

	if (gsi >= ioapic_pins || !handler)
		return -EINVAL;
	if (level)
		low |= IOAPIC_LEVEL | IOAPIC_ACTIVE_LOW;
	trap_set_handler(IRQ_BASE + gsi, handler, arg);
	ioapic_write(IOAPIC_REDTBL(gsi) + 1, lapic_id() << 24);
	ioapic_write(IOAPIC_REDTBL(gsi), low);
	return 0;
}

void irq_route(unsigned int gsi, uint32_t apic_id)
{
	if (gsi < ioapic_pins)
		ioapic_write(IOAPIC_REDTBL(gsi) + 1, apic_id << 24);
}

void irq_mask(unsigned int gsi)
{
	if (gsi < ioapic_pins)
		ioapic_write(IOAPIC_REDTBL(gsi),
			     ioapic_read(IOAPIC_REDTBL(gsi)) | IOAPIC_MASKED);
}

void irq_unmask(unsigned int gsi)
{
	if (gsi < ioapic_pins)
		ioapic_write(IOAPIC_REDTBL(gsi),
			     ioapic_read(IOAPIC_REDTBL(gsi)) & ~IOAPIC_MASKED);
}
