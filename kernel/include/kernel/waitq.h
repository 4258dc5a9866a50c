/*
 * Wait queues: how a thread waits for something another thread or an
 * interrupt handler will signal. A thread woken from an interrupt handler
 * runs before threads that merely yielded. A waiter may be on any CPU and
 * the waker on any other: the wake-up then reaches the waiter's CPU by IPI.
 *
 * Avoiding a lost wake-up: test the condition and wait with interrupts off;
 * waitq_wait() enqueues and switches atomically with respect to this CPU
 * (its interrupt handlers and its threads) and returns with the interrupt
 * flag as it found it:
 *
 *	uint64_t flags = irq_save();
 *	while (!done && err == 0)
 *		err = waitq_wait(&q, deadline_ns);
 *	irq_restore(flags);
 *
 * When the waker may run on another CPU, irq_save() does not keep it out:
 * guard the condition with a spinlock and let waitq_wait_locked() drop it
 * once the thread is on the queue (a condition variable):
 *
 *	uint64_t flags = spin_lock_irqsave(&lock);
 *	while (!done && err == 0)
 *		err = waitq_wait_locked(&q, &lock, deadline_ns);
 *	spin_unlock_irqrestore(&lock, flags);
 *
 * and the waker sets `done` holding the same lock before waitq_wake_*().
 */
#ifndef KERNEL_WAITQ_H
#define KERNEL_WAITQ_H

#include <stdint.h>
#include <kernel/spinlock.h>
#include <kernel/thread_fifo.h>

struct thread;

struct waitq {
	const char *name;	/* shown as the wait reason: "wait <name>" */
	struct spinlock lock;	/* guards `threads` against other CPUs */
	struct thread_fifo threads;	/* the blocked ones, oldest first */
};

#define WAITQ_INITIALIZER(n)                                                 \
	{ .name = (n), .lock = SPINLOCK_INITIALIZER("wait queue"),            \
	  .threads = { 0, 0 } }

/* core/waitq.c */
void waitq_init(struct waitq *q, const char *name);
/* Blocks until woken (0) or until deadline_ns of time_now_ns() passes
 * (-ETIMEDOUT); deadline_ns == 0 waits forever. Not from IRQ handlers. */
int waitq_wait(struct waitq *q, uint64_t deadline_ns);
/* The same, called holding `lock` (interrupts off): the lock is dropped
 * once the thread is queued and taken again before returning. */
int waitq_wait_locked(struct waitq *q, struct spinlock *lock,
		      uint64_t deadline_ns);
/* Wake the first waiter / every waiter; return how many were woken.
 * Safe from interrupt handlers and from any CPU. */
int waitq_wake_one(struct waitq *q);
int waitq_wake_all(struct waitq *q);
/* Takes t off the queue it waits on, if any (its deadline passed); true
 * when it was still there. core/sched.c's timer calls this. */
bool waitq_cancel(struct thread *t);

#endif
