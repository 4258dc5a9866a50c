/*
 * Identity-mapped page tables refined from the PVH memory map. All of the
 * first 4 GiB is mapped (the LAPIC, IOAPIC, virtio-mmio and PCI windows
 * live there) in 2 MiB pages: those that hold RAM are write-back, the rest
 * uncached; regions mixing the two are mapped 4 KiB at a time. RAM above 4 GiB is mapped from the map.
 * Page 0 is left unmapped so that a NULL dereference faults. Tables are
 * reached through the identity mapping (so gdb and the gdbstub can walk
 * them).
 *
 * Boot time matters here: under TCG every instruction run for the first
 * time costs its translation, and paging_init runs before main. So it
 * keeps entry.S's tables (4 GiB of 2 MiB uncached pages) and only
 * changes what differs, and the first tables it needs to split 2 MiB pages
 * (page 0 and the guard pages next to the kernel image share the first
 * region) come from a static pool, so that the page allocator is not
 * needed before main.
 *
 * Entry format: Intel SDM vol. 3, section 4.5, tables 4-14 to 4-20.
 */
#include <errno.h>
#include <string.h>
#include <kernel/boot.h>
#include <kernel/cpu.h>
#include <kernel/crash.h>
#include <kernel/page.h>
#include <kernel/paging.h>
#include <kernel/pte.h>

#define PTE_CACHE (PTE_PWT | PTE_PCD)
#define PAGING_RAM (PTE_P | PTE_W)
#define PAGING_DEVICE (PTE_P | PTE_W | PTE_PCD | PTE_PWT)
#define LARGE_SHIFT 21
#define LARGE_SIZE (1ull << LARGE_SHIFT)
#define LOW_LIMIT (4ull << 30)
#define LEVEL_PT 0	/* level 3: PML4, 2: PDPT, 1: PD, 0: PT */
#define LEVEL_PD 1
#define PAGING_POOL_TABLES 2

/* entry.S: PML4, PDPT and four page directories mapping 0..4 GiB */
extern uint64_t boot_pml4[512], boot_pdpt[512], boot_pd[4 * 512];

static uint64_t *paging_pml4 = boot_pml4;
static uint64_t paging_pool[PAGING_POOL_TABLES][512] NOINIT
	__attribute__((aligned(PAGE_SIZE)));
static unsigned int paging_pool_used;

/*
 * A page for a new table, which the caller fills in full: from the pool
 * while it lasts (never cleared: NOINIT), then from the page
 * allocator. Splitting a large page writes every entry anyway.
 */
static uint64_t *paging_table(void)
{
	if (paging_pool_used == PAGING_POOL_TABLES)
		return page_alloc_raw(1);
	return paging_pool[paging_pool_used++];
}

static unsigned int paging_index(uint64_t va, int level)
{
	return (va >> (PAGE_SHIFT + 9 * level)) & 511;
}

/*
 * The entry that maps va at `level`, creating missing tables on the way
 * and splitting a large page in its way into 512 pages of the next size
 * with the same flags. One loop for every level. NULL when out of memory.
 */
static uint64_t *paging_entry(uint64_t va, int level)
{
	uint64_t *t = paging_pml4;

	for (int l = 3; l > level; l--) {
		uint64_t *e = &t[paging_index(va, l)];
		uint64_t old = *e;

		if ((old & PTE_P) && !(old & PTE_PS)) {
			t = (uint64_t *)(uintptr_t)(old & PTE_ADDR);
			continue;
		}
		t = paging_table();
		if (!t)
			return NULL;
		if (old & PTE_P) {
			uint64_t step = 1ull << (PAGE_SHIFT + 9 * (l - 1));
			uint64_t flags = old & (PTE_P | PTE_W | PTE_CACHE);
			uint64_t base = old & PTE_ADDR & ~(step * 512 - 1);

			if (l - 1 != LEVEL_PT)
				flags |= PTE_PS;
			for (unsigned int i = 0; i < 512; i++)
				t[i] = (base + i * step) | flags;
		} else {
			memset(t, 0, PAGE_SIZE);	/* a new, empty table */
		}
		*e = (uintptr_t)t | PTE_P | PTE_W;
	}
	return &t[paging_index(va, level)];
}

/*
 * A 2 MiB region of the first 4 GiB that is partly RAM, in 4 KiB pages:
 * all uncached first, then the pages that lie wholly inside a RAM-like map
 * entry write-back. Two tight loops instead of asking the map about each
 * of the 512 pages. A region already split is left alone.
 */
static void paging_split_mixed(uint64_t base)
{
	uint64_t *t;

	if (!(boot_pd[base >> LARGE_SHIFT] & PTE_PS))
		return;
	t = paging_table();
	if (!t)
		panic("paging_init: out of memory at %#lx", base);
	for (unsigned int i = 0; i < 512; i++)
		t[i] = (base + i * PAGE_SIZE) | PAGING_DEVICE;
	for (unsigned int i = 0; i < boot_info.nmemmap; i++) {
		const struct hvm_memmap_entry *m = &boot_info.memmap[i];
		uint64_t s = PAGE_ROUND_UP(m->addr), e = m->addr + m->size;

		if (m->type == BOOT_MEM_RESERVED)
			continue;
		if (s < base)
			s = base;
		if (e > base + LARGE_SIZE)
			e = base + LARGE_SIZE;
		for (; s + PAGE_SIZE <= e; s += PAGE_SIZE)
			t[(s - base) >> PAGE_SHIFT] = s | PAGING_RAM;
	}
	boot_pd[base >> LARGE_SHIFT] = (uintptr_t)t | PTE_P | PTE_W;
}

/* The part of a RAM entry above 4 GiB (a large guest): 2 MiB pages. */
static void paging_map_high(const struct hvm_memmap_entry *m)
{
	uint64_t start = m->addr > LOW_LIMIT ? m->addr : LOW_LIMIT;

	for (uint64_t a = start & ~(LARGE_SIZE - 1); a < m->addr + m->size;
	     a += LARGE_SIZE) {
		uint64_t *pde = paging_entry(a, LEVEL_PD);

		if (!pde)
			panic("paging_init: out of memory at %#lx", a);
		*pde = a | PAGING_RAM | PTE_PS;
	}
}

/*
 * The code and read-only data become read-only (CR0.WP is on, so the
 * kernel itself cannot write them either): a stray write into code faults
 * at once instead of corrupting it. Whole pages only, up to the page that
 * .data starts in. The gdbstub plants its int3s by lifting CR0.WP.
 */
/* kernel.ld */
extern char __kernel_start[], __data_start[];

static void paging_protect_text(void)
{
	uintptr_t end = (uintptr_t)__data_start & ~(PAGE_SIZE - 1);

	for (uintptr_t a = (uintptr_t)__kernel_start; a < end; a += PAGE_SIZE) {
		uint64_t *pte = paging_entry(a, LEVEL_PT);

		if (!pte)
			panic("paging_init: out of memory at %#lx", a);
		*pte &= ~PTE_W;
	}
}

/*
 * Retypes entry.S's map of the first 4 GiB (all uncached 2 MiB pages) in
 * one pass over the memory map: each RAM-like entry makes the regions it
 * covers whole write-back and has the regions it covers in part split
 * (paging_split_mixed). The map's entries do not overlap, so a region is
 * either one or the other.
 */
void paging_init(void)
{
	for (unsigned int i = 0; i < boot_info.nmemmap; i++) {
		const struct hvm_memmap_entry *m = &boot_info.memmap[i];
		uint64_t start = m->addr, end = m->addr + m->size;

		if (m->type == BOOT_MEM_RESERVED)
			continue;
		if (end > LOW_LIMIT && m->type == BOOT_MEM_RAM)
			paging_map_high(m);
		if (start >= LOW_LIMIT)
			continue;
		if (end > LOW_LIMIT)
			end = LOW_LIMIT;
		for (uint64_t r = (start + LARGE_SIZE - 1) >> LARGE_SHIFT;
		     r < end >> LARGE_SHIFT; r++)
			boot_pd[r] &= ~PTE_CACHE;
		if (start & (LARGE_SIZE - 1))
			paging_split_mixed(start & ~(LARGE_SIZE - 1));
		if (end & (LARGE_SIZE - 1))
			paging_split_mixed(end & ~(LARGE_SIZE - 1));
	}
	*paging_entry(0, LEVEL_PT) = 0;	/* NULL faults */
	paging_protect_text();
	write_cr3((uintptr_t)paging_pml4);	/* flushes the old entries */
}

int paging_map_mmio(uint64_t phys, size_t size)
{
	uint64_t end = phys + size;

	for (uint64_t a = phys & ~(PAGE_SIZE - 1); a < end; a += PAGE_SIZE) {
		uint64_t *pde = paging_entry(a, LEVEL_PD), *pte;

		if (!pde)
			return -ENOMEM;
		if ((*pde & PTE_P) && (*pde & PTE_PS))
			continue;	/* inside a mapped 2 MiB page */
		pte = paging_entry(a, LEVEL_PT);
		if (!pte)
			return -ENOMEM;
		*pte = a | PAGING_DEVICE;
		invlpg(a);
	}
	return 0;
}

int paging_set_present(uintptr_t va, bool present)
{
	uint64_t *pte = paging_entry(va & ~(PAGE_SIZE - 1), LEVEL_PT);

	if (!pte)
		return -ENOMEM;
	if (present)
		*pte = (va & ~(PAGE_SIZE - 1)) | PAGING_RAM;
	else
		*pte = 0;
	invlpg(va);
	return 0;
}

bool paging_mapped(uintptr_t va)
{
	const uint64_t *t = paging_pml4;
	int64_t top = (int64_t)va >> 47;

	if (top != 0 && top != -1)
		return false;
	for (int level = 3; level >= 0; level--) {
		uint64_t e = t[paging_index(va, level)];

		if (!(e & PTE_P))
			return false;
		if ((level == 1 || level == 2) && (e & PTE_PS))
			return true;
		t = (const uint64_t *)(uintptr_t)(e & PTE_ADDR);
	}
	return true;
}
