/*
 * Starting the other CPUs. The firmware's tables (smp_tables.c) list
 * their LAPIC ids; each is started in turn with INIT, then STARTUP twice
 * (the universal start-up algorithm, MP spec B.4 / SDM vol. 3, 8.4.4.1),
 * pointed at a copy of the real-mode trampoline (smp_boot.S) in a page
 * below 1 MiB. The new CPU comes up in smp_ap_main() on a stack of its
 * own, takes its per-CPU entry, GDT slot, TSS and IST stacks, the shared
 * IDT and page tables, sets up its LAPIC, says it is online and becomes
 * its own scheduler's idle thread.
 *
 * Only when more than one CPU is listed does any of this run, so a one-CPU
 * kernel pays nothing at boot. The waits are bounded: a CPU that never
 * answers is reported and left out.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <kernel/arch.h>
#include <kernel/cpu.h>
#include <kernel/crash.h>
#include <kernel/lapic.h>
#include <kernel/log.h>
#include <kernel/page.h>
#include <kernel/percpu.h>
#include <kernel/smp.h>
#include <kernel/thread.h>
#include <kernel/time.h>

#define SMP_TRAMP_LIMIT 0x100000ul	/* a STARTUP vector names a page < 1 MiB */
#define SMP_AP_STACK_PAGES 5	/* guard + 16 KiB, like a thread's */
#define SMP_IST_PAGES (IST_STACKS * IST_STACK_SIZE / PAGE_SIZE)
/* after INIT: the MP spec's 10 ms is for old parts; Linux waits none on
 * anything since the Pentium 4 (arch/x86/kernel/smpboot.c, init_udelay),
 * QEMU none at all: 1 ms is a margin, not a requirement */
#define SMP_INIT_WAIT_NS (1 * NSEC_PER_MSEC)
#define SMP_SIPI_WAIT_NS (200 * NSEC_PER_USEC)	/* between the STARTUPs */
#define SMP_ONLINE_WAIT_NS (2 * NSEC_PER_SEC)	/* generous: a loaded TCG host */

extern char smp_trampoline[], smp_trampoline_end[];
extern char smp_tramp_cr3[], smp_tramp_cr4[], smp_tramp_efer[];
extern char smp_tramp_gdtr[];

/* read by smp_ap_entry (smp_boot.S): the stack of the CPU starting now */
uintptr_t smp_ap_stack;
static volatile int smp_starting = -1;	/* its number, until it is online */

__attribute__((noreturn)) void smp_ap_main(void);

static uint64_t smp_read_cr4(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static void smp_spin_ns(uint64_t ns)
{
	uint64_t until = time_now_ns() + ns;

	while (time_now_ns() < until)
		cpu_relax();
}

/* Copies the trampoline into page tramp and fills in its data. */
static void smp_trampoline_copy(uint8_t *tramp)
{
	size_t len = (size_t)(smp_trampoline_end - smp_trampoline);
	uint32_t v;

#define SMP_TRAMP_AT(sym) (tramp + ((sym) - smp_trampoline))
	memcpy(tramp, smp_trampoline, len);
	v = (uint32_t)read_cr3();
	memcpy(SMP_TRAMP_AT(smp_tramp_cr3), &v, 4);
	v = (uint32_t)smp_read_cr4();
	memcpy(SMP_TRAMP_AT(smp_tramp_cr4), &v, 4);
	v = (uint32_t)rdmsr(0xc0000080);	/* EFER: LME and whatever else */
	memcpy(SMP_TRAMP_AT(smp_tramp_efer), &v, 4);
	/* the trampoline GDT sits 8-aligned right before its descriptor */
	v = (uint32_t)(uintptr_t)SMP_TRAMP_AT(smp_tramp_gdtr) - 3 * 8;
	memcpy(SMP_TRAMP_AT(smp_tramp_gdtr) + 2, &v, 4);
#undef SMP_TRAMP_AT
}

static bool smp_start_one(int cpu, uint32_t apic_id, uintptr_t tramp)
{
	struct percpu *c = percpu_of(cpu);
	struct thread *idle = thread_boot_of(cpu);
	uint8_t *stack = page_alloc(SMP_AP_STACK_PAGES);
	void *ist = page_alloc_raw(SMP_IST_PAGES);
	uint64_t deadline;

	if (!stack || !ist) {
		kernel_printf("minnow: smp: no memory to start CPU %d\n", cpu);
		return false;
	}
	idle->stack_base = (uintptr_t)stack;	/* no guard: zeroed, small */
	idle->stack_top = (uintptr_t)stack + SMP_AP_STACK_PAGES * PAGE_SIZE;
	idle->stack_low = idle->stack_top;
	c->apic_id = apic_id;
	c->ist_stacks = ist;
	smp_ap_stack = idle->stack_top;
	smp_starting = cpu;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);

	lapic_icr(apic_id, LAPIC_ICR_INIT | LAPIC_ICR_ASSERT | LAPIC_ICR_LEVEL);
	smp_spin_ns(SMP_INIT_WAIT_NS);
	for (int i = 0; i < 2 && !c->online; i++) {
		lapic_icr(apic_id, LAPIC_ICR_STARTUP | (uint32_t)(tramp >> 12));
		smp_spin_ns(SMP_SIPI_WAIT_NS);
	}
	deadline = time_now_ns() + SMP_ONLINE_WAIT_NS;
	while (!c->online && time_now_ns() < deadline)
		cpu_relax();
	if (!c->online) {
		kernel_printf("minnow: smp: CPU %d (APIC id %u) did not start\n",
			      cpu, apic_id);
		return false;
	}
	return true;
}

int smp_init(void)
{
	struct smp_cpus found;
	uint32_t self = lapic_id();
	uint8_t *tramp;
	int next = 1;

	percpu_of(0)->apic_id = self;
	if (smp_find_cpus(&found) || found.count < 2)
		return 1;
	tramp = page_alloc(1);
	if (!tramp || (uintptr_t)tramp >= SMP_TRAMP_LIMIT) {
		kernel_printf("minnow: smp: no page below 1 MiB for the start-up code; running on one CPU\n");
		return 1;
	}
	tsc_init();	/* the new CPUs' timers use the calibration */
	smp_trampoline_copy(tramp);
	for (int i = 0; i < found.count; i++) {
		if (found.apic_ids[i] == self)
			continue;
		if (smp_start_one(next, found.apic_ids[i], (uintptr_t)tramp))
			percpu_count = ++next;
	}
	page_free(tramp, 1);
	if (found.ignored)
		kernel_printf("minnow: smp: %d CPUs past the %d supported left halted\n",
			      found.ignored, CPU_MAX);
	kernel_info("smp: %d CPUs online (%s)", percpu_count, found.source);
	return percpu_count;
}

/* The first C code of a started CPU (smp_boot.S), interrupts off. */
void smp_ap_main(void)
{
	int cpu = smp_starting;
	struct percpu *c;

	percpu_install(cpu);
	c = this_cpu();
	gdt_init_cpu(cpu, c->ist_stacks);
	idt_load();
	lapic_init_ap();
	sched_init();	/* its boot context becomes its idle thread */
	smp_starting = -1;
	sched_idle();
}
