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
