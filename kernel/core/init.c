/*
 * kernel_start: the first C code, called by arch/x86_64/entry.S in long mode
 * on the boot stack with the physical address of the PVH start_info. It
 * copies what the loader handed over, brings the subsystems up in dependency
 * order and runs the application's main().
 */
#include <stdint.h>
#include <kernel/boot.h>
#include <kernel/cmdline.h>
#include <kernel/console.h>
#include <kernel/arch.h>
#include <kernel/cpu.h>
#include <kernel/gdbstub.h>
#include <kernel/lapic.h>
#include <kernel/log.h>
#include <kernel/page.h>
#include <kernel/paging.h>
#include <kernel/power.h>

int main(int argc, char **argv);

extern char boot_stack_bottom[];

uint64_t init_main_tsc;	/* TSC when main() was called: boot time figure */

__attribute__((noreturn)) void kernel_start(uint32_t start_info_pa);

void kernel_start(uint32_t start_info_pa)
{
	int bad_start_info = boot_copy(start_info_pa);
	int ret;

	console_init();
	cmdline_parse(boot_info.cmdline);
	kernel_verbose = cmdline_option("verbose") != NULL;
	if (bad_start_info)
		kernel_printf("minnow: no PVH start_info (ebx=%#x)\n",
			      start_info_pa);
	kernel_info("cmdline \"%s\"", boot_info.cmdline);
	gdt_init();
	idt_init();
	page_init();
	paging_init();
	paging_set_present((uintptr_t)boot_stack_bottom - PAGE_SIZE, false);
	kernel_info("memory: %zu KiB free of %zu KiB",
		    page_free_count() * PAGE_SIZE / 1024,
		    page_total_count() * PAGE_SIZE / 1024);
	lapic_init();
	/* after the IDT (and the IOAPIC, for Ctrl-C): COM2 gdbstub, if any */
	gdbstub_init(cmdline_option("gdb"));
	gdbstub_before_main();
	init_main_tsc = rdtsc();
	ret = main(cmdline_argc(), cmdline_argv());
	power_off(ret);
}
