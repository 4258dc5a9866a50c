/*
 * Transport over a virtio console (virtio 1.2, 5.3) on virtio-mmio, the
 * fast path on microvm: a whole packet leaves in one queue notification,
 * where the UART costs a port access and a send() in QEMU per byte
 * (notes/machine.md: 10-25x the UART's throughput).
 *
 * This is a driver of its own, polled, with its rings and buffers in pages
 * taken once at boot, and not drivers/virtio*: the user may put a
 * breakpoint anywhere in those, and the stub must never run into one. It
 * speaks only what it needs: the modern MMIO interface (version 2), no
 * feature but VERSION_1 (so no MULTIPORT: port 0 on queues 0 and 1).
 *
 * Which device: the runner adds the stub's virtio-serial device before any
 * other virtio device, and QEMU's microvm fills its MMIO slots from the
 * top, so the stub takes the console in the highest slot; the virtio core
 * then skips that slot (gdbstub_virtio_mmio()), leaving any other console
 * to the application's driver.
 */
#include <kernel/cpu.h>
#include <kernel/page.h>
#include <kernel/virtio.h>
#include <kernel/virtio_mmio.h>
#include <kernel/virtq.h>

#include "gdb.h"

#define RXQ 0			/* port 0's receiveq */
#define TXQ 1			/* port 0's transmitq */
#define RX_BUFS 8		/* receive buffers (and queue size) */
#define RX_BUF_SIZE 512
#define TX_QSIZE 2
/* a whole frame of the largest reply: '$', payload, '#', two digits */
#define TX_BUF_SIZE PAGE_ROUND_UP(GDB_PACKET_SIZE + 4)

/* Spins before a device that never returns a transmit buffer is given up */
#define TX_SPIN_MAX (1ul << 28)

/* One split virtqueue, laid out in the page of its own (2.7). */
struct gdb_vq {
	volatile struct virtq_desc *desc;
	volatile struct virtq_avail *avail;
	volatile struct virtq_used *used;
	uint16_t size;
	uint16_t avail_idx;	/* next avail->idx we publish */
	uint16_t last_used;	/* next used entry to look at */
};

static struct {
	volatile uint8_t *regs;	/* 0: no device */
	unsigned int gsi;
	struct gdb_vq rx, tx;
	uint8_t *rx_bufs;	/* RX_BUFS * RX_BUF_SIZE */
	uint8_t *tx_buf;	/* TX_BUF_SIZE */
	size_t tx_len;
	/* the receive buffer being read: descriptor, bytes, position */
	int rx_cur;		/* -1: none */
	uint32_t rx_len, rx_pos;
	bool broken;		/* the device misbehaved: no more I/O */
} gdb_vio = { .rx_cur = -1 };

#define barrier() __asm__ volatile("" ::: "memory")

static uint32_t gdb_virtio_rd(unsigned int reg)
{
	return *(volatile uint32_t *)(gdb_vio.regs + reg);
}

static void gdb_virtio_wr(unsigned int reg, uint32_t v)
{
	*(volatile uint32_t *)(gdb_vio.regs + reg) = v;
}

static void gdb_virtio_wr64(unsigned int reg, uint64_t v)
{
	gdb_virtio_wr(reg, (uint32_t)v);
	gdb_virtio_wr(reg + 4, (uint32_t)(v >> 32));
}

/* The highest slot holding a modern console, or 0. */
static unsigned long gdb_virtio_find(unsigned int *slot_out)
{
	unsigned long found = 0;
	unsigned int i;

	for (i = 0; i < VIRTIO_MMIO_SLOTS; i++) {
		volatile uint32_t *r =
			(volatile uint32_t *)(VIRTIO_MMIO_BASE + i * VIRTIO_MMIO_SLOT);

		/* slots are contiguous: the first without magic ends them */
		if (r[VIRTIO_MMIO_MAGIC / 4] != VIRTIO_MMIO_MAGIC_VALUE)
			break;
		if (r[VIRTIO_MMIO_DEVICE_ID / 4] == VIRTIO_ID_CONSOLE &&
		    r[VIRTIO_MMIO_VERSION / 4] == 2) {
			found = VIRTIO_MMIO_BASE + i * VIRTIO_MMIO_SLOT;
			*slot_out = i;
		}
	}
	return found;
}

/*
 * Lays a queue of `size` entries out in one page: descriptors, then the
 * driver area, then the device area (4-byte aligned), and hands it to the
 * device. False when the device cannot take that many.
 */
static bool gdb_virtio_queue(struct gdb_vq *q, unsigned int index,
			     uint16_t size)
{
	uint8_t *page = page_alloc(1);
	size_t avail_at = sizeof(struct virtq_desc) * size;
	size_t used_at = (avail_at + 6 + 2 * size + 3) & ~3ul;

	if (!page)
		return false;
	gdb_virtio_wr(VIRTIO_MMIO_QUEUE_SEL, index);
	if (gdb_virtio_rd(VIRTIO_MMIO_QUEUE_READY) ||
	    gdb_virtio_rd(VIRTIO_MMIO_QUEUE_NUM_MAX) < size)
		return false;
	q->desc = (volatile struct virtq_desc *)page;
	q->avail = (volatile struct virtq_avail *)(page + avail_at);
	q->used = (volatile struct virtq_used *)(page + used_at);
	q->size = size;
	gdb_virtio_wr(VIRTIO_MMIO_QUEUE_NUM, size);
	gdb_virtio_wr64(VIRTIO_MMIO_QUEUE_DESC_LOW, (uintptr_t)q->desc);
	gdb_virtio_wr64(VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uintptr_t)q->avail);
	gdb_virtio_wr64(VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uintptr_t)q->used);
	gdb_virtio_wr(VIRTIO_MMIO_QUEUE_READY, 1);
	return true;
}

/* Makes descriptor `id` available to the device (not yet notified). */
static void gdb_virtio_offer(struct gdb_vq *q, uint16_t id)
{
	q->avail->ring[q->avail_idx % q->size] = id;
	barrier();
	q->avail_idx++;
	q->avail->idx = q->avail_idx;
	barrier();
}

static void gdb_virtio_rx_post(uint16_t id)
{
	gdb_virtio_offer(&gdb_vio.rx, id);
	gdb_virtio_wr(VIRTIO_MMIO_QUEUE_NOTIFY, RXQ);
}

/*
 * The device handshake (3.1.1) and both queues of port 0, every receive
 * buffer offered. False (the device failed) when anything is refused.
 */
static bool gdb_virtio_setup(void)
{
	uint8_t status = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER;
	uint16_t i;

	gdb_virtio_wr(VIRTIO_MMIO_STATUS, 0);
	gdb_virtio_wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	gdb_virtio_wr(VIRTIO_MMIO_STATUS, status);
	gdb_virtio_wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	if (!(gdb_virtio_rd(VIRTIO_MMIO_DEVICE_FEATURES) &
	      (1u << (VIRTIO_F_VERSION_1 - 32))))
		return false;
	gdb_virtio_wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	gdb_virtio_wr(VIRTIO_MMIO_DRIVER_FEATURES, 0);
	gdb_virtio_wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	gdb_virtio_wr(VIRTIO_MMIO_DRIVER_FEATURES, 1u << (VIRTIO_F_VERSION_1 - 32));
	status |= VIRTIO_STATUS_FEATURES_OK;
	gdb_virtio_wr(VIRTIO_MMIO_STATUS, status);
	if (!(gdb_virtio_rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK))
		return false;

	gdb_vio.rx_bufs = page_alloc(RX_BUFS * RX_BUF_SIZE / PAGE_SIZE);
	gdb_vio.tx_buf = page_alloc(TX_BUF_SIZE / PAGE_SIZE);
	if (!gdb_vio.rx_bufs || !gdb_vio.tx_buf ||
	    !gdb_virtio_queue(&gdb_vio.rx, RXQ, RX_BUFS) ||
	    !gdb_virtio_queue(&gdb_vio.tx, TXQ, TX_QSIZE))
		return false;
	/* transmit completions are polled, never interrupt */
	gdb_vio.tx.avail->flags = VIRTQ_AVAIL_F_NO_INTERRUPT;
	for (i = 0; i < RX_BUFS; i++) {
		gdb_vio.rx.desc[i].addr =
			(uintptr_t)gdb_vio.rx_bufs + i * RX_BUF_SIZE;
		gdb_vio.rx.desc[i].len = RX_BUF_SIZE;
		gdb_vio.rx.desc[i].flags = VIRTQ_DESC_F_WRITE;
		gdb_virtio_offer(&gdb_vio.rx, i);
	}
	gdb_vio.tx.desc[0].addr = (uintptr_t)gdb_vio.tx_buf;
	gdb_virtio_wr(VIRTIO_MMIO_STATUS, status | VIRTIO_STATUS_DRIVER_OK);
	gdb_virtio_wr(VIRTIO_MMIO_QUEUE_NOTIFY, RXQ);
	return true;
}

static bool gdb_virtio_init(void)
{
	unsigned int slot = 0;
	unsigned long base = gdb_virtio_find(&slot);

	if (!base)
		return false;
	gdb_vio.regs = (volatile uint8_t *)base;
	gdb_vio.gsi = VIRTIO_MMIO_GSI_BASE + slot;
	if (!gdb_virtio_setup()) {
		gdb_virtio_wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_FAILED);
		gdb_vio.regs = 0;
		return false;
	}
	return true;
}

unsigned long gdb_virtio_base(void)
{
	return (unsigned long)gdb_vio.regs;
}

static unsigned int gdb_virtio_gsi(void)
{
	return gdb_vio.gsi;
}

/* Next received byte, or -1 when none is waiting. */
static int gdb_virtio_poll(void)
{
	struct gdb_vq *q = &gdb_vio.rx;
	uint8_t c;

	while (gdb_vio.rx_cur < 0) {
		uint16_t used = q->used->idx;
		uint32_t id, len;

		barrier();
		if (used == q->last_used || gdb_vio.broken)
			return -1;
		/* more than was offered, or nonsense: stop trusting it */
		if ((uint16_t)(q->avail_idx - used) > q->size) {
			gdb_vio.broken = true;
			return -1;
		}
		id = q->used->ring[q->last_used % q->size].id;
		len = q->used->ring[q->last_used % q->size].len;
		q->last_used++;
		if (id >= RX_BUFS || len > RX_BUF_SIZE) {
			gdb_vio.broken = true;
			return -1;
		}
		if (len == 0) {
			gdb_virtio_rx_post((uint16_t)id);
			continue;
		}
		gdb_vio.rx_cur = (int)id;
		gdb_vio.rx_len = len;
		gdb_vio.rx_pos = 0;
	}
	c = gdb_vio.rx_bufs[gdb_vio.rx_cur * RX_BUF_SIZE + gdb_vio.rx_pos++];
	if (gdb_vio.rx_pos == gdb_vio.rx_len) {
		/* read to its end: back to the device */
		gdb_virtio_rx_post((uint16_t)gdb_vio.rx_cur);
		gdb_vio.rx_cur = -1;
	}
	return c;
}

/*
 * Sends what putc gathered as one buffer and waits until the device is
 * done with it (QEMU writes it to the socket during the notification).
 */
static void gdb_virtio_flush(void)
{
	struct gdb_vq *q = &gdb_vio.tx;
	unsigned long spins;

	if (gdb_vio.tx_len == 0 || gdb_vio.broken) {
		gdb_vio.tx_len = 0;
		return;
	}
	q->desc[0].len = (uint32_t)gdb_vio.tx_len;
	q->desc[0].flags = 0;
	gdb_virtio_offer(q, 0);
	gdb_virtio_wr(VIRTIO_MMIO_QUEUE_NOTIFY, TXQ);
	for (spins = 0; q->used->idx != q->avail_idx; spins++) {
		if (spins == TX_SPIN_MAX) {
			gdb_vio.broken = true;
			break;
		}
		cpu_relax();
	}
	barrier();
	q->last_used = q->avail_idx;
	gdb_vio.tx_len = 0;
}

static void gdb_virtio_putc(char c)
{
	if (gdb_vio.tx_len == TX_BUF_SIZE)
		gdb_virtio_flush();
	gdb_vio.tx_buf[gdb_vio.tx_len++] = (uint8_t)c;
}

/* Receive interrupts on while the kernel runs, off while the stub polls. */
static void gdb_virtio_rx_irq(bool on)
{
	gdb_vio.rx.avail->flags = on ? 0 : VIRTQ_AVAIL_F_NO_INTERRUPT;
	/* the flag must be visible before gdb_virtio_pending() looks */
	__asm__ volatile("mfence" ::: "memory");
}

/*
 * Input that no interrupt will announce: what arrived while interrupts
 * were suppressed (the device raises one only for buffers it uses later).
 */
static bool gdb_virtio_pending(void)
{
	return gdb_vio.rx_cur >= 0 || gdb_vio.rx.used->idx != gdb_vio.rx.last_used;
}

/* The line is level-triggered: it stays up until the status is acked. */
static void gdb_virtio_irq_ack(void)
{
	uint32_t isr = gdb_virtio_rd(VIRTIO_MMIO_INTERRUPT_STATUS);

	if (isr)
		gdb_virtio_wr(VIRTIO_MMIO_INTERRUPT_ACK, isr);
}

const struct gdb_transport gdb_virtio_transport = {
	.name = "virtio",
	.init = gdb_virtio_init,
	.poll = gdb_virtio_poll,
	.putc = gdb_virtio_putc,
	.flush = gdb_virtio_flush,
	.rx_irq = gdb_virtio_rx_irq,
	.pending = gdb_virtio_pending,
	.irq_ack = gdb_virtio_irq_ack,
	.gsi = gdb_virtio_gsi,
	.level = true,	/* virtio-mmio's line stays up until acknowledged */
};
