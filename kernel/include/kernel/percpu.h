/*
 * Per-CPU state: everything that exists once per CPU (the running thread,
 * the idle thread, the run queues, the sleepers, the trap nesting depth)
 * lives in one struct percpu per CPU, reached through this_cpu(). GS's
 * base points at the CPU's own entry (set once per CPU at boot,
 * arch/x86_64/percpu.c), so this_cpu() is one load from %gs:0 and needs no
 * CPU number. The table percpu_cpus[] is plain data: a debugger reads
 * which thread runs where without calling code.
 */
#ifndef KERNEL_PERCPU_H
#define KERNEL_PERCPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <kernel/spinlock.h>
#include <kernel/thread_fifo.h>

#define CPU_MAX 16	/* CPUs the kernel can run on; more are left halted */

struct thread;
struct trap_frame;

struct percpu {
	struct percpu *self;	/* offset 0: what this_cpu() loads */
	int id;	/* offset 8 (spinlock.h): 0 is the boot CPU */
	uint32_t apic_id;	/* its local APIC's id (MADT / MP table) */
	bool online;	/* started and scheduling */
	int trap_depth;	/* > 0 while a trap handler runs on it */
	struct thread *current;	/* the thread running on it */
	struct thread *idle;	/* its boot context, run when nothing else is */
	/* run queues and sleepers: `lock` guards them against other CPUs */
	struct spinlock lock;
	struct thread_fifo urgent;	/* woken by an interrupt: first */
	struct thread_fifo normal;	/* yielded or newly created */
	struct thread *sleepers;	/* timer list, by wake_at_ns */
	/* the scheduler's hand-over between two threads (core/sched.c) */
	struct thread *switch_prev;
	struct thread *migrating;	/* leaving for migrate_to */
	int migrate_to;
	uint64_t switches;	/* context switches done here */
	uint64_t wake_ipis;	/* wake-ups other CPUs sent here */
	/* idle and looking for work (core/sched.c): a waker needs no IPI */
	volatile bool idle_polling;
	uint64_t irqs;	/* device interrupts taken here */
	/* the gdbstub's view while it holds this CPU stopped (debug/) */
	struct trap_frame *gdb_frame;
	volatile int gdb_state;
	/* arch/x86_64: descriptor tables and interrupt stacks of its own */
	void *tss;
	void *ist_stacks;
};

_Static_assert(offsetof(struct percpu, id) == 8,
	       "spinlock.h reads the CPU number at %gs:8");

extern struct percpu percpu_cpus[CPU_MAX];
extern int percpu_count;	/* CPUs found at boot (online or not) */

static inline struct percpu *this_cpu(void)
{
	struct percpu *p;

	/* volatile: a thread that migrates sees its new CPU after a switch */
	__asm__ volatile("movq %%gs:0, %0" : "=r"(p));
	return p;
}

static inline struct percpu *percpu_of(int cpu)
{
	return &percpu_cpus[cpu];
}

/* arch/x86_64/percpu.c */
/* Points GS at percpu_cpus[cpu] on the calling CPU. */
void percpu_install(int cpu);

#endif
