/*
 * The Minnow application API: threads, sleeping, time, wait queues and
 * leaving the program. The C library (stdio.h, stdlib.h, string.h, ctype.h,
 * assert.h, errno.h) comes with it.
 *
 * The scheduler is cooperative: a thread runs until it yields, sleeps,
 * waits or exits. Threads woken by an interrupt (a device, a timer) run
 * before threads that merely yielded. With several CPUs ("cpus" in
 * minnow.json) each runs a scheduler of its own; a thread stays on the CPU
 * it was created on (its creator's, or the one thread_create_on names)
 * until it calls thread_migrate. Channels carry messages between them. Returning from main() or calling
 * exit(n) ends the whole VM with exit code n (0..125; see stdlib.h).
 */
#ifndef _MINNOW_H
#define _MINNOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <kernel/waitq.h>

struct thread;

/* Threads (core/thread.c). A thread's return value is its exit code. */
struct thread *thread_create(const char *name, int (*fn)(void *), void *arg);
struct thread *thread_create_stack(const char *name, int (*fn)(void *),
				   void *arg, size_t stack_size);
/* Waits until t has exited, frees it and returns its exit code. */
int thread_join(struct thread *t);
__attribute__((noreturn)) void thread_exit(int code);
void thread_yield(void);
struct thread *thread_current(void);
const char *thread_name(const struct thread *t);
int thread_id(const struct thread *t);

/* CPUs (core/api.c): how many run, and which one the caller is on (0..). */
int cpu_count(void);
int cpu_current(void);
/* A thread on CPU cpu (NULL: no such CPU online, or out of memory). */
struct thread *thread_create_on(int cpu, const char *name, int (*fn)(void *),
				void *arg);
/* Moves the calling thread to CPU cpu: 0, or -EINVAL when none is there. */
int thread_migrate(int cpu);
/* The CPU a thread belongs to. */
int thread_cpu(const struct thread *t);
/*
 * Sends a device's interrupts to CPU cpu from now on, e.g. the network
 * card's to the CPU its threads run on: "console" (COM1), a virtio kind
 * ("virtio-net", "virtio-blk", "virtio-9p", "virtio-fs", "virtio-console":
 * the first such device) or a device's name as the boot log prints it.
 * 0, -EINVAL (no such CPU online), -ENODEV (no such device), -ENOENT (it
 * takes no interrupt yet). By default a device interrupts the CPU that
 * set it up (CPU 0 for the drivers started at boot).
 */
int device_irq_cpu(const char *device, int cpu);

/*
 * Channels (core/channel.c): bounded queues of fixed-size messages that
 * any thread on any CPU sends into and receives from, in FIFO order.
 *   struct channel *c = channel_create("work", 64, sizeof(struct job));
 *   channel_send(c, &job, 0);          blocks while full (0: no deadline)
 *   channel_recv(c, &job, CHANNEL_NOWAIT)  -EAGAIN when empty
 * A deadline of time_ns() is honoured with -ETIMEDOUT. Returns 0 or -errno.
 */
#define CHANNEL_NOWAIT 1	/* as a deadline: never block (long past) */
struct channel;
struct channel *channel_create(const char *name, size_t capacity,
			       size_t msg_size);
void channel_destroy(struct channel *c);
int channel_send(struct channel *c, const void *msg, uint64_t deadline_ns);
int channel_recv(struct channel *c, void *msg, uint64_t deadline_ns);
/* Messages waiting now (a snapshot). */
size_t channel_count(struct channel *c);

/* Sleeping: at least the given time (core/api.c). */
void sleep_ns(uint64_t ns);
void sleep_us(uint64_t us);
void sleep_ms(uint64_t ms);

/* Monotonic time since boot (core/api.c). */
uint64_t time_ns(void);
uint64_t time_us(void);
uint64_t time_ms(void);

/*
 * Wait queues (kernel/waitq.h):
 *   static struct waitq q = WAITQ_INITIALIZER("jobs");
 *   waitq_wait(&q, 0);                 block until woken
 *   waitq_wait(&q, time_ns() + 5000000) ... or for at most 5 ms (-ETIMEDOUT)
 *   waitq_wake_one(&q); waitq_wake_all(&q);
 */

/* Console input: the next byte typed into the console, waiting at most
 * until deadline_ns of time_ns() (0: forever). Returns the byte, EOF (-1)
 * once input has ended (a Ctrl-D, 0x04: `minnow run` sends one when its
 * own stdin ends), or a negative errno (-ETIMEDOUT). getchar() and
 * fgets(stdin) block until a byte or the end of input. */
int console_getc(uint64_t deadline_ns);

/* Reports a crash with this message and a backtrace, exits with 127. */
__attribute__((noreturn, format(printf, 1, 2))) void panic(const char *fmt,
							   ...);

#endif
