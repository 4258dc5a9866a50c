/*
 * Channels: bounded FIFO queues of fixed-size messages between threads,
 * on one CPU or on different ones (core/channel.c). The struct is plain
 * data: a debugger reads the fill level and the counts as they are.
 */
#ifndef KERNEL_CHANNEL_H
#define KERNEL_CHANNEL_H

#include <stddef.h>
#include <stdint.h>
#include <kernel/spinlock.h>
#include <kernel/waitq.h>

#define CHANNEL_NAME_MAX 32

struct channel {
	char name[CHANNEL_NAME_MAX];
	struct spinlock lock;	/* guards everything below */
	struct waitq readable;	/* receivers wait here while it is empty */
	struct waitq writable;	/* senders wait here while it is full */
	size_t msg_size;	/* bytes per message */
	size_t capacity;	/* messages it holds at most */
	size_t head;	/* next message to receive */
	size_t count;	/* messages in it now */
	uint64_t sent;	/* messages ever sent / received */
	uint64_t received;
	unsigned char *slots;	/* capacity * msg_size bytes */
};

#endif
