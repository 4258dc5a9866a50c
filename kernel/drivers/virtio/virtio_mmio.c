/*
 * The virtio-mmio transport, version 2 only (virtio 1.2, 4.2.2). Devices
 * are found two ways: the "virtio_mmio.device=<size>@<addr>:<irq>" words a
 * VMM puts on the kernel command line (Firecracker always, QEMU's microvm
 * with acpi=off), and a scan of QEMU microvm's window of 512-byte slots at
 * 0xfeb00000 for the magic, which needs no command line at all. A slot with
 * device id 0 is empty. Version 1 is the legacy interface, which QEMU uses
 * unless told `-global virtio-mmio.force-legacy=false`: we refuse it loudly.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <kernel/boot.h>
#include <kernel/virtio.h>
#include <kernel/virtio_mmio.h>

#define VIRTIO_MMIO_HINTS 8	/* devices named on the command line */
#define VIRTIO_MMIO_HINT "virtio_mmio.device="

/* debug/gdbstub.c, weak: a kernel may be built without the stub */
extern unsigned long gdbstub_virtio_mmio(void) __attribute__((weak));

static struct virtio_dev virtio_mmio_devs[VIRTIO_MMIO_SLOTS +
					  VIRTIO_MMIO_HINTS];
static unsigned int virtio_mmio_count;
/* every transport looked at, so that the scan skips what a hint named */
static unsigned long virtio_mmio_seen[VIRTIO_MMIO_SLOTS + VIRTIO_MMIO_HINTS];
static unsigned int virtio_mmio_nseen;

static uint32_t virtio_mmio_read(struct virtio_dev *dev, unsigned int reg)
{
	return *(volatile uint32_t *)(dev->regs + reg);
}

static void virtio_mmio_write(struct virtio_dev *dev, unsigned int reg,
			      uint32_t v)
{
	*(volatile uint32_t *)(dev->regs + reg) = v;
}

/* 64-bit values are LOW/HIGH register pairs, HIGH 4 bytes above (4.2.2) */
static void virtio_mmio_write64(struct virtio_dev *dev, unsigned int reg_low,
				uint64_t v)
{
	virtio_mmio_write(dev, reg_low, (uint32_t)v);
	virtio_mmio_write(dev, reg_low + 4, (uint32_t)(v >> 32));
}

static uint8_t virtio_mmio_get_status(struct virtio_dev *dev)
{
	return (uint8_t)virtio_mmio_read(dev, VIRTIO_MMIO_STATUS);
}

static void virtio_mmio_set_status(struct virtio_dev *dev, uint8_t status)
{
	virtio_mmio_write(dev, VIRTIO_MMIO_STATUS, status);
}

static uint32_t virtio_mmio_get_features(struct virtio_dev *dev,
					 unsigned int word)
{
	virtio_mmio_write(dev, VIRTIO_MMIO_DEVICE_FEATURES_SEL, word);
	return virtio_mmio_read(dev, VIRTIO_MMIO_DEVICE_FEATURES);
}

static void virtio_mmio_set_features(struct virtio_dev *dev,
				     unsigned int word, uint32_t bits)
{
	virtio_mmio_write(dev, VIRTIO_MMIO_DRIVER_FEATURES_SEL, word);
	virtio_mmio_write(dev, VIRTIO_MMIO_DRIVER_FEATURES, bits);
}

static uint32_t virtio_mmio_config_generation(struct virtio_dev *dev)
{
	return virtio_mmio_read(dev, VIRTIO_MMIO_CONFIG_GENERATION);
}

static volatile uint8_t *virtio_mmio_config(struct virtio_dev *dev)
{
	return dev->regs + VIRTIO_MMIO_CONFIG;
}

static unsigned int virtio_mmio_queue_max(struct virtio_dev *dev,
					  unsigned int index)
{
	virtio_mmio_write(dev, VIRTIO_MMIO_QUEUE_SEL, index);
	/* a queue that is already live is not ours to set up (4.2.3.2) */
	if (virtio_mmio_read(dev, VIRTIO_MMIO_QUEUE_READY))
		return 0;
	return virtio_mmio_read(dev, VIRTIO_MMIO_QUEUE_NUM_MAX);
}

static int virtio_mmio_queue_enable(struct virtio_dev *dev,
				    unsigned int index, unsigned int size,
				    uint64_t desc, uint64_t driver,
				    uint64_t device)
{
	virtio_mmio_write(dev, VIRTIO_MMIO_QUEUE_SEL, index);
	virtio_mmio_write(dev, VIRTIO_MMIO_QUEUE_NUM, size);
	virtio_mmio_write64(dev, VIRTIO_MMIO_QUEUE_DESC_LOW, desc);
	virtio_mmio_write64(dev, VIRTIO_MMIO_QUEUE_DRIVER_LOW, driver);
	virtio_mmio_write64(dev, VIRTIO_MMIO_QUEUE_DEVICE_LOW, device);
	virtio_mmio_write(dev, VIRTIO_MMIO_QUEUE_READY, 1);
	return 0;
}

static void virtio_mmio_queue_notify(struct virtio_dev *dev,
				     unsigned int index)
{
	virtio_mmio_write(dev, VIRTIO_MMIO_QUEUE_NOTIFY, index);
}

static uint32_t virtio_mmio_isr_ack(struct virtio_dev *dev)
{
	uint32_t isr = virtio_mmio_read(dev, VIRTIO_MMIO_INTERRUPT_STATUS);

	if (isr)
		virtio_mmio_write(dev, VIRTIO_MMIO_INTERRUPT_ACK, isr);
	return isr;
}

static const struct virtio_transport virtio_mmio_transport = {
	.name = "mmio",
	.get_status = virtio_mmio_get_status,
	.set_status = virtio_mmio_set_status,
	.get_features = virtio_mmio_get_features,
	.set_features = virtio_mmio_set_features,
	.config_generation = virtio_mmio_config_generation,
	.config = virtio_mmio_config,
	.queue_max = virtio_mmio_queue_max,
	.queue_enable = virtio_mmio_queue_enable,
	.queue_notify = virtio_mmio_queue_notify,
	.isr_ack = virtio_mmio_isr_ack,
};

static void virtio_mmio_name(struct virtio_dev *dev, unsigned long addr)
{
	static const char prefix[] = "virtio-mmio@0x";
	static const char hex[] = "0123456789abcdef";
	unsigned int i, n = 0;
	int shift;

	for (i = 0; prefix[i]; i++)
		dev->name[n++] = prefix[i];
	for (shift = 28; shift >= 0; shift -= 4)
		dev->name[n++] = hex[(addr >> shift) & 0xf];
	dev->name[n] = '\0';
}

/* Registers the device at `addr` if it is a modern one; true if the
 * address holds a virtio-mmio transport at all. */
static bool virtio_mmio_attach(unsigned long addr, unsigned int gsi)
{
	struct virtio_dev *dev = &virtio_mmio_devs[virtio_mmio_count];
	uint32_t version, id;

	dev->regs = (volatile uint8_t *)addr;
	if (virtio_mmio_read(dev, VIRTIO_MMIO_MAGIC) != VIRTIO_MMIO_MAGIC_VALUE)
		return false;
	if (virtio_mmio_nseen < VIRTIO_MMIO_SLOTS + VIRTIO_MMIO_HINTS)
		virtio_mmio_seen[virtio_mmio_nseen++] = addr;
	id = virtio_mmio_read(dev, VIRTIO_MMIO_DEVICE_ID);
	/* empty, or the gdbstub's own console (a reset would cut gdb off) */
	if (id == 0 || (gdbstub_virtio_mmio && gdbstub_virtio_mmio() == addr))
		return true;
	virtio_mmio_name(dev, addr);
	version = virtio_mmio_read(dev, VIRTIO_MMIO_VERSION);
	if (version != 2) {
		virtio_log("%s: legacy virtio-mmio (version %u) device %u refused; run QEMU with -global virtio-mmio.force-legacy=false\n",
			   dev->name, version, id);
		return true;
	}
	dev->tr = &virtio_mmio_transport;
	dev->device_id = id;
	dev->gsi = gsi;
	/* the line stays high until InterruptACK clears the status */
	dev->level = true;
	virtio_mmio_count++;
	virtio_add(dev);
	return true;
}

static bool virtio_mmio_known(unsigned long addr)
{
	unsigned int i;

	for (i = 0; i < virtio_mmio_nseen; i++)
		if (virtio_mmio_seen[i] == addr)
			return true;
	return false;
}

/*
 * The Linux convention "virtio_mmio.device=<size>[KM]@<addr>:<irq>[:<id>]"
 * (Documentation/admin-guide/kernel-parameters.txt). Malformed words and
 * addresses without the magic are ignored.
 */
static void virtio_mmio_hints(const char *cmdline)
{
	const char *p = cmdline;
	unsigned int n = 0;

	while ((p = strstr(p, VIRTIO_MMIO_HINT)) != NULL &&
	       n < VIRTIO_MMIO_HINTS) {
		unsigned long addr, irq;
		char *end;

		p += strlen(VIRTIO_MMIO_HINT);
		/* the size: every slot has its own */
		strtoul(p, &end, 0);
		if (*end == 'K' || *end == 'k' || *end == 'M' || *end == 'm')
			end++;
		if (*end != '@')
			continue;
		addr = strtoul(end + 1, &end, 0);
		if (*end != ':')
			continue;
		irq = strtoul(end + 1, &end, 0);
		if (irq >= 256 || addr == 0 || addr >= (1ul << 32) ||
		    virtio_mmio_known(addr))
			continue;
		if (virtio_mmio_attach(addr, (unsigned int)irq))
			n++;
	}
}

/* Registers every modern device named on the command line or found in the
 * microvm window. */
void virtio_mmio_probe(void)
{
	unsigned int i;

	virtio_mmio_hints(boot_info.cmdline);
	for (i = 0; i < VIRTIO_MMIO_SLOTS; i++) {
		unsigned long addr = VIRTIO_MMIO_BASE + i * VIRTIO_MMIO_SLOT;

		if (virtio_mmio_known(addr))
			continue;
		/* slots are contiguous: the first without magic ends them */
		if (!virtio_mmio_attach(addr, VIRTIO_MMIO_GSI_BASE + i))
			break;
	}
}
