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

static uint64_t gdt[GDT_ENTRIES] __attribute__((aligned(16)));
static struct tss gdt_tss __attribute__((aligned(16)));
static uint8_t gdt_ist_stacks[3][IST_STACK_SIZE] __attribute__((aligned(16)));

struct gdt_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

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
	struct gdt_ptr p = { sizeof(gdt) - 1, (uintptr_t)gdt };

	gdt[1] = GDT_CODE64_DESC;
	gdt[2] = GDT_DATA_DESC;
	gdt_tss.ist[IST_DOUBLE_FAULT - 1] =
		(uintptr_t)gdt_ist_stacks[0] + IST_STACK_SIZE;
	gdt_tss.ist[IST_NMI - 1] = (uintptr_t)gdt_ist_stacks[1] + IST_STACK_SIZE;
	gdt_tss.ist[IST_MACHINE_CHECK - 1] =
		(uintptr_t)gdt_ist_stacks[2] + IST_STACK_SIZE;
	gdt_tss.iomap_base = sizeof(gdt_tss);	/* no I/O bitmap */
	gdt_set_tss();

	/* reload CS with a far return, then the data segments and the TR */
	__asm__ volatile("lgdt %0\n\t"
			 "pushq %1\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movw %w2, %%ax\n\t"
			 "movw %%ax, %%ds\n\t"
			 "movw %%ax, %%es\n\t"
			 "movw %%ax, %%ss\n\t"
			 "ltr %w3"
			 :
			 : "m"(p), "i"(GDT_KERNEL_CODE), "i"(GDT_KERNEL_DATA),
			   "r"((uint16_t)GDT_TSS)
			 : "rax", "memory");
}
