/*
 * Wait queues: a FIFO of blocked threads, linked through run_next (a
 * blocked thread is on no run queue). A wait with a deadline also puts the
 * thread on its CPU's timer list; whichever comes first, the wake-up or the
 * deadline, takes it off the other.
 *
 * Locks: a queue's own lock guards its list and the waiters' `waitq`
 * field; a thread is readied under its CPU's lock (core/sched.c). The order
 * is queue, then CPU (waitq_wait puts the thread on its timer list holding
 * the queue); the timer, holding nothing, takes a queue lock in
 * waitq_cancel. Whoever takes a thread off the queue readies it, and
 * sched_wake() readies a thread once only.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <kernel/cpu.h>
#include <kernel/thread.h>
#include <kernel/trap.h>
#include <kernel/waitq.h>

void waitq_init(struct waitq *q, const char *name)
{
	q->name = name;
	spin_init(&q->lock, "wait queue");
	q->threads.head = NULL;
	q->threads.tail = NULL;
}

bool waitq_cancel(struct thread *t)
{
	struct waitq *q = t->waitq;
	bool was = false;

	if (!q)
		return false;
	spin_lock(&q->lock);
	/* a waker on another CPU may have taken it off meanwhile */
	if (t->waitq == q) {
		thread_fifo_remove(&q->threads, t);
		t->waitq = NULL;
		was = true;
	}
	spin_unlock(&q->lock);
	return was;
}

/* Queues the current thread on q; interrupts are off. */
static struct thread *waitq_enqueue(struct waitq *q, uint64_t deadline_ns)
{
	struct thread *t = thread_current();

	spin_lock(&q->lock);
	t->state = THREAD_BLOCKED;
	t->wait_reason = q->name ? q->name : "wait queue";
	t->waitq = q;
	t->timed_out = false;
	thread_fifo_push(&q->threads, t);
	if (deadline_ns) {
		t->wake_at_ns = deadline_ns;
		sched_timer_add(t);
	}
	spin_unlock(&q->lock);
	return t;
}

int waitq_wait(struct waitq *q, uint64_t deadline_ns)
{
	uint64_t flags = irq_save();
	struct thread *t = waitq_enqueue(q, deadline_ns);

	sched_switch();
	irq_restore(flags);
	return t->timed_out ? -ETIMEDOUT : 0;
}

int waitq_wait_locked(struct waitq *q, struct spinlock *lock,
		      uint64_t deadline_ns)
{
	struct thread *t = waitq_enqueue(q, deadline_ns);

	/* queued: a waker that takes the lock now finds us */
	spin_unlock(lock);
	sched_switch();
	spin_lock(lock);
	return t->timed_out ? -ETIMEDOUT : 0;
}

static int waitq_wake(struct waitq *q, int max)
{
	uint64_t flags = spin_lock_irqsave(&q->lock);
	bool urgent = trap_nested();
	int n = 0;
	struct thread *t;

	while (n < max && (t = thread_fifo_pop(&q->threads))) {
		t->waitq = NULL;
		sched_wake(t, urgent);
		n++;
	}
	spin_unlock_irqrestore(&q->lock, flags);
	return n;
}

int waitq_wake_one(struct waitq *q)
{
	return waitq_wake(q, 1);
}

int waitq_wake_all(struct waitq *q)
{
	return waitq_wake(q, 1 << 30);
}
