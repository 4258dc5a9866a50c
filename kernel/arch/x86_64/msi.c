/*
 * MSI address and data (Intel SDM vol. 3, 11.11.1 and 11.11.2): the
 * address is the LAPIC window 0xfee00000 with the destination APIC id in
 * bits 19:12 (physical mode, no redirection hint); the data is the vector
 * with fixed delivery, edge-triggered (all other bits 0). Callers name the
 * CPU by its LAPIC id (lapic_id() for this one, percpu's apic_id for any).
 */
#include <kernel/msi.h>

#define MSI_ADDR_BASE 0xfee00000u
#define MSI_ADDR_DEST_SHIFT 12
#define MSI_ADDR_DEST_MASK 0xffu	/* 8-bit xAPIC id */

uint64_t msi_address(uint32_t apic_id)
{
	return MSI_ADDR_BASE |
	       (apic_id & MSI_ADDR_DEST_MASK) << MSI_ADDR_DEST_SHIFT;
}

uint32_t msi_data(uint8_t vector)
{
	return vector;
}
