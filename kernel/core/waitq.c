/*
 * Wait queues: a FIFO of blocked threads, linked through run_next (a
 * blocked thread is on no run queue). A wait with a deadline also puts the
 * thread on the scheduler's timer list; whichever comes first, the wake-up
 * or the deadline, takes it off the other.
 */
#include <errno.h>
#include <stddef.h>
#include <kernel/cpu.h>
#include <kernel/thread.h>
#include <kernel/trap.h>
#include <kernel/waitq.h>

void waitq_init(struct waitq *q, const char *name)
{
	q->name = name;
	q->threads.head = NULL;
	q->threads.tail = NULL;
}

/* Takes t off the queue it waits on (the timer path uses this). */
void waitq_remove(struct thread *t)
{
	thread_fifo_remove(&t->waitq->threads, t);
	t->waitq = NULL;
}

int waitq_wait(struct waitq *q, uint64_t deadline_ns)
{
	uint64_t flags = irq_save();
	struct thread *t = thread_current();

	t->state = THREAD_BLOCKED;
	t->wait_reason = q->name ? q->name : "wait queue";
	t->waitq = q;
	t->timed_out = false;
	thread_fifo_push(&q->threads, t);
	if (deadline_ns) {
		t->wake_at_ns = deadline_ns;
		sched_timer_add(t);
	}
	sched_switch();
	irq_restore(flags);
	return t->timed_out ? -ETIMEDOUT : 0;
}

static struct thread *waitq_pop(struct waitq *q)
{
	struct thread *t = thread_fifo_pop(&q->threads);

	if (t)
		t->waitq = NULL;
	return t;
}

static int waitq_wake(struct waitq *q, int max)
{
	uint64_t flags = irq_save();
	int n = 0;
	struct thread *t;

	while (n < max && (t = waitq_pop(q))) {
		sched_timer_remove(t);
		sched_ready(t, trap_depth > 0);
		n++;
	}
	irq_restore(flags);
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
