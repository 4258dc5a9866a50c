/* PCI configuration space, for the virtio PCI transport. Defined in pci.c. */
#ifndef VIRTIO_PCI_CONFIG_H
#define VIRTIO_PCI_CONFIG_H

#include <stdint.h>

/* Type 0 configuration header (PCI Local Bus 3.0, 6.1) */
#define PCI_VENDOR_ID 0x00
#define PCI_DEVICE_ID 0x02
#define PCI_COMMAND 0x04
#define PCI_COMMAND_MEMORY 0x0002
#define PCI_COMMAND_MASTER 0x0004
#define PCI_COMMAND_INTX_DISABLE 0x0400
#define PCI_STATUS 0x06
#define PCI_STATUS_CAP_LIST 0x0010
#define PCI_HEADER_TYPE 0x0e
#define PCI_HEADER_MULTI 0x80
#define PCI_BAR0 0x10
#define PCI_BAR_IO 0x1
#define PCI_BAR_TYPE_MASK 0x6
#define PCI_BAR_TYPE_64 0x4
/* type 1 (bridge) header */
#define PCI_SECONDARY_BUS 0x19
#define PCI_MEMORY_BASE 0x20
#define PCI_MEMORY_LIMIT 0x22
#define PCI_PREF_MEMORY_BASE 0x24
#define PCI_PREF_MEMORY_LIMIT 0x26
#define PCI_PREF_BASE_UPPER32 0x28
#define PCI_PREF_LIMIT_UPPER32 0x2c
#define PCI_SUBSYSTEM_ID 0x2e
#define PCI_CAP_PTR 0x34
#define PCI_INTERRUPT_LINE 0x3c
#define PCI_INTERRUPT_PIN 0x3d
#define PCI_CAP_ID_MSIX 0x11
#define PCI_CAP_ID_VENDOR 0x09

#define PCI_BDF(bus, dev, fn) (((bus) << 8) | ((dev) << 3) | (fn))
#define PCI_BDF_BUS(bdf) ((bdf) >> 8)
#define PCI_BDF_DEV(bdf) (((bdf) >> 3) & 0x1f)
#define PCI_BDF_FN(bdf) ((bdf) & 7)

uint32_t pci_read32(unsigned int bdf, unsigned int off);
uint16_t pci_read16(unsigned int bdf, unsigned int off);
uint8_t pci_read8(unsigned int bdf, unsigned int off);
void pci_write32(unsigned int bdf, unsigned int off, uint32_t v);
void pci_write16(unsigned int bdf, unsigned int off, uint16_t v);
unsigned int pci_find_cap(unsigned int bdf, uint8_t cap_id,
			  unsigned int start);
uint64_t pci_bar_address(unsigned int bdf, unsigned int bar);

/* A range of bus addresses for BARs: [next, end) is still free. */
struct pci_window {
	uint64_t next;
	uint64_t end;
};

struct pci_window *pci_bridge_enter(unsigned int bdf,
				    struct pci_window *child);
void pci_bridge_leave(struct pci_window *prev);

#endif
