/*
 * Where a started CPU begins: the startup IPI points it at a page below
 * 1 MiB (vector = page number) in real mode, with CS = page << 8 and IP 0.
 * smp_trampoline..smp_trampoline_end is copied to that page by smp.c,
 * which also fills in the data at its end: the page-table root, CR4 and
 * EFER of the boot CPU, and the trampoline's own GDT's linear address.
 * From real mode it goes straight to long mode (PAE, LME, then PE and PG
 * together; SDM vol. 3, 10.8.5) and jumps to smp_ap_entry in the kernel,
 * which loads the CPU's stack (smp_ap_stack, one CPU starts at a time)
 * and calls smp_ap_main(). Only position-independent code here: every
 * address in the copy is an offset from its start.
 */
#include <kernel/pte.h>

#define MSR_EFER 0xc0000080
#define CR0_PE 0x1
#define TRAMP_CODE64 0x08	/* the trampoline GDT's selectors */
#define TRAMP_DATA 0x10
#define OFF(x) ((x) - smp_trampoline)

	.section .rodata.smp, "a"
	.code16
	.globl smp_trampoline, smp_trampoline_end
	.globl smp_tramp_cr3, smp_tramp_cr4, smp_tramp_efer, smp_tramp_gdtr
	.p2align 4
smp_trampoline:
	cli
	cld
	mov %cs, %ax
	mov %ax, %ds
	mov OFF(smp_tramp_cr4), %eax
	mov %eax, %cr4
	mov OFF(smp_tramp_cr3), %eax
	mov %eax, %cr3
	mov $MSR_EFER, %ecx
	rdmsr
	or OFF(smp_tramp_efer), %eax
	wrmsr
	lgdtl OFF(smp_tramp_gdtr)
	mov %cr0, %eax
	or $(CR0_PE | CR0_PG | CR0_WP), %eax
	mov %eax, %cr0
	/* ptr16:32 far jump: the target is in the kernel, below 4 GiB */
	ljmpl *OFF(smp_tramp_far)

	.p2align 3
smp_tramp_gdt:	/* null, 64-bit code, data */
	.quad 0
	.quad 0x00af9a000000ffff
	.quad 0x00cf92000000ffff
smp_tramp_gdtr:	/* limit, 32-bit linear base (smp.c) */
	.word 3 * 8 - 1
	.long 0
smp_tramp_far:
	.long smp_ap_entry
	.word TRAMP_CODE64
smp_tramp_cr3:
	.long 0
smp_tramp_cr4:
	.long 0
smp_tramp_efer:
	.long 0
smp_trampoline_end:

	.text
	.code64
	.globl smp_ap_entry
	.type smp_ap_entry, @function
smp_ap_entry:
	.cfi_startproc
	.cfi_undefined rip
	mov $TRAMP_DATA, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	xor %eax, %eax
	mov %ax, %fs
	mov %ax, %gs
	mov smp_ap_stack(%rip), %rsp
	xor %ebp, %ebp
	call smp_ap_main
1:	cli
	hlt
	jmp 1b
	.cfi_endproc
	.size smp_ap_entry, . - smp_ap_entry
