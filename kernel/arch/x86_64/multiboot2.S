/*
 * Multiboot2 entry: the same ELF that QEMU boots by PVH also carries a
 * Multiboot2 header, so GRUB 2 (which cannot load PVH) boots it from an ISO
 * or a disk on bare metal and on other hypervisors (`minnow pack`).
 *
 * The header uses the address tag ("a.out kludge") rather than letting GRUB
 * read the ELF's segments: bss_end_addr covers .noinit too, which is in no
 * segment (kernel.ld), so GRUB neither places its boot information there
 * (where entry.S builds the page tables) nor leaves it unzeroed. The image is
 * one PT_LOAD segment starting at __kernel_start, so "load_addr" and the
 * header's offset in the file locate every byte.
 *
 * GRUB enters mb2_entry in flat 32-bit protected mode, paging off,
 * %eax = MB2_BOOTLOADER_MAGIC and %ebx = the boot information's address:
 * the state PVH gives, but for the magic and the layout %ebx points at. We
 * note the magic for boot_copy() (core/boot.c, core/boot_mb2.c) and take the
 * PVH path from its first instruction; it keeps %ebx for kernel_start.
 *
 * Reference: The Multiboot2 Specification, version 2.0, sections 3.1
 * (header, tags 0, 2, 3) and 3.2 (machine state).
 */

#define MB2_HEADER_MAGIC 0xe85250d6
#define MB2_ARCH_I386 0		/* 32-bit protected mode */
#define MB2_HEADER_TAG_END 0
#define MB2_HEADER_TAG_ADDRESS 2
#define MB2_HEADER_TAG_ENTRY 3
#define MB2_HEADER_LEN (mb2_header_end - mb2_header)

	/* in the first 32 KiB of the file, 8-aligned (kernel.ld puts it first) */
	.section .multiboot2, "a"
	.p2align 3
mb2_header:
	.long MB2_HEADER_MAGIC
	.long MB2_ARCH_I386
	.long MB2_HEADER_LEN
	.long -(MB2_HEADER_MAGIC + MB2_ARCH_I386 + MB2_HEADER_LEN)

	.p2align 3
	.short MB2_HEADER_TAG_ADDRESS, 0
	.long 24
	.long mb2_header	/* header_addr: where this header is loaded */
	.long __kernel_start	/* load_addr: the first byte of the segment */
	.long __bss_start	/* load_end_addr: the file's data ends here */
	.long __kernel_end	/* bss_end_addr: .bss and .noinit, zeroed */

	.p2align 3
	.short MB2_HEADER_TAG_ENTRY, 0
	.long 12
	.long mb2_entry

	.p2align 3
	.short MB2_HEADER_TAG_END, 0
	.long 8
mb2_header_end:

	.section .text.boot, "ax"
	.code32
	.globl mb2_entry
mb2_entry:
	mov %eax, boot_mb2_magic
	jmp pvh_entry

	.data
	.p2align 2
	/* MB2_BOOTLOADER_MAGIC when booted by Multiboot2, 0 by PVH */
	.globl boot_mb2_magic
boot_mb2_magic:
	.long 0
