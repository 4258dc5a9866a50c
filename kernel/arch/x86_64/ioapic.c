/*
 * The I/O APIC at its usual address (microvm and q35 both put one at
 * 0xfec00000): device interrupt routing. GSI n is delivered as vector
 * IRQ_BASE + n to the LAPIC of the CPU that registered it, or of the CPU
 * irq_set_cpu() names later; irq_cpu[] says which, as plain data. Every
 * pin starts masked; irq_register() installs the handler first and unmasks
 * the pin last, so no interrupt can arrive without its handler. The
 * registers are reached through an index/data pair, so every access after
 * boot holds ioapic_lock: two CPUs must not interleave their index writes.
 *
 * Registers and redirection entry format: Intel 82093AA I/O APIC datasheet,
 * sections 3.1 and 3.2.4.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <kernel/ioapic.h>
#include <kernel/lapic.h>
#include <kernel/percpu.h>
#include <kernel/spinlock.h>
#include <kernel/trap.h>

#define IOAPIC_BASE 0xfec00000ul
#define IOAPIC_REGSEL 0x00
#define IOAPIC_WINDOW 0x10
#define IOAPIC_VER 0x01
#define IOAPIC_REDTBL(n) (0x10 + 2 * (n))
#define IOAPIC_LEVEL (1u << 15)	/* trigger mode: level */
#define IOAPIC_ACTIVE_LOW (1u << 13)
#define IOAPIC_MASKED (1u << 16)
/* the destination APIC id: bits 56-63 of the entry, 24-31 of its high
 * half (physical destination mode) */
#define IOAPIC_DEST_SHIFT 24

static unsigned int ioapic_pins;
static struct spinlock ioapic_lock = SPINLOCK_INITIALIZER("ioapic");
int irq_registered;	/* interrupt vectors with a handler (deadlock check) */
/* the CPU each GSI is delivered to; -1 while it has no handler */
int irq_cpu[IRQ_GSI_MAX] = { [0 ... IRQ_GSI_MAX - 1] = -1 };

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

/* Points pin `gsi` at the LAPIC `apic_id`: the caller holds ioapic_lock,
 * or is the gdbstub with every other CPU parked (irq_route). Inlined: it
 * adds no function of its own to the stub's path. */
static inline __attribute__((always_inline)) void
ioapic_set_dest(unsigned int gsi, uint32_t apic_id)
{
	ioapic_write(IOAPIC_REDTBL(gsi) + 1, apic_id << IOAPIC_DEST_SHIFT);
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
	uint64_t flags;

	if (gsi >= ioapic_pins || !handler)
		return -EINVAL;
	if (level)
		low |= IOAPIC_LEVEL | IOAPIC_ACTIVE_LOW;
	trap_set_handler(IRQ_BASE + gsi, handler, arg);
	flags = spin_lock_irqsave(&ioapic_lock);
	ioapic_set_dest(gsi, lapic_id());
	ioapic_write(IOAPIC_REDTBL(gsi), low);
	irq_cpu[gsi] = this_cpu()->id;
	spin_unlock_irqrestore(&ioapic_lock, flags);
	return 0;
}

/*
 * The gdbstub's: it moves its own transport's interrupt while every other
 * CPU is parked, so it takes no lock (a parked CPU may hold ioapic_lock);
 * it puts IOREGSEL back as it found it, so that a parked CPU stopped
 * between its index and its data write goes on writing the right register.
 */
void irq_route(unsigned int gsi, uint32_t apic_id)
{
	volatile uint32_t *sel = (volatile uint32_t *)(IOAPIC_BASE + IOAPIC_REGSEL);
	uint32_t was;

	if (gsi >= ioapic_pins)
		return;
	was = *sel;
	ioapic_set_dest(gsi, apic_id);
	*sel = was;
}

int irq_set_cpu(unsigned int gsi, int cpu)
{
	uint64_t flags;

	if (cpu < 0 || cpu >= percpu_count || !percpu_of(cpu)->online)
		return -EINVAL;
	if (gsi >= ioapic_pins || irq_cpu[gsi] < 0)
		return -ENOENT;
	/* an interrupt already sent to the old CPU is handled there: the
	 * handler wakes its waiters wherever they run */
	flags = spin_lock_irqsave(&ioapic_lock);
	ioapic_set_dest(gsi, percpu_of(cpu)->apic_id);
	irq_cpu[gsi] = cpu;
	spin_unlock_irqrestore(&ioapic_lock, flags);
	return 0;
}

/* Sets or clears the mask bit of one pin's redirection entry. */
static void ioapic_set_mask(unsigned int gsi, bool masked)
{
	uint64_t flags;
	uint32_t low;

	if (gsi >= ioapic_pins)
		return;
	flags = spin_lock_irqsave(&ioapic_lock);
	low = ioapic_read(IOAPIC_REDTBL(gsi));
	low = masked ? low | IOAPIC_MASKED : low & ~IOAPIC_MASKED;
	ioapic_write(IOAPIC_REDTBL(gsi), low);
	spin_unlock_irqrestore(&ioapic_lock, flags);
}

void irq_mask(unsigned int gsi)
{
	ioapic_set_mask(gsi, true);
}

void irq_unmask(unsigned int gsi)
{
	ioapic_set_mask(gsi, false);
}
