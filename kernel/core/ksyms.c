/*
 * Address -> function name, from the table that the second link pass
 * embeds (tools/ksyms.awk writes it from `readelf -SsW` of the first
 * pass). The table is sorted by address, so a binary search finds the last
 * symbol at or below an address.
 */
#include <stddef.h>
#include <stdint.h>
#include <kernel/crash.h>

struct ksym {
	uint64_t addr;
	const char *name;
};

extern const uint64_t ksyms_count;
extern const struct ksym ksyms_table[];
extern char __kernel_start[], __text_end[];

const char *ksyms_lookup(uintptr_t addr, uintptr_t *offset)
{
	size_t lo = 0, hi = ksyms_count;

	if (addr < (uintptr_t)__kernel_start || addr >= (uintptr_t)__text_end ||
	    hi == 0 || addr < ksyms_table[0].addr)
		return NULL;
	/* invariant: table[lo].addr <= addr, and addr < table[hi].addr */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (ksyms_table[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	*offset = addr - ksyms_table[lo].addr;
	return ksyms_table[lo].name;
}
