/*
 * Physical pages: the RAM that the PVH memory map reports as usable, minus
 * the kernel image and page 0, handed out in runs of contiguous 4 KiB
 * pages. Memory is identity mapped, so a page's address is both its
 * physical (DMA) address and the pointer to use.
 */
#ifndef KERNEL_PAGE_H
#define KERNEL_PAGE_H

#include <stddef.h>
#include <stdint.h>

#define PAGE_SIZE 4096ul
#define PAGE_SHIFT 12
#define PAGE_ROUND_UP(x) (((x) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1))

/* core/page.c: sets itself up on first use (page_lock held), with
 * page_lock inside every other lock of the memory code. */
/* npages contiguous, zeroed pages, page aligned; NULL when out of memory. */
void *page_alloc(size_t npages);
/* The same without zeroing (stacks, heap arenas: zeroing 64 KiB costs
 * ~50 us under TCG). */
void *page_alloc_raw(size_t npages);
void page_free(void *p, size_t npages);
size_t page_free_count(void);
size_t page_total_count(void);

#endif
