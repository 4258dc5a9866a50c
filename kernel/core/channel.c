/*
 * Channels: a ring of `capacity` messages of `msg_size` bytes under one
 * spinlock, with a wait queue for each side. A receiver on one CPU and a
 * sender on another meet only in the lock; a blocked side is woken (by IPI
 * when its CPU idles, core/sched.c) by the other once there is room or a
 * message. Waiting uses waitq_wait_locked(), so no wake-up is lost
 * between the check and the wait. Messages are copied in and out: the
 * sender's buffer is free again when send returns.
 */
#include <errno.h>
#include <minnow.h>
#include <stdlib.h>
#include <string.h>
#include <kernel/channel.h>

struct channel *channel_create(const char *name, size_t capacity,
			       size_t msg_size)
{
	struct channel *c;
	size_t i;

	if (capacity == 0 || msg_size == 0 ||
	    capacity > SIZE_MAX / msg_size)
		return NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->slots = malloc(capacity * msg_size);
	if (!c->slots) {
		free(c);
		return NULL;
	}
	for (i = 0; name && name[i] && i < sizeof(c->name) - 1; i++)
		c->name[i] = name[i];
	spin_init(&c->lock, "channel");
	waitq_init(&c->readable, "channel recv");
	waitq_init(&c->writable, "channel send");
	c->msg_size = msg_size;
	c->capacity = capacity;
	return c;
}

void channel_destroy(struct channel *c)
{
	if (!c)
		return;
	free(c->slots);
	free(c);
}

/* c->lock is held; a side is waiting only if its queue has a thread */
static void channel_wake(struct waitq *q)
{
	if (q->threads.head)
		waitq_wake_one(q);
}

int channel_send(struct channel *c, const void *msg, uint64_t deadline_ns)
{
	uint64_t flags = spin_lock_irqsave(&c->lock);
	int err = 0;
	size_t slot;

	while (c->count == c->capacity && err == 0) {
		if (deadline_ns == CHANNEL_NOWAIT)
			err = -EAGAIN;
		else
			err = waitq_wait_locked(&c->writable, &c->lock,
						deadline_ns);
	}
	if (c->count < c->capacity) {
		slot = (c->head + c->count) % c->capacity;
		memcpy(c->slots + slot * c->msg_size, msg, c->msg_size);
		c->count++;
		c->sent++;
		err = 0;
		channel_wake(&c->readable);
	}
	spin_unlock_irqrestore(&c->lock, flags);
	return err;
}

int channel_recv(struct channel *c, void *msg, uint64_t deadline_ns)
{
	uint64_t flags = spin_lock_irqsave(&c->lock);
	int err = 0;

	while (c->count == 0 && err == 0) {
		if (deadline_ns == CHANNEL_NOWAIT)
			err = -EAGAIN;
		else
			err = waitq_wait_locked(&c->readable, &c->lock,
						deadline_ns);
	}
	if (c->count > 0) {
		memcpy(msg, c->slots + c->head * c->msg_size, c->msg_size);
		c->head = (c->head + 1) % c->capacity;
		c->count--;
		c->received++;
		err = 0;
		channel_wake(&c->writable);
	}
	spin_unlock_irqrestore(&c->lock, flags);
	return err;
}

size_t channel_count(struct channel *c)
{
	return __atomic_load_n(&c->count, __ATOMIC_RELAXED);
}
