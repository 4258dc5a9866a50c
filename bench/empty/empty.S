/*
 * The floor of the boot benchmark: a PVH ELF that does nothing but exit.
 * QEMU enters it in 32-bit protected mode (PVH, ELF note type 18), and its
 * first instructions write 0 to isa-debug-exit (port 0xf4), so QEMU exits
 * with status (0 << 1) | 1 = 1, the same status as an application that
 * returns 0. Timing QEMU with this ELF gives QEMU's own start and stop cost,
 * the floor that bench/measures/boot.ts divides by.
 * Assembled and linked at bench time with as and ld (bench/lib/empty.ts).
 */

	.equ XEN_ELFNOTE_PHYS32_ENTRY, 18
	.equ DEBUG_EXIT_PORT, 0xf4

	.section .note.Xen, "a"
	.p2align 2
	.long 4				/* namesz: "Xen\0" */
	.long 8				/* descsz: the entry address as a quad */
	.long XEN_ELFNOTE_PHYS32_ENTRY
	.asciz "Xen"
	.quad empty_entry

	.text
	.code32
	.globl empty_entry
empty_entry:
	xorl %eax, %eax
	movw $DEBUG_EXIT_PORT, %dx
	outl %eax, %dx
	/* isa-debug-exit ends QEMU at once; never reached */
1:	hlt
	jmp 1b
