/*
 * Interrupt and exception entry. One 16-byte stub per vector (0..255) pushes
 * a zero where the CPU pushes no error code, then the vector, and jumps to
 * isr_common, which pushes the general registers so that the stack holds
 * exactly a struct trap_frame (kernel/trap.h) and calls trap_dispatch(frame).
 * Whatever the handler (or the gdbstub) changed in the frame is what iretq
 * resumes with. isr_return is that way back on its own: with %rsp at a
 * struct trap_frame, it resumes it (the gdbstub's parked CPUs leave through
 * it from a copy of their frame, debug/gdb_smp.c).
 *
 * Vectors with a CPU error code: Intel SDM vol. 3, table 6-1
 * (8 #DF, 10 #TS, 11 #NP, 12 #SS, 13 #GP, 14 #PF, 17 #AC, 21 #CP, 29, 30).
 */

#define ISR_STUB_SIZE 16

	.text
	.p2align 4
	.globl isr_stubs
isr_stubs:
	vector = 0
	.rept 256
	.p2align 4
	.if vector == 8 || (vector >= 10 && vector <= 14) || vector == 17 || vector == 21 || vector == 29 || vector == 30
	.else
	pushq $0
	.endif
	pushq $vector
	jmp isr_common
	vector = vector + 1
	.endr

	.p2align 4
isr_common:
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	cld
	/* 22 quadwords on a stack the CPU aligned to 16: still aligned */
	movq %rsp, %rdi
	call trap_dispatch
	.globl isr_return
isr_return:
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp
	iretq
