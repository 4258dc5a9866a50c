/*
 * The host stand-in for the Minnow calls the web server example makes
 * (test/web only; see minnow.h here). One mutex is the CPU: taken before
 * main() runs, held by whichever thread runs, and let go only inside the
 * calls that block, which are wrapped at link time (-Wl,--wrap=read...):
 * on Minnow those are exactly where the cooperative scheduler switches.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "minnow.h"
#include "kernel/heap.h"

static pthread_mutex_t cpu = PTHREAD_MUTEX_INITIALIZER;
static struct timespec boot;
struct heap_stats heap_stats;

struct thread {
	pthread_t pthread;
	int (*fn)(void *);
	void *arg;
	int code;
	char name[32];
};

/* lets go of the CPU around a blocking call, keeping its errno */
#define BLOCKING(call)                                   \
	({                                               \
		pthread_mutex_unlock(&cpu);              \
		__typeof__(call) r_ = (call);            \
		int e_ = errno;                          \
		pthread_mutex_lock(&cpu);                \
		errno = e_;                              \
		r_;                                      \
	})

ssize_t __real_read(int fd, void *buf, size_t n);
ssize_t __real_write(int fd, const void *buf, size_t n);
int __real_accept(int fd, struct sockaddr *addr, socklen_t *len);
int __real_poll(struct pollfd *fds, nfds_t n, int timeout);
void *__real_malloc(size_t n);
void *__real_calloc(size_t count, size_t n);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);

ssize_t __wrap_read(int fd, void *buf, size_t n)
{
	return BLOCKING(__real_read(fd, buf, n));
}

ssize_t __wrap_write(int fd, const void *buf, size_t n)
{
	return BLOCKING(__real_write(fd, buf, n));
}

int __wrap_accept(int fd, struct sockaddr *addr, socklen_t *len)
{
	return BLOCKING(__real_accept(fd, addr, len));
}

int __wrap_poll(struct pollfd *fds, nfds_t n, int timeout)
{
	return BLOCKING(__real_poll(fds, n, timeout));
}

static void count_alloc(void *p)
{
	if (p) {
		heap_stats.used_bytes += malloc_usable_size(p);
		heap_stats.used_blocks++;
	}
}

static void count_free(void *p)
{
	if (p) {
		heap_stats.used_bytes -= malloc_usable_size(p);
		heap_stats.used_blocks--;
	}
}

void *__wrap_malloc(size_t n)
{
	void *p = __real_malloc(n);

	count_alloc(p);
	return p;
}

void *__wrap_calloc(size_t count, size_t n)
{
	void *p = __real_calloc(count, n);

	count_alloc(p);
	return p;
}

void *__wrap_realloc(void *old, size_t n)
{
	count_free(old);
	void *p = __real_realloc(old, n);

	count_alloc(p ? p : old);
	return p;
}

void __wrap_free(void *p)
{
	count_free(p);
	__real_free(p);
}

__attribute__((constructor)) static void host_boot(void)
{
	clock_gettime(CLOCK_MONOTONIC, &boot);
	/* Minnow's console is unbuffered; a test waits for the first line */
	setvbuf(stdout, NULL, _IONBF, 0);
	/* Minnow has no signals: a write to a closed socket is EPIPE */
	signal(SIGPIPE, SIG_IGN);
	pthread_mutex_lock(&cpu);	/* main() runs on the CPU */
}

uint64_t time_ms(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)(now.tv_sec - boot.tv_sec) * 1000 +
	       (now.tv_nsec - boot.tv_nsec) / 1000000;
}

void sleep_ms(uint64_t ms)
{
	BLOCKING(usleep(ms * 1000));
}

void thread_yield(void)
{
	BLOCKING(sched_yield());
}

static void *thread_start(void *arg)
{
	struct thread *t = arg;

	pthread_mutex_lock(&cpu);
	t->code = t->fn(t->arg);
	pthread_mutex_unlock(&cpu);
	return NULL;
}

struct thread *thread_create(const char *name, int (*fn)(void *), void *arg)
{
	struct thread *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->fn = fn;
	t->arg = arg;
	strncpy(t->name, name, sizeof(t->name) - 1);
	if (pthread_create(&t->pthread, NULL, thread_start, t)) {
		free(t);
		return NULL;
	}
	/* the kernel's names show in the debugger; these in top -H */
	char short_name[16];

	strncpy(short_name, name, sizeof(short_name) - 1);
	short_name[sizeof(short_name) - 1] = '\0';
	pthread_setname_np(t->pthread, short_name);
	return t;
}

int thread_join(struct thread *t)
{
	int code;

	BLOCKING(pthread_join(t->pthread, NULL));
	code = t->code;
	free(t);
	return code;
}

int waitq_wait(struct waitq *q, uint64_t deadline_ns)
{
	struct timespec at;
	uint64_t now_ns = time_ms() * 1000000;

	if (deadline_ns == 0) {
		pthread_cond_wait(&q->cond, &cpu);
		return 0;
	}
	if (deadline_ns <= now_ns)
		return -ETIMEDOUT;
	/* the condition's clock is CLOCK_REALTIME */
	clock_gettime(CLOCK_REALTIME, &at);
	uint64_t ns = at.tv_nsec + (deadline_ns - now_ns);

	at.tv_sec += ns / 1000000000;
	at.tv_nsec = ns % 1000000000;
	return pthread_cond_timedwait(&q->cond, &cpu, &at) ? -ETIMEDOUT : 0;
}

void waitq_wake_one(struct waitq *q)
{
	pthread_cond_signal(&q->cond);
}

void waitq_wake_all(struct waitq *q)
{
	pthread_cond_broadcast(&q->cond);
}
