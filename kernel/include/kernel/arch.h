/*
 * x86-64 set-up that the rest of the kernel calls once at boot, and the
 * segment selectors the trap code uses. Defined in arch/x86_64/.
 */
#ifndef KERNEL_ARCH_H
#define KERNEL_ARCH_H

#include <stdint.h>

#define GDT_KERNEL_CODE 0x08
#define GDT_KERNEL_DATA 0x10
#define GDT_TSS 0x18	/* CPU n's TSS: GDT_TSS + 16 * n */

/* Interrupt stack table slots (Intel SDM vol. 3, section 6.14.5) */
#define IST_DOUBLE_FAULT 1
#define IST_NMI 2
#define IST_MACHINE_CHECK 3
#define IST_STACK_SIZE 8192
#define IST_STACKS 3

/* arch/x86_64/gdt.c */
void gdt_init(void);
void gdt_init_cpu(int cpu, void *ist_stacks);
/* arch/x86_64/idt.c */
void idt_init(void);
void idt_load(void);
void idt_set_gate(unsigned int vector, void (*handler)(void), int ist);
/* arch/x86_64/isr.S: 256 stubs of ISR_STUB_SIZE bytes each */
#define ISR_STUB_SIZE 16
extern char isr_stubs[];

#endif
