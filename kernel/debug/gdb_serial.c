/*
 * The stub's byte stream to gdb, over one of two transports chosen at boot
 * by the kernel option minnow.gdb.transport=:
 *   com2    the 16550 UART at COM2 (gdb_uart.c), the default: every
 *           hypervisor has one;
 *   virtio  a virtio console on virtio-mmio (gdb_virtio.c), microvm's fast
 *           path; when there is none the stub falls back to COM2.
 * Each is a struct gdb_transport, as the kernel's virtio transports are.
 * Bytes are written with putc and leave at the latest with flush, which
 * the packet layer calls at the end of every frame and acknowledgement.
 */
#include <kernel/cpu.h>

#include "gdb.h"

/* in the order they are tried: the one asked for first, COM2 last */
static const struct gdb_transport *const gdb_serial_all[] = {
	&gdb_virtio_transport,
	&gdb_uart_transport,
};

static const struct gdb_transport *gdb_serial_tr;

bool gdb_serial_init(const char *transport)
{
	const struct gdb_transport *t;
	size_t i;

	for (i = 0; i < sizeof(gdb_serial_all) / sizeof(gdb_serial_all[0]);
	     i++) {
		t = gdb_serial_all[i];
		/* COM2 is the fallback whatever was asked for */
		if (t != &gdb_uart_transport &&
		    !(transport && gdb_util_streq(transport, t->name)))
			continue;
		if (t->init()) {
			gdb_serial_tr = t;
			return true;
		}
	}
	return false;
}

const struct gdb_transport *gdb_serial_transport(void)
{
	return gdb_serial_tr;
}

int gdb_serial_poll(void)
{
	return gdb_serial_tr->poll();
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
	gdb_serial_tr->putc(c);
}

void gdb_serial_flush(void)
{
	if (gdb_serial_tr->flush)
		gdb_serial_tr->flush();
}

void gdb_serial_rx_irq(bool on)
{
	gdb_serial_tr->rx_irq(on);
}

bool gdb_serial_unannounced(void)
{
	return gdb_serial_tr->pending && gdb_serial_tr->pending();
}

void gdb_serial_irq_ack(void)
{
	if (gdb_serial_tr->irq_ack)
		gdb_serial_tr->irq_ack();
}
