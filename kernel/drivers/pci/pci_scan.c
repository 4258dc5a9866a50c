/*
 * PCI enumeration and INTx routing: walks bus 0 and the buses behind
 * bridges (opening each bridge's memory window for the functions behind
 * it, pci.c) and hands every other function to the caller with the route
 * its INTx pin takes to bus 0. On machines without PCI (microvm) the host
 * bridge reads as all-ones and nothing is found.
 * Reference: PCI Local Bus 3.0, 6.1 (header), 6.2.4 (interrupt pin);
 * PCI-to-PCI Bridge Architecture 1.2, 9.1 (the swizzle).
 */
#include <stdbool.h>
#include <stdint.h>
#include <kernel/pci.h>

#define PCI_SCAN_DEPTH_MAX 4	/* bridges below bridges we follow */
#define PCI_HEADER_BRIDGE 1	/* header type of a PCI-to-PCI bridge */

/* QEMU's q35 host bridge, to know how INTx reaches the IOAPIC */
#define PCI_ID_Q35_MCH 0x29c08086u
#define Q35_PIRQ_SLOTS 25	/* slots with the default ICH9 routing */
#define Q35_PIRQ_GSI_BASE 16	/* PIRQ A..H drive GSI 16..23 */

typedef void (*pci_found_fn)(unsigned int bdf, uint16_t vendor,
			     uint16_t device, const struct pci_route *route);

/*
 * On q35 the ICH9 LPC maps slot s, pin p (0 = INTA) of bus 0 to
 * PIRQ[(s + p) % 4 + 4] for s < 25 by default, and PIRQ A..H drive GSI
 * 16..23 in APIC mode (QEMU hw/isa/lpc_ich9.c). Elsewhere trust the
 * firmware's Interrupt Line.
 */
unsigned int pci_intx_gsi(unsigned int bdf, const struct pci_route *route)
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
	    slot < Q35_PIRQ_SLOTS)
		return Q35_PIRQ_GSI_BASE + (slot + pin - 1) % 4 + 4;
	return pci_read8(bdf, PCI_INTERRUPT_LINE);
}

static void pci_scan_bus(unsigned int bus, unsigned int depth,
			 const struct pci_route *route, pci_found_fn found);

/* Scans the bus behind bridge `bdf` inside a window of its own. */
static void pci_scan_bridge(unsigned int bdf, unsigned int depth,
			    const struct pci_route *route, pci_found_fn found)
{
	unsigned int sec = pci_read8(bdf, PCI_SECONDARY_BUS);
	struct pci_route below = *route;
	struct pci_window window, *prev;

	if (sec <= PCI_BDF_BUS(bdf) || depth >= PCI_SCAN_DEPTH_MAX)
		return;
	if (route->root_slot < 0)
		below.root_slot = (int)PCI_BDF_DEV(bdf);
	else
		below.swizzle += PCI_BDF_DEV(bdf);
	prev = pci_bridge_enter(bdf, &window);
	pci_scan_bus(sec, depth + 1, &below, found);
	pci_bridge_leave(prev);
}

static void pci_scan_bus(unsigned int bus, unsigned int depth,
			 const struct pci_route *route, pci_found_fn found)
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
			if ((hdr & 0x7f) == PCI_HEADER_BRIDGE)
				pci_scan_bridge(bdf, depth, route, found);
			else
				found(bdf, vendor, device, route);
			if (fn == 0 && !(hdr & PCI_HEADER_MULTI))
				break;
		}
	}
}

void pci_scan(pci_found_fn found)
{
	/* no host bridge: not a PCI machine (microvm) */
	if (pci_read32(PCI_BDF(0, 0, 0), PCI_VENDOR_ID) == 0xffffffffu)
		return;
	pci_scan_bus(0, 0, &(struct pci_route){ -1, 0 }, found);
}
