/*
 * Threads: creation, exit, join and the thread table. Each thread has its
 * own stack of whole pages with one unmapped guard page below, so running
 * off the end faults (the crash report names the thread) instead of
 * corrupting a neighbour. The table is a plain linked list in creation
 * order, readable by a debugger without calling code.
 *
 * Before the scheduler starts, the boot code runs as the "boot" pseudo
 * thread; sched_init() turns that context into the idle thread. Every
 * other CPU's start-up context becomes its own idle thread the same way.
 *
 * thread_lock guards the table and the joins. A dead thread is freed by
 * its joiner only once its CPU has switched off its stack (thread_reap,
 * called by the scheduler from the next thread), which matters when the
 * joiner runs on another CPU.
 *
 * Stacks start zeroed (page_alloc_raw plus a memset for created threads;
 * the boot and main stacks lie past the image in RAM that nothing wrote
 * before us, which the VMM hands over zeroed: NOINIT), so the lowest
 * non-zero word tells how deep a thread has ever gone: Linux's
 * stack_not_used() works the same way. A word the thread wrote as zero at
 * the very bottom goes unseen; that under-counts by a few bytes at most.
 * Were that RAM not zero, the two marks would read high, nothing worse.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <kernel/cpu.h>
#include <kernel/crash.h>
#include <kernel/page.h>
#include <kernel/paging.h>
#include <kernel/percpu.h>
#include <kernel/thread.h>
#include <kernel/thread_fifo.h>

extern char boot_stack_bottom[], boot_stack_top[];

/* Each CPU's boot context; [0] is the boot CPU's, on entry.S's stack. */
static struct thread thread_boot[CPU_MAX] = {
	[0] = {
		.id = 0,
		.name = "boot",
		.state = THREAD_RUNNING,
		.stack_base = (uintptr_t)boot_stack_bottom,
		.stack_top = (uintptr_t)boot_stack_top,
		.stack_low = (uintptr_t)boot_stack_top,
	},
};

struct thread *thread_all;
struct spinlock thread_lock = SPINLOCK_INITIALIZER("thread table");
static int thread_next_id = 1;

struct thread *thread_boot_of(int cpu)
{
	return &thread_boot[cpu];
}

struct thread *thread_current(void)
{
	struct percpu *c = this_cpu();

	return c->current ? c->current : &thread_boot[c->id];
}

/* errno.h: each thread's own errno; the boot context's before threads run. */
int *__errno_location(void)
{
	return &thread_current()->err;
}

struct thread *thread_by_id(int id)
{
	uint64_t flags = spin_lock_irqsave(&thread_lock);
	struct thread *t;

	for (t = thread_all; t; t = t->all_next)
		if (t->id == id)
			break;
	spin_unlock_irqrestore(&thread_lock, flags);
	return t;
}

static void thread_link(struct thread *t)
{
	uint64_t flags = spin_lock_irqsave(&thread_lock);
	struct thread **pp = &thread_all;

	t->id = thread_next_id++;
	while (*pp)
		pp = &(*pp)->all_next;
	*pp = t;
	spin_unlock_irqrestore(&thread_lock, flags);
}

/* Copies a name, truncated: a loop of its own, as it runs before main
 * (strlcpy would run strlen and memcpy, more code to translate). */
static void thread_name(struct thread *t, const char *name)
{
	unsigned int i;

	for (i = 0; i < sizeof(t->name) - 1 && name[i]; i++)
		t->name[i] = name[i];
	t->name[i] = '\0';
}

/* A CPU's boot context becomes its idle thread (called by sched_init). */
struct thread *thread_adopt_boot(int cpu)
{
	struct thread *t = &thread_boot[cpu];

	thread_name(t, "idle");
	if (cpu > 0) {
		/* "idle1".. "idle15": CPU_MAX is 16 */
		if (cpu >= 10)
			t->name[4] = (char)('0' + cpu / 10);
		t->name[cpu >= 10 ? 5 : 4] = (char)('0' + cpu % 10);
		t->state = THREAD_RUNNING;
	}
	t->cpu = cpu;
	t->on_cpu = cpu;
	waitq_init(&t->exited, "join");
	thread_link(t);
	return t;
}

size_t thread_stack_used(struct thread *t)
{
	const uint64_t *w = (const uint64_t *)t->stack_base;
	const uint64_t *low = (const uint64_t *)t->stack_low;

	/* only the part below the known mark can hold news */
	while (w < low && *w == 0)
		w++;
	if (t == thread_current() && read_rsp() < (uintptr_t)w)
		w = (const uint64_t *)read_rsp();
	t->stack_low = (uintptr_t)w;
	return t->stack_top - t->stack_low;
}

void thread_entry(void);	/* arch/x86_64/switch.S */
__attribute__((noreturn)) void thread_start(void);

/* First C code of every thread, called by thread_entry. */
void thread_start(void)
{
	struct thread *t;

	sched_finish();
	t = thread_current();
	irq_enable();
	thread_exit(t->entry(t->arg));
}

/* Readies t on CPU cpu, or on the caller's when cpu < 0. */
static int thread_setup_stack(struct thread *t, const char *name,
			      int (*entry)(void *), void *arg, void *mem,
			      size_t pages, int cpu)
{
	uint64_t flags, *top;

	if (paging_set_present((uintptr_t)mem, false))
		return -ENOMEM;
	thread_name(t, name);
	t->entry = entry;
	t->arg = arg;
	t->stack_base = (uintptr_t)mem + PAGE_SIZE;
	t->stack_top = (uintptr_t)mem + pages * PAGE_SIZE;
	t->stack_low = t->stack_top;
	/* thread_entry calls thread_start on an aligned stack */
	top = (uint64_t *)t->stack_top - 2;
	top[0] = top[1] = 0;
	t->ctx.rsp = (uintptr_t)top;
	t->ctx.rbp = 0;
	t->ctx.rip = (uintptr_t)thread_entry;
	t->ctx.rflags = 0x2;	/* bit 1 is always set; IF off until the trampoline */
	waitq_init(&t->exited, "join");

	flags = irq_save();
	t->cpu = cpu >= 0 ? cpu : this_cpu()->id;
	t->on_cpu = t->cpu;
	thread_link(t);
	sched_ready(t, false);
	irq_restore(flags);
	return 0;
}

int thread_setup_on(struct thread *t, const char *name,
		    int (*entry)(void *), void *arg, void *mem, size_t pages)
{
	return thread_setup_stack(t, name, entry, arg, mem, pages, -1);
}

static int thread_setup_cpu(struct thread *t, const char *name,
			    int (*entry)(void *), void *arg,
			    size_t stack_size, int cpu)
{
	size_t pages = PAGE_ROUND_UP(stack_size) / PAGE_SIZE + 1;
	char *mem = page_alloc_raw(pages);

	if (!mem)
		return -ENOMEM;
	/* the high-water scan looks for the first non-zero word; the guard
	 * page below is never read */
	memset(mem + PAGE_SIZE, 0, (pages - 1) * PAGE_SIZE);
	if (thread_setup_stack(t, name, entry, arg, mem, pages, cpu)) {
		page_free(mem, pages);
		return -ENOMEM;
	}
	t->stack_alloc = mem;
	t->stack_pages = pages;
	return 0;
}

int thread_setup(struct thread *t, const char *name, int (*entry)(void *),
		 void *arg, size_t stack_size)
{
	return thread_setup_cpu(t, name, entry, arg, stack_size, -1);
}

static struct thread *thread_create_cpu(const char *name,
					int (*entry)(void *), void *arg,
					size_t stack_size, int cpu)
{
	struct thread *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	/* joinable before it can run (and exit) on another CPU */
	t->joinable = true;
	if (thread_setup_cpu(t, name, entry, arg, stack_size, cpu)) {
		free(t);
		return NULL;
	}
	return t;
}

struct thread *thread_create_stack(const char *name, int (*entry)(void *),
				   void *arg, size_t stack_size)
{
	return thread_create_cpu(name, entry, arg, stack_size, -1);
}

struct thread *thread_create(const char *name, int (*entry)(void *), void *arg)
{
	return thread_create_stack(name, entry, arg, THREAD_STACK_SIZE);
}

struct thread *thread_create_on(int cpu, const char *name,
				int (*entry)(void *), void *arg)
{
	if (cpu < 0 || cpu >= percpu_count || !percpu_of(cpu)->online)
		return NULL;
	return thread_create_cpu(name, entry, arg, THREAD_STACK_SIZE, cpu);
}

void thread_exit(int code)
{
	struct thread *t = thread_current();

	irq_disable();
	if (t == this_cpu()->idle || t->id == 0)
		panic("thread_exit: the idle thread cannot exit");
	thread_stack_used(t);	/* the exact peak stays readable until the join */
	t->exit_code = code;
	t->state = THREAD_DEAD;
	t->wait_reason = NULL;
	sched_switch();
	panic("thread_exit: a dead thread was scheduled");
}

void thread_reap(struct thread *t)
{
	spin_lock(&thread_lock);
	t->reaped = true;
	waitq_wake_all(&t->exited);
	spin_unlock(&thread_lock);
}

/* thread_lock is held. */
static void thread_unlink(struct thread *t)
{
	struct thread **pp = &thread_all;

	while (*pp && *pp != t)
		pp = &(*pp)->all_next;
	if (*pp)
		*pp = t->all_next;
}

int thread_join(struct thread *t)
{
	struct thread *self = thread_current();
	uint64_t flags = spin_lock_irqsave(&thread_lock);
	int code;

	if (t == self || !t->joinable)
		panic("thread_join: thread \"%s\" cannot be joined by \"%s\"",
		      t->name, self->name);
	if (t->joiner && t->joiner != self)
		panic("thread_join: \"%s\" is already joined by \"%s\"",
		      t->name, t->joiner->name);
	t->joiner = self;
	while (!t->reaped)
		waitq_wait_locked(&t->exited, &thread_lock, 0);
	code = t->exit_code;
	thread_unlink(t);
	spin_unlock_irqrestore(&thread_lock, flags);
	paging_set_present((uintptr_t)t->stack_alloc, true);
	page_free(t->stack_alloc, t->stack_pages);
	free(t);
	return code;
}

void thread_fifo_push(struct thread_fifo *q, struct thread *t)
{
	t->run_next = NULL;
	if (q->tail)
		q->tail->run_next = t;
	else
		q->head = t;
	q->tail = t;
}

struct thread *thread_fifo_pop(struct thread_fifo *q)
{
	struct thread *t = q->head;

	if (t) {
		q->head = t->run_next;
		if (!q->head)
			q->tail = NULL;
		t->run_next = NULL;
	}
	return t;
}

void thread_fifo_remove(struct thread_fifo *q, struct thread *t)
{
	struct thread *prev = NULL;

	for (struct thread *c = q->head; c; prev = c, c = c->run_next) {
		if (c != t)
			continue;
		if (prev)
			prev->run_next = c->run_next;
		else
			q->head = c->run_next;
		if (q->tail == c)
			q->tail = prev;
		break;
	}
	t->run_next = NULL;
}
