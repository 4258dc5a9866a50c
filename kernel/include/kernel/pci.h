/*
 * PCI: configuration space, BAR placement, bus enumeration, INTx routing
 * and MSI-X (drivers/pci/). Drivers of PCI functions (the virtio PCI
 * transport) find their functions through pci_scan() and never walk buses
 * or compute interrupt routes themselves.
 */
#ifndef KERNEL_PCI_H
#define KERNEL_PCI_H

#include <stdbool.h>
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

/* MSI-X capability and table (PCI Local Bus 3.0, 6.8.2) */
#define PCI_MSIX_CTRL 2
#define PCI_MSIX_CTRL_ENABLE 0x8000
#define PCI_MSIX_CTRL_MASKALL 0x4000
#define PCI_MSIX_TABLE 4
#define PCI_MSIX_BIR_MASK 0x7
#define PCI_MSIX_ENTRY_SIZE 16
#define PCI_MSIX_ENTRY_ADDR_LO 0
#define PCI_MSIX_ENTRY_ADDR_HI 4
#define PCI_MSIX_ENTRY_DATA 8
#define PCI_MSIX_ENTRY_CTRL 12
#define PCI_MSIX_ENTRY_CTRL_MASKED 1u	/* vector control bit 0 */

/* drivers/pci/pci.c: configuration space, capabilities, BARs */
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
/* Device memory at addr, mapped (uncached) if it lies above 4 GiB; NULL
 * when that fails. */
volatile uint8_t *pci_map(uint64_t addr, uint32_t length);

/*
 * How INTx travels to bus 0: behind bridges each hop rotates the pin by
 * the slot number (the PCI-to-PCI bridge swizzle, PCI-PCI Bridge spec
 * 9.1), and the bridge on bus 0 (root_slot) presents it in its own slot.
 */
struct pci_route {
	int root_slot;		/* -1: the function is on bus 0 itself */
	unsigned int swizzle;	/* sum of the slots below the root bridge */
};

/* drivers/pci/pci_scan.c: enumeration and INTx */
/* Calls found(bdf, vendor, device, route) for every function that is not
 * a bridge, on bus 0 and behind bridges (whose windows it opens). */
void pci_scan(void (*found)(unsigned int bdf, uint16_t vendor,
			    uint16_t device, const struct pci_route *route));
/* The IOAPIC input a function's INTx pin reaches (0: no pin). */
unsigned int pci_intx_gsi(unsigned int bdf, const struct pci_route *route);

/* drivers/pci/pci_msix.c */
/* Points MSI-X table entry 0 of bdf at `vector` on the CPU with LAPIC id
 * apic_id and enables MSI-X; false when the table is not reachable. */
bool pci_msix_enable(unsigned int bdf, uint8_t vector, uint32_t apic_id);

#endif
