/*
 * The two pieces of the gdbstub's parking (gdb_smp.c) that must be
 * written instruction by instruction: the halt loop, whose window between
 * its check and its hlt the NMI handler knows (an NMI landing there is
 * sent back to the check, or the hlt would sleep through the wake-up it
 * brought), and the entry of a CPU parked from its NMI handler onto its
 * own park stack, which leaves by resuming the frame copied at the top of
 * that stack through the trap exit (isr_return, arch/x86_64/isr.S).
 * Called with interrupts off; only an NMI ends the hlt.
 */

	.text

/*
 * void gdb_smp_halt_while(const volatile unsigned int *word [%rdi],
 *                         unsigned int value [%esi]):
 * returns once *word != value, halted in between.
 */
	.globl gdb_smp_halt_while, gdb_smp_halt_check, gdb_smp_halt_end
	.p2align 4
gdb_smp_halt_while:
gdb_smp_halt_check:
	cmpl %esi, (%rdi)
	jne 1f
	hlt
gdb_smp_halt_end:
	jmp gdb_smp_halt_check
1:	ret

/*
 * Entered by the NMI handler's iretq with %rsp = %rsi = the frame copy at
 * the top of this CPU's park stack, %rdi = this CPU's struct percpu, IF
 * and TF clear, NMIs unblocked again. gdb_smp_held() returns once the CPU
 * is released; the copy (registers gdb may have changed) is then resumed.
 * An NMI anywhere in here starts it over from the top.
 */
	.globl gdb_smp_park_entry
	.p2align 4
gdb_smp_park_entry:
	movq %rsi, %rbx
	call gdb_smp_held
	movq %rbx, %rsp
	jmp isr_return
