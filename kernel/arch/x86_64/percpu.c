/*
 * The per-CPU table and the GS base that makes this_cpu() one load: each
 * CPU writes its own entry's address to IA32_GS_BASE once, before any
 * code asks this_cpu() (the boot CPU first thing in kernel_start, the
 * others in their start-up path, arch/x86_64/smp.c). The kernel never
 * loads %gs itself, so the base stays.
 * Reference: Intel SDM vol. 4, table 2-2 (IA32_GS_BASE, 0xc0000101).
 */
#include <kernel/cpu.h>
#include <kernel/percpu.h>

#define MSR_GS_BASE 0xc0000101

struct percpu percpu_cpus[CPU_MAX];
int percpu_count = 1;

void percpu_install(int cpu)
{
	struct percpu *p = &percpu_cpus[cpu];

	p->self = p;
	p->id = cpu;
	spin_init(&p->lock, "run queues");
	wrmsr(MSR_GS_BASE, (uintptr_t)p);
}
