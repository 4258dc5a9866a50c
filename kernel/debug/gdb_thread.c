/*
 * Kernel threads as gdb threads: the one place that walks thread_all for
 * the stub, maps a thread to its gdb id and back, and says where a
 * thread's registers are. The walk is the stub's own (thread_by_id() and
 * the thread lock are code a user may break in), bounded against a corrupt
 * list, and reads the table as plain data while every CPU is stopped.
 *
 * A thread's registers: a thread running on a stopped CPU is in that CPU's
 * trap frame (the stopping CPU's own, or the frame another CPU saved when
 * the stub stopped it, struct percpu's gdb_frame); any other thread is in
 * the callee-saved context it was switched out with.
 */
#include <kernel/percpu.h>

#include "gdb.h"

/*
 * gdb id of a thread without a usable id of its own (the boot
 * pseudo-thread has id 0, which RSP reserves for "any thread")
 */
#define GDB_THREAD_PSEUDO_ID 0x7fffffff
#define GDB_THREAD_WALK_MAX 100000	/* bound on a possibly corrupt list */

int gdb_thread_id(const struct thread *t)
{
	return t && t->id > 0 ? t->id : GDB_THREAD_PSEUDO_ID;
}

bool gdb_thread_is_pseudo(int id)
{
	return id == GDB_THREAD_PSEUDO_ID;
}

struct thread *gdb_thread_first(struct gdb_thread_iter *it)
{
	it->n = 0;
	it->t = thread_all;
	return it->t;
}

struct thread *gdb_thread_next(struct gdb_thread_iter *it)
{
	if (!it->t || ++it->n >= GDB_THREAD_WALK_MAX)
		return it->t = NULL;
	return it->t = it->t->all_next;
}

/* The stopped thread when thread_all does not list it (boot), else NULL. */
struct thread *gdb_thread_unlisted(const struct gdb_session *s)
{
	struct gdb_thread_iter it;
	struct thread *t;

	for (t = gdb_thread_first(&it); t; t = gdb_thread_next(&it)) {
		if (t == s->stop->thread)
			return NULL;
	}
	return s->stop->thread;
}

struct thread *gdb_thread_find(const struct gdb_session *s, int id)
{
	struct gdb_thread_iter it;
	struct thread *t;

	for (t = gdb_thread_first(&it); t; t = gdb_thread_next(&it)) {
		if (gdb_thread_id(t) == id)
			return t;
	}
	t = s->stop ? s->stop->thread : NULL;
	if (t && gdb_thread_id(t) == id)
		return t;
	return NULL;
}

/* The stopped CPU whose current thread t is, or NULL. */
struct percpu *gdb_thread_cpu(const struct thread *t)
{
	int i;

	for (i = 0; i < percpu_count && i < CPU_MAX; i++) {
		if (percpu_cpus[i].current == t)
			return &percpu_cpus[i];
	}
	return NULL;
}

void gdb_thread_regs(const struct gdb_session *s, struct thread *t,
		     struct gdb_regs *r)
{
	struct percpu *c;

	r->frame = NULL;
	r->ctx = NULL;
	if (!t || t == s->stop->thread) {
		r->frame = s->stop->frame;
		return;
	}
	c = gdb_thread_cpu(t);
	if (c && c->gdb_frame)
		r->frame = c->gdb_frame;
	else
		r->ctx = &t->ctx;
}
