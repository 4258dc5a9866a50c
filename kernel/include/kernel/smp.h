/*
 * Several CPUs: finding them (arch/x86_64/smp_tables.c) and starting them
 * (arch/x86_64/smp.c). The boot CPU is CPU 0; the others are numbered in
 * the order the firmware's table lists them. Their state is percpu_cpus[]
 * (kernel/percpu.h).
 */
#ifndef KERNEL_SMP_H
#define KERNEL_SMP_H

#include <stdint.h>
#include <kernel/percpu.h>

struct smp_cpus {
	uint32_t apic_ids[CPU_MAX];	/* the enabled processors */
	int count;
	int ignored;	/* listed past CPU_MAX: left halted */
	const char *source;	/* "ACPI MADT", "MP table" */
};

/* arch/x86_64/smp_tables.c: 0, or -1 when neither table is there. */
int smp_find_cpus(struct smp_cpus *out);

/* arch/x86_64/smp.c */
/* Starts every other CPU the firmware lists; each runs its idle thread.
 * Returns how many CPUs are online (1: none started). */
int smp_init(void);

#endif
