/*
 * The virtio PCI transport, modern interface only (virtio 1.2, 4.1). Vendor
 * 0x1af4 functions are found by walking bus 0 and the buses behind bridges;
 * the vendor-specific capabilities (4.1.4) locate the common configuration,
 * notification, ISR and device configuration structures inside memory BARs.
 * A function without them is legacy-only and refused. Interrupts are INTx,
 * routed the way QEMU's chipsets wire them (see virtio_pci_gsi).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <kernel/cmdline.h>
#include <kernel/paging.h>
#include <kernel/virtio.h>
#include "pci.h"

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

/* MSI-X capability and table (PCI Local Bus 3.0, 6.8.2) */
#define PCI_MSIX_CTRL 2
#define PCI_MSIX_CTRL_ENABLE 0x8000
#define PCI_MSIX_CTRL_MASKALL 0x4000
#define PCI_MSIX_TABLE 4
#define PCI_MSIX_BIR_MASK 0x7
#define PCI_MSIX_ENTRY_ADDR_LO 0
#define PCI_MSIX_ENTRY_ADDR_HI 4
#define PCI_MSIX_ENTRY_DATA 8
#define PCI_MSIX_ENTRY_CTRL 12
/* MSI address: the local APIC window with the destination APIC id in
 * bits 19:12; data: the vector, fixed delivery, edge (Intel SDM 3, 11.11) */
#define MSI_ADDR_BASE 0xfee00000u
#define MSI_ADDR_DEST_SHIFT 12
#define LAPIC_ID_REG 0xfee00020u
/* Our vectors for MSI-X, one per function, clear of the IOAPIC's range */
#define VIRTIO_MSIX_VECTOR_BASE 0xd0

/* QEMU's host bridges, to know how INTx reaches the IOAPIC */
#define PCI_ID_Q35_MCH 0x29c08086u

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
 * How INTx travels to bus 0: behind bridges each hop rotates the pin by the
 * slot number (the PCI-to-PCI bridge swizzle, PCI-PCI Bridge spec 9.1), and
 * the bridge on bus 0 (root_slot) presents it in its own slot.
 */
struct virtio_pci_route {
	int root_slot;		/* -1: the function is on bus 0 itself */
	unsigned int swizzle;	/* sum of the slots below the root bridge */
};

/*
 * The IOAPIC input of a function's INTx pin. On q35 the ICH9 LPC maps slot
 * s, pin p (0 = INTA) of bus 0 to PIRQ[(s + p) % 4 + 4] for s < 25 by
 * default, and PIRQ A..H drive GSI 16..23 in APIC mode (QEMU
 * hw/isa/lpc_ich9.c). Elsewhere trust the firmware's Interrupt Line.
 */
static unsigned int virtio_pci_gsi(unsigned int bdf,
				   const struct virtio_pci_route *route)
{
	unsigned int pin = pci_read8(bdf, PCI_INTERRUPT_PIN);
	unsigned int slot = PCI_BDF_DEV(bdf);

	if (pin == 0 || pin > 4)
		return 0;
	if (route->root_slot >= 0) {
		/* pin as it leaves the bridge on bus 0 (1 = INTA) */
		pin = (pin - 1 + slot + route->swizzle) % 4 + 1;
		slot = (unsigned int)route->root_slot;
	}
	if (pci_read32(PCI_BDF(0, 0, 0), PCI_VENDOR_ID) == PCI_ID_Q35_MCH &&
	    slot < 25)
		return 16 + (slot + pin - 1) % 4 + 4;
	return pci_read8(bdf, PCI_INTERRUPT_LINE);
}

/*
 * Device memory at `addr`: below 4 GiB it is mapped (uncached) since boot;
 * above, a BAR the firmware put there gets mapped now. NULL if that fails.
 */
static volatile uint8_t *virtio_pci_map(uint64_t addr, uint32_t length)
{
	if (addr + length > (1ull << 32) && paging_map_mmio(addr, length)) {
		virtio_log("virtio-pci: cannot map %#llx\n",
			   (unsigned long long)addr);
		return NULL;
	}
	return (volatile uint8_t *)(uintptr_t)addr;
}

/*
 * Points MSI-X table entry 0 at our vector on this CPU and enables MSI-X,
 * so that queue interrupts bypass the IOAPIC and need no ISR read (4.1.4.5).
 * Returns false (INTx stays in use) when the table is not reachable.
 */
static bool virtio_pci_msix(struct virtio_dev *dev, unsigned int bdf)
{
	unsigned int cap = pci_find_cap(bdf, PCI_CAP_ID_MSIX, 0);
	uint32_t table;
	uint64_t bar;
	volatile uint32_t *entry;
	uint16_t ctrl;
	uint32_t apic_id;

	if (!cap || virtio_pci_count >= 16)
		return false;
	table = pci_read32(bdf, cap + PCI_MSIX_TABLE);
	bar = pci_bar_address(bdf, table & PCI_MSIX_BIR_MASK);
	if (!bar)
		return false;
	/* entry 0 is all we use: 16 bytes */
	entry = (volatile uint32_t *)virtio_pci_map(
		bar + (table & ~PCI_MSIX_BIR_MASK), 16);
	if (!entry)
		return false;
	apic_id = *(volatile uint32_t *)(uintptr_t)LAPIC_ID_REG >> 24;
	dev->msix_vector = VIRTIO_MSIX_VECTOR_BASE + virtio_pci_count;
	entry[PCI_MSIX_ENTRY_ADDR_LO / 4] = MSI_ADDR_BASE |
					    apic_id << MSI_ADDR_DEST_SHIFT;
	entry[PCI_MSIX_ENTRY_ADDR_HI / 4] = 0;
	entry[PCI_MSIX_ENTRY_DATA / 4] = dev->msix_vector;
	entry[PCI_MSIX_ENTRY_CTRL / 4] = 0;	/* unmasked */
	ctrl = pci_read16(bdf, cap + PCI_MSIX_CTRL);
	ctrl |= PCI_MSIX_CTRL_ENABLE;
	ctrl &= (uint16_t)~PCI_MSIX_CTRL_MASKALL;
	pci_write16(bdf, cap + PCI_MSIX_CTRL, ctrl);
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
	return virtio_pci_map(base + offset, length);
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

static void virtio_pci_attach(unsigned int bdf, uint16_t device,
			      const struct virtio_pci_route *route)
{
	struct virtio_dev *dev;
	unsigned int cap = 0;
	uint16_t cmd;

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
	dev->gsi = virtio_pci_gsi(bdf, route);
	dev->level = true;	/* INTx is level-triggered */
	if (!virtio_pci_msix_off)
		virtio_pci_msix(dev, bdf);
	virtio_pci_count++;
	virtio_add(dev);
}

static void virtio_pci_scan_bus(unsigned int bus, unsigned int depth,
				const struct virtio_pci_route *route);

/* Scans the bus behind bridge `bdf` inside a window of its own. */
static void virtio_pci_scan_bridge(unsigned int bdf, unsigned int depth,
				   const struct virtio_pci_route *route)
{
	unsigned int sec = pci_read8(bdf, PCI_SECONDARY_BUS);
	struct virtio_pci_route below = *route;
	struct pci_window window, *prev;

	if (sec <= PCI_BDF_BUS(bdf) || depth >= 4)
		return;
	if (route->root_slot < 0)
		below.root_slot = (int)PCI_BDF_DEV(bdf);
	else
		below.swizzle += PCI_BDF_DEV(bdf);
	prev = pci_bridge_enter(bdf, &window);
	virtio_pci_scan_bus(sec, depth + 1, &below);
	pci_bridge_leave(prev);
}

static void virtio_pci_scan_bus(unsigned int bus, unsigned int depth,
				const struct virtio_pci_route *route)
{
	unsigned int slot, fn;

	for (slot = 0; slot < 32; slot++) {
		for (fn = 0; fn < 8; fn++) {
			unsigned int bdf = PCI_BDF(bus, slot, fn);
			uint32_t id = pci_read32(bdf, PCI_VENDOR_ID);
			uint16_t vendor = (uint16_t)id, device = id >> 16;
			uint8_t hdr;

			if (vendor == 0xffff || vendor == 0) {
				if (fn == 0)
					break;
				continue;
			}
			hdr = pci_read8(bdf, PCI_HEADER_TYPE);
			if ((hdr & 0x7f) == 1)
				virtio_pci_scan_bridge(bdf, depth, route);
			else if (vendor == VIRTIO_PCI_VENDOR &&
				 device >= VIRTIO_PCI_DEVICE_FIRST &&
				 device <= VIRTIO_PCI_DEVICE_LAST)
				virtio_pci_attach(bdf, device, route);
			if (fn == 0 && !(hdr & PCI_HEADER_MULTI))
				break;
		}
	}
}

void virtio_pci_probe(void)
{
	/* minnow.virtio.msix=off: INTx through the IOAPIC instead */
	const char *msix = cmdline_option("virtio.msix");

	virtio_pci_msix_off = msix && strcmp(msix, "off") == 0;
	/* no host bridge: not a PCI machine (microvm) */
	if (pci_read32(PCI_BDF(0, 0, 0), PCI_VENDOR_ID) == 0xffffffffu)
		return;
	virtio_pci_scan_bus(0, 0, &(struct virtio_pci_route){ -1, 0 });
}
