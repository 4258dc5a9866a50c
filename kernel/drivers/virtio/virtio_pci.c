/*
 * The virtio PCI transport, modern interface only (virtio 1.2, 4.1). Vendor
 * 0x1af4 functions come from the PCI scan (drivers/pci/); the
 * vendor-specific capabilities (4.1.4) locate the common configuration,
 * notification, ISR and device configuration structures inside memory BARs.
 * A function without them is legacy-only and refused. Interrupts are MSI-X
 * to the boot CPU, or INTx as drivers/pci/ routes it.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <kernel/cmdline.h>
#include <kernel/lapic.h>
#include <kernel/pci.h>
#include <kernel/virtio.h>

#define VIRTIO_PCI_VENDOR 0x1af4
#define VIRTIO_PCI_DEVICE_FIRST 0x1000
#define VIRTIO_PCI_DEVICE_MODERN 0x1040	/* 0x1040 + type (4.1.2.1) */
#define VIRTIO_PCI_DEVICE_LAST 0x107f

/* virtio_pci_cap fields (4.1.4) */
#define VIRTIO_PCI_CAP_CFG_TYPE 3
#define VIRTIO_PCI_CAP_BAR 4
#define VIRTIO_PCI_CAP_OFFSET 8
#define VIRTIO_PCI_CAP_LENGTH 12
#define VIRTIO_PCI_NOTIFY_CAP_MULT 16
/* cfg_type values */
#define VIRTIO_PCI_CAP_COMMON_CFG 1
#define VIRTIO_PCI_CAP_NOTIFY_CFG 2
#define VIRTIO_PCI_CAP_ISR_CFG 3
#define VIRTIO_PCI_CAP_DEVICE_CFG 4

/* struct virtio_pci_common_cfg (4.1.4.3) */
#define VIRTIO_PCI_DEVICE_FEATURE_SELECT 0x00
#define VIRTIO_PCI_DEVICE_FEATURE 0x04
#define VIRTIO_PCI_DRIVER_FEATURE_SELECT 0x08
#define VIRTIO_PCI_DRIVER_FEATURE 0x0c
#define VIRTIO_PCI_NUM_QUEUES 0x12
#define VIRTIO_PCI_DEVICE_STATUS 0x14
#define VIRTIO_PCI_CONFIG_GENERATION 0x15
#define VIRTIO_PCI_CONFIG_MSIX_VECTOR 0x10
#define VIRTIO_PCI_QUEUE_SELECT 0x16
#define VIRTIO_PCI_QUEUE_SIZE 0x18
#define VIRTIO_PCI_QUEUE_MSIX_VECTOR 0x1a
#define VIRTIO_PCI_QUEUE_ENABLE 0x1c
#define VIRTIO_PCI_QUEUE_NOTIFY_OFF 0x1e
#define VIRTIO_PCI_QUEUE_DESC 0x20
#define VIRTIO_PCI_QUEUE_DRIVER 0x28
#define VIRTIO_PCI_QUEUE_DEVICE 0x30

#define VIRTIO_MSI_NO_VECTOR 0xffff

/* Our vectors for MSI-X, one per function, clear of the IOAPIC's range */
#define VIRTIO_MSIX_VECTOR_BASE 0xd0

#define VIRTIO_PCI_MAX_DEVS 16

static struct virtio_dev virtio_pci_devs[VIRTIO_PCI_MAX_DEVS];
static unsigned int virtio_pci_count;
static bool virtio_pci_msix_off;

static volatile uint8_t *virtio_pci_common(struct virtio_dev *dev,
					   unsigned int off)
{
	return dev->common + off;
}

static void virtio_pci_w32(struct virtio_dev *dev, unsigned int off,
			   uint32_t v)
{
	*(volatile uint32_t *)virtio_pci_common(dev, off) = v;
}

static void virtio_pci_w16(struct virtio_dev *dev, unsigned int off,
			   uint16_t v)
{
	*(volatile uint16_t *)virtio_pci_common(dev, off) = v;
}

/* 64-bit fields may be written as two 32-bit halves, low first (4.1.3.1) */
static void virtio_pci_w64(struct virtio_dev *dev, unsigned int off,
			   uint64_t v)
{
	virtio_pci_w32(dev, off, (uint32_t)v);
	virtio_pci_w32(dev, off + 4, (uint32_t)(v >> 32));
}

static uint32_t virtio_pci_r32(struct virtio_dev *dev, unsigned int off)
{
	return *(volatile uint32_t *)virtio_pci_common(dev, off);
}

static uint16_t virtio_pci_r16(struct virtio_dev *dev, unsigned int off)
{
	return *(volatile uint16_t *)virtio_pci_common(dev, off);
}

static uint8_t virtio_pci_get_status(struct virtio_dev *dev)
{
	return *virtio_pci_common(dev, VIRTIO_PCI_DEVICE_STATUS);
}

static void virtio_pci_set_status(struct virtio_dev *dev, uint8_t status)
{
	*virtio_pci_common(dev, VIRTIO_PCI_DEVICE_STATUS) = status;
}

static uint32_t virtio_pci_get_features(struct virtio_dev *dev,
					unsigned int word)
{
	virtio_pci_w32(dev, VIRTIO_PCI_DEVICE_FEATURE_SELECT, word);
	return virtio_pci_r32(dev, VIRTIO_PCI_DEVICE_FEATURE);
}

static void virtio_pci_set_features(struct virtio_dev *dev, unsigned int word,
				    uint32_t bits)
{
	virtio_pci_w32(dev, VIRTIO_PCI_DRIVER_FEATURE_SELECT, word);
	virtio_pci_w32(dev, VIRTIO_PCI_DRIVER_FEATURE, bits);
}

static uint32_t virtio_pci_config_generation(struct virtio_dev *dev)
{
	return *virtio_pci_common(dev, VIRTIO_PCI_CONFIG_GENERATION);
}

/* NULL when the function has no device configuration capability */
static volatile uint8_t *virtio_pci_config(struct virtio_dev *dev)
{
	return dev->device_cfg;
}

static unsigned int virtio_pci_queue_max(struct virtio_dev *dev,
					 unsigned int index)
{
	if (index >= VIRTIO_MAX_QUEUES ||
	    index >= virtio_pci_r16(dev, VIRTIO_PCI_NUM_QUEUES))
		return 0;
	virtio_pci_w16(dev, VIRTIO_PCI_QUEUE_SELECT, (uint16_t)index);
	if (virtio_pci_r16(dev, VIRTIO_PCI_QUEUE_ENABLE))
		return 0;
	return virtio_pci_r16(dev, VIRTIO_PCI_QUEUE_SIZE);
}

static int virtio_pci_queue_enable(struct virtio_dev *dev, unsigned int index,
				   unsigned int size, uint64_t desc,
				   uint64_t driver, uint64_t device)
{
	virtio_pci_w16(dev, VIRTIO_PCI_QUEUE_SELECT, (uint16_t)index);
	virtio_pci_w16(dev, VIRTIO_PCI_QUEUE_SIZE, (uint16_t)size);
	virtio_pci_w64(dev, VIRTIO_PCI_QUEUE_DESC, desc);
	virtio_pci_w64(dev, VIRTIO_PCI_QUEUE_DRIVER, driver);
	virtio_pci_w64(dev, VIRTIO_PCI_QUEUE_DEVICE, device);
	dev->notify_off[index] =
		virtio_pci_r16(dev, VIRTIO_PCI_QUEUE_NOTIFY_OFF);
	if (dev->msix_vector) {
		/* every queue signals MSI-X table entry 0 */
		virtio_pci_w16(dev, VIRTIO_PCI_QUEUE_MSIX_VECTOR, 0);
		/* reads back NO_VECTOR when the device has none for it */
		if (virtio_pci_r16(dev, VIRTIO_PCI_QUEUE_MSIX_VECTOR) != 0)
			return -EIO;
	}
	virtio_pci_w16(dev, VIRTIO_PCI_QUEUE_ENABLE, 1);
	return 0;
}

static void virtio_pci_queue_notify(struct virtio_dev *dev, unsigned int index)
{
	uint32_t off = (uint32_t)dev->notify_off[index] * dev->notify_mult;
	volatile uint8_t *p = dev->notify + off;

	*(volatile uint16_t *)p = (uint16_t)index;
}

/* Reading the ISR byte acknowledges it and deasserts INTx (4.1.4.5) */
static uint32_t virtio_pci_isr_ack(struct virtio_dev *dev)
{
	return *dev->isr;
}

static const struct virtio_transport virtio_pci_transport = {
	.name = "pci",
	.get_status = virtio_pci_get_status,
	.set_status = virtio_pci_set_status,
	.get_features = virtio_pci_get_features,
	.set_features = virtio_pci_set_features,
	.config_generation = virtio_pci_config_generation,
	.config = virtio_pci_config,
	.queue_max = virtio_pci_queue_max,
	.queue_enable = virtio_pci_queue_enable,
	.queue_notify = virtio_pci_queue_notify,
	.isr_ack = virtio_pci_isr_ack,
};

/*
 * Queue interrupts through MSI-X to this CPU, when the function has it:
 * they bypass the IOAPIC and need no ISR read (4.1.4.5). false: INTx.
 */
static bool virtio_pci_msix(struct virtio_dev *dev, unsigned int bdf)
{
	uint8_t vector = VIRTIO_MSIX_VECTOR_BASE + virtio_pci_count;

	if (!pci_msix_enable(bdf, vector, lapic_id()))
		return false;
	dev->msix_vector = vector;
	/* configuration changes: not used */
	virtio_pci_w16(dev, VIRTIO_PCI_CONFIG_MSIX_VECTOR,
		       VIRTIO_MSI_NO_VECTOR);
	return true;
}

/* Maps the region a virtio capability describes; NULL if unusable. */
static volatile uint8_t *virtio_pci_cap_region(unsigned int bdf,
					       unsigned int cap)
{
	unsigned int bar = pci_read8(bdf, cap + VIRTIO_PCI_CAP_BAR);
	uint32_t offset = pci_read32(bdf, cap + VIRTIO_PCI_CAP_OFFSET);
	uint32_t length = pci_read32(bdf, cap + VIRTIO_PCI_CAP_LENGTH);
	uint64_t base;

	if (bar > 5)
		return NULL;
	base = pci_bar_address(bdf, bar);
	if (!base)
		return NULL;
	return pci_map(base + offset, length);
}

static void virtio_pci_name(struct virtio_dev *dev, unsigned int bdf)
{
	static const char hex[] = "0123456789abcdef";
	static const char prefix[] = "virtio-pci@";
	unsigned int n = 0, i;

	for (i = 0; prefix[i]; i++)
		dev->name[n++] = prefix[i];
	dev->name[n++] = hex[(PCI_BDF_BUS(bdf) >> 4) & 0xf];
	dev->name[n++] = hex[PCI_BDF_BUS(bdf) & 0xf];
	dev->name[n++] = ':';
	dev->name[n++] = hex[PCI_BDF_DEV(bdf) >> 4];
	dev->name[n++] = hex[PCI_BDF_DEV(bdf) & 0xf];
	dev->name[n++] = '.';
	dev->name[n++] = hex[PCI_BDF_FN(bdf)];
	dev->name[n] = '\0';
}

static void virtio_pci_attach(unsigned int bdf, uint16_t vendor,
			      uint16_t device, const struct pci_route *route)
{
	struct virtio_dev *dev;
	unsigned int cap = 0;
	uint16_t cmd;

	if (vendor != VIRTIO_PCI_VENDOR || device < VIRTIO_PCI_DEVICE_FIRST ||
	    device > VIRTIO_PCI_DEVICE_LAST)
		return;
	if (virtio_pci_count == VIRTIO_PCI_MAX_DEVS)
		return;
	dev = &virtio_pci_devs[virtio_pci_count];
	virtio_pci_name(dev, bdf);
	dev->device_id = device >= VIRTIO_PCI_DEVICE_MODERN ?
				 device - VIRTIO_PCI_DEVICE_MODERN :
				 pci_read16(bdf, PCI_SUBSYSTEM_ID);

	/* the first capability of each type is the preferred one (4.1.4) */
	while ((cap = pci_find_cap(bdf, PCI_CAP_ID_VENDOR, cap)) != 0) {
		uint8_t type = pci_read8(bdf, cap + VIRTIO_PCI_CAP_CFG_TYPE);

		if (type == VIRTIO_PCI_CAP_COMMON_CFG && !dev->common) {
			dev->common = virtio_pci_cap_region(bdf, cap);
		} else if (type == VIRTIO_PCI_CAP_NOTIFY_CFG && !dev->notify) {
			dev->notify = virtio_pci_cap_region(bdf, cap);
			dev->notify_mult = pci_read32(
				bdf, cap + VIRTIO_PCI_NOTIFY_CAP_MULT);
		} else if (type == VIRTIO_PCI_CAP_ISR_CFG && !dev->isr) {
			dev->isr = virtio_pci_cap_region(bdf, cap);
		} else if (type == VIRTIO_PCI_CAP_DEVICE_CFG &&
			   !dev->device_cfg) {
			dev->device_cfg = virtio_pci_cap_region(bdf, cap);
		}
	}
	if (!dev->common || !dev->notify || !dev->isr) {
		virtio_log("%s: legacy-only virtio PCI device %#x refused (no modern capabilities); use disable-legacy=on or a newer QEMU\n",
			   dev->name, device);
		dev->common = dev->notify = dev->isr = dev->device_cfg = NULL;
		return;
	}

	/* memory decoding, bus mastering (it DMAs to our rings), INTx */
	cmd = pci_read16(bdf, PCI_COMMAND);
	cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	cmd &= (uint16_t)~PCI_COMMAND_INTX_DISABLE;
	pci_write16(bdf, PCI_COMMAND, cmd);

	dev->tr = &virtio_pci_transport;
	dev->pci_bdf = bdf;
	dev->gsi = pci_intx_gsi(bdf, route);
	dev->level = true;	/* INTx is level-triggered */
	if (!virtio_pci_msix_off)
		virtio_pci_msix(dev, bdf);
	virtio_pci_count++;
	virtio_add(dev);
}

void virtio_pci_probe(void)
{
	/* minnow.virtio.msix=off: INTx through the IOAPIC instead */
	const char *msix = cmdline_option("virtio.msix");

	virtio_pci_msix_off = msix && strcmp(msix, "off") == 0;
	pci_scan(virtio_pci_attach);
}
