/*
 * The local APIC in xAPIC mode at its default physical base (identity
 * mapped): spurious vector, EOI, and the timer in one-shot mode. The timer
 * counts lapic_timer_hz / 16; with a 1 GHz bus one shot reaches 68 s, and a
 * later deadline simply re-arms when that shot fires.
 *
 * Register offsets and LVT bits: Intel SDM vol. 3, table 10-1 and
 * section 10.5.4 (APIC timer).
 */
#include <stdint.h>
#include <kernel/cpu.h>
#include <kernel/lapic.h>
#include <kernel/time.h>
#include <kernel/trap.h>

#define LAPIC_BASE 0xfee00000ul
#define LAPIC_ID 0x020
#define LAPIC_EOI 0x0b0
#define LAPIC_SVR 0x0f0	/* spurious interrupt vector register */
#define LAPIC_ICR_LOW 0x300
#define LAPIC_ICR_HIGH 0x310
#define LAPIC_ICR_SELF (1u << 18)	/* destination shorthand: self */
#define LAPIC_ICR_PENDING (1u << 12)	/* delivery status */
#define LAPIC_ICR_DEST_SHIFT 24	/* physical destination: APIC id, high half */
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_TIMER_INITIAL 0x380
#define LAPIC_TIMER_CURRENT 0x390
#define LAPIC_TIMER_DIVIDE 0x3e0
#define LAPIC_SVR_ENABLE 0x100
#define LAPIC_LVT_MASKED 0x10000
#define LAPIC_LVT_NMI 0x400	/* delivery mode NMI */
#define LAPIC_DIVIDE_1 0xb
#define LAPIC_DIVIDE_16 0x3
#define LAPIC_TIMER_SHIFT 4	/* divide by 16 */
#define PIC1_DATA 0x21	/* legacy 8259 PICs: masked, never used */
#define PIC2_DATA 0xa1

uint64_t lapic_timer_hz;
static uint64_t lapic_ns_mult;	/* timer counts = ns * mult >> 32 */

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
	/* q35's firmware leaves the 8259s on vectors 8..15: mask them (a
	 * harmless write on microvm, which has none) */
	outb(PIC1_DATA, 0xff);
	outb(PIC2_DATA, 0xff);
	lapic_write(LAPIC_SVR, LAPIC_SVR_ENABLE | TRAP_LAPIC_SPURIOUS);
	lapic_write(LAPIC_LVT_LINT0, LAPIC_LVT_MASKED);
	lapic_write(LAPIC_LVT_LINT1, LAPIC_LVT_NMI);
	lapic_measure_start();
}

/* Another CPU's own LAPIC: the boot CPU's calibration holds for it too. */
void lapic_init_ap(void)
{
	lapic_write(LAPIC_SVR, LAPIC_SVR_ENABLE | TRAP_LAPIC_SPURIOUS);
	lapic_write(LAPIC_LVT_LINT0, LAPIC_LVT_MASKED);
	lapic_write(LAPIC_LVT_LINT1, LAPIC_LVT_MASKED);
	lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED | TRAP_LAPIC_TIMER);
	lapic_write(LAPIC_TIMER_DIVIDE, LAPIC_DIVIDE_16);
	lapic_write(LAPIC_TIMER_INITIAL, 0);
}

void lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

/*
 * Writes the ICR (high half first: the low write sends) and waits until
 * the LAPIC has taken it. The pair must not be split by an interrupt on
 * this CPU that sends an IPI of its own.
 */
void lapic_icr(uint32_t apic_id, uint32_t low)
{
	uint64_t flags = irq_save();

	lapic_write(LAPIC_ICR_HIGH, apic_id << LAPIC_ICR_DEST_SHIFT);
	lapic_write(LAPIC_ICR_LOW, low);
	while (lapic_read(LAPIC_ICR_LOW) & LAPIC_ICR_PENDING)
		cpu_relax();
	irq_restore(flags);
}

void lapic_self_ipi(uint8_t vector)
{
	lapic_write(LAPIC_ICR_HIGH, 0);
	lapic_write(LAPIC_ICR_LOW, LAPIC_ICR_SELF | vector);
	while (lapic_read(LAPIC_ICR_LOW) & LAPIC_ICR_PENDING)
		cpu_relax();
}

/* Fixed delivery of `vector` to the CPU whose LAPIC id is apic_id. */
void lapic_send_ipi(uint32_t apic_id, uint8_t vector)
{
	lapic_icr(apic_id, LAPIC_ICR_FIXED | vector);
}

/* An NMI to one CPU: the gdbstub stops CPUs with it (interrupts off or not). */
void lapic_send_nmi(uint32_t apic_id)
{
	lapic_icr(apic_id, LAPIC_ICR_NMI);
}

uint32_t lapic_id(void)
{
	return lapic_read(LAPIC_ID) >> 24;
}

static uint32_t lapic_measure_count;
static uint64_t lapic_measure_tsc;

/* Starts the (masked) timer counting down from the top at the bus clock. */
void lapic_measure_start(void)
{
	lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED | TRAP_LAPIC_TIMER);
	lapic_write(LAPIC_TIMER_DIVIDE, LAPIC_DIVIDE_1);
	lapic_write(LAPIC_TIMER_INITIAL, 0xffffffff);
	lapic_measure_count = lapic_read(LAPIC_TIMER_CURRENT);
	lapic_measure_tsc = rdtsc();
}

void lapic_measure_end(uint32_t min_ticks, uint64_t *lapic_ticks,
		       uint64_t *tsc_ticks)
{
	uint32_t c;
	uint64_t t;

	/* a one-shot count stops at 0 after ~4.3 s: measure afresh then */
	if (lapic_read(LAPIC_TIMER_CURRENT) == 0)
		lapic_measure_start();
	do {
		c = lapic_read(LAPIC_TIMER_CURRENT);
		t = rdtsc();
	} while (lapic_measure_count - c < min_ticks);
	lapic_write(LAPIC_TIMER_INITIAL, 0);
	lapic_write(LAPIC_TIMER_DIVIDE, LAPIC_DIVIDE_16);
	*lapic_ticks = lapic_measure_count - c;
	*tsc_ticks = t - lapic_measure_tsc;
}

void lapic_timer_set(uint64_t deadline_ns)
{
	uint64_t now, ns, count;

	if (!deadline_ns) {
		lapic_write(LAPIC_TIMER_INITIAL, 0);
		return;
	}
	now = time_now_ns();
	ns = deadline_ns > now ? deadline_ns - now : 0;
	if (!lapic_ns_mult)
		lapic_ns_mult = ((lapic_timer_hz >> LAPIC_TIMER_SHIFT) << 32) /
				NSEC_PER_SEC;
	count = (uint64_t)(((unsigned __int128)ns * lapic_ns_mult) >> 32);
	if (count == 0)
		count = 1;
	if (count > 0xffffffffull)
		count = 0xffffffffull;
	lapic_write(LAPIC_LVT_TIMER, TRAP_LAPIC_TIMER);	/* one-shot, unmasked */
	lapic_write(LAPIC_TIMER_INITIAL, (uint32_t)count);
}
