/*
 * PVH entry: the hypervisor (QEMU -kernel, Firecracker, Cloud Hypervisor)
 * finds the 32-bit entry point in the Xen ELF note below and jumps to it in
 * flat 32-bit protected mode, paging off, %ebx = physical address of the
 * hvm_start_info, no stack. We identity-map the low 4 GiB with
 * 2 MiB pages (enough for the kernel, RAM below 4 GiB, the LAPIC and the
 * IOAPIC), enter long mode and call kernel_start(start_info). These tables
 * stay: arch/x86_64/paging.c refines them from the memory map (uncached
 * device space, page 0 and guard pages unmapped) rather than building new
 * ones, as every instruction run once costs its translation under TCG.
 *
 * References: Xen public/arch-x86/hvm/start_info.h (PVH boot ABI),
 * public/elfnote.h (XEN_ELFNOTE_PHYS32_ENTRY = 18), Intel SDM vol. 3
 * section 10.8.5 (initializing IA-32e mode).
 */

#include <kernel/pte.h>

#define XEN_ELFNOTE_PHYS32_ENTRY 18
#define MSR_EFER 0xc0000080
#define EFER_LME (1 << 8)
#define EFER_NXE (1 << 11)
#define BOOT_STACK_SIZE 16384
#define GDT_CODE64 0x08
#define GDT_DATA 0x10

	/* namesz, descsz, type, "Xen", then the 32-bit entry (as a quad) */
	.section .note.Xen, "a"
	.p2align 2
	.long 4, 8, XEN_ELFNOTE_PHYS32_ENTRY
	.asciz "Xen"
	.quad pvh_entry

	.section .text.boot, "ax"
	.code32
	.globl pvh_entry
pvh_entry:
	cli
	cld
	/* the very first thing: the boot timestamp, for the entry->main figure */
	rdtsc
	mov %eax, boot_tsc
	mov %edx, boot_tsc + 4

	/*
	 * .bss is not cleared: PVH loaders (QEMU, Firecracker, Cloud
	 * Hypervisor) load the image into fresh, zeroed guest RAM, and
	 * clearing it again costs time under TCG.
	 *
	 * The boot stack and tables lie past the loaded image, in .noinit
	 * (kernel.ld), which no loader clears. So the loop that fills the page
	 * directories writes whole entries, and clears the PML4 and the PDPT
	 * on the way: their 8 KiB are 2048 dwords, one per directory entry.
	 * Added to a loop that runs anyway, the stores cost ~5 us under TCG;
	 * a rep stosl of their own would cost twice that, mostly to translate.
	 */
	mov $boot_stack_top, %esp

	/*
	 * 2048 2 MiB pages map 0..4 GiB one to one, uncached: most of it is
	 * device space, and paging.c makes the RAM write-back from the map
	 */
	mov $boot_pd, %edi
	mov $boot_pml4, %esi	/* the PDPT follows it */
	mov $(PTE_P | PTE_W | PTE_PS | PTE_PCD | PTE_PWT), %eax
	xor %edx, %edx
	mov $2048, %ecx
2:	mov %eax, (%edi)
	mov %edx, 4(%edi)
	mov %edx, (%esi)
	add $0x200000, %eax
	add $8, %edi
	add $4, %esi
	loop 2b

	/* PML4[0] -> PDPT, PDPT[0..3] -> the four page directories */
	mov $boot_pdpt + (PTE_P | PTE_W), %eax
	mov %eax, boot_pml4
	mov $boot_pd + (PTE_P | PTE_W), %eax
	mov $boot_pdpt, %edi
	mov $4, %ecx
1:	mov %eax, (%edi)
	add $4096, %eax
	add $8, %edi
	loop 1b

	mov %cr4, %eax
	or $CR4_PAE, %eax
	mov %eax, %cr4
	mov $boot_pml4, %eax
	mov %eax, %cr3
	mov $MSR_EFER, %ecx
	rdmsr
	or $EFER_LME, %eax
	wrmsr
	lgdt gdt_ptr	/* the final GDT (gdt.c); gdt_init adds the TSS */
	mov %cr0, %eax
	or $(CR0_PG | CR0_WP), %eax
	mov %eax, %cr0
	ljmp $GDT_CODE64, $entry64

	.code64
	/* the outermost frame of the boot/idle context: nothing to unwind to */
	.cfi_sections .debug_frame
	.cfi_startproc
	.cfi_undefined rip
entry64:
	mov $GDT_DATA, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	xor %eax, %eax
	mov %ax, %fs
	mov %ax, %gs
	mov $boot_stack_top, %rsp
	mov %ebx, %edi
	xor %ebp, %ebp
	call kernel_start
3:	cli
	hlt
	jmp 3b
	.cfi_endproc

	.data
	.p2align 3
	.globl boot_tsc
boot_tsc:
	.quad 0

	/*
	 * Past the loaded image, never cleared (kernel.ld): the page tables
	 * are written in full above, and a stack needs no zeroing but for its
	 * high-water scan (core/thread.c).
	 */
	.section .noinit, "aw", @nobits
	.p2align 12
	.globl boot_pml4, boot_pdpt, boot_pd
boot_pml4:
	.skip 4096
boot_pdpt:	/* right after the PML4: the fill loop clears both */
	.skip 4096
boot_pd:	/* four page directories in a row: entry n maps n * 2 MiB */
	.skip 4 * 4096
	/* unmapped by kernel_start: the guard page below the boot stack */
boot_stack_guard:
	.skip 4096
	.globl boot_stack_bottom, boot_stack_top
boot_stack_bottom:
	.skip BOOT_STACK_SIZE
boot_stack_top:
