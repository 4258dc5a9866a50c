/*
 * PCI configuration space through the legacy 0xcf8/0xcfc mechanism (PCI
 * Local Bus 3.0, 3.2.2.3.2), enough for the virtio PCI transport: read and
 * write config registers, walk the capability list, size and place BARs,
 * map device memory.
 * On machines without PCI (microvm) every read returns all-ones, which
 * reads as "no device".
 */
#include <stdbool.h>
#include <stdint.h>
#include <kernel/cpu.h>
#include <kernel/log.h>
#include <kernel/paging.h>
#include <kernel/pci.h>

#define PCI_CONFIG_ADDRESS 0xcf8
#define PCI_CONFIG_DATA 0xcfc
#define PCI_CONFIG_ENABLE 0x80000000u

static void pci_select(unsigned int bdf, unsigned int off)
{
	outl(PCI_CONFIG_ADDRESS, PCI_CONFIG_ENABLE | (bdf << 8) | (off & 0xfc));
}

uint32_t pci_read32(unsigned int bdf, unsigned int off)
{
	pci_select(bdf, off);
	return inl(PCI_CONFIG_DATA);
}

uint16_t pci_read16(unsigned int bdf, unsigned int off)
{
	pci_select(bdf, off);
	return inw(PCI_CONFIG_DATA + (off & 2));
}

uint8_t pci_read8(unsigned int bdf, unsigned int off)
{
	pci_select(bdf, off);
	return inb(PCI_CONFIG_DATA + (off & 3));
}

void pci_write32(unsigned int bdf, unsigned int off, uint32_t v)
{
	pci_select(bdf, off);
	outl(PCI_CONFIG_DATA, v);
}

void pci_write16(unsigned int bdf, unsigned int off, uint16_t v)
{
	pci_select(bdf, off);
	outw(PCI_CONFIG_DATA + (off & 2), v);
}

/* Offset of the first capability with id `cap_id` at or after `start`
 * (0: from the head of the list), or 0. The walk is bounded: a looping list
 * cannot hang us. */
unsigned int pci_find_cap(unsigned int bdf, uint8_t cap_id, unsigned int start)
{
	unsigned int off, guard;

	if (!(pci_read16(bdf, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return 0;
	off = start ? pci_read8(bdf, start + 1) : pci_read8(bdf, PCI_CAP_PTR);
	for (guard = 0; guard < 48 && off >= 0x40; guard++) {
		off &= 0xfc;
		if (pci_read8(bdf, off) == cap_id)
			return off;
		off = pci_read8(bdf, off + 1);
	}
	return 0;
}

/*
 * Where unassigned memory BARs go: the root window lies between q35's
 * MMCONFIG (0xb0000000, 256 MiB) and the IOAPIC; while the bus behind a
 * bridge is scanned, the bridge's own window is the current one.
 */
static struct pci_window pci_root_window = { 0xc0000000ull, 0xfe000000ull };
static struct pci_window *pci_window = &pci_root_window;

#define PCI_BRIDGE_WINDOW (16ull << 20)	/* per bridge we program */
#define PCI_BRIDGE_ALIGN (1ull << 20)	/* base/limit granularity */

/*
 * Opens the memory window of bridge `bdf` for the devices behind it and
 * makes `child` the current window until pci_bridge_leave(). A bridge the
 * firmware left closed (qboot programs none) gets 16 MiB of the current
 * window and its prefetchable window shut; one the firmware programmed
 * (SeaBIOS) is kept, along with the BARs behind it. Memory decoding and bus
 * mastering are switched on: devices behind it reach RAM through it.
 */
struct pci_window *pci_bridge_enter(unsigned int bdf, struct pci_window *child)
{
	uint16_t base = pci_read16(bdf, PCI_MEMORY_BASE);
	uint16_t limit = pci_read16(bdf, PCI_MEMORY_LIMIT);
	struct pci_window *prev = pci_window;
	uint64_t start;
	bool closed;

	child->next = child->end = 0;
	start = (pci_window->next + PCI_BRIDGE_ALIGN - 1) &
		~(PCI_BRIDGE_ALIGN - 1);
	/* closed (base above limit, QEMU's reset state) or never set */
	closed = (base & 0xfff0) > (limit & 0xfff0) || (base == 0 && limit == 0);
	if (closed && start + PCI_BRIDGE_WINDOW <= pci_window->end) {
		pci_window->next = start + PCI_BRIDGE_WINDOW;
		child->next = start;
		child->end = start + PCI_BRIDGE_WINDOW;
		pci_write16(bdf, PCI_MEMORY_BASE, (start >> 16) & 0xfff0);
		pci_write16(bdf, PCI_MEMORY_LIMIT,
			    ((child->end - 1) >> 16) & 0xfff0);
		/* prefetchable window off: base above limit */
		pci_write16(bdf, PCI_PREF_MEMORY_BASE, 0xfff0);
		pci_write16(bdf, PCI_PREF_MEMORY_LIMIT, 0);
		pci_write32(bdf, PCI_PREF_BASE_UPPER32, 0);
		pci_write32(bdf, PCI_PREF_LIMIT_UPPER32, 0);
	}
	pci_write16(bdf, PCI_COMMAND, pci_read16(bdf, PCI_COMMAND) |
					      PCI_COMMAND_MEMORY |
					      PCI_COMMAND_MASTER);
	pci_window = child;
	return prev;
}

void pci_bridge_leave(struct pci_window *prev)
{
	pci_window = prev;
}

/*
 * The guest-physical address of memory BAR `bar`, placing it first when the
 * firmware left it unassigned (qboot assigns none; SeaBIOS assigns all).
 * Returns 0 for an I/O BAR or when the window is full.
 */
uint64_t pci_bar_address(unsigned int bdf, unsigned int bar)
{
	unsigned int off = PCI_BAR0 + 4 * bar;
	uint32_t lo = pci_read32(bdf, off), hi = 0;
	uint32_t size_lo, size_hi = 0xffffffffu;
	bool is64 = (lo & PCI_BAR_TYPE_MASK) == PCI_BAR_TYPE_64;
	uint64_t addr, size;
	uint16_t cmd;

	if (lo & PCI_BAR_IO)
		return 0;
	if (is64)
		hi = pci_read32(bdf, off + 4);
	addr = ((uint64_t)hi << 32) | (lo & ~0xfu);
	if (addr != 0)
		return addr;

	/* size it with memory decoding off (PCI 3.0, 6.2.5.1) */
	cmd = pci_read16(bdf, PCI_COMMAND);
	pci_write16(bdf, PCI_COMMAND, cmd & ~PCI_COMMAND_MEMORY);
	pci_write32(bdf, off, 0xffffffffu);
	size_lo = pci_read32(bdf, off) & ~0xfu;
	if (is64) {
		pci_write32(bdf, off + 4, 0xffffffffu);
		size_hi = pci_read32(bdf, off + 4);
	}
	size = ~(((uint64_t)size_hi << 32) | size_lo) + 1;
	if (!is64)
		size &= 0xffffffffull;
	addr = (pci_window->next + size - 1) & ~(size - 1);
	if (size == 0 || addr + size > pci_window->end) {
		addr = 0;
	} else {
		pci_window->next = addr + size;
	}
	pci_write32(bdf, off, (uint32_t)addr);
	if (is64)
		pci_write32(bdf, off + 4, (uint32_t)(addr >> 32));
	pci_write16(bdf, PCI_COMMAND, cmd);
	return addr;
}

volatile uint8_t *pci_map(uint64_t addr, uint32_t length)
{
	/* below 4 GiB everything is mapped since boot (paging.c) */
	if (addr + length > (1ull << 32) && paging_map_mmio(addr, length)) {
		kernel_printf("minnow: pci: cannot map %#llx\n",
			      (unsigned long long)addr);
		return NULL;
	}
	return (volatile uint8_t *)(uintptr_t)addr;
}
