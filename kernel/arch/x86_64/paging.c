/*
 * Identity-mapped page tables built from the PVH memory map. All of the
 * first 4 GiB is mapped (the LAPIC, IOAPIC, virtio-mmio and PCI windows
 * live there); 2 MiB regions that hold RAM are write-back, the rest
 * uncached (1 GiB pages for what lies above all RAM); regions mixing the
 * two are mapped 4 KiB at a time. RAM above
 * 4 GiB is mapped from the map. Page 0 is left unmapped so that a NULL
 * dereference faults. Tables come from the page allocator and are reached
 * through the identity mapping (so gdb and the gdbstub can walk them).
 *
 * Entry format: Intel SDM vol. 3, section 4.5, tables 4-14 to 4-20.
 */
#include <errno.h>
#include <kernel/boot.h>
#include <kernel/cpu.h>
#include <kernel/crash.h>
#include <kernel/page.h>
#include <kernel/paging.h>

#define PTE_P (1ull << 0)
#define PTE_W (1ull << 1)
#define PTE_PWT (1ull << 3)
#define PTE_PCD (1ull << 4)
#define PTE_PS (1ull << 7)
#define PTE_ADDR 0x000ffffffffff000ull
#define PTE_CACHE (PTE_PWT | PTE_PCD)
#define PAGING_RAM (PTE_P | PTE_W)
#define PAGING_DEVICE (PTE_P | PTE_W | PTE_PCD | PTE_PWT)
#define LARGE_SIZE (2ull << 20)
#define LOW_LIMIT (4ull << 30)
#define CPUID_EXT_MAX 0x80000000
#define CPUID_EXT_FEATURES 0x80000001
#define CPUID_EXT_PDPE1GB (1u << 26)	/* edx: 1 GiB pages */

static uint64_t *paging_pml4;

static unsigned int paging_index(uint64_t va, int level)
{
	/* level 3: PML4, 2: PDPT, 1: PD, 0: PT */
	return (va >> (12 + 9 * level)) & 511;
}

/* The table that entry `e` points to, allocated when absent. */
static uint64_t *paging_next(uint64_t *e)
{
	uint64_t *t;

	if (*e & PTE_P)
		return (uint64_t *)(uintptr_t)(*e & PTE_ADDR);
	t = page_alloc(1);
	if (!t)
		return NULL;
	*e = (uintptr_t)t | PTE_P | PTE_W;
	return t;
}

/* Splits the 2 MiB page mapped by PD entry *e into 512 4 KiB pages. */
static uint64_t *paging_split(uint64_t *e)
{
	uint64_t *t = page_alloc(1);
	uint64_t base = *e & PTE_ADDR & ~(LARGE_SIZE - 1);
	uint64_t flags = *e & (PTE_P | PTE_W | PTE_CACHE);

	if (!t)
		return NULL;
	for (int i = 0; i < 512; i++)
		t[i] = (base + i * PAGE_SIZE) | flags;
	*e = (uintptr_t)t | PTE_P | PTE_W;
	return t;
}

/* Splits the 1 GiB page mapped by PDPT entry *e into 512 2 MiB pages. */
static uint64_t *paging_split_huge(uint64_t *e)
{
	uint64_t *t = page_alloc(1);
	uint64_t base = *e & PTE_ADDR & ~((1ull << 30) - 1);
	uint64_t flags = *e & (PTE_P | PTE_W | PTE_CACHE | PTE_PS);

	if (!t)
		return NULL;
	for (int i = 0; i < 512; i++)
		t[i] = (base + i * LARGE_SIZE) | flags;
	*e = (uintptr_t)t | PTE_P | PTE_W;
	return t;
}

/* The PD entry for va, with the PML4 and PDPT levels created. */
static uint64_t *paging_pde(uint64_t va)
{
	uint64_t *pdpt, *pd, *pdpte;

	pdpt = paging_next(&paging_pml4[paging_index(va, 3)]);
	if (!pdpt)
		return NULL;
	pdpte = &pdpt[paging_index(va, 2)];
	if ((*pdpte & PTE_P) && (*pdpte & PTE_PS))
		pd = paging_split_huge(pdpte);
	else
		pd = paging_next(pdpte);
	if (!pd)
		return NULL;
	return &pd[paging_index(va, 1)];
}

/* The PT entry for va, splitting a 2 MiB page if needed. */
static uint64_t *paging_pte(uint64_t va)
{
	uint64_t *pde = paging_pde(va), *pt;

	if (!pde)
		return NULL;
	if ((*pde & PTE_P) && (*pde & PTE_PS))
		pt = paging_split(pde);
	else
		pt = paging_next(pde);
	return pt ? &pt[paging_index(va, 0)] : NULL;
}

/*
 * Whether [start, end) is all RAM (true) or all something else (false);
 * *mixed when it is both. Interval arithmetic over the map, as sampling
 * every page of 4 GiB would cost tens of milliseconds under TCG. The map's
 * entries do not overlap.
 */
static bool paging_is_ram(uint64_t start, uint64_t end, bool *mixed)
{
	uint64_t covered = 0;

	for (unsigned int i = 0; i < boot_info.nmemmap; i++) {
		const struct hvm_memmap_entry *m = &boot_info.memmap[i];
		uint64_t s = m->addr > start ? m->addr : start;
		uint64_t e = m->addr + m->size < end ? m->addr + m->size : end;

		if (m->type != BOOT_MEM_RESERVED && s < e)
			covered += e - s;
	}
	*mixed = covered != 0 && covered != end - start;
	return covered == end - start;
}

static int paging_map_large(uint64_t pa, uint64_t flags)
{
	uint64_t *pde = paging_pde(pa);

	if (!pde)
		return -ENOMEM;
	if (!(*pde & PTE_P))
		*pde = pa | flags | PTE_PS;
	return 0;
}

static int paging_map_small(uint64_t pa, uint64_t flags)
{
	uint64_t *pte = paging_pte(pa);

	if (!pte)
		return -ENOMEM;
	*pte = pa | flags;
	return 0;
}

/* One 2 MiB region of the first 4 GiB, typed from the memory map. */
static int paging_map_region(uint64_t base)
{
	bool mixed, ram;

	ram = paging_is_ram(base, base + LARGE_SIZE, &mixed);
	if (!mixed)
		return paging_map_large(base, ram ? PAGING_RAM : PAGING_DEVICE);
	for (uint64_t a = base; a < base + LARGE_SIZE; a += PAGE_SIZE) {
		bool page_mixed;
		bool page_ram = paging_is_ram(a, a + PAGE_SIZE, &page_mixed);
		int err = paging_map_small(a, page_ram ? PAGING_RAM :
							 PAGING_DEVICE);

		if (err)
			return err;
	}
	return 0;
}

/* The end of the highest RAM-like map entry below 4 GiB. */
static uint64_t paging_low_ram_top(void)
{
	uint64_t top = 0;

	for (unsigned int i = 0; i < boot_info.nmemmap; i++) {
		const struct hvm_memmap_entry *m = &boot_info.memmap[i];
		uint64_t end = m->addr + m->size;

		if (m->type == BOOT_MEM_RESERVED || m->addr >= LOW_LIMIT)
			continue;
		if (end > top)
			top = end < LOW_LIMIT ? end : LOW_LIMIT;
	}
	return top;
}

static bool paging_has_1g_pages(void)
{
	uint32_t a, b, c, d;

	cpuid(CPUID_EXT_MAX, 0, &a, &b, &c, &d);
	if (a < CPUID_EXT_FEATURES)
		return false;
	cpuid(CPUID_EXT_FEATURES, 0, &a, &b, &c, &d);
	return d & CPUID_EXT_PDPE1GB;
}

/*
 * Above the last RAM below 4 GiB everything is device space: it is mapped
 * with 1 GiB pages where the CPU has them and else by filling page
 * directories in a tight loop. Going through the generic path for all
 * 2048 regions would cost most of a millisecond under TCG.
 */
static void paging_map_low(void)
{
	uint64_t ram_top = paging_low_ram_top();
	bool huge = paging_has_1g_pages();
	uint64_t *pdpt = paging_next(&paging_pml4[0]);

	if (!pdpt)
		panic("paging_init: out of memory");
	for (uint64_t gib = 0; gib < LOW_LIMIT >> 30; gib++) {
		uint64_t base = gib << 30, *pd;

		if (base >= ram_top && huge) {
			pdpt[gib] = base | PAGING_DEVICE | PTE_PS;
			continue;
		}
		pd = paging_next(&pdpt[gib]);
		if (!pd)
			panic("paging_init: out of memory");
		for (unsigned int i = 0; i < 512; i++) {
			uint64_t a = base + i * LARGE_SIZE;

			if (a >= ram_top)
				pd[i] = a | PAGING_DEVICE | PTE_PS;
			else if (paging_map_region(a))
				panic("paging_init: out of memory at %#lx", a);
		}
	}
}

void paging_init(void)
{
	paging_pml4 = page_alloc(1);
	if (!paging_pml4)
		panic("paging_init: out of memory");
	paging_map_low();
	for (unsigned int i = 0; i < boot_info.nmemmap; i++) {
		const struct hvm_memmap_entry *m = &boot_info.memmap[i];
		uint64_t end = m->addr + m->size;

		if (m->type != BOOT_MEM_RAM || end <= LOW_LIMIT)
			continue;
		for (uint64_t a = m->addr & ~(LARGE_SIZE - 1); a < end;
		     a += LARGE_SIZE)
			if (paging_map_large(a, PAGING_RAM))
				panic("paging_init: out of memory at %#lx", a);
	}
	*paging_pte(0) = 0;	/* NULL faults */
	write_cr3((uintptr_t)paging_pml4);
}

int paging_map_mmio(uint64_t phys, size_t size)
{
	uint64_t end = phys + size;

	for (uint64_t a = phys & ~(PAGE_SIZE - 1); a < end; a += PAGE_SIZE) {
		uint64_t *pde = paging_pde(a);

		if (!pde)
			return -ENOMEM;
		if ((*pde & PTE_P) && (*pde & PTE_PS))
			continue;	/* inside a mapped 2 MiB page */
		if (paging_map_small(a, PAGING_DEVICE))
			return -ENOMEM;
		invlpg(a);
	}
	return 0;
}

int paging_set_present(uintptr_t va, bool present)
{
	uint64_t *pte = paging_pte(va & ~(PAGE_SIZE - 1));

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
