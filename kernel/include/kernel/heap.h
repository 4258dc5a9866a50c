/*
 * The kernel heap behind malloc/free/calloc/realloc (stdlib.h), plus the
 * numbers the self-tests and a debugger look at.
 */
#ifndef KERNEL_HEAP_H
#define KERNEL_HEAP_H

#include <stddef.h>

struct heap_stats {
	size_t arenas;	/* page runs taken from the page allocator */
	size_t arena_bytes;	/* their total size */
	size_t used_bytes;	/* in allocated blocks, headers included */
	size_t used_blocks;
	size_t free_bytes;	/* in free blocks */
	size_t free_blocks;
};

/* core/heap.c */
void heap_stats(struct heap_stats *s);
/* Walks every block and panics on a broken header; returns 0. */
int heap_check(void);

#endif
