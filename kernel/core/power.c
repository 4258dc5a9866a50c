/*
 * Leaves the VM with an exit code through isa-debug-exit. Without that
 * device (another hypervisor, or a QEMU run without it) the write is
 * ignored and the CPU halts for good with interrupts off.
 */
#include <kernel/cpu.h>
#include <kernel/log.h>
#include <kernel/power.h>

void power_off(int code)
{
	irq_disable();
	outb(POWER_EXIT_PORT, (uint8_t)(code & 0x7f));
	for (;;)
		__asm__ volatile("cli; hlt");
}

/*
 * An application's exit code. The device carries 7 bits, and 126/127 mean
 * "ended by the debugger" and "crashed". A code that does not fit
 * 0..MINNOW_EXIT_APP_MAX - 1 (exit(-1), exit(128), exit(256)) must never
 * read as success or as a crash once cut to 7 bits: it becomes
 * MINNOW_EXIT_APP_MAX, and the console says which code it was.
 */
void power_exit(int code)
{
	if (code < 0 || code >= MINNOW_EXIT_APP_MAX) {
		kernel_printf("minnow: exit code %d does not fit 0..%d: the VM exits with %d\n",
			      code, MINNOW_EXIT_APP_MAX - 1, MINNOW_EXIT_APP_MAX);
		code = MINNOW_EXIT_APP_MAX;
	}
	power_off(code);
}
