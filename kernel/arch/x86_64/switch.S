/*
 * switch_context(save, load): saves the callee-saved registers of the
 * running thread into *save (a struct cpu_context inside its struct thread,
 * where a debugger reads them) and resumes the thread described by *load.
 *
 * The saved rip and rsp are those of the caller right after the call
 * returns, so a parked thread looks to gdb exactly like a thread sitting in
 * sched_switch() after the call: no frame of this routine on its stack.
 * rflags travels too, so each thread gets its interrupt flag back.
 */
#define CTX_RSP 0
#define CTX_RBP 8
#define CTX_RBX 16
#define CTX_R12 24
#define CTX_R13 32
#define CTX_R14 40
#define CTX_R15 48
#define CTX_RIP 56
#define CTX_RFLAGS 64

	.cfi_sections .debug_frame
	.text
	.globl switch_context
	.type switch_context, @function
switch_context:
	.cfi_startproc
	movq (%rsp), %rax
	leaq 8(%rsp), %rcx
	movq %rcx, CTX_RSP(%rdi)
	movq %rbp, CTX_RBP(%rdi)
	movq %rbx, CTX_RBX(%rdi)
	movq %r12, CTX_R12(%rdi)
	movq %r13, CTX_R13(%rdi)
	movq %r14, CTX_R14(%rdi)
	movq %r15, CTX_R15(%rdi)
	movq %rax, CTX_RIP(%rdi)
	pushfq
	popq CTX_RFLAGS(%rdi)

	movq CTX_RSP(%rsi), %rsp
	movq CTX_RBP(%rsi), %rbp
	movq CTX_RBX(%rsi), %rbx
	movq CTX_R12(%rsi), %r12
	movq CTX_R13(%rsi), %r13
	movq CTX_R14(%rsi), %r14
	movq CTX_R15(%rsi), %r15
	pushq CTX_RFLAGS(%rsi)
	popfq
	jmpq *CTX_RIP(%rsi)
	.cfi_endproc
	.size switch_context, . - switch_context

/*
 * thread_entry: where a new thread's first switch_context lands (ctx.rip),
 * on a 16-byte aligned stack. rip is marked undefined for the unwinder, so
 * gdb's backtrace of any thread ends here instead of at a bogus 0 frame.
 */
	.globl thread_entry
	.type thread_entry, @function
thread_entry:
	.cfi_startproc
	.cfi_undefined rip
	xorl %ebp, %ebp
	call thread_start
	ud2
	.cfi_endproc
	.size thread_entry, . - thread_entry
