/*
 * The TSC as the clock source, and how fast it ticks.
 *
 * On microvm with pit=off there is no PIT, no HPET, no ACPI PM timer and
 * no RTC, so the usual "count TSC ticks across a known PIT interval" is
 * impossible. In order of preference:
 *  1. CPUID leaf 0x15 (Intel: TSC = crystal * ebx / eax), when the CPU has it
 *     and fills in the crystal frequency;
 *  2. the hypervisor timing leaf 0x40000010 (eax = TSC kHz), which KVM and
 *     VMware fill in (QEMU: -cpu ...,+vmware-cpuid-freq with invtsc);
 *  3. otherwise count TSC ticks across LAPIC timer ticks. The LAPIC timer's
 *     input clock is the "APIC bus", which both QEMU (TCG: APIC_BUS_CYCLE_NS
 *     = 1 in hw/intc/apic_common.c) and KVM's in-kernel LAPIC emulate at
 *     1 GHz. This is what QEMU TCG ends up with: its -cpu max reports
 *     AuthenticAMD with basic leaves only up to 0xd, and its hypervisor
 *     leaves ("TCGTCGTCGTCG") stop at 0x40000001. Under TCG the TSC is the
 *     host's TSC and the LAPIC counts QEMU's virtual clock (host time), so
 *     the ratio is accurate. The window costs nothing: lapic_init() starts
 *     the count early in boot and tsc_init() reads it at the first use of
 *     the clock (tsc_to_ns), which is rarely before main, waiting only if
 *     less than 100 us have passed.
 * The same window also yields the LAPIC timer's frequency when 1. or 2.
 * gave the TSC's.
 */
#include <kernel/cpu.h>
#include <kernel/lapic.h>
#include <kernel/time.h>

#define CPUID_TSC_LEAF 0x15
#define CPUID_HV_BASE 0x40000000
#define CPUID_HV_TIMING 0x40000010
#define APIC_BUS_HZ 1000000000ull	/* QEMU and KVM emulate a 1 GHz bus */
#define TSC_CAL_LAPIC_TICKS 100000	/* at least 100 us at 1 GHz */

uint64_t tsc_hz;
const char *tsc_source = "none";
static uint64_t tsc_ns_mult;	/* ns = ticks * mult >> 32 */

static uint64_t tsc_from_cpuid(void)
{
	uint32_t max, a, b, c, d;

	cpuid(0, 0, &max, &b, &c, &d);
	if (max >= CPUID_TSC_LEAF) {
		cpuid(CPUID_TSC_LEAF, 0, &a, &b, &c, &d);
		if (a && b && c) {
			tsc_source = "cpuid 0x15";
			return (uint64_t)c * b / a;
		}
	}
	cpuid(CPUID_HV_BASE, 0, &max, &b, &c, &d);
	if (max >= CPUID_HV_TIMING && max < CPUID_HV_BASE + 0x10000) {
		cpuid(CPUID_HV_TIMING, 0, &a, &b, &c, &d);
		if (a) {
			tsc_source = "cpuid 0x40000010";
			return (uint64_t)a * 1000;
		}
	}
	return 0;
}

uint64_t tsc_to_ns(uint64_t ticks)
{
	if (!tsc_ns_mult)
		tsc_init();
	return (uint64_t)(((unsigned __int128)ticks * tsc_ns_mult) >> 32);
}

/*
 * Calibrates once; later calls return at once. Interrupts stay off so that
 * a handler reading the clock meanwhile cannot calibrate a second time.
 */
void tsc_init(void)
{
	uint64_t lapic_ticks, tsc_ticks, flags;

	if (tsc_ns_mult)
		return;
	flags = irq_save();
	lapic_measure_end(TSC_CAL_LAPIC_TICKS, &lapic_ticks, &tsc_ticks);
	tsc_hz = tsc_from_cpuid();
	if (tsc_hz) {
		lapic_timer_hz = tsc_hz * lapic_ticks / tsc_ticks;
	} else {
		tsc_source = "LAPIC timer at 1 GHz";
		lapic_timer_hz = APIC_BUS_HZ;
		tsc_hz = tsc_ticks * APIC_BUS_HZ / lapic_ticks;
	}
	tsc_ns_mult = (NSEC_PER_SEC << 32) / tsc_hz;
	irq_restore(flags);
}
