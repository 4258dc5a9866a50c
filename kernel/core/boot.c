/*
 * Copies the PVH start_info, the command line and the memory map into the
 * kernel image. It must run before anything allocates memory: on microvm
 * the start_info sits at 0xf31e0 and on q35 at 0x21e0, both inside ranges the
 * memory map reports as usable RAM. Zero-sized entries (QEMU may end the
 * map with one) are dropped here so nobody else has to care. When GRUB
 * booted the image by Multiboot2, core/boot_mb2.c reads its boot
 * information into the same struct instead.
 */
#include <errno.h>
#include <stddef.h>
#include <kernel/boot.h>

struct boot_info boot_info;

int boot_copy(uint32_t start_info_pa)
{
	const struct hvm_start_info *si =
		(const struct hvm_start_info *)(uintptr_t)start_info_pa;
	const struct hvm_memmap_entry *map;

	if (boot_mb2_magic == MB2_BOOTLOADER_MAGIC)
		return boot_mb2_copy(start_info_pa);
	if (!si || si->magic != HVM_START_MAGIC)
		return -EINVAL;
	if (si->cmdline_paddr) {
		const char *c = (const char *)(uintptr_t)si->cmdline_paddr;
		unsigned int i;

		/* a plain loop: strlcpy would first run strlen over it */
		for (i = 0; i < BOOT_CMDLINE_MAX - 1 && c[i]; i++)
			boot_info.cmdline[i] = c[i];
		boot_info.cmdline[i] = '\0';
	}
	boot_info.rsdp = si->rsdp_paddr;
	if (si->version < 1 || !si->memmap_paddr)
		return 0;
	map = (const struct hvm_memmap_entry *)(uintptr_t)si->memmap_paddr;
	for (uint32_t i = 0; i < si->memmap_entries; i++) {
		if (map[i].size == 0 || boot_info.nmemmap == BOOT_MEMMAP_MAX)
			continue;
		boot_info.memmap[boot_info.nmemmap++] = map[i];
	}
	return 0;
}
