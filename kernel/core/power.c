/*
 * Leaves the VM with an exit code through isa-debug-exit. Without that
 * device (another hypervisor, or a QEMU run without it) the write is
 * ignored and the CPU halts for good with interrupts off.
 */
#include <kernel/cpu.h>
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
 * "ended by the debugger" and "crashed": a code that lands there after the
 * cut (exit(-1), exit(127), exit(255)) becomes MINNOW_EXIT_APP_MAX, so that
 * a failure still reads as one and never as a crash.
 */
void power_exit(int code)
{
	code &= 0x7f;
	if (code > MINNOW_EXIT_APP_MAX)
		code = MINNOW_EXIT_APP_MAX;
	power_off(code);
}
