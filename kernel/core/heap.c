/*
 * malloc/free/calloc/realloc: a boundary-tag allocator over arenas of pages.
 * Every block starts with a 16-byte header holding its own size (bit 0 set
 * while in use) and the size of the block before it, so free() coalesces
 * with both neighbours in constant time. Free blocks sit on one LIFO list
 * searched first fit (recently freed memory is reused first); payloads are
 * 16-byte aligned. An arena that becomes entirely free goes back to the page
 * allocator (except the first, to avoid thrashing on malloc/free pairs), so
 * freeing everything really returns the memory.
 *
 * Arena layout: [struct heap_arena][block][block]...[end marker: size 0,
 * in use]. The first block has HEAP_FIRST set: nothing to merge before it.
 *
 * heap_stats is updated where blocks enter or leave the free list and
 * where arenas come and go, never recomputed: a debugger reads it as is.
 * There is nothing to initialise: the first malloc() makes the first arena.
 *
 * Every CPU allocates, so heap_lock guards the free list, the arenas and
 * heap_stats: malloc/free/realloc/heap_check hold it with interrupts off
 * (an interrupt handler that frees on this CPU would otherwise spin on
 * its own CPU's lock). Order: heap_lock, then the page allocator's lock
 * (heap_grow and heap_release call it); nothing here takes another.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <kernel/crash.h>
#include <kernel/heap.h>
#include <kernel/page.h>
#include <kernel/spinlock.h>

#define HEAP_ALIGN 16
#define HEAP_INUSE 1ul
#define HEAP_FIRST 2ul
#define HEAP_FLAGS (HEAP_INUSE | HEAP_FIRST)
#define HEAP_MIN_BLOCK 32	/* header + the two free-list links */
#define HEAP_ARENA_MIN (64 * 1024)

struct heap_block {
	size_t prev_size;	/* size of the block just below */
	size_t size;	/* total, header included; low bits are flags */
	/* free blocks only: */
	struct heap_block *next_free;
	struct heap_block *prev_free;
};

struct heap_arena {
	struct heap_arena *next;
	size_t size;	/* bytes, a multiple of PAGE_SIZE */
};

#define HEAP_HDR offsetof(struct heap_block, next_free)

static struct heap_arena *heap_arenas;
static struct heap_block *heap_free_list;
struct heap_stats heap_stats;
struct spinlock heap_lock = SPINLOCK_INITIALIZER("heap");

static size_t heap_size(const struct heap_block *b)
{
	return b->size & ~HEAP_FLAGS;
}

static struct heap_block *heap_next(struct heap_block *b)
{
	return (struct heap_block *)((char *)b + heap_size(b));
}

static struct heap_block *heap_prev(struct heap_block *b)
{
	return (struct heap_block *)((char *)b - b->prev_size);
}

static void heap_set_size(struct heap_block *b, size_t size, size_t flags)
{
	b->size = size | flags;
	heap_next(b)->prev_size = size;
}

static void heap_list_add(struct heap_block *b)
{
	b->prev_free = NULL;
	b->next_free = heap_free_list;
	if (heap_free_list)
		heap_free_list->prev_free = b;
	heap_free_list = b;
	heap_stats.free_blocks++;
	heap_stats.free_bytes += heap_size(b);
}

static void heap_list_del(struct heap_block *b)
{
	if (b->prev_free)
		b->prev_free->next_free = b->next_free;
	else
		heap_free_list = b->next_free;
	if (b->next_free)
		b->next_free->prev_free = b->prev_free;
	heap_stats.free_blocks--;
	heap_stats.free_bytes -= heap_size(b);
}

static void heap_use(size_t bytes, size_t blocks)
{
	heap_stats.used_bytes += bytes;
	heap_stats.used_blocks += blocks;
	if (heap_stats.used_bytes > heap_stats.peak_used_bytes)
		heap_stats.peak_used_bytes = heap_stats.used_bytes;
}

static struct heap_block *heap_grow(size_t need)
{
	size_t size = PAGE_ROUND_UP(need + sizeof(struct heap_arena) + HEAP_HDR);
	struct heap_arena *a;
	struct heap_block *b, *end;

	if (size < HEAP_ARENA_MIN)
		size = HEAP_ARENA_MIN;
	a = page_alloc_raw(size / PAGE_SIZE);
	if (!a)
		return NULL;
	a->size = size;
	a->next = heap_arenas;
	heap_arenas = a;
	heap_stats.arenas++;
	heap_stats.arena_bytes += size;
	b = (struct heap_block *)(a + 1);
	end = (struct heap_block *)((char *)a + size - HEAP_HDR);
	b->prev_size = 0;
	b->size = ((char *)end - (char *)b) | HEAP_FIRST;
	end->prev_size = heap_size(b);
	end->size = HEAP_INUSE;
	heap_list_add(b);
	return b;
}

/* Returns an arena whose only block is the free block b to the pages. */
static bool heap_release(struct heap_block *b)
{
	struct heap_arena *a = (struct heap_arena *)b - 1, **pp;

	if (!(b->size & HEAP_FIRST) || heap_size(heap_next(b)) != 0 ||
	    a->next == NULL)
		return false;	/* not a whole arena, or the first one */
	for (pp = &heap_arenas; *pp; pp = &(*pp)->next) {
		if (*pp == a) {
			*pp = a->next;
			heap_list_del(b);
			heap_stats.arenas--;
			heap_stats.arena_bytes -= a->size;
			page_free(a, a->size / PAGE_SIZE);
			return true;
		}
	}
	return false;
}

/* Marks b in use with `size` bytes, splitting off the rest if useful. */
static void heap_take(struct heap_block *b, size_t size)
{
	size_t have = heap_size(b), first = b->size & HEAP_FIRST;

	heap_list_del(b);
	if (have - size >= HEAP_MIN_BLOCK) {
		struct heap_block *rest;

		heap_set_size(b, size, HEAP_INUSE | first);
		rest = heap_next(b);
		heap_set_size(rest, have - size, 0);
		heap_list_add(rest);
	} else {
		b->size = have | HEAP_INUSE | first;
	}
	heap_use(heap_size(b), 1);
}

static size_t heap_block_size(size_t n)
{
	size_t size = (n + HEAP_HDR + HEAP_ALIGN - 1) & ~(size_t)(HEAP_ALIGN - 1);

	return size < HEAP_MIN_BLOCK ? HEAP_MIN_BLOCK : size;
}

/* heap_lock is held. */
static void *heap_alloc(size_t size)
{
	struct heap_block *b;

	for (b = heap_free_list; b; b = b->next_free)
		if (heap_size(b) >= size)
			break;
	if (!b)
		b = heap_grow(size);
	if (!b)
		return NULL;
	heap_take(b, size);
	return (char *)b + HEAP_HDR;
}

void *malloc(size_t n)
{
	uint64_t flags;
	void *p;

	if (n == 0 || n > SIZE_MAX / 2)
		return NULL;
	flags = spin_lock_irqsave(&heap_lock);
	p = heap_alloc(heap_block_size(n));
	spin_unlock_irqrestore(&heap_lock, flags);
	return p;
}

static struct heap_block *heap_block_of(void *p, const char *who)
{
	struct heap_block *b = (struct heap_block *)((char *)p - HEAP_HDR);

	if (((uintptr_t)p & (HEAP_ALIGN - 1)) || !(b->size & HEAP_INUSE) ||
	    heap_size(b) < HEAP_MIN_BLOCK || heap_next(b)->prev_size != heap_size(b))
		panic("%s(%p): not an allocated block (double free or corruption)",
		      who, p);
	return b;
}

/* heap_lock is held; b is an allocated block. */
static void heap_free(struct heap_block *b)
{
	struct heap_block *n;
	size_t first;

	heap_stats.used_bytes -= heap_size(b);
	heap_stats.used_blocks--;
	first = b->size & HEAP_FIRST;
	b->size &= ~HEAP_INUSE;
	n = heap_next(b);
	if (!(n->size & HEAP_INUSE)) {
		heap_list_del(n);
		heap_set_size(b, heap_size(b) + heap_size(n), first);
	}
	if (!first) {
		struct heap_block *prev = heap_prev(b);

		if (!(prev->size & HEAP_INUSE)) {
			/* prev stays on the free list and grows by b */
			heap_stats.free_bytes += heap_size(b);
			heap_set_size(prev, heap_size(prev) + heap_size(b),
				      prev->size & HEAP_FIRST);
			heap_release(prev);
			return;
		}
	}
	heap_list_add(b);
	heap_release(b);
}

void free(void *p)
{
	uint64_t flags;

	if (!p)
		return;
	flags = spin_lock_irqsave(&heap_lock);
	heap_free(heap_block_of(p, "free"));
	spin_unlock_irqrestore(&heap_lock, flags);
}

void *calloc(size_t count, size_t n)
{
	void *p;

	if (n && count > SIZE_MAX / n)
		return NULL;
	p = malloc(count * n);
	if (p)
		memset(p, 0, count * n);
	return p;
}

void *realloc(void *p, size_t n)
{
	struct heap_block *b, *next;
	size_t size, have;
	uint64_t flags;
	void *q;

	if (!p)
		return malloc(n);
	if (n == 0) {
		free(p);
		return NULL;
	}
	if (n > SIZE_MAX / 2)
		return NULL;
	flags = spin_lock_irqsave(&heap_lock);
	b = heap_block_of(p, "realloc");
	size = heap_block_size(n);
	have = heap_size(b);
	next = heap_next(b);
	if (have < size && !(next->size & HEAP_INUSE) &&
	    have + heap_size(next) >= size) {
		/* grow in place into the free block above */
		heap_list_del(next);
		heap_use(heap_size(next), 0);
		heap_set_size(b, have + heap_size(next), b->size & HEAP_FLAGS);
		have = heap_size(b);
	}
	if (have >= size) {
		if (have - size >= HEAP_MIN_BLOCK) {
			struct heap_block *rest;

			heap_set_size(b, size, b->size & HEAP_FLAGS);
			rest = heap_next(b);
			heap_set_size(rest, have - size, HEAP_INUSE);
			/* heap_free() accounts for the split-off tail */
			heap_stats.used_blocks++;
			heap_free(rest);
		}
		spin_unlock_irqrestore(&heap_lock, flags);
		return p;
	}
	/* the block is the caller's alone: copying it needs no lock */
	spin_unlock_irqrestore(&heap_lock, flags);
	q = malloc(n);
	if (!q)
		return NULL;
	memcpy(q, p, have - HEAP_HDR);
	free(p);
	return q;
}

int heap_check(void)
{
	struct heap_stats seen = { 0 };
	uint64_t flags = spin_lock_irqsave(&heap_lock);

	for (struct heap_arena *a = heap_arenas; a; a = a->next) {
		struct heap_block *b = (struct heap_block *)(a + 1);
		char *end = (char *)a + a->size - HEAP_HDR;

		seen.arenas++;
		seen.arena_bytes += a->size;
		while ((char *)b < end) {
			struct heap_block *n = heap_next(b);

			if (heap_size(b) < HEAP_MIN_BLOCK || (char *)n > end ||
			    n->prev_size != heap_size(b))
				panic("heap_check: corrupt block at %p", b);
			if (b->size & HEAP_INUSE) {
				seen.used_blocks++;
				seen.used_bytes += heap_size(b);
			} else {
				seen.free_blocks++;
				seen.free_bytes += heap_size(b);
			}
			b = n;
		}
		if ((char *)b != end)
			panic("heap_check: arena %p does not end on its marker",
			      a);
	}
	if (seen.arenas != heap_stats.arenas ||
	    seen.arena_bytes != heap_stats.arena_bytes ||
	    seen.used_bytes != heap_stats.used_bytes ||
	    seen.used_blocks != heap_stats.used_blocks ||
	    seen.free_bytes != heap_stats.free_bytes ||
	    seen.free_blocks != heap_stats.free_blocks)
		panic("heap_check: heap_stats says %zu/%zu used, %zu/%zu free, blocks say %zu/%zu, %zu/%zu",
		      heap_stats.used_bytes, heap_stats.used_blocks,
		      heap_stats.free_bytes, heap_stats.free_blocks,
		      seen.used_bytes, seen.used_blocks, seen.free_bytes,
		      seen.free_blocks);
	spin_unlock_irqrestore(&heap_lock, flags);
	return 0;
}
