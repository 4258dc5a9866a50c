/*
 * Breakpoint and watchpoint tables (Z0-Z4 / z0-z4). Software breakpoints
 * are int3 bytes planted only while the kernel runs: they are taken out
 * whenever the stub is entered, so gdb's memory reads see the original
 * code and the stub itself can never run into one. Hardware breakpoints
 * and watchpoints live in DR0-DR3; DR7 is cleared while the stub runs for
 * the same reason. A full table is an error reply, never a silent miss.
 * Reference: Intel SDM vol. 3, 17.2.4 "Debug control register (DR7)".
 */
#include <errno.h>

#include "gdb.h"

#define GDB_SW_BREAK_MAX 64
#define INSN_INT3 0xcc

/* Z packet types (GDB manual, "z type,addr,kind") */
#define Z_SW_BREAK 0
#define Z_HW_BREAK 1
#define Z_WRITE_WATCH 2
#define Z_READ_WATCH 3
#define Z_ACCESS_WATCH 4

/* DR7 fields for slot i */
#define DR7_L(i) (1ull << (2 * (i)))
#define DR7_RW_SHIFT(i) (16 + 4 * (i))
#define DR7_LEN_SHIFT(i) (18 + 4 * (i))
#define DR7_LE_GE (3ull << 8)	/* exact data breakpoints */
#define DR7_RW_EXEC 0ull
#define DR7_RW_WRITE 1ull
#define DR7_RW_ACCESS 3ull	/* x86 has no read-only watch: see hw_hit */

struct gdb_sw_break {
	uint64_t addr;
	uint8_t orig;
	bool used;
	bool armed;
};

struct gdb_hw_slot {
	uint64_t addr;
	uint64_t len;
	uint64_t value;		/* read watch: last value seen */
	int type;
	bool used;
};

static struct gdb_sw_break gdb_break_sw[GDB_SW_BREAK_MAX];
static struct gdb_hw_slot gdb_break_hw[GDB_HW_SLOTS];
/* the stub's own int3, where a parked thread resumes (see gdbstub.c) */
static struct gdb_sw_break gdb_break_hidden;

/* core/ksyms.c; weak so that the stub links into kernels without it */
extern const char *ksyms_lookup(uintptr_t addr, uintptr_t *offset)
	__attribute__((weak));

/*
 * Code on the way from a #BP or #DB to the stub: a breakpoint there would
 * trap again on its own way in, forever. The stub's own functions all
 * start with "gdb".
 */
static const char *const gdb_break_trap_path[] = {
	"isr_stubs", "isr_common", "isr_return", "trap_dispatch",
	"thread_current",
};

static bool gdb_break_forbidden(uint64_t addr)
{
	const char *name;
	uintptr_t off;
	size_t i;

	name = ksyms_lookup ? ksyms_lookup(addr, &off) : NULL;
	if (!name)
		return false;
	if (gdb_util_prefix(name, "gdb"))
		return true;
	for (i = 0; i < sizeof(gdb_break_trap_path) / sizeof(char *); i++) {
		if (gdb_util_streq(name, gdb_break_trap_path[i]))
			return true;
	}
	return false;
}

/*
 * The per-CPU table is written by trap_dispatch() (trap_depth) and by the
 * stub itself before either reaches gdb: a watchpoint on it would fire
 * again inside its own #DB, forever (weak: may not exist).
 */
extern struct percpu percpu_cpus[] __attribute__((weak));

static bool gdb_break_watch_forbidden(uint64_t addr, uint64_t len)
{
	uint64_t p = (uint64_t)(uintptr_t)percpu_cpus;

	return percpu_cpus && addr < p + CPU_MAX * sizeof(struct percpu) &&
	       p < addr + len;
}

static struct gdb_sw_break *gdb_break_sw_find(uint64_t addr)
{
	int i;

	for (i = 0; i < GDB_SW_BREAK_MAX; i++) {
		if (gdb_break_sw[i].used && gdb_break_sw[i].addr == addr)
			return &gdb_break_sw[i];
	}
	return NULL;
}

static int gdb_break_sw_insert(uint64_t addr)
{
	int i;

	if (gdb_break_sw_find(addr))
		return 0;
	if (!gdb_mem_mapped(addr, NULL))
		return -EFAULT;
	for (i = 0; i < GDB_SW_BREAK_MAX; i++) {
		if (!gdb_break_sw[i].used) {
			gdb_break_sw[i].addr = addr;
			gdb_break_sw[i].used = true;
			gdb_break_sw[i].armed = false;
			return 0;
		}
	}
	return -ENOSPC;
}

static uint64_t gdb_break_value(uint64_t addr, uint64_t len)
{
	uint64_t v = 0;

	gdb_mem_read(addr, &v, len);
	return v;
}

static int gdb_break_hw_insert(int type, uint64_t addr, uint64_t len)
{
	struct gdb_hw_slot *s;
	int i;

	if (type == Z_HW_BREAK) {
		len = 1;	/* for Z1 "kind" is the instruction size */
	} else if ((len != 1 && len != 2 && len != 4 && len != 8) ||
		   (addr & (len - 1))) {
		/* DR7 can only watch 1/2/4/8 naturally aligned bytes */
		return -EINVAL;
	}
	for (i = 0; i < GDB_HW_SLOTS; i++) {
		s = &gdb_break_hw[i];
		if (s->used && s->type == type && s->addr == addr &&
		    s->len == len)
			return 0;
	}
	for (i = 0; i < GDB_HW_SLOTS; i++) {
		s = &gdb_break_hw[i];
		if (!s->used) {
			s->used = true;
			s->type = type;
			s->addr = addr;
			s->len = len;
			s->value = gdb_break_value(addr, len);
			return 0;
		}
	}
	return -ENOSPC;
}

/* Returns 0 or -EFAULT/-EINVAL/-ENOSPC/-EPERM for the error reply. */
int gdb_break_insert(int type, uint64_t addr, uint64_t len)
{
	if ((type == Z_SW_BREAK || type == Z_HW_BREAK) &&
	    gdb_break_forbidden(addr))
		return -EPERM;
	if (type > Z_HW_BREAK && gdb_break_watch_forbidden(addr, len))
		return -EPERM;
	if (type == Z_SW_BREAK)
		return gdb_break_sw_insert(addr);
	if (type >= Z_HW_BREAK && type <= Z_ACCESS_WATCH)
		return gdb_break_hw_insert(type, addr, len);
	return -ENOSYS;
}

int gdb_break_remove(int type, uint64_t addr, uint64_t len)
{
	struct gdb_sw_break *b;
	int i;

	if (type == Z_SW_BREAK) {
		b = gdb_break_sw_find(addr);
		if (b)
			b->used = false;	/* disarmed: in the stub */
		return 0;
	}
	if (type < Z_HW_BREAK || type > Z_ACCESS_WATCH)
		return -ENOSYS;
	if (type == Z_HW_BREAK)
		len = 1;
	for (i = 0; i < GDB_HW_SLOTS; i++) {
		if (gdb_break_hw[i].used && gdb_break_hw[i].type == type &&
		    gdb_break_hw[i].addr == addr && gdb_break_hw[i].len == len)
			gdb_break_hw[i].used = false;
	}
	return 0;
}

bool gdb_break_sw_at(uint64_t addr)
{
	return gdb_break_sw_find(addr) != NULL;
}

bool gdb_break_hw_exec_at(uint64_t addr)
{
	int i;

	for (i = 0; i < GDB_HW_SLOTS; i++) {
		if (gdb_break_hw[i].used && gdb_break_hw[i].type == Z_HW_BREAK &&
		    gdb_break_hw[i].addr == addr)
			return true;
	}
	return false;
}

void gdb_break_hidden_set(uint64_t addr)
{
	gdb_break_hidden.addr = addr;
	gdb_break_hidden.used = true;
	gdb_break_hidden.armed = false;
}

void gdb_break_hidden_clear(void)
{
	gdb_break_hidden.used = false;
}

bool gdb_break_hidden_at(uint64_t addr)
{
	return gdb_break_hidden.used && gdb_break_hidden.addr == addr;
}

static void gdb_break_plant(struct gdb_sw_break *b)
{
	static const uint8_t int3 = INSN_INT3;

	if (!b->used || b->armed)
		return;
	if (gdb_mem_read(b->addr, &b->orig, 1) != 1 ||
	    gdb_mem_write(b->addr, &int3, 1) != 0)
		return;		/* unmapped since: nothing to plant */
	b->armed = true;
}

static void gdb_break_unplant(struct gdb_sw_break *b)
{
	uint8_t cur;

	if (!b->armed)
		return;
	b->armed = false;
	/* put the byte back only if nobody overwrote our int3 */
	if (gdb_mem_read(b->addr, &cur, 1) == 1 && cur == INSN_INT3)
		gdb_mem_write(b->addr, &b->orig, 1);
}

void gdb_break_arm_sw(void)
{
	int i;

	for (i = 0; i < GDB_SW_BREAK_MAX; i++)
		gdb_break_plant(&gdb_break_sw[i]);
	/* sharing an address with a user breakpoint: that int3 serves both */
	if (!gdb_break_sw_find(gdb_break_hidden.addr))
		gdb_break_plant(&gdb_break_hidden);
}

void gdb_break_disarm_sw(void)
{
	int i;

	/* reverse order of arm: the hidden one may sit on a user's byte */
	gdb_break_unplant(&gdb_break_hidden);
	for (i = 0; i < GDB_SW_BREAK_MAX; i++)
		gdb_break_unplant(&gdb_break_sw[i]);
}

static uint64_t gdb_break_len_bits(uint64_t len)
{
	switch (len) {
	case 2:
		return 1;
	case 8:
		return 2;
	case 4:
		return 3;
	}
	return 0;
}

/* Do this CPU's debug registers hold these values already? */
static bool gdb_break_dr_loaded(const struct gdb_session *s, int cpu,
				const uint64_t addr[GDB_HW_SLOTS], uint64_t dr7)
{
	int i;

	if (dr7 != s->dr7[cpu])
		return false;
	for (i = 0; i < GDB_HW_SLOTS; i++) {
		if ((dr7 & DR7_L(i)) && addr[i] != s->dr_addr[cpu][i])
			return false;
	}
	return true;
}

/* Loads the table into this CPU's debug registers (each CPU has its own). */
void gdb_break_arm_hw(struct gdb_session *ses)
{
	int cpu = this_cpu()->id;
	uint64_t addr[GDB_HW_SLOTS] = { 0 }, dr7 = 0, rw;
	struct gdb_hw_slot *s;
	int i;

	for (i = 0; i < GDB_HW_SLOTS; i++) {
		s = &gdb_break_hw[i];
		if (!s->used)
			continue;
		if (s->type == Z_HW_BREAK)
			rw = DR7_RW_EXEC;
		else if (s->type == Z_WRITE_WATCH)
			rw = DR7_RW_WRITE;
		else
			rw = DR7_RW_ACCESS;
		if (s->type == Z_READ_WATCH)
			s->value = gdb_break_value(s->addr, s->len);
		addr[i] = s->addr;
		dr7 |= DR7_L(i) | (rw << DR7_RW_SHIFT(i));
		if (s->type != Z_HW_BREAK)
			dr7 |= gdb_break_len_bits(s->len) << DR7_LEN_SHIFT(i);
	}
	if (dr7)
		dr7 |= DR7_LE_GE;
	if (gdb_break_dr_loaded(ses, cpu, addr, dr7))
		return;
	gdb_arch_dr_load(addr, dr7);
	ses->dr7[cpu] = dr7;
	gdb_util_memcpy(ses->dr_addr[cpu], addr, sizeof(addr));
}

void gdb_break_disarm_hw(struct gdb_session *ses)
{
	static const uint64_t none[GDB_HW_SLOTS];
	int cpu = this_cpu()->id;

	if (ses->dr7[cpu] == 0)
		return;
	gdb_arch_dr_load(none, 0);
	ses->dr7[cpu] = 0;
}

/*
 * Translates the DR6 hit bits into a stop reason. A read watchpoint is an
 * access watchpoint underneath; when the watched value changed, the access
 * was a write, and it is not reported (returns false: resume silently).
 */
bool gdb_break_hw_hit(uint64_t dr6, struct gdb_stop *stop)
{
	struct gdb_hw_slot *s;
	uint64_t now;
	int i;

	for (i = 0; i < GDB_HW_SLOTS; i++) {
		s = &gdb_break_hw[i];
		if (!(dr6 & (1ull << i)) || !s->used)
			continue;
		stop->watch_addr = s->addr;
		switch (s->type) {
		case Z_HW_BREAK:
			stop->kind = GDB_STOP_HWBREAK;
			return true;
		case Z_WRITE_WATCH:
			stop->kind = GDB_STOP_WATCH;
			return true;
		case Z_ACCESS_WATCH:
			stop->kind = GDB_STOP_AWATCH;
			return true;
		case Z_READ_WATCH:
			now = gdb_break_value(s->addr, s->len);
			if (now != s->value) {
				s->value = now;
				continue;
			}
			stop->kind = GDB_STOP_RWATCH;
			return true;
		}
	}
	return false;
}

void gdb_break_clear_all(struct gdb_session *ses)
{
	int i;

	gdb_break_disarm_sw();
	gdb_break_disarm_hw(ses);
	gdb_break_hidden.used = false;
	for (i = 0; i < GDB_SW_BREAK_MAX; i++)
		gdb_break_sw[i].used = false;
	for (i = 0; i < GDB_HW_SLOTS; i++)
		gdb_break_hw[i].used = false;
}
