/*
 * The stub's byte stream to gdb, over one of two transports chosen at boot
 * by the kernel option minnow.gdb.transport=:
 *   com2    the 16550 UART at COM2 (gdb_uart.c), the default: every
 *           hypervisor has one;
 *   virtio  a virtio console on virtio-mmio (gdb_virtio.c), microvm's fast
 *           path; when there is none the stub falls back to COM2.
 * Bytes are written with putc and leave at the latest with flush, which
 * the packet layer calls at the end of every frame and acknowledgement.
 */
#include <kernel/cpu.h>

#include "gdb.h"

static bool gdb_serial_virtio;

bool gdb_serial_init(const char *transport)
{
	if (transport && gdb_util_streq(transport, "virtio")) {
		if (gdb_virtio_init()) {
			gdb_serial_virtio = true;
			return true;
		}
	}
	return gdb_uart_init();
}

bool gdb_serial_is_virtio(void)
{
	return gdb_serial_virtio;
}

int gdb_serial_poll(void)
{
	return gdb_serial_virtio ? gdb_virtio_poll() : gdb_uart_poll();
}

int gdb_serial_getc(void)
{
	int c;

	/* measured on the UART: pausing between polls only slows QEMU down */
	while ((c = gdb_serial_poll()) < 0)
		cpu_relax();
	return c;
}

void gdb_serial_putc(char c)
{
	if (gdb_serial_virtio)
		gdb_virtio_putc(c);
	else
		gdb_uart_putc(c);
}

void gdb_serial_flush(void)
{
	if (gdb_serial_virtio)
		gdb_virtio_flush();
}

void gdb_serial_rx_irq(bool on)
{
	if (gdb_serial_virtio)
		gdb_virtio_rx_irq(on);
	else
		gdb_uart_rx_irq(on);
}

/*
 * After rx_irq(true): input is waiting that raises no interrupt of its
 * own (virtio; the UART raises one as soon as IER allows it).
 */
bool gdb_serial_unannounced(void)
{
	return gdb_serial_virtio && gdb_virtio_pending();
}

/* In the interrupt handler, before reading: virtio's line is level. */
void gdb_serial_irq_ack(void)
{
	if (gdb_serial_virtio)
		gdb_virtio_irq_ack();
}
