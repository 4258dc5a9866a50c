/*
 * The page tables: everything identity mapped. Built at boot from the PVH
 * memory map (RAM write-back, everything else below 4 GiB uncached, page 0
 * unmapped to catch NULL), changed later only to unmap stack guard pages and
 * to map device memory that lies above 4 GiB.
 */
#ifndef KERNEL_PAGING_H
#define KERNEL_PAGING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* arch/x86_64/paging.c */
void paging_init(void);
/* Identity-maps [phys, phys + size) uncached (device BARs above 4 GiB).
 * Already mapped ranges are fine. Returns 0 or -ENOMEM. */
int paging_map_mmio(uint64_t phys, size_t size);
/* Maps or unmaps one 4 KiB page (guard pages). Returns 0 or -errno. */
int paging_set_present(uintptr_t va, bool present);
/* True when va is mapped (never faults). */
bool paging_mapped(uintptr_t va);

#endif
