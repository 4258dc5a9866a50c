/*
 * What the PVH loader told us, copied out of the hvm_start_info before its
 * memory (which the memory map calls usable) is reused; or the same facts
 * from a Multiboot2 loader's boot information (core/boot_mb2.c).
 * Layout: Xen public/arch-x86/hvm/start_info.h, version 1.
 */
#ifndef KERNEL_BOOT_H
#define KERNEL_BOOT_H

#include <stdint.h>

#define HVM_START_MAGIC 0x336ec578
#define BOOT_CMDLINE_MAX 1024
#define BOOT_MEMMAP_MAX 64

/* E820 types used by the PVH memory map (ACPI 6.x, table 15-374) */
#define BOOT_MEM_RAM 1
#define BOOT_MEM_RESERVED 2
#define BOOT_MEM_ACPI 3
#define BOOT_MEM_NVS 4

struct hvm_start_info {
	uint32_t magic;
	uint32_t version;
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;
	uint64_t rsdp_paddr;
	uint64_t memmap_paddr;	/* version >= 1 */
	uint32_t memmap_entries;
	uint32_t reserved;
};

struct hvm_memmap_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
	uint32_t reserved;
};

struct boot_info {
	char cmdline[BOOT_CMDLINE_MAX];
	uint64_t rsdp;
	unsigned int nmemmap;
	struct hvm_memmap_entry memmap[BOOT_MEMMAP_MAX];
};

/*
 * For big buffers that need no zeroing (stacks, tables written in full
 * before use): gcc's noinit puts them in .noinit, past the loaded image
 * (kernel.ld), where neither the loader nor the kernel clears them, so they
 * cost the image nothing and the boot no time. Only a stack's high-water
 * scan (core/thread.c) reads words it never wrote; there it relies on the
 * VMM handing over fresh, zeroed guest RAM, as .bss always has.
 */
#define NOINIT __attribute__((noinit))

extern struct boot_info boot_info;
/* TSC at the first instruction of the PVH entry (arch/x86_64/entry.S) */
extern uint64_t boot_tsc;

/* %eax at the Multiboot2 entry (Multiboot2 spec 3.2), kept in boot_mb2_magic */
#define MB2_BOOTLOADER_MAGIC 0x36d76289
/* MB2_BOOTLOADER_MAGIC when GRUB booted us, else 0 (arch/x86_64/multiboot2.S) */
extern uint32_t boot_mb2_magic;

/* core/boot.c */
int boot_copy(uint32_t start_info_pa);
/* core/boot_mb2.c */
int boot_mb2_copy(uint32_t info_pa);

#endif
