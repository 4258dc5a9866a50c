/*
 * x86-64 page-table entry bits and control-register bits that paging
 * depends on: shared by the page tables' owner (arch/x86_64/paging.c, and
 * entry.S, which builds the first tables) and the gdbstub's own page walk
 * (debug/gdb_mem.c). Definitions only, usable from assembly.
 * Reference: Intel SDM vol. 3, section 4.5, tables 4-14 to 4-20; CR0.WP
 * and CR4.PAE: section 2.5.
 */
#ifndef KERNEL_PTE_H
#define KERNEL_PTE_H

#define PTE_P 0x1	/* present */
#define PTE_W 0x2	/* writable */
#define PTE_PWT 0x8	/* write-through */
#define PTE_PCD 0x10	/* cache disable */
#define PTE_PS 0x80	/* 1 GiB (PDPTE) or 2 MiB (PDE) page */
#define PTE_ENTRIES 512	/* entries per table, 9 bits of address each */

#define CR0_WP 0x10000	/* supervisor writes honour read-only pages */
#define CR0_PG 0x80000000
#define CR4_PAE 0x20

#ifndef __ASSEMBLER__
#define PTE_ADDR 0x000ffffffffff000ull	/* the next table or the frame */
#endif

#endif
