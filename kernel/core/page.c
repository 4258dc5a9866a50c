/*
 * The physical page allocator: one bit per page frame up to the highest
 * usable address in the PVH memory map (set = free), first fit from the
 * lowest free frame. The bitmap itself lives in the first usable run that
 * can hold it, so a 2 MiB guest pays 64 bytes and a 4 GiB guest 128 KiB,
 * and nothing of it is in the kernel image.
 *
 * Never handed out: page 0 (NULL stays unmapped), the kernel image, the
 * bitmap, anything the map does not call RAM.
 *
 * The allocator sets itself up on first use: nothing before main needs
 * it (paging has a pool of its own, the main thread's stack is static),
 * and an application that never allocates never pays for the bitmap.
 *
 * page_lock guards the bitmap and the counts against the other CPUs, with
 * interrupts off; it is the innermost lock of the memory code (the heap
 * and the page tables call in here holding theirs, never the reverse).
 */
#include <stdbool.h>
#include <string.h>
#include <kernel/boot.h>
#include <kernel/crash.h>
#include <kernel/page.h>
#include <kernel/spinlock.h>

#define PAGE_LOW_LIMIT 0x100000000ull	/* the boot tables map only 4 GiB */

extern char __kernel_start[], __kernel_end[];

static uint8_t *page_bitmap;
static size_t page_frames;	/* frames covered by the bitmap */
static size_t page_free_frames;
static size_t page_total_frames;
static size_t page_hint;	/* no free frame below this one */
static bool page_ready;
struct spinlock page_lock = SPINLOCK_INITIALIZER("page frames");

static bool page_test(size_t pfn)
{
	return page_bitmap[pfn / 8] & (1u << (pfn % 8));
}

static void page_mark(size_t pfn, bool free)
{
	if (free)
		page_bitmap[pfn / 8] |= (uint8_t)(1u << (pfn % 8));
	else
		page_bitmap[pfn / 8] &= (uint8_t)~(1u << (pfn % 8));
}

/*
 * Marks frames [first, end) free or used, whole bytes at a time: boot
 * walks every usable frame, and a bit loop over them costs ~0.3 ms under
 * TCG.
 */
static void page_mark_range(size_t first, size_t end, bool free)
{
	while (first < end && first % 8)
		page_mark(first++, free);
	if (end - first >= 8) {
		memset(page_bitmap + first / 8, free ? 0xff : 0, (end - first) / 8);
		first += (end - first) & ~(size_t)7;
	}
	while (first < end)
		page_mark(first++, free);
}

/*
 * Part `part` of the i-th RAM range, clipped to whole pages and to what we
 * may hand out: the kernel image can split a range in two, part 0 is what
 * lies below the image and part 1 what lies above. False when empty.
 */
static bool page_range(unsigned int i, int part, uint64_t *start,
		       uint64_t *end)
{
	const struct hvm_memmap_entry *e = &boot_info.memmap[i];
	uint64_t s = PAGE_ROUND_UP(e->addr);
	uint64_t t = (e->addr + e->size) & ~(PAGE_SIZE - 1);
	uint64_t ks = (uintptr_t)__kernel_start, ke = (uintptr_t)__kernel_end;

	if (e->type != BOOT_MEM_RAM)
		return false;
	if (s < PAGE_SIZE)
		s = PAGE_SIZE;
	/* part 0: below the kernel image, part 1: above it */
	if (part == 0 && t > ks)
		t = ks;
	if (part == 1 && s < ke)
		s = ke;
	if (s >= t)
		return false;
	*start = s;
	*end = t;
	return true;
}

/* page_lock is held. */
static void page_init(void)
{
	/* the usable ranges, clipped once (each map entry gives up to two) */
	uint64_t start[2 * BOOT_MEMMAP_MAX], end[2 * BOOT_MEMMAP_MAX];
	unsigned int n = 0;
	uint64_t top = 0;
	size_t bytes;

	for (unsigned int i = 0; i < boot_info.nmemmap; i++)
		for (int part = 0; part < 2; part++)
			if (page_range(i, part, &start[n], &end[n]))
				n++;
	for (unsigned int r = 0; r < n; r++)
		if (end[r] > top)
			top = end[r];
	page_frames = top >> PAGE_SHIFT;
	bytes = PAGE_ROUND_UP((page_frames + 7) / 8);
	for (unsigned int r = 0; r < n && !page_bitmap; r++)
		if (end[r] - start[r] >= bytes && start[r] + bytes <= PAGE_LOW_LIMIT)
			page_bitmap = (uint8_t *)(uintptr_t)start[r];
	if (!page_bitmap)
		panic("page_init: no room for a %zu-byte bitmap", bytes);
	memset(page_bitmap, 0, bytes);

	/* map entries do not overlap, so the counts simply add up */
	for (unsigned int r = 0; r < n; r++) {
		page_mark_range(start[r] >> PAGE_SHIFT, end[r] >> PAGE_SHIFT, true);
		page_free_frames += (end[r] - start[r]) >> PAGE_SHIFT;
	}
	/* the bitmap's own pages, which lie in one of those ranges */
	page_mark_range((uintptr_t)page_bitmap >> PAGE_SHIFT,
			((uintptr_t)page_bitmap + bytes) >> PAGE_SHIFT, false);
	page_free_frames -= bytes >> PAGE_SHIFT;
	page_total_frames = page_free_frames;
	page_hint = 0;
	page_ready = true;
}

void *page_alloc(size_t npages)
{
	void *p = page_alloc_raw(npages);

	if (p)
		memset(p, 0, npages * PAGE_SIZE);
	return p;
}

/* page_lock is held. */
static void *page_take(size_t npages)
{
	size_t run = 0;

	if (!page_ready)
		page_init();
	if (npages == 0 || npages > page_free_frames)
		return NULL;
	for (size_t pfn = page_hint; pfn < page_frames; pfn++) {
		if (!page_test(pfn)) {
			run = 0;
			continue;
		}
		if (++run < npages)
			continue;
		size_t first = pfn + 1 - npages;

		for (size_t f = first; f <= pfn; f++)
			page_mark(f, false);
		page_free_frames -= npages;
		if (first == page_hint)
			page_hint = pfn + 1;
		return (void *)(uintptr_t)(first << PAGE_SHIFT);
	}
	return NULL;
}

void *page_alloc_raw(size_t npages)
{
	uint64_t flags = spin_lock_irqsave(&page_lock);
	void *p = page_take(npages);

	spin_unlock_irqrestore(&page_lock, flags);
	return p;
}

void page_free(void *p, size_t npages)
{
	size_t first = (uintptr_t)p >> PAGE_SHIFT;
	uint64_t flags = spin_lock_irqsave(&page_lock);

	if ((uintptr_t)p & (PAGE_SIZE - 1) || first + npages > page_frames)
		panic("page_free: bad range %p + %zu pages", p, npages);
	for (size_t f = first; f < first + npages; f++) {
		if (page_test(f))
			panic("page_free: page %#lx is already free",
			      (unsigned long)(f << PAGE_SHIFT));
		page_mark(f, true);
	}
	page_free_frames += npages;
	if (first < page_hint)
		page_hint = first;
	spin_unlock_irqrestore(&page_lock, flags);
}

size_t page_free_count(void)
{
	uint64_t flags = spin_lock_irqsave(&page_lock);
	size_t n;

	if (!page_ready)
		page_init();
	n = page_free_frames;
	spin_unlock_irqrestore(&page_lock, flags);
	return n;
}

size_t page_total_count(void)
{
	uint64_t flags = spin_lock_irqsave(&page_lock);
	size_t n;

	if (!page_ready)
		page_init();
	n = page_total_frames;
	spin_unlock_irqrestore(&page_lock, flags);
	return n;
}
