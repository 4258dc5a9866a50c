/*
 * Memory access for m/M/X/Z packets that can never fault the kernel: every
 * page is looked up in the live page tables first, so an unmapped page (a
 * stack guard page, NULL, a wild pointer in a gdb expression) or a
 * non-canonical address is an error reply, not a #PF inside the stub.
 * Writes may go to read-only pages (int3 into .text): CR0.WP is cleared
 * for the duration of the copy, with interrupts already off in the stub.
 * Reference: Intel SDM vol. 3, 4.5 "4-level paging".
 */
#include <kernel/cpu.h>
#include <kernel/page.h>
#include <kernel/pte.h>

#include "gdb.h"


static bool gdb_mem_canonical(uint64_t addr)
{
	int64_t top = (int64_t)addr >> 47;

	return top == 0 || top == -1;
}

/*
 * Walks PML4 -> PDPT -> PD -> PT for addr. The page tables are identity
 * mapped (the kernel maps all RAM 1:1), so a table's physical address is
 * also where we read it.
 */
bool gdb_mem_mapped(uint64_t addr, bool *writable)
{
	static const int shifts[] = { 39, 30, 21, 12 };
	const uint64_t *table;
	uint64_t e;
	bool w = true;
	int level;

	if (!gdb_mem_canonical(addr))
		return false;
	table = (const uint64_t *)(uintptr_t)(read_cr3() & PTE_ADDR);
	for (level = 0; level < 4; level++) {
		e = table[(addr >> shifts[level]) & 511];
		if (!(e & PTE_P))
			return false;
		if (!(e & PTE_W))
			w = false;
		if ((level == 1 || level == 2) && (e & PTE_PS))
			break;
		table = (const uint64_t *)(uintptr_t)(e & PTE_ADDR);
	}
	if (writable)
		*writable = w;
	return true;
}

/* Bytes from addr that are mapped, up to len (0: addr itself is not). */
static size_t gdb_mem_span(uint64_t addr, size_t len, bool *all_writable)
{
	size_t done = 0, chunk;
	bool w;

	*all_writable = true;
	while (done < len) {
		if (!gdb_mem_mapped(addr + done, &w))
			break;
		if (!w)
			*all_writable = false;
		chunk = PAGE_SIZE - ((addr + done) & (PAGE_SIZE - 1));
		if (chunk > len - done)
			chunk = len - done;
		done += chunk;
		/* wrapping past the top of the address space is unmapped */
		if (addr + done < addr)
			break;
	}
	return done;
}

/* Copies what is readable from addr; returns the count (short: unmapped). */
size_t gdb_mem_read(uint64_t addr, void *dst, size_t len)
{
	bool w;
	size_t n = gdb_mem_span(addr, len, &w);

	gdb_util_memcpy(dst, (const void *)(uintptr_t)addr, n);
	return n;
}

static uint64_t gdb_mem_cr0(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

static void gdb_mem_set_cr0(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory");
}

/* All or nothing: returns 0, or -1 when any byte is unmapped. */
int gdb_mem_write(uint64_t addr, const void *src, size_t len)
{
	bool w;
	uint64_t cr0;

	if (len == 0)
		return 0;
	if (gdb_mem_span(addr, len, &w) != len)
		return -1;
	if (w) {
		gdb_util_memcpy((void *)(uintptr_t)addr, src, len);
		return 0;
	}
	cr0 = gdb_mem_cr0();
	gdb_mem_set_cr0(cr0 & ~CR0_WP);
	gdb_util_memcpy((void *)(uintptr_t)addr, src, len);
	gdb_mem_set_cr0(cr0);
	return 0;
}
