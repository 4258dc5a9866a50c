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

struct waitq;

enum thread_state {
	THREAD_READY,	/* runnable, in the run queue */
	THREAD_RUNNING,	/* the one on the CPU */
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
	/* scheduler-private fields follow in core/ */
	struct thread *run_next;
	uint64_t wake_at_ns;
	int exit_code;
	int (*entry)(void *);
	void *arg;
	struct thread *joiner;
	struct thread *sleep_next;	/* timer list, by wake_at_ns */
	struct waitq *waitq;	/* the queue it is blocked on, or NULL */
	bool timed_out;	/* the last wait ended by its deadline */
	bool sleeping;	/* on the timer list */
	void *stack_alloc;	/* pages of guard + stack, NULL for the boot stack */
	size_t stack_pages;
	uint64_t switches;	/* times it was switched to */
	bool joinable;	/* made by thread_create*: join frees it */
	int err;	/* this thread's errno (errno.h) */
};

/* Head of the list of all threads (including dead, not yet joined ones). */
extern struct thread *thread_all;
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
/* Names the boot context and enters it in the table (sched_init). */
struct thread *thread_adopt_boot(const char *name);

/* core/sched.c */
void sched_init(void);
/* From the boot context, interrupts off: runs the queued main thread;
 * returns when main first waits (then call sched_idle). */
void sched_start(void);
/* The boot context's loop once main runs: halts while nothing is runnable. */
__attribute__((noreturn)) void sched_idle(void);
/* Makes t runnable; `urgent` (set when woken from an interrupt handler)
 * puts it ahead of threads that merely yielded. Interrupts must be off. */
void sched_ready(struct thread *t, bool urgent);
/* Switches away from the current thread, whose state the caller has set
 * (and queued it if READY). Interrupts must be off. */
void sched_switch(void);
/* Timer list: wake t at t->wake_at_ns. Interrupts must be off. */
void sched_timer_add(struct thread *t);
void sched_timer_remove(struct thread *t);
void thread_yield(void);
/* Sleeps at least ns nanoseconds. */
void thread_sleep_ns(uint64_t ns);

#endif
