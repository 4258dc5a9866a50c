/*
 * The cooperative scheduler, in the spirit of Toro's: a thread runs until
 * it yields, sleeps, blocks or exits; there is no preemption. Two FIFO run
 * queues: threads woken from an interrupt handler (a device answered, a
 * timer expired) go on the urgent one and run before threads that merely
 * yielded. When nothing is runnable the idle thread (the boot stack's own
 * context) halts with interrupts on until an interrupt makes work.
 *
 * Sleepers sit on one list sorted by deadline; the LAPIC timer is armed
 * one-shot for the earliest, so an idle machine takes no timer interrupts.
 * Everything here runs with interrupts off.
 */
#include <stddef.h>
#include <kernel/cpu.h>
#include <kernel/crash.h>
#include <kernel/ioapic.h>
#include <kernel/log.h>
#include <kernel/thread.h>
#include <kernel/thread_fifo.h>
#include <kernel/time.h>
#include <kernel/trap.h>

static struct thread_fifo sched_urgent, sched_normal;
static struct thread *sched_sleepers;	/* sorted by wake_at_ns */
struct thread *sched_current;
struct thread *sched_idle_thread;

void switch_context(struct cpu_context *save, struct cpu_context *load);

_Static_assert(offsetof(struct cpu_context, rip) == 56,
	       "switch.S hard-codes the cpu_context layout");
_Static_assert(offsetof(struct cpu_context, rflags) == 64,
	       "switch.S hard-codes the cpu_context layout");

void sched_ready(struct thread *t, bool urgent)
{
	t->state = THREAD_READY;
	t->wait_reason = NULL;
	thread_fifo_push(urgent ? &sched_urgent : &sched_normal, t);
}

static struct thread *sched_pick(void)
{
	struct thread *t = thread_fifo_pop(&sched_urgent);

	if (!t)
		t = thread_fifo_pop(&sched_normal);
	return t ? t : sched_idle_thread;
}

void sched_switch(void)
{
	struct thread *prev = sched_current, *next;

	if (read_rflags() & RFLAGS_IF)
		panic("sched_switch: called with interrupts on");
	if (trap_depth)
		panic("sched_switch: called from an interrupt handler");
	if (prev->state == THREAD_RUNNING && prev != sched_idle_thread)
		panic("sched_switch: \"%s\" would be lost (running, not queued)",
		      prev->name);
	next = sched_pick();
	/* the idle thread is never queued: it is simply not running */
	if (prev->state == THREAD_RUNNING)
		prev->state = THREAD_READY;
	if (next == prev) {
		prev->state = THREAD_RUNNING;
		return;
	}
	next->state = THREAD_RUNNING;
	next->switches++;
	sched_current = next;
	/* the high-water mark at switch cost: one compare (thread.h) */
	if (read_rsp() < prev->stack_low)
		prev->stack_low = read_rsp();
	switch_context(&prev->ctx, &next->ctx);
}

static void sched_timer_arm(void)
{
	lapic_timer_set(sched_sleepers ? sched_sleepers->wake_at_ns : 0);
}

void sched_timer_add(struct thread *t)
{
	struct thread **pp = &sched_sleepers;

	while (*pp && (*pp)->wake_at_ns <= t->wake_at_ns)
		pp = &(*pp)->sleep_next;
	t->sleep_next = *pp;
	*pp = t;
	t->sleeping = true;
	if (sched_sleepers == t)
		sched_timer_arm();
}

void sched_timer_remove(struct thread *t)
{
	struct thread **pp = &sched_sleepers;

	if (!t->sleeping)
		return;
	while (*pp && *pp != t)
		pp = &(*pp)->sleep_next;
	if (*pp)
		*pp = t->sleep_next;
	t->sleep_next = NULL;
	t->sleeping = false;
}

void waitq_remove(struct thread *t);	/* core/waitq.c */

/* LAPIC timer interrupt: wake every thread whose deadline has passed. */
static void sched_timer_irq(struct trap_frame *f, void *arg)
{
	uint64_t now = time_now_ns();

	while (sched_sleepers && sched_sleepers->wake_at_ns <= now) {
		struct thread *t = sched_sleepers;

		sched_sleepers = t->sleep_next;
		t->sleep_next = NULL;
		t->sleeping = false;
		if (t->waitq) {
			waitq_remove(t);
			t->timed_out = true;
		}
		sched_ready(t, true);
	}
	sched_timer_arm();
}

void thread_yield(void)
{
	uint64_t flags = irq_save();

	if (sched_current != sched_idle_thread)
		sched_ready(sched_current, false);
	sched_switch();
	irq_restore(flags);
}

void thread_sleep_ns(uint64_t ns)
{
	uint64_t flags = irq_save();
	struct thread *t = sched_current;

	t->wake_at_ns = time_now_ns() + ns;
	t->state = THREAD_SLEEPING;
	t->wait_reason = "sleep";
	sched_timer_add(t);
	sched_switch();
	irq_restore(flags);
}

static bool sched_has_work(void)
{
	return sched_urgent.head || sched_normal.head;
}

/*
 * Idle: runs on the boot stack once main is started. "sti; hlt" is atomic
 * with respect to interrupts (sti's shadow), so a wake-up between the check
 * and the halt cannot be lost. With nothing runnable, nothing sleeping and
 * no device interrupt that could change that, the program is deadlocked:
 * say so rather than halt forever.
 */
__attribute__((noreturn)) void sched_idle(void)
{
	for (;;) {
		irq_disable();
		if (sched_has_work()) {
			sched_switch();
			continue;
		}
		if (!sched_sleepers && irq_registered == 0)
			panic("deadlock: every thread is blocked and nothing can wake one");
		__asm__ volatile("sti; hlt" : : : "memory");
	}
}

/*
 * The boot context's first switch, to the only queued thread (main): the
 * checks and the queue walk of sched_switch() are skipped, as every block
 * of code run before main costs its translation under TCG (core/init.c).
 * Returns, in the idle thread, when main first waits.
 */
void sched_start(void)
{
	struct thread *next = thread_fifo_pop(&sched_normal);

	if (!next)
		panic("sched_start: no thread to start");
	next->state = THREAD_RUNNING;
	next->switches++;
	sched_current = next;
	sched_idle_thread->state = THREAD_READY;
	switch_context(&sched_idle_thread->ctx, &next->ctx);
}

void sched_init(void)
{
	sched_idle_thread = thread_adopt_boot("idle");
	sched_current = sched_idle_thread;
	trap_set_handler(TRAP_LAPIC_TIMER, sched_timer_irq, NULL);
}
