/*
 * MSI-X: points a function's table entry 0 at a vector on one CPU and
 * enables MSI-X, so that its interrupts bypass the IOAPIC. Called again,
 * it moves the entry to another CPU: the entry is masked while its
 * address and data change (PCI 3.0, 6.8.3.5: a message from a half-written
 * entry is undefined) and a message held meanwhile is sent on unmasking. The message's
 * address and data are the architecture's business (arch/x86_64/msi.c);
 * this file only knows where the table is.
 * Reference: PCI Local Bus 3.0, 6.8.2 (MSI-X capability and table).
 */
#include <stdbool.h>
#include <stdint.h>
#include <kernel/msi.h>
#include <kernel/pci.h>

bool pci_msix_enable(unsigned int bdf, uint8_t vector, uint32_t apic_id)
{
	unsigned int cap = pci_find_cap(bdf, PCI_CAP_ID_MSIX, 0);
	volatile uint32_t *entry;
	uint32_t table;
	uint64_t bar;
	uint16_t ctrl;

	if (!cap)
		return false;
	table = pci_read32(bdf, cap + PCI_MSIX_TABLE);
	bar = pci_bar_address(bdf, table & PCI_MSIX_BIR_MASK);
	if (!bar)
		return false;
	/* entry 0 is all we use */
	entry = (volatile uint32_t *)pci_map(bar + (table & ~PCI_MSIX_BIR_MASK),
					     PCI_MSIX_ENTRY_SIZE);
	if (!entry)
		return false;
	entry[PCI_MSIX_ENTRY_CTRL / 4] = PCI_MSIX_ENTRY_CTRL_MASKED;
	entry[PCI_MSIX_ENTRY_ADDR_LO / 4] = (uint32_t)msi_address(apic_id);
	entry[PCI_MSIX_ENTRY_ADDR_HI / 4] = (uint32_t)(msi_address(apic_id) >> 32);
	entry[PCI_MSIX_ENTRY_DATA / 4] = msi_data(vector);
	entry[PCI_MSIX_ENTRY_CTRL / 4] = 0;	/* unmasked */
	ctrl = pci_read16(bdf, cap + PCI_MSIX_CTRL);
	ctrl |= PCI_MSIX_CTRL_ENABLE;
	ctrl &= (uint16_t)~PCI_MSIX_CTRL_MASKALL;
	pci_write16(bdf, cap + PCI_MSIX_CTRL, ctrl);
	return true;
}
