/*
 * The kernel heap behind malloc/free/calloc/realloc (stdlib.h), plus the
 * numbers the self-tests and a debugger look at. heap_stats is plain data
 * kept current by every heap operation, so gdb can print it at any stop
 * (`print heap_stats`) without calling code.
 */
#ifndef KERNEL_HEAP_H
#define KERNEL_HEAP_H

#include <kernel/spinlock.h>
#include <stddef.h>

struct heap_stats {
	size_t arenas;	/* page runs taken from the page allocator */
	size_t arena_bytes;	/* their total size */
	size_t used_bytes;	/* in allocated blocks, headers included */
	size_t used_blocks;
	size_t free_bytes;	/* in free blocks */
	size_t free_blocks;
	size_t peak_used_bytes;	/* the highest used_bytes so far */
};

/* core/heap.c */
extern struct heap_stats heap_stats;
/* guards the heap on every CPU (core/heap.c); held with interrupts off */
extern struct spinlock heap_lock;
/* Walks every block and panics on a broken header or on heap_stats
 * disagreeing with the blocks; returns 0. */
int heap_check(void);

#endif
