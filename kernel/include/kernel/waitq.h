/*
 * Wait queues: how a thread waits for something another thread or an
 * interrupt handler will signal. A thread woken from an interrupt handler
 * runs before threads that merely yielded.
 *
 * Avoiding a lost wake-up: test the condition and wait with interrupts off;
 * waitq_wait() enqueues and switches atomically and returns with the
 * interrupt flag as it found it:
 *
 *	uint64_t flags = irq_save();
 *	while (!done && err == 0)
 *		err = waitq_wait(&q, deadline_ns);
 *	irq_restore(flags);
 */
#ifndef KERNEL_WAITQ_H
#define KERNEL_WAITQ_H

#include <stdint.h>
#include <kernel/thread_fifo.h>

struct thread;

struct waitq {
	const char *name;	/* shown as the wait reason: "wait <name>" */
	struct thread_fifo threads;	/* the blocked ones, oldest first */
};

#define WAITQ_INITIALIZER(n) { .name = (n), .threads = { 0, 0 } }

/* core/waitq.c */
void waitq_init(struct waitq *q, const char *name);
/* Blocks until woken (0) or until deadline_ns of time_now_ns() passes
 * (-ETIMEDOUT); deadline_ns == 0 waits forever. Not from IRQ handlers. */
int waitq_wait(struct waitq *q, uint64_t deadline_ns);
/* Wake the first waiter / every waiter; return how many were woken.
 * Safe from interrupt handlers. */
int waitq_wake_one(struct waitq *q);
int waitq_wake_all(struct waitq *q);

#endif
