/*
 * The host stand-in for <minnow.h>, only for test/web: it lets the web
 * server example's own sources be built with the host's gcc and tested
 * with curl and Node before (and besides) running it on the kernel.
 *
 * Minnow's scheduler is cooperative on one CPU: a thread runs until it
 * blocks. host.c keeps that promise with one lock, "the CPU", which a
 * thread holds while it runs and lets go only inside the calls that block
 * (read, write, accept, poll, sleeping, waiting, joining), so the example
 * sees the same interleavings here as in the VM.
 */
#ifndef HOST_MINNOW_H
#define HOST_MINNOW_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct thread;

struct thread *thread_create(const char *name, int (*fn)(void *), void *arg);
int thread_join(struct thread *t);
void thread_yield(void);

void sleep_ms(uint64_t ms);
uint64_t time_ms(void);

struct waitq {
	pthread_cond_t cond;
	const char *name;
};

#define WAITQ_INITIALIZER(n) { PTHREAD_COND_INITIALIZER, (n) }

/* 0, or -ETIMEDOUT once time_ms()*1e6 passes deadline_ns (0: never) */
int waitq_wait(struct waitq *q, uint64_t deadline_ns);
void waitq_wake_one(struct waitq *q);
void waitq_wake_all(struct waitq *q);

#endif
