/*
 * Kernel self-test: the heap (patterns of malloc/free/realloc, reuse of
 * freed memory, coalescing, nothing leaked once everything is freed) and
 * the page allocator and page tables (alignment, zeroing, contiguity,
 * accounting, NULL and guard pages unmapped, no page handed out twice or
 * from the kernel's own memory, .noinit included), and .bss zeroed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <kernel/heap.h>
#include <kernel/page.h>
#include <kernel/paging.h>
#include <kernel/thread.h>

#include "../common/check.h"

#define PATTERN_SLOTS 64
#define PATTERN_ROUNDS 3000

static bool heap_basic(void)
{
	char *p[16];

	for (int i = 0; i < 16; i++) {
		p[i] = malloc(i * 10 + 1);
		if (!p[i])
			return check_fail("malloc(%d) returned NULL", i * 10 + 1);
		if ((uintptr_t)p[i] % 16)
			return check_fail("malloc returned %p, not 16-aligned", p[i]);
		memset(p[i], i, i * 10 + 1);
	}
	for (int i = 0; i < 16; i++) {
		for (int j = 0; j < i * 10 + 1; j++)
			if (p[i][j] != i)
				return check_fail("block %d byte %d overwritten", i, j);
		free(p[i]);
	}
	if (malloc(0) != NULL)
		return check_fail("malloc(0) is not NULL");
	free(NULL);
	return true;
}

static bool heap_reuse(void)
{
	char *a = malloc(100), *b, *c, *d;

	free(a);
	b = malloc(100);
	if (b != a)
		return check_fail("freed block %p not reused (got %p)", a, b);
	free(b);
	/* three neighbours; freeing the first two must give one block */
	a = malloc(1000);
	b = malloc(1000);
	c = malloc(1000);
	free(a);
	free(b);
	d = malloc(1900);
	free(c);
	free(d);
	if (d != a)
		return check_fail("freed neighbours not coalesced: %p vs %p", d, a);
	return true;
}

static bool heap_realloc(void)
{
	char *p = malloc(10), *q;

	strcpy(p, "minnow");
	q = realloc(p, 5000);
	if (!q || strcmp(q, "minnow") != 0)
		return check_fail("realloc grow lost the contents");
	p = realloc(q, 20);
	if (p != q)
		return check_fail("realloc shrink moved the block");
	if (strcmp(p, "minnow") != 0)
		return check_fail("realloc shrink lost the contents");
	q = realloc(NULL, 30);
	if (!q)
		return check_fail("realloc(NULL, 30) failed");
	free(q);
	if (realloc(p, 0) != NULL)
		return check_fail("realloc(p, 0) is not NULL");
	return true;
}

static bool heap_calloc(void)
{
	unsigned char *p = calloc(100, 37);

	for (int i = 0; i < 3700; i++)
		if (p[i])
			return check_fail("calloc byte %d is %d", i, p[i]);
	free(p);
	if (calloc(SIZE_MAX / 2, 4) != NULL)
		return check_fail("calloc overflow not refused");
	if (malloc(SIZE_MAX / 2 + 1) != NULL || malloc(1ul << 40) != NULL)
		return check_fail("huge malloc did not return NULL");
	return true;
}

/* Random sizes, random frees, every block stamped and verified. */
static bool heap_patterns(void)
{
	unsigned char *slot[PATTERN_SLOTS] = { 0 };
	size_t len[PATTERN_SLOTS] = { 0 };

	srand(7);
	for (int r = 0; r < PATTERN_ROUNDS; r++) {
		int i = rand() % PATTERN_SLOTS;

		if (slot[i]) {
			for (size_t k = 0; k < len[i]; k++)
				if (slot[i][k] != (unsigned char)(i + len[i]))
					return check_fail("round %d: block %d corrupted", r, i);
			free(slot[i]);
			slot[i] = NULL;
			continue;
		}
		len[i] = 1 + rand() % (r % 10 == 0 ? 70000 : 600);
		slot[i] = malloc(len[i]);
		if (!slot[i])
			return check_fail("round %d: malloc(%zu) failed", r, len[i]);
		memset(slot[i], (unsigned char)(i + len[i]), len[i]);
	}
	heap_check();
	for (int i = 0; i < PATTERN_SLOTS; i++)
		free(slot[i]);
	return true;
}

static bool heap_no_leak(void)
{
	struct heap_stats before, after;
	size_t pages_before, pages_after;
	void *p[200];

	before = heap_stats;
	pages_before = page_free_count();
	for (int i = 0; i < 200; i++)
		p[i] = malloc(i % 7 == 0 ? 100000 : 64 + i * 8);
	for (int i = 0; i < 200; i += 2)
		free(p[i]);
	for (int i = 199; i > 0; i -= 2)
		free(p[i]);
	heap_check();
	after = heap_stats;
	pages_after = page_free_count();
	if (after.used_bytes != before.used_bytes ||
	    after.used_blocks != before.used_blocks)
		return check_fail("in use %zu bytes/%zu blocks, was %zu/%zu",
				  after.used_bytes, after.used_blocks,
				  before.used_bytes, before.used_blocks);
	if (pages_after != pages_before)
		return check_fail("%zu free pages after free-all, %zu before",
				  pages_after, pages_before);
	return true;
}

/* heap_stats follows every operation without being asked (a debugger
 * reads it as plain data); heap_check() cross-checks it against the blocks */
static bool heap_stats_live(void)
{
	size_t used = heap_stats.used_bytes, peak;
	char *p = malloc(1000), *q;

	if (!p)
		return check_fail("malloc(1000) failed");
	if (heap_stats.used_bytes < used + 1000)
		return check_fail("used %zu after malloc(1000), was %zu",
				  heap_stats.used_bytes, used);
	if (heap_stats.peak_used_bytes < heap_stats.used_bytes)
		return check_fail("peak %zu below used %zu",
				  heap_stats.peak_used_bytes, heap_stats.used_bytes);
	q = realloc(p, 5000);
	if (!q)
		return check_fail("realloc(5000) failed");
	heap_check();
	peak = heap_stats.peak_used_bytes;
	free(q);
	heap_check();
	if (heap_stats.used_bytes != used)
		return check_fail("used %zu after free, was %zu",
				  heap_stats.used_bytes, used);
	if (heap_stats.peak_used_bytes != peak || peak < used + 5000)
		return check_fail("peak %zu, expected %zu (>= %zu)",
				  heap_stats.peak_used_bytes, peak, used + 5000);
	if (heap_stats.arena_bytes < heap_stats.used_bytes + heap_stats.free_bytes)
		return check_fail("arenas %zu < used %zu + free %zu",
				  heap_stats.arena_bytes, heap_stats.used_bytes,
				  heap_stats.free_bytes);
	return true;
}

static bool pages_alloc(void)
{
	size_t before = page_free_count();
	unsigned char *a = page_alloc(1), *b = page_alloc(3);

	if (!a || !b)
		return check_fail("page_alloc failed");
	if ((uintptr_t)a % PAGE_SIZE || (uintptr_t)b % PAGE_SIZE)
		return check_fail("pages not aligned: %p %p", a, b);
	if (page_free_count() != before - 4)
		return check_fail("free count %zu, expected %zu",
				  page_free_count(), before - 4);
	for (size_t i = 0; i < 3 * PAGE_SIZE; i++)
		if (b[i])
			return check_fail("page byte %zu not zeroed", i);
	memset(b, 0xa5, 3 * PAGE_SIZE);	/* contiguous and writable */
	memset(a, 0x5a, PAGE_SIZE);
	if (b[0] != 0xa5 || a[PAGE_SIZE - 1] != 0x5a)
		return check_fail("pages overlap");
	page_free(a, 1);
	page_free(b, 3);
	if (page_free_count() != before)
		return check_fail("free count %zu after freeing, expected %zu",
				  page_free_count(), before);
	if (page_alloc(page_total_count() + 1) != NULL)
		return check_fail("impossible page_alloc succeeded");
	return true;
}

extern char __kernel_start[], __kernel_end[];

static bool pages_mapping(void)
{
	/* main's stack is static (.noinit), idle's is entry.S's boot stack */
	for (struct thread *t = thread_all; t; t = t->all_next) {
		if (paging_mapped(t->stack_base - 1))
			return check_fail("guard page below \"%s\" is mapped",
					  t->name);
		if (!paging_mapped(t->stack_base) ||
		    !paging_mapped(t->stack_top - 1))
			return check_fail("stack of \"%s\" is not mapped",
					  t->name);
	}
	if (paging_mapped(0))
		return check_fail("page 0 is mapped: NULL would not fault");
	if (!paging_mapped((uintptr_t)__kernel_start))
		return check_fail("kernel text is not mapped");
	if (!paging_mapped(0xfee00000))
		return check_fail("LAPIC is not mapped");
	return true;
}

/*
 * Every free page, taken one at a time and chained through its first word:
 * none may lie in the kernel's memory (the image and .noinit after it,
 * [__kernel_start, __kernel_end)) or be page 0, and all come back.
 */
static bool pages_outside_kernel(void)
{
	size_t before = page_free_count(), n = 0;
	uintptr_t ks = (uintptr_t)__kernel_start, ke = (uintptr_t)__kernel_end;
	void **chain = NULL, **p;
	bool ok = true;

	while ((p = page_alloc_raw(1)) != NULL) {
		uintptr_t a = (uintptr_t)p;

		n++;
		if (a == 0 || (a < ke && a + PAGE_SIZE > ks)) {
			/* not written to (it may be our own stack), not freed */
			if (ok)
				ok = check_fail("page %#lx lies in the kernel [%#lx, %#lx)",
						(unsigned long)a, (unsigned long)ks,
						(unsigned long)ke);
			continue;
		}
		*p = chain;
		chain = p;
	}
	while (chain) {
		p = chain;
		chain = *p;
		page_free(p, 1);
	}
	if (ok && n != before)
		return check_fail("%zu pages handed out, %zu were free", n, before);
	if (ok && page_free_count() != before)
		return check_fail("free count %zu after freeing, expected %zu",
				  page_free_count(), before);
	return ok;
}

/* Zero-initialised data, big and small: the loader's zeroed .bss. */
static unsigned char bss_block[48 * 1024];
static int bss_int;

static bool bss_zero(void)
{
	for (size_t i = 0; i < sizeof(bss_block); i++)
		if (bss_block[i])
			return check_fail("bss_block[%zu] = %#x", i, bss_block[i]);
	if (bss_int)
		return check_fail("bss_int = %d", bss_int);
	bss_block[sizeof(bss_block) - 1] = 1;	/* writable */
	return true;
}

int main(int argc, char **argv)
{
	check_case("heap_basic", heap_basic);
	check_case("heap_reuse", heap_reuse);
	check_case("heap_realloc", heap_realloc);
	check_case("heap_calloc", heap_calloc);
	check_case("heap_patterns", heap_patterns);
	check_case("heap_no_leak", heap_no_leak);
	check_case("heap_stats_live", heap_stats_live);
	check_case("pages_alloc", pages_alloc);
	check_case("pages_mapping", pages_mapping);
	check_case("pages_outside_kernel", pages_outside_kernel);
	check_case("bss_zero", bss_zero);
	return check_done();
}
