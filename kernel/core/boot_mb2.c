/*
 * The Multiboot2 half of boot_copy(): when GRUB booted us (arch/x86_64/
 * multiboot2.S), kernel_start's argument is the address of the Multiboot2
 * boot information instead of the PVH start_info. Its command line, memory
 * map and ACPI RSDP are copied into the same struct boot_info, so nothing
 * after boot_copy() knows which loader ran. The boot information lies in RAM
 * the map calls usable, like the start_info, so this runs just as early.
 *
 * GRUB 2 passes the words after the file name on its multiboot2 line (not
 * the path itself, unlike GRUB Legacy), so the line is taken whole and
 * main's argv is the same as under PVH.
 *
 * Reference: The Multiboot2 Specification, version 2.0, section 3.6 (boot
 * information format: tags 1, 6, 14, 15).
 */
#include <errno.h>
#include <stddef.h>
#include <kernel/boot.h>

#define MB2_TAG_END 0
#define MB2_TAG_CMDLINE 1
#define MB2_TAG_MMAP 6
#define MB2_TAG_ACPI_OLD 14	/* a copy of the ACPI 1.0 RSDP */
#define MB2_TAG_ACPI_NEW 15	/* a copy of the ACPI 2.0+ RSDP */
#define MB2_TAG_ALIGN 8
/* the biggest RSDP (ACPI 6.x, table 5.27) */
#define MB2_RSDP_MAX 36

struct mb2_info {
	uint32_t total_size;
	uint32_t reserved;
};

struct mb2_tag {
	uint32_t type;
	uint32_t size;
};

struct mb2_mmap {
	struct mb2_tag tag;
	uint32_t entry_size;
	uint32_t entry_version;
};

/* the same layout as hvm_memmap_entry, and the same E820 types */
struct mb2_mmap_entry {
	uint64_t base;
	uint64_t length;
	uint32_t type;
	uint32_t reserved;
};

/* the loader's RSDP copy, kept: boot_info.rsdp points here */
static uint8_t boot_mb2_rsdp[MB2_RSDP_MAX];

static void boot_mb2_cmdline(const char *c, uint32_t len)
{
	unsigned int i = 0;

	for (uint32_t at = 0; at < len && c[at] && i < BOOT_CMDLINE_MAX - 1; at++)
		boot_info.cmdline[i++] = c[at];
	boot_info.cmdline[i] = '\0';
}

static void boot_mb2_mmap(const struct mb2_mmap *m)
{
	const uint8_t *p = (const uint8_t *)(m + 1);
	const uint8_t *end = (const uint8_t *)m + m->tag.size;

	if (m->entry_size < sizeof(struct mb2_mmap_entry))
		return;
	for (; p + m->entry_size <= end; p += m->entry_size) {
		const struct mb2_mmap_entry *e = (const void *)p;
		struct hvm_memmap_entry *out;

		if (e->length == 0 || boot_info.nmemmap == BOOT_MEMMAP_MAX)
			continue;
		out = &boot_info.memmap[boot_info.nmemmap++];
		out->addr = e->base;
		out->size = e->length;
		out->type = e->type;
		out->reserved = 0;
	}
}

static void boot_mb2_acpi(const struct mb2_tag *t)
{
	const uint8_t *rsdp = (const uint8_t *)(t + 1);
	uint32_t n = t->size - sizeof(*t);

	if (n > MB2_RSDP_MAX)
		n = MB2_RSDP_MAX;
	for (uint32_t i = 0; i < n; i++)
		boot_mb2_rsdp[i] = rsdp[i];
	boot_info.rsdp = (uintptr_t)boot_mb2_rsdp;
}

int boot_mb2_copy(uint32_t info_pa)
{
	const struct mb2_info *info = (const void *)(uintptr_t)info_pa;
	const uint8_t *p, *end;

	if (!info || info->total_size < sizeof(*info))
		return -EINVAL;
	p = (const uint8_t *)(info + 1);
	end = (const uint8_t *)info + info->total_size;
	while (p + sizeof(struct mb2_tag) <= end) {
		const struct mb2_tag *t = (const void *)p;

		if (t->type == MB2_TAG_END || t->size < sizeof(*t))
			break;
		switch (t->type) {
		case MB2_TAG_CMDLINE:
			boot_mb2_cmdline((const char *)(t + 1),
					 t->size - sizeof(*t));
			break;
		case MB2_TAG_MMAP:
			boot_mb2_mmap((const struct mb2_mmap *)t);
			break;
		case MB2_TAG_ACPI_OLD:
		case MB2_TAG_ACPI_NEW:
			/* the newer one wins: it comes with the XSDT */
			if (t->type == MB2_TAG_ACPI_NEW || !boot_info.rsdp)
				boot_mb2_acpi(t);
			break;
		}
		p += (t->size + MB2_TAG_ALIGN - 1) & ~(MB2_TAG_ALIGN - 1);
	}
	return 0;
}
