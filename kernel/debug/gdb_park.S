/*
 * The pieces of the gdbstub's parking (gdb_smp.c) that must be written
 * instruction by instruction: the halt loop, whose window between
 * its check and its hlt the NMI handler knows (an NMI landing there is
 * sent back to the check, or the hlt would sleep through the wake-up it
 * brought), and the entry of a CPU parked from its NMI handler onto its
 * own park stack, which leaves by resuming the frame copied at the top of
 * that stack through the trap exit (isr_return, arch/x86_64/isr.S), and
 * the int3 by which a CPU handed the stub enters it.
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

/*
 * Where a CPU handed the stub by another (gdb_smp_hand_over) resumes once
 * released, IF clear: the int3 brings it into the stub, on the stack of
 * the thread it runs, as the owner; gdb_smp_taken() puts back the rip and
 * rflags it had, so nothing past the int3 ever runs.
 */
	.globl gdb_smp_take_int3
	.p2align 4
gdb_smp_take_int3:
	int3
	ud2
