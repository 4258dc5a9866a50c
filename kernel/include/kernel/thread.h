/*
 * Threads as the rest of the kernel and the debugger see them. The thread table is plain
 * data: a debugger (the gdbstub, or gdb reading memory) can walk it without calling code.
 * Implemented in core/thread.c and core/sched.c.
 */
#ifndef KERNEL_THREAD_H
#define KERNEL_THREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <kernel/waitq.h>

enum thread_state {
	THREAD_READY,	/* runnable, in the run queue */
	THREAD_RUNNING,	/* on a CPU now (on_cpu says which) */
	THREAD_SLEEPING,	/* waiting for a deadline */
	THREAD_BLOCKED,	/* waiting on a wait queue (see wait_reason) */
	THREAD_DEAD,	/* exited, waiting to be joined */
};

/*
 * Callee-saved registers of a thread that is not running, saved by the context switch
 * (arch/x86_64/switch.S). rip is where the thread resumes (inside the switch routine's
 * caller); a debugger shows exactly these as the parked thread's registers.
 */
struct cpu_context {
	uint64_t rsp, rbp, rbx, r12, r13, r14, r15, rip, rflags;
};

#define THREAD_NAME_MAX 32

struct thread {
	int id;			/* stable, never reused, starts at 1; the gdb thread id */
	char name[THREAD_NAME_MAX];
	enum thread_state state;
	const char *wait_reason;	/* "sleep", "wait queue rxq", "join worker"... or NULL */
	struct cpu_context ctx;	/* valid while state != THREAD_RUNNING */
	uintptr_t stack_base;	/* lowest usable byte; an unmapped guard page lies below */
	uintptr_t stack_top;	/* one past the highest byte */
	/*
	 * High-water mark: the lowest stack address known to have been used.
	 * Lowered to the saved rsp at every switch away (cheap, so deeper
	 * excursions between switches are missed) and exactly by
	 * thread_stack_used() and at exit, which scan the stack for the
	 * lowest word that is no longer zero (stacks start zeroed).
	 * Bytes used at most = stack_top - stack_low.
	 */
	uintptr_t stack_low;
	struct thread *all_next;	/* every thread, in creation order (thread_all) */
	int cpu;	/* the CPU whose scheduler runs it (thread_migrate) */
	int on_cpu;	/* the CPU it last ran on: where it runs when RUNNING */
	/* scheduler-private fields follow in core/ */
	struct thread *run_next;
	uint64_t wake_at_ns;
	int exit_code;
	int (*entry)(void *);
	void *arg;
	struct thread *joiner;
	struct thread *sleep_next;	/* timer list, by wake_at_ns */
	struct thread *timer_next;	/* expired, being woken by the timer */
	struct waitq *waitq;	/* the queue it is blocked on, or NULL */
	bool timed_out;	/* the last wait ended by its deadline */
	bool sleeping;	/* on the timer list */
	void *stack_alloc;	/* pages of guard + stack, NULL for the boot stack */
	size_t stack_pages;
	uint64_t switches;	/* times it was switched to */
	bool joinable;	/* made by thread_create*: join frees it */
	int err;	/* this thread's errno (errno.h) */
	bool reaped;	/* dead and off its CPU's stack: join may free it */
	struct waitq exited;	/* the joiner waits here */
};

/* Head of the list of all threads (including dead, not yet joined ones),
 * guarded by thread_lock. */
extern struct thread *thread_all;
extern struct spinlock thread_lock;
struct thread *thread_current(void);
struct thread *thread_by_id(int id);

#define THREAD_STACK_SIZE (16 * 1024)	/* default; a guard page lies below */

/* core/thread.c */
/* Creates a ready thread running entry(arg); its return value is its exit
 * code. NULL when out of memory. The name is copied (truncated). */
struct thread *thread_create(const char *name, int (*entry)(void *),
			     void *arg);
struct thread *thread_create_stack(const char *name, int (*entry)(void *),
				   void *arg, size_t stack_size);
/* thread_create on a given CPU (the others run on their creator's). NULL
 * when out of memory or the CPU is not online. */
struct thread *thread_create_on(int cpu, const char *name,
				int (*entry)(void *), void *arg);
/* Starts a thread in caller-provided, zeroed, never-freed storage (the
 * main thread: no heap needed before main). Not joinable. 0 or -ENOMEM. */
int thread_setup(struct thread *t, const char *name, int (*entry)(void *),
		 void *arg, size_t stack_size);
/* The same on a given stack: `pages` pages at mem that read as zero (for
 * the high-water scan), the first of which becomes the unmapped guard
 * page. 0 or -ENOMEM (page tables). */
int thread_setup_on(struct thread *t, const char *name,
		    int (*entry)(void *), void *arg, void *mem, size_t pages);
/* The most stack t has used so far, in bytes (updates t->stack_low). */
size_t thread_stack_used(struct thread *t);
/* Waits for t to exit, frees it, returns its exit code. */
int thread_join(struct thread *t);
__attribute__((noreturn)) void thread_exit(int code);
/* Names CPU cpu's boot context and enters it in the table (sched_init):
 * "idle" on the boot CPU, "idle<cpu>" on the others. */
struct thread *thread_adopt_boot(int cpu);
/* CPU cpu's boot context (its idle thread once it schedules). */
struct thread *thread_boot_of(int cpu);
/* prev is dead and off its stack: lets its joiner go (sched_finish). */
void thread_reap(struct thread *t);

/* core/sched.c */
/* On each CPU, before it schedules. */
void sched_init(void);
/* From the boot context, interrupts off: runs the queued main thread;
 * returns when main first waits (then call sched_idle). */
void sched_start(void);
/* The boot context's loop once main runs: halts while nothing is runnable. */
__attribute__((noreturn)) void sched_idle(void);
/* Makes t runnable on its CPU; `urgent` (set when woken from an interrupt
 * handler) puts it ahead of threads that merely yielded. Interrupts must
 * be off. */
void sched_ready(struct thread *t, bool urgent);
/* Readies t if it is blocked or sleeping (false: it was not); the one way
 * to wake a thread from another CPU or a handler. Interrupts off. */
bool sched_wake(struct thread *t, bool urgent);
/* First thing after a switch lands (switch.S callers, thread_start). */
void sched_finish(void);
/* Switches away from the current thread, whose state the caller has set
 * (and queued it if READY). Interrupts must be off. */
void sched_switch(void);
/* Timer list: wake t at t->wake_at_ns. Interrupts must be off. */
void sched_timer_add(struct thread *t);
void thread_yield(void);
/* Moves the calling thread to CPU cpu's scheduler: 0, or -EINVAL (no
 * such CPU online), -EPERM (an idle thread). */
int thread_migrate(int cpu);
/* Sleeps at least ns nanoseconds. */
void thread_sleep_ns(uint64_t ns);

#endif
