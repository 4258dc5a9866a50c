/*
 * The cooperative scheduler, in the spirit of Toro's: one per CPU, and a
 * thread runs until it yields, sleeps, blocks or exits; there is no
 * preemption. Each thread belongs to one CPU (thread->cpu, chosen at
 * creation, changed by thread_migrate) and only that CPU runs it, so
 * switching never looks at another CPU's queues. Per CPU, two FIFO run
 * queues: threads woken from an interrupt handler (a device answered, a
 * timer expired) go on the urgent one and run before threads that merely
 * yielded. When nothing is runnable the CPU's idle thread (its boot
 * context) halts with interrupts on until an interrupt makes work.
 *
 * Sleepers sit on their CPU's list sorted by deadline; the CPU's LAPIC
 * timer is armed one-shot for the earliest, so an idle CPU takes no timer
 * interrupts. A CPU's lock (struct percpu) guards its queues and sleepers
 * against wake-ups from other CPUs; a wake-up for an idle CPU elsewhere
 * also sends it an IPI (TRAP_WAKE_IPI) to end its halt. Everything here
 * runs with interrupts off.
 */
#include <errno.h>
#include <stddef.h>
#include <kernel/cpu.h>
#include <kernel/crash.h>
#include <kernel/ioapic.h>
#include <kernel/lapic.h>
#include <kernel/log.h>
#include <kernel/percpu.h>
#include <kernel/thread.h>
#include <kernel/thread_fifo.h>
#include <kernel/time.h>
#include <kernel/trap.h>
#include <kernel/waitq.h>

void switch_context(struct cpu_context *save, struct cpu_context *load);

_Static_assert(offsetof(struct cpu_context, rip) == 56,
	       "switch.S hard-codes the cpu_context layout");
_Static_assert(offsetof(struct cpu_context, rflags) == 64,
	       "switch.S hard-codes the cpu_context layout");

/* Puts t on c's queue; c->lock is held. */
static void sched_enqueue(struct percpu *c, struct thread *t, bool urgent)
{
	t->state = THREAD_READY;
	t->wait_reason = NULL;
	thread_fifo_push(urgent ? &c->urgent : &c->normal, t);
}

/*
 * An idle CPU elsewhere halts: an IPI ends that for the new work. One
 * that is still polling (sched_idle_poll) sees the work by itself. The
 * fence orders our enqueue before the read of idle_polling, as the
 * poller's orders its clearing before its last look at the queues
 * (a store and a later load may pass each other on x86, SDM vol. 3,
 * 9.2.3.4): either we see it polling, or it sees the work.
 */
static void sched_kick(struct percpu *c)
{
	if (c == this_cpu() || !c->online || c->current != c->idle)
		return;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!c->idle_polling) {
		c->wake_ipis++;
		lapic_send_ipi(c->apic_id, TRAP_WAKE_IPI);
	}
}

void sched_ready(struct thread *t, bool urgent)
{
	struct percpu *c = percpu_of(t->cpu);

	spin_lock(&c->lock);
	sched_enqueue(c, t, urgent);
	spin_unlock(&c->lock);
	sched_kick(c);
}

static void sched_timer_unlink(struct percpu *c, struct thread *t)
{
	struct thread **pp = &c->sleepers;

	if (!t->sleeping)
		return;
	while (*pp && *pp != t)
		pp = &(*pp)->sleep_next;
	if (*pp)
		*pp = t->sleep_next;
	t->sleep_next = NULL;
	t->sleeping = false;
}

bool sched_wake(struct thread *t, bool urgent)
{
	struct percpu *c = percpu_of(t->cpu);
	bool woke = false;

	spin_lock(&c->lock);
	/* once only: the deadline and a wake-up may both come for it */
	if (t->state == THREAD_BLOCKED || t->state == THREAD_SLEEPING) {
		sched_timer_unlink(c, t);
		sched_enqueue(c, t, urgent);
		woke = true;
	}
	spin_unlock(&c->lock);
	if (woke)
		sched_kick(c);
	return woke;
}

static struct thread *sched_pick(struct percpu *c)
{
	struct thread *t = thread_fifo_pop(&c->urgent);

	if (!t)
		t = thread_fifo_pop(&c->normal);
	return t ? t : c->idle;
}

/*
 * Runs first in whichever thread a switch lands in, once the previous
 * thread's registers are saved and its stack is no longer in use: only now
 * may another CPU run a migrating thread, or a joiner free a dead one.
 */
void sched_finish(void)
{
	struct percpu *c = this_cpu();
	struct thread *prev = c->switch_prev, *t = c->migrating;

	c->switch_prev = NULL;
	if (t) {
		c->migrating = NULL;
		t->cpu = c->migrate_to;
		sched_ready(t, false);
	}
	if (prev && prev->state == THREAD_DEAD)
		thread_reap(prev);
}

void sched_switch(void)
{
	struct percpu *c = this_cpu();
	struct thread *prev = c->current, *next;

	if (read_rflags() & RFLAGS_IF)
		panic("sched_switch: called with interrupts on");
	if (c->trap_depth)
		panic("sched_switch: called from an interrupt handler");
	if (prev->state == THREAD_RUNNING && prev != c->idle)
		panic("sched_switch: \"%s\" would be lost (running, not queued)",
		      prev->name);
	spin_lock(&c->lock);
	next = sched_pick(c);
	/* the idle thread is never queued: it is simply not running */
	if (prev->state == THREAD_RUNNING)
		prev->state = THREAD_READY;
	if (next == prev) {
		prev->state = THREAD_RUNNING;
		spin_unlock(&c->lock);
		return;
	}
	next->state = THREAD_RUNNING;
	next->switches++;
	next->on_cpu = c->id;
	c->switches++;
	c->current = next;
	c->switch_prev = prev;
	spin_unlock(&c->lock);
	/* the high-water mark at switch cost: one compare (thread.h) */
	if (read_rsp() < prev->stack_low)
		prev->stack_low = read_rsp();
	switch_context(&prev->ctx, &next->ctx);
	sched_finish();
}

static void sched_timer_arm(struct percpu *c)
{
	lapic_timer_set(c->sleepers ? c->sleepers->wake_at_ns : 0);
}

/* Adds the current thread to its CPU's timer list. */
void sched_timer_add(struct thread *t)
{
	struct percpu *c = percpu_of(t->cpu);
	struct thread **pp;

	spin_lock(&c->lock);
	pp = &c->sleepers;
	while (*pp && (*pp)->wake_at_ns <= t->wake_at_ns)
		pp = &(*pp)->sleep_next;
	t->sleep_next = *pp;
	*pp = t;
	t->sleeping = true;
	if (c->sleepers == t)
		sched_timer_arm(c);
	spin_unlock(&c->lock);
}

/*
 * LAPIC timer interrupt: wake every thread of this CPU whose deadline has
 * passed. They are taken off the list first, under the lock, and woken
 * after it, as waking one takes its wait queue's lock (core/waitq.c).
 */
static void sched_timer_irq(struct trap_frame *f, void *arg)
{
	struct percpu *c = this_cpu();
	uint64_t now = time_now_ns();
	struct thread *due = NULL, **tail = &due, *t;

	spin_lock(&c->lock);
	while (c->sleepers && c->sleepers->wake_at_ns <= now) {
		t = c->sleepers;
		c->sleepers = t->sleep_next;
		t->sleep_next = NULL;
		t->sleeping = false;
		*tail = t;
		tail = &t->timer_next;
	}
	*tail = NULL;
	sched_timer_arm(c);
	spin_unlock(&c->lock);
	while ((t = due)) {
		due = t->timer_next;
		t->timer_next = NULL;
		if (waitq_cancel(t))
			t->timed_out = true;
		sched_wake(t, true);
	}
}

/* Another CPU queued work here while we halted: the IPI only wakes us. */
static void sched_wake_irq(struct trap_frame *f, void *arg)
{
}

void thread_yield(void)
{
	uint64_t flags = irq_save();
	struct percpu *c = this_cpu();

	if (c->current != c->idle)
		sched_ready(c->current, false);
	sched_switch();
	irq_restore(flags);
}

void thread_sleep_ns(uint64_t ns)
{
	uint64_t flags = irq_save();
	struct thread *t = this_cpu()->current;

	t->wake_at_ns = time_now_ns() + ns;
	t->state = THREAD_SLEEPING;
	t->wait_reason = "sleep";
	sched_timer_add(t);
	sched_switch();
	irq_restore(flags);
}

int thread_migrate(int cpu)
{
	uint64_t flags;
	struct percpu *c;

	if (cpu < 0 || cpu >= percpu_count || !percpu_of(cpu)->online)
		return -EINVAL;
	flags = irq_save();
	c = this_cpu();
	if (c->current == c->idle) {
		irq_restore(flags);
		return -EPERM;	/* an idle thread stays home */
	}
	if (cpu != c->id) {
		/* queued on the new CPU once it is off this one (sched_finish) */
		c->current->state = THREAD_READY;
		c->migrating = c->current;
		c->migrate_to = cpu;
		sched_switch();
	}
	irq_restore(flags);
	return 0;
}

static bool sched_has_work(struct percpu *c)
{
	return c->urgent.head || c->normal.head;
}

/*
 * How long an idle CPU looks for work before it halts, when there are
 * several. A halted vCPU is a host thread asleep: waking it costs the
 * host a wake-up of that thread, milliseconds on a busy host: a channel
 * round trip between two CPUs under TCG took 6 ms (median) with both
 * sides halting, 15 us with this poll and no IPI (bench/RESULTS.md,
 * issue 11). Linux's cpuidle-haltpoll polls likewise in KVM guests.
 */
#define SCHED_IDLE_POLL_NS 50000

/*
 * The poll, with interrupts on so that timers and devices are served as
 * usual. While idle_polling is set a waker sends no IPI (sched_kick):
 * taking one costs both vCPUs QEMU's global lock under TCG. No "pause"
 * in the loop for the same reason: under TCG each one leaves the
 * translated code and takes that lock. Returns with interrupts off and
 * idle_polling clear; the caller's look at the queues after it is the
 * one that counts.
 */
static void sched_idle_poll(struct percpu *c)
{
	uint64_t until;

	if (percpu_count == 1)
		return;
	until = time_now_ns() + SCHED_IDLE_POLL_NS;
	c->idle_polling = true;
	irq_enable();
	while (!sched_has_work(c) && time_now_ns() < until)
		barrier();
	irq_disable();
	c->idle_polling = false;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/*
 * Idle: runs on the CPU's boot stack once it schedules. "sti; hlt" is
 * atomic with respect to interrupts (sti's shadow), so a wake-up between
 * the check and the halt cannot be lost. With one CPU, nothing runnable,
 * nothing sleeping and no device interrupt that could change that, the
 * program is deadlocked: say so rather than halt forever. (With several,
 * another CPU may still wake us.)
 */
__attribute__((noreturn)) void sched_idle(void)
{
	struct percpu *c = this_cpu();

	for (;;) {
		irq_disable();
		sched_idle_poll(c);
		if (sched_has_work(c)) {
			sched_switch();
			continue;
		}
		if (c->id == 0 && percpu_count == 1 && !c->sleepers &&
		    irq_registered == 0)
			panic("deadlock: every thread is blocked and nothing can wake one");
		__asm__ volatile("sti; hlt" : : : "memory");
	}
}

/*
 * The boot CPU's first switch, to the only queued thread (main): the
 * checks and the queue walk of sched_switch() are skipped, as every block
 * of code run before main costs its translation under TCG (core/init.c).
 * Returns, in the idle thread, when main first waits.
 */
void sched_start(void)
{
	struct percpu *c = this_cpu();
	struct thread *next = thread_fifo_pop(&c->normal);

	if (!next)
		panic("sched_start: no thread to start");
	next->state = THREAD_RUNNING;
	next->switches++;
	c->current = next;
	c->idle->state = THREAD_READY;
	c->switch_prev = c->idle;
	switch_context(&c->idle->ctx, &next->ctx);
	sched_finish();
}

/* On each CPU before it schedules: its boot context becomes its idle. */
void sched_init(void)
{
	struct percpu *c = this_cpu();

	c->idle = thread_adopt_boot(c->id);
	c->current = c->idle;
	c->online = true;
	if (c->id == 0) {
		trap_set_handler(TRAP_LAPIC_TIMER, sched_timer_irq, NULL);
		trap_set_handler(TRAP_WAKE_IPI, sched_wake_irq, NULL);
	}
}
