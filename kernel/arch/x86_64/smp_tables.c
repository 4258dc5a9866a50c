/*
 * Finding the CPUs: the local APIC ids of the processors the firmware
 * enabled, from the ACPI MADT when there is an RSDP (q35 through qboot,
 * microvm with acpi=on) or else from the MP table (microvm with acpi=off:
 * qboot writes one in the last KiB of base memory). Both are plain tables
 * in memory below 4 GiB, identity mapped; every length read from them is
 * bounded before it is trusted.
 * References: ACPI 6.5, 5.2.5 (RSDP), 5.2.7/5.2.8 (RSDT/XSDT), 5.2.12
 * (MADT, processor local APIC structure); Intel MultiProcessor
 * Specification 1.4, chapter 4 (floating pointer, configuration table,
 * processor entry).
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <kernel/boot.h>
#include <kernel/smp.h>

#define BIOS_ROM_START 0xe0000ul	/* where RSDP and MP pointers live */
#define BIOS_ROM_END 0x100000ul
#define BASE_MEM_LAST_KIB 0x9fc00ul	/* 639 KiB: the MP spec's second spot */
#define BASE_MEM_END 0xa0000ul
#define TABLE_SCAN_ALIGN 16

#define ACPI_SDT_HEADER 36	/* signature .. creator revision */
#define ACPI_TABLE_MAX (1u << 20)	/* refuse absurd lengths */
#define MADT_ENTRIES 44	/* header + local APIC address + flags */
#define MADT_LOCAL_APIC 0	/* type 0: processor local APIC */
#define MADT_LAPIC_ENABLED 0x1
#define MADT_LAPIC_ONLINE_CAPABLE 0x2

#define MP_CONFIG_HEADER 44
#define MP_ENTRY_PROCESSOR 0	/* 20 bytes; the others are 8 */
#define MP_PROCESSOR_SIZE 20
#define MP_OTHER_SIZE 8
#define MP_CPU_ENABLED 0x1

struct acpi_rsdp {
	char signature[8];	/* "RSD PTR " */
	uint8_t checksum;
	char oem[6];
	uint8_t revision;	/* 2+: the XSDT fields follow */
	uint32_t rsdt;
	uint32_t length;
	uint64_t xsdt;
} __attribute__((packed));

static bool smp_sum_ok(const void *p, uint32_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	while (len--)
		sum += *b++;
	return sum == 0;
}

static uint32_t smp_rd32(uintptr_t a)
{
	uint32_t v;

	memcpy(&v, (const void *)a, sizeof(v));
	return v;
}

static const void *smp_scan(uintptr_t start, uintptr_t end, const char *sig,
			    size_t len)
{
	for (uintptr_t a = start; a + len <= end; a += TABLE_SCAN_ALIGN)
		if (memcmp((const void *)a, sig, len) == 0)
			return (const void *)a;
	return NULL;
}

static void smp_add(struct smp_cpus *out, uint32_t apic_id)
{
	if (out->count < CPU_MAX)
		out->apic_ids[out->count++] = apic_id;
	else
		out->ignored++;
}

/* A table named sig from the RSDT/XSDT, or 0. */
static uintptr_t smp_acpi_table(const struct acpi_rsdp *rsdp, const char *sig)
{
	bool x = rsdp->revision >= 2 && rsdp->xsdt && rsdp->xsdt < (1ull << 32);
	uintptr_t sdt = x ? (uintptr_t)rsdp->xsdt : rsdp->rsdt;
	uint32_t len, step = x ? 8 : 4;

	if (!sdt)
		return 0;
	len = smp_rd32(sdt + 4);
	if (len < ACPI_SDT_HEADER || len > ACPI_TABLE_MAX)
		return 0;
	for (uint32_t off = ACPI_SDT_HEADER; off + step <= len; off += step) {
		uint64_t t = 0;

		memcpy(&t, (const void *)(sdt + off), step);
		if (t && t < (1ull << 32) && memcmp((const void *)(uintptr_t)t, sig, 4) == 0)
			return (uintptr_t)t;
	}
	return 0;
}

static bool smp_from_madt(struct smp_cpus *out)
{
	const struct acpi_rsdp *rsdp;
	uintptr_t madt;
	uint32_t len, off;

	rsdp = boot_info.rsdp ? (const void *)(uintptr_t)boot_info.rsdp :
				smp_scan(BIOS_ROM_START, BIOS_ROM_END,
					 "RSD PTR ", 8);
	if (!rsdp || !smp_sum_ok(rsdp, 20))
		return false;
	madt = smp_acpi_table(rsdp, "APIC");
	if (!madt)
		return false;
	len = smp_rd32(madt + 4);
	if (len < MADT_ENTRIES || len > ACPI_TABLE_MAX ||
	    !smp_sum_ok((const void *)madt, len))
		return false;
	for (off = MADT_ENTRIES; off + 2 <= len;) {
		const uint8_t *e = (const uint8_t *)(madt + off);

		if (e[1] < 2 || off + e[1] > len)
			break;
		/* id at 3, flags at 4: enabled, or may be brought online */
		if (e[0] == MADT_LOCAL_APIC && e[1] >= 8 &&
		    (smp_rd32((uintptr_t)e + 4) &
		     (MADT_LAPIC_ENABLED | MADT_LAPIC_ONLINE_CAPABLE)))
			smp_add(out, e[3]);
		off += e[1];
	}
	out->source = "ACPI MADT";
	return out->count > 0;
}

static bool smp_from_mp(struct smp_cpus *out)
{
	const uint8_t *fp, *e, *end;
	uintptr_t cfg;
	uint16_t len, n;

	fp = smp_scan(BASE_MEM_LAST_KIB, BASE_MEM_END, "_MP_", 4);
	if (!fp)
		fp = smp_scan(BIOS_ROM_START, BIOS_ROM_END, "_MP_", 4);
	if (!fp || !smp_sum_ok(fp, 16))
		return false;
	cfg = smp_rd32((uintptr_t)fp + 4);
	if (!cfg || memcmp((const void *)cfg, "PCMP", 4) != 0)
		return false;
	memcpy(&len, (const void *)(cfg + 4), 2);
	memcpy(&n, (const void *)(cfg + 34), 2);
	if (len < MP_CONFIG_HEADER || !smp_sum_ok((const void *)cfg, len))
		return false;
	e = (const uint8_t *)cfg + MP_CONFIG_HEADER;
	end = (const uint8_t *)cfg + len;
	/* QEMU's table leaves the entry count 0: the length bounds the walk */
	if (n == 0)
		n = 0xffff;
	for (; n && e < end; n--) {
		if (e[0] == MP_ENTRY_PROCESSOR) {
			if (e + MP_PROCESSOR_SIZE > end)
				break;
			if (e[3] & MP_CPU_ENABLED)
				smp_add(out, e[1]);
			e += MP_PROCESSOR_SIZE;
		} else {
			e += MP_OTHER_SIZE;
		}
	}
	out->source = "MP table";
	return out->count > 0;
}

static void smp_reset(struct smp_cpus *out)
{
	out->count = 0;
	out->ignored = 0;
	out->source = "none";
}

/*
 * The MADT when the loader named an RSDP; else the MP table, whose usual
 * spot is one KiB (a cheap look before main); else an RSDP found by
 * scanning the BIOS area, which costs ~128 KiB of reads.
 */
int smp_find_cpus(struct smp_cpus *out)
{
	smp_reset(out);
	if (boot_info.rsdp && smp_from_madt(out))
		return 0;
	smp_reset(out);
	if (smp_from_mp(out))
		return 0;
	smp_reset(out);
	if (!boot_info.rsdp && smp_from_madt(out))
		return 0;
	return -1;
}
