/*
 * The thread table. Until the scheduler starts, the boot code runs as the
 * "boot" pseudo-thread so that crash reports always name a thread.
 */
#include <stddef.h>
#include <kernel/thread.h>

extern char boot_stack_bottom[], boot_stack_top[];

static struct thread thread_boot = {
	.id = 0,
	.name = "boot",
	.state = THREAD_RUNNING,
	.stack_base = (uintptr_t)boot_stack_bottom,
	.stack_top = (uintptr_t)boot_stack_top,
};

struct thread *thread_all;
static struct thread *thread_running = &thread_boot;

struct thread *thread_current(void)
{
	return thread_running;
}

struct thread *thread_by_id(int id)
{
	for (struct thread *t = thread_all; t; t = t->all_next)
		if (t->id == id)
			return t;
	return NULL;
}
