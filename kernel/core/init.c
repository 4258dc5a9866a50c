/*
 * kernel_start: the first C code, called by arch/x86_64/entry.S in long mode
 * on the boot stack with the physical address of the PVH start_info. It
 * copies what the loader handed over, brings the subsystems up in dependency
 * order, starts the "main" thread and becomes the idle thread. The main
 * thread initialises the drivers, lets the gdbstub wait for gdb if asked,
 * and runs the application's main(); returning from it ends the VM.
 *
 * Everything before main counts in the boot time, and under TCG that time
 * is mostly the translation of code run once. So only what main needs runs
 * here; the page allocator, the COM1 probe and the TSC calibration set
 * themselves up at their first use (see page.c, console.c, tsc.c).
 */
#include <stdint.h>
#include <kernel/arch.h>
#include <kernel/boot.h>
#include <kernel/cmdline.h>
#include <kernel/console.h>
#include <kernel/cpu.h>
#include <kernel/crash.h>
#include <kernel/driver.h>
#include <kernel/gdbstub.h>
#include <kernel/ioapic.h>
#include <kernel/lapic.h>
#include <kernel/log.h>
#include <kernel/page.h>
#include <kernel/paging.h>
#include <kernel/percpu.h>
#include <kernel/power.h>
#include <kernel/smp.h>
#include <kernel/thread.h>
#include <kernel/time.h>

#define INIT_MAIN_STACK_SIZE (64 * 1024)
#define INIT_MAIN_STACK_PAGES (1 + INIT_MAIN_STACK_SIZE / PAGE_SIZE)

int main(int argc, char **argv);

extern char boot_stack_bottom[];

uint64_t init_main_tsc;	/* TSC when main() was called: boot time figure */
static struct thread init_main_thread;	/* static: no heap before main */
/*
 * The main thread's stack, its first page the guard: static, past the
 * loaded image and never cleared (NOINIT), so neither the page
 * allocator nor a 64 KiB memset runs before main.
 */
static char init_main_stack[INIT_MAIN_STACK_PAGES * PAGE_SIZE] NOINIT
	__attribute__((aligned(PAGE_SIZE)));

/* Kernels built without kernel/debug (or before it is complete) link. */
__attribute__((weak)) int gdbstub_init(const char *option)
{
	return -1;
}

__attribute__((weak)) bool gdbstub_before_main(void)
{
	return false;
}

/*
 * The minnow.verbose boot lines, printed only once the figure is taken so
 * that they do not count in it. They are the first users of the page
 * allocator and the clock in most programs: both set themselves up here.
 */
static void init_boot_lines(void)
{
	kernel_info("cmdline \"%s\"", boot_info.cmdline);
	kernel_info("memory: %zu KiB free of %zu KiB",
		    page_free_count() * PAGE_SIZE / 1024,
		    page_total_count() * PAGE_SIZE / 1024);
	tsc_init();
	kernel_info("TSC %lu kHz (%s), LAPIC timer %lu kHz", tsc_hz / 1000,
		    tsc_source, lapic_timer_hz / 1000);
	kernel_info("PVH entry to main: %lu us",
		    (unsigned long)(tsc_to_ns(init_main_tsc - boot_tsc) /
				    NSEC_PER_USEC));
}

static int init_main(void *arg)
{
	smp_init();	/* every CPU online before a driver or main runs */
	driver_init_all();
	init_main_tsc = rdtsc();
	if (kernel_verbose)
		init_boot_lines();
	/*
	 * minnow.gdb=wait: gdb's first stop is this int3 (the stub knows it
	 * for its own), so the debugger opens here, about to call main.
	 */
	if (gdbstub_before_main())
		__asm__ volatile("int3");
	power_exit(main(cmdline_argc(), cmdline_argv()));
}

__attribute__((noreturn)) void kernel_start(uint32_t start_info_pa);

void kernel_start(uint32_t start_info_pa)
{
	int bad_start_info;

	percpu_install(0);	/* first: this_cpu() works from here on */
	bad_start_info = boot_copy(start_info_pa);

	lapic_init();	/* first: starts the TSC calibration window */
	cmdline_parse(boot_info.cmdline);
	kernel_verbose = cmdline_option("verbose") != NULL;
	if (bad_start_info)
		kernel_printf("minnow: no PVH start_info (ebx=%#x)\n",
			      start_info_pa);
	gdt_init();
	idt_init();
	paging_init();
	paging_set_present((uintptr_t)boot_stack_bottom - PAGE_SIZE, false);
	ioapic_init();
	gdbstub_init(cmdline_option("gdb"));
	if (thread_setup_on(&init_main_thread, "main", init_main, NULL,
			    init_main_stack, INIT_MAIN_STACK_PAGES))
		panic("kernel_start: cannot create the main thread");
	sched_init();
	sched_start();	/* interrupts are still off from the PVH entry */
	sched_idle();
}
