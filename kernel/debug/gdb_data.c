/*
 * The data packets: registers (g G p P), memory (m M X) and breakpoints
 * (Z z). Memory goes through gdb_mem.c, so a bad address is an E14 reply,
 * never a fault; registers through gdb_arch.c, for whichever thread gdb
 * selected (the caller passes its register view).
 * Reference: GDB manual, E.2 "Packets".
 */
#include <errno.h>

#include "gdb.h"

#define GDB_ESCAPE '}'
#define GDB_ESCAPE_XOR 0x20

#define gdb_data_mem (gdb_space->mem)

static void gdb_data_reply_err(struct gdb_buf *out, int err)
{
	switch (err) {
	case -EFAULT:
		gdb_buf_puts(out, GDB_ERR_MEMORY);
		break;
	case -ENOSPC:
		gdb_buf_puts(out, GDB_ERR_NOSPACE);
		break;
	case -EPERM:
		gdb_buf_puts(out, GDB_ERR_FORBIDDEN);
		break;
	case -ENOSYS:
		break;		/* empty reply: not supported */
	default:
		gdb_buf_puts(out, GDB_ERR_INVALID);
	}
}

void gdb_data_g(const struct gdb_regs *r, struct gdb_buf *out)
{
	int i;

	/*
	 * Only the core integer registers: gdb fetches the ones a short 'g'
	 * leaves out (x87, SSE, fs_base, gs_base) with 'p' when it needs
	 * them, which is seldom, and every byte costs time on a UART.
	 */
	for (i = 0; i < GDB_REG_ST0; i++)
		gdb_arch_reg_get(r, i, out);
}

void gdb_data_G(const struct gdb_regs *r, const char *p, struct gdb_buf *out)
{
	size_t left = gdb_util_strlen(p), size;
	int i;

	/* a short G sets the registers it covers */
	for (i = 0; i < GDB_REG_COUNT; i++) {
		size = 2 * gdb_arch_reg_size(i);
		if (left < size)
			break;
		if (gdb_arch_reg_set(r, i, p) < 0) {
			gdb_buf_puts(out, GDB_ERR_INVALID);
			return;
		}
		p += size;
		left -= size;
	}
	gdb_buf_puts(out, "OK");
}

void gdb_data_p(const struct gdb_regs *r, const char *p, struct gdb_buf *out)
{
	uint64_t n;

	if (!gdb_util_parse_hex(&p, &n) || *p || n >= GDB_REG_COUNT) {
		gdb_buf_puts(out, GDB_ERR_INVALID);
		return;
	}
	gdb_arch_reg_get(r, (int)n, out);
}

void gdb_data_P(const struct gdb_regs *r, const char *p, struct gdb_buf *out)
{
	uint64_t n;

	if (!gdb_util_parse_hex(&p, &n) || *p++ != '=' ||
	    n >= GDB_REG_COUNT ||
	    gdb_util_strlen(p) != 2 * gdb_arch_reg_size((int)n) ||
	    gdb_arch_reg_set(r, (int)n, p) < 0) {
		gdb_buf_puts(out, GDB_ERR_INVALID);
		return;
	}
	gdb_buf_puts(out, "OK");
}

/* "addr,len" followed by `end` (':' or '\0') */
static bool gdb_data_addr_len(const char **p, uint64_t *addr,
				  uint64_t *len, char end)
{
	if (!gdb_util_parse_hex(p, addr) || *(*p)++ != ',' ||
	    !gdb_util_parse_hex(p, len) || **p != end)
		return false;
	if (end)
		(*p)++;
	return true;
}

void gdb_data_m(const char *p, struct gdb_buf *out)
{
	uint64_t addr, len;
	size_t n, i;

	if (!gdb_data_addr_len(&p, &addr, &len, '\0')) {
		gdb_buf_puts(out, GDB_ERR_INVALID);
		return;
	}
	/* a shorter answer is allowed; gdb asks again for the rest */
	if (len > sizeof(gdb_data_mem))
		len = sizeof(gdb_data_mem);
	n = gdb_mem_read(addr, gdb_data_mem, len);
	if (n == 0 && len) {
		gdb_buf_puts(out, GDB_ERR_MEMORY);
		return;
	}
	for (i = 0; i < n; i++)
		gdb_buf_hex8(out, gdb_data_mem[i]);
}

static void gdb_data_write(uint64_t addr, size_t len, struct gdb_buf *out)
{
	if (gdb_mem_write(addr, gdb_data_mem, len) < 0)
		gdb_buf_puts(out, GDB_ERR_MEMORY);
	else
		gdb_buf_puts(out, "OK");
}

void gdb_data_M(const char *p, struct gdb_buf *out)
{
	uint64_t addr, len, i;
	int hi, lo;

	if (!gdb_data_addr_len(&p, &addr, &len, ':') ||
	    len > sizeof(gdb_data_mem) || gdb_util_strlen(p) != 2 * len) {
		gdb_buf_puts(out, GDB_ERR_INVALID);
		return;
	}
	for (i = 0; i < len; i++) {
		hi = gdb_util_hexval(p[2 * i]);
		lo = gdb_util_hexval(p[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			gdb_buf_puts(out, GDB_ERR_INVALID);
			return;
		}
		gdb_data_mem[i] = (uint8_t)((hi << 4) | lo);
	}
	gdb_data_write(addr, len, out);
}

/* X carries binary data; '}' escapes the next byte (xor 0x20). */
void gdb_data_X(const char *p, size_t plen, struct gdb_buf *out)
{
	const char *end = p + plen;
	uint64_t addr, len, n = 0;

	if (!gdb_data_addr_len(&p, &addr, &len, ':') ||
	    len > sizeof(gdb_data_mem)) {
		gdb_buf_puts(out, GDB_ERR_INVALID);
		return;
	}
	for (; p < end; p++) {
		if (n == len)
			break;
		if (*p == GDB_ESCAPE) {
			if (++p == end)
				break;
			gdb_data_mem[n++] = (uint8_t)(*p ^ GDB_ESCAPE_XOR);
		} else {
			gdb_data_mem[n++] = (uint8_t)*p;
		}
	}
	if (n != len || p != end) {
		gdb_buf_puts(out, GDB_ERR_INVALID);
		return;
	}
	gdb_data_write(addr, len, out);
}

void gdb_data_Z(const char *p, bool insert, struct gdb_buf *out)
{
	uint64_t type, addr, kind;
	int err;

	if (!gdb_util_parse_hex(&p, &type) || *p++ != ',' ||
	    !gdb_util_parse_hex(&p, &addr) || *p++ != ',' ||
	    !gdb_util_parse_hex(&p, &kind) || (*p && *p != ';')) {
		gdb_buf_puts(out, GDB_ERR_INVALID);
		return;
	}
	if (type > 4) {
		return;		/* unknown type: empty reply */
	}
	err = insert ? gdb_break_insert((int)type, addr, kind) :
		       gdb_break_remove((int)type, addr, kind);
	if (err)
		gdb_data_reply_err(out, err);
	else
		gdb_buf_puts(out, "OK");
}

