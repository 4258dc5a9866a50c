/*
 * A FIFO of threads linked through struct thread's run_next. A thread is on
 * at most one at a time: a run queue when ready, a wait queue when blocked.
 * Shared by the scheduler's run queues and the wait queues. core/thread.c.
 */
#ifndef KERNEL_THREAD_FIFO_H
#define KERNEL_THREAD_FIFO_H

struct thread;

struct thread_fifo {
	struct thread *head;
	struct thread *tail;
};

void thread_fifo_push(struct thread_fifo *q, struct thread *t);
struct thread *thread_fifo_pop(struct thread_fifo *q);
/* Unlinks t wherever it stands in q; nothing happens when t is not in q. */
void thread_fifo_remove(struct thread_fifo *q, struct thread *t);

#endif
