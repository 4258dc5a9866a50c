/*
 * The final GDT: 64-bit code and data for ring 0 (Minnow has no user mode)
 * and a TSS, which long mode still needs for its interrupt stack table: the
 * double fault, NMI and machine check handlers switch to stacks of their own
 * so that they run even when the thread's stack is gone (overflow into the
 * guard page ends in a double fault).
 *
 * Descriptor formats: Intel SDM vol. 3, sections 3.4.5 and 8.2.3 (TSS) and
 * figure 8-11 (64-bit TSS layout).
 */
#include <stdint.h>
#include <kernel/arch.h>
#include <kernel/boot.h>

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));

#define GDT_CODE64_DESC 0x00af9a000000ffffull	/* P, DPL0, code, L */
#define GDT_DATA_DESC 0x00cf92000000ffffull	/* P, DPL0, data, writable */
#define GDT_TSS_TYPE_AVAILABLE 0x89ull	/* P, 64-bit TSS (available) */
#define GDT_ENTRIES 5	/* null, code, data, TSS (two slots) */

/*
 * Code and data are there from the start: entry.S loads this GDT with its
 * 32-bit lgdt (which reads the low four bytes of the base), so long mode
 * starts on the final selectors and gdt_init() has no segment to reload.
 */
static uint64_t gdt[GDT_ENTRIES] __attribute__((aligned(16))) = {
	[GDT_KERNEL_CODE / 8] = GDT_CODE64_DESC,
	[GDT_KERNEL_DATA / 8] = GDT_DATA_DESC,
};
static struct tss gdt_tss __attribute__((aligned(16)));
static uint8_t gdt_ist_stacks[3][IST_STACK_SIZE] NOINIT
	__attribute__((aligned(16)));

struct gdt_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

struct gdt_ptr gdt_ptr = { sizeof(gdt) - 1, (uintptr_t)gdt };

static void gdt_set_tss(void)
{
	uint64_t base = (uintptr_t)&gdt_tss;
	uint64_t limit = sizeof(gdt_tss) - 1;

	gdt[3] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
		 (GDT_TSS_TYPE_AVAILABLE << 40) | ((limit >> 16) & 0xf) << 48 |
		 ((base >> 24) & 0xff) << 56;
	gdt[4] = base >> 32;
}

void gdt_init(void)
{
	gdt_tss.ist[IST_DOUBLE_FAULT - 1] =
		(uintptr_t)gdt_ist_stacks[0] + IST_STACK_SIZE;
	gdt_tss.ist[IST_NMI - 1] = (uintptr_t)gdt_ist_stacks[1] + IST_STACK_SIZE;
	gdt_tss.ist[IST_MACHINE_CHECK - 1] =
		(uintptr_t)gdt_ist_stacks[2] + IST_STACK_SIZE;
	gdt_tss.iomap_base = sizeof(gdt_tss);	/* no I/O bitmap */
	gdt_set_tss();
	__asm__ volatile("ltr %w0" : : "r"((uint16_t)GDT_TSS) : "memory");
}
