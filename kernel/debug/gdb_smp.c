/*
 * All-stop on several CPUs. The CPU that stops (a breakpoint, a step, a
 * fault, Ctrl-C) becomes the stub's owner and sends every other CPU an
 * NMI; each of those parks in its NMI handler with its registers in its
 * trap frame (struct percpu's gdb_frame, where gdb_thread.c finds them)
 * and waits. Only then does the owner answer gdb. A step lets only the
 * owner run; when gdb lets the kernel run freely the owner releases them
 * all together, and each loads the debug registers (gdb_break.c) on its
 * way out, so breakpoints and watchpoints hold on every CPU.
 *
 * A CPU that traps into the stub while another owns it parks too: an int3
 * of ours is rewound so that it runs again once released (and stops then,
 * if the breakpoint is still there); any other trap is handled once the
 * CPU is released. An NMI is the stub's only when it asked for one.
 * Reference: the same scheme as Linux's kgdb (kernel/debug/debug_core.c),
 * written for this stub.
 */
#include <kernel/cpu.h>
#include <kernel/lapic.h>
#include <kernel/time.h>

#include "gdb.h"

#define GDB_SMP_STOP_WAIT_NS (2 * NSEC_PER_SEC)	/* a loaded TCG host */

enum gdb_cpu_state {
	GDB_CPU_RUN,	/* 0: running freely */
	GDB_CPU_STOP_REQ,	/* the owner sent it an NMI */
	GDB_CPU_PARKED,	/* waiting in the stub */
};

/* the CPU that owns the stub now, -1: none */
static volatile int gdb_smp_owner = -1;
/*
 * Counts releases. A parked CPU waits for it to move, not for its state to
 * read GDB_CPU_RUN: its host thread may not run between a release and the
 * next stop (a few microseconds later on a busy TCG host), when its state
 * is GDB_CPU_STOP_REQ again, and it would stay parked in its NMI handler
 * with NMIs blocked, deaf to every later stop.
 */
static volatile unsigned int gdb_smp_releases;

int gdb_smp_owner_cpu(void)
{
	return gdb_smp_owner;
}

/* Waits here until the owner lets this CPU go. */
static void gdb_smp_park(struct gdb_session *s, struct trap_frame *f)
{
	struct percpu *c = this_cpu();
	unsigned int seen = __atomic_load_n(&gdb_smp_releases, __ATOMIC_ACQUIRE);

	c->gdb_frame = f;
	__atomic_store_n(&c->gdb_state, GDB_CPU_PARKED, __ATOMIC_RELEASE);
	while (__atomic_load_n(&gdb_smp_releases, __ATOMIC_ACQUIRE) == seen)
		cpu_relax();
	c->gdb_frame = NULL;
	gdb_break_arm_hw(s);
}

bool gdb_smp_foreign(struct gdb_session *s, struct trap_frame *f)
{
	struct percpu *c = this_cpu();
	int owner = gdb_smp_owner;

	if (f->vector == TRAP_NMI) {
		if (c->gdb_state == GDB_CPU_STOP_REQ) {
			gdb_smp_park(s, f);
			return true;
		}
		/* late, or nested in a park: ours; else a real NMI */
		return owner >= 0;
	}
	if (owner < 0 || owner == c->id)
		return false;
	if (f->vector == TRAP_BP &&
	    (gdb_break_sw_at(f->rip - 1) || gdb_break_hidden_at(f->rip - 1))) {
		f->rip--;
		gdb_smp_park(s, f);
		return true;
	}
	gdb_smp_park(s, f);
	return false;
}

void gdb_smp_acquire(struct gdb_session *s, struct trap_frame *f)
{
	int me = this_cpu()->id, free_cpu;

	for (;;) {
		free_cpu = -1;
		if (gdb_smp_owner == me ||
		    __atomic_compare_exchange_n(&gdb_smp_owner, &free_cpu, me,
						false, __ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE))
			return;
		/* another CPU stopped first: serve its stop, then ours */
		gdb_smp_park(s, f);
	}
}

void gdb_smp_stop_others(void)
{
	struct percpu *me = this_cpu(), *c;
	uint64_t deadline;
	int i;

	for (i = 0; i < percpu_count; i++) {
		c = &percpu_cpus[i];
		if (c == me || !c->online || c->gdb_state == GDB_CPU_PARKED)
			continue;
		__atomic_store_n(&c->gdb_state, GDB_CPU_STOP_REQ,
				 __ATOMIC_RELEASE);
		lapic_send_nmi(c->apic_id);
	}
	deadline = time_now_ns() + GDB_SMP_STOP_WAIT_NS;
	for (i = 0; i < percpu_count; i++) {
		c = &percpu_cpus[i];
		if (c == me || !c->online)
			continue;
		while (__atomic_load_n(&c->gdb_state, __ATOMIC_ACQUIRE) !=
			       GDB_CPU_PARKED &&
		       time_now_ns() < deadline)
			cpu_relax();
	}
}

void gdb_smp_release(void)
{
	struct percpu *me = this_cpu();
	int i;

	if (gdb_smp_owner != me->id)
		return;
	for (i = 0; i < percpu_count; i++) {
		if (&percpu_cpus[i] != me)
			__atomic_store_n(&percpu_cpus[i].gdb_state, GDB_CPU_RUN,
					 __ATOMIC_RELEASE);
	}
	__atomic_add_fetch(&gdb_smp_releases, 1, __ATOMIC_RELEASE);
	__atomic_store_n(&gdb_smp_owner, -1, __ATOMIC_RELEASE);
}
