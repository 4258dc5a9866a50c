/*
 * The IDT: all 256 vectors point at their stub in isr.S, as interrupt gates
 * (IF cleared on entry: handlers never nest except through NMI and faults).
 * Double fault, NMI and machine check run on IST stacks (gdt.c).
 *
 * Gate format: Intel SDM vol. 3, section 6.14.1, figure 6-8.
 */
#include <stdint.h>
#include <kernel/arch.h>
#include <kernel/boot.h>
#include <kernel/trap.h>

#define IDT_VECTORS 256
#define IDT_INTERRUPT_GATE 0x8e	/* P, DPL0, 64-bit interrupt gate */

struct idt_gate {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;
	uint8_t type;
	uint16_t offset_mid;
	uint32_t offset_high;
	uint32_t reserved;
} __attribute__((packed));

struct idt_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

/* written in full by idt_init, so never cleared (NOINIT) */
static struct idt_gate idt[IDT_VECTORS] NOINIT __attribute__((aligned(16)));

void idt_set_gate(unsigned int vector, void (*handler)(void), int ist)
{
	uintptr_t a = (uintptr_t)handler;
	struct idt_gate *g = &idt[vector];

	g->offset_low = a & 0xffff;
	g->selector = GDT_KERNEL_CODE;
	g->ist = ist;
	g->type = IDT_INTERRUPT_GATE;
	g->offset_mid = (a >> 16) & 0xffff;
	g->offset_high = a >> 32;
	g->reserved = 0;
}

void idt_init(void)
{
	struct idt_ptr p = { sizeof(idt) - 1, (uintptr_t)idt };

	/* a loop without branches or calls, then the three IST exceptions:
	 * it runs before main, where TCG translates every block once and
	 * runs this one 256 times */
	for (unsigned int v = 0; v < IDT_VECTORS; v++) {
		uintptr_t a = (uintptr_t)(isr_stubs + v * ISR_STUB_SIZE);

		idt[v] = (struct idt_gate){
			.offset_low = a & 0xffff,
			.selector = GDT_KERNEL_CODE,
			.type = IDT_INTERRUPT_GATE,
			.offset_mid = (a >> 16) & 0xffff,
			.offset_high = a >> 32,
		};
	}
	idt[TRAP_DF].ist = IST_DOUBLE_FAULT;
	idt[TRAP_NMI].ist = IST_NMI;
	idt[TRAP_MC].ist = IST_MACHINE_CHECK;
	__asm__ volatile("lidt %0" : : "m"(p));
}

/* Every other CPU shares the one IDT. */
void idt_load(void)
{
	struct idt_ptr p = { sizeof(idt) - 1, (uintptr_t)idt };

	__asm__ volatile("lidt %0" : : "m"(p));
}
