/*
 * The host stand-in for the kernel's <kernel/heap.h> (test/web only). The
 * kernel keeps heap_stats as plain data; here host.c counts the blocks the
 * example itself allocates (malloc, calloc, realloc and free are wrapped at
 * link time), so the /stats page reports real figures on the host too.
 */
#ifndef HOST_KERNEL_HEAP_H
#define HOST_KERNEL_HEAP_H

#include <stddef.h>

struct heap_stats {
	size_t used_bytes;
	size_t used_blocks;
};

extern struct heap_stats heap_stats;

#endif
