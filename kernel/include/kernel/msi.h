/*
 * Message-signalled interrupts as x86 sees them: the address a device
 * writes to (the LAPIC window, with the destination CPU's APIC id) and the
 * data it writes (the vector, fixed delivery, edge). arch/x86_64/msi.c.
 * Reference: Intel SDM vol. 3, 11.11 "Message signalled interrupts".
 */
#ifndef KERNEL_MSI_H
#define KERNEL_MSI_H

#include <stdint.h>

uint64_t msi_address(uint32_t apic_id);
uint32_t msi_data(uint8_t vector);

#endif
