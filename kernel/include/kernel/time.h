/*
 * Time: a monotonic clock in nanoseconds since boot, from the TSC, and the
 * LAPIC timer that wakes sleepers (one-shot, programmed for the earliest
 * deadline). See arch/x86_64/tsc.c for how the TSC is calibrated.
 */
#ifndef KERNEL_TIME_H
#define KERNEL_TIME_H

#include <stdint.h>

#define NSEC_PER_SEC 1000000000ull
#define NSEC_PER_MSEC 1000000ull
#define NSEC_PER_USEC 1000ull

/* arch/x86_64/tsc.c */
void tsc_init(void);
extern uint64_t tsc_hz;	/* TSC ticks per second */
extern const char *tsc_source;	/* how tsc_hz was found, for the boot log */
uint64_t tsc_to_ns(uint64_t ticks);

/* core/time.c */
/* Nanoseconds since the PVH entry; monotonic; callable from IRQ handlers. */
uint64_t time_now_ns(void);

/* arch/x86_64/lapic.c */
/* Arms the one-shot timer to fire at deadline_ns (0: disarm). */
void lapic_timer_set(uint64_t deadline_ns);

#endif
