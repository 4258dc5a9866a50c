/*
 * The monotonic clock: TSC ticks since the PVH entry (boot_tsc, read by
 * the very first instruction) scaled to nanoseconds. Reading it costs one
 * rdtsc and a multiply, so it is fine in interrupt handlers.
 */
#include <kernel/boot.h>
#include <kernel/cpu.h>
#include <kernel/time.h>

uint64_t time_now_ns(void)
{
	return tsc_to_ns(rdtsc() - boot_tsc);
}
