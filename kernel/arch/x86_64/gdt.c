/*
 * The final GDT: 64-bit code and data for ring 0 (Minnow has no user mode)
 * and one TSS per CPU, which long mode still needs for its interrupt stack
 * table: the double fault, NMI and machine check handlers switch to stacks
 * of their own so that they run even when the thread's stack is gone
 * (overflow into the guard page ends in a double fault). Each CPU loads
 * the TSS descriptor of its own number (ltr marks it busy, so they cannot
 * share one); the boot CPU's IST stacks are static, the others' come from
 * the page allocator when the CPU starts (arch/x86_64/smp.c).
 *
 * Descriptor formats: Intel SDM vol. 3, sections 3.4.5 and 8.2.3 (TSS) and
 * figure 8-11 (64-bit TSS layout).
 */
#include <stdint.h>
#include <kernel/arch.h>
#include <kernel/boot.h>
#include <kernel/percpu.h>

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
/* null, code, data, then a TSS per CPU (two slots each) */
#define GDT_ENTRIES (3 + 2 * CPU_MAX)

/*
 * Code and data are there from the start: entry.S loads this GDT with its
 * 32-bit lgdt (which reads the low four bytes of the base), so long mode
 * starts on the final selectors and gdt_init() has no segment to reload.
 */
static uint64_t gdt[GDT_ENTRIES] __attribute__((aligned(16))) = {
	[GDT_KERNEL_CODE / 8] = GDT_CODE64_DESC,
	[GDT_KERNEL_DATA / 8] = GDT_DATA_DESC,
};
static struct tss gdt_tss[CPU_MAX] __attribute__((aligned(16)));
static uint8_t gdt_ist_stacks[IST_STACKS][IST_STACK_SIZE] NOINIT
	__attribute__((aligned(16)));

struct gdt_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

struct gdt_ptr gdt_ptr = { sizeof(gdt) - 1, (uintptr_t)gdt };

static void gdt_set_tss(int cpu)
{
	uint64_t base = (uintptr_t)&gdt_tss[cpu];
	uint64_t limit = sizeof(gdt_tss[cpu]) - 1;
	unsigned int slot = GDT_TSS / 8 + 2 * cpu;

	gdt[slot] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
		    (GDT_TSS_TYPE_AVAILABLE << 40) |
		    ((limit >> 16) & 0xf) << 48 | ((base >> 24) & 0xff) << 56;
	gdt[slot + 1] = base >> 32;
}

/* This CPU's TSS with IST stacks at ist (IST_STACKS of IST_STACK_SIZE). */
void gdt_init_cpu(int cpu, void *ist)
{
	struct tss *t = &gdt_tss[cpu];
	uint8_t *stacks = ist;

	t->ist[IST_DOUBLE_FAULT - 1] = (uintptr_t)stacks + IST_STACK_SIZE;
	t->ist[IST_NMI - 1] = (uintptr_t)stacks + 2 * IST_STACK_SIZE;
	t->ist[IST_MACHINE_CHECK - 1] = (uintptr_t)stacks + 3 * IST_STACK_SIZE;
	t->iomap_base = sizeof(*t);	/* no I/O bitmap */
	gdt_set_tss(cpu);
	percpu_of(cpu)->tss = t;
	percpu_of(cpu)->ist_stacks = ist;
	/* the same GDT for all: entry.S loaded it on the boot CPU already */
	if (cpu > 0)
		__asm__ volatile("lgdt %0" : : "m"(gdt_ptr) : "memory");
	__asm__ volatile("ltr %w0" : : "r"((uint16_t)(GDT_TSS + 16 * cpu))
			 : "memory");
}

void gdt_init(void)
{
	gdt_init_cpu(0, gdt_ist_stacks);
}
