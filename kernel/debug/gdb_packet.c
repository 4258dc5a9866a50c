/*
 * Packet framing of the Remote Serial Protocol: "$payload#cs", where cs is
 * the payload's byte sum modulo 256 in two hex digits, answered with '+'
 * (good) or '-' (send it again) until gdb asks for QStartNoAckMode. Bytes
 * outside a packet are ignored; an overlong packet is read to its end and
 * reported as such, never written past the buffer. Replies are run-length
 * encoded.
 * Reference: GDB manual, E.1 "Overview" and E.11 "Packet Acknowledgment".
 */
#include "gdb.h"

#define GDB_ACK '+'
#define GDB_NAK '-'

/*
 * Run-length encoding (E.1 "Overview"): "c*N" stands for c followed by
 * N - 29 more copies of c; N must be printable and neither '#' nor '$'.
 * Runs of fewer than 3 copies are cheaper written out.
 */
#define GDB_RLE_BASE 29
#define GDB_RLE_MIN 3
#define GDB_RLE_MAX ('~' - GDB_RLE_BASE)
#define GDB_RLE_HASH ('#' - GDB_RLE_BASE)
#define GDB_RLE_DOLLAR ('$' - GDB_RLE_BASE)

static bool gdb_packet_noack;
/* The RX interrupt or the ack wait already consumed a packet's '$'. */
static bool gdb_packet_have_start;

void gdb_packet_set_noack(bool on)
{
	gdb_packet_noack = on;
}

/*
 * A fresh gdb always starts in ack mode and greets with a '+', which a gdb
 * in no-ack mode never sends: so a '+' means the old session is gone.
 */
void gdb_packet_new_connection(void)
{
	gdb_packet_noack = false;
}

void gdb_packet_unget_start(void)
{
	gdb_packet_have_start = true;
}

static void gdb_packet_ack(char c)
{
	if (!gdb_packet_noack) {
		gdb_serial_putc(c);
		gdb_serial_flush();
	}
}

/* Waits for the '$' that opens a packet, skipping everything else. */
static void gdb_packet_wait_start(void)
{
	int c;

	if (gdb_packet_have_start) {
		gdb_packet_have_start = false;
		return;
	}
	for (;;) {
		c = gdb_serial_getc();
		if (c == '$')
			return;
		if (c == GDB_ACK && gdb_packet_noack)
			gdb_packet_new_connection();
	}
}

/*
 * Receives one packet into buf (NUL-terminated). Returns its length, or -1
 * when it did not fit in cap - 1 bytes (gdb then gets an error reply).
 */
int gdb_packet_recv(char *buf, size_t cap)
{
	size_t len;
	uint8_t sum;
	bool overflow;
	int c, hi, lo;

	gdb_packet_wait_start();
restart:
	len = 0;
	sum = 0;
	overflow = false;
	for (;;) {
		c = gdb_serial_getc();
		/* a '$' inside a packet: that one was cut short */
		if (c == '$')
			goto restart;
		if (c == '#')
			break;
		sum += (uint8_t)c;
		if (len < cap - 1)
			buf[len++] = (char)c;
		else
			overflow = true;
	}
	c = gdb_serial_getc();
	if (c == '$')
		goto restart;
	hi = gdb_util_hexval((char)c);
	c = gdb_serial_getc();
	if (c == '$')
		goto restart;
	lo = gdb_util_hexval((char)c);
	if (hi < 0 || lo < 0 || ((hi << 4) | lo) != sum) {
		gdb_packet_ack(GDB_NAK);
		gdb_packet_wait_start();
		goto restart;
	}
	gdb_packet_ack(GDB_ACK);
	buf[len] = '\0';
	return overflow ? -1 : (int)len;
}

static void gdb_packet_put(char c, uint8_t *sum)
{
	*sum += (uint8_t)c;
	gdb_serial_putc(c);
}

/*
 * Longest run of data[i] after data[i] itself (at most GDB_RLE_MAX), cut
 * to 5 where the count character would be '#' or '$'.
 */
static size_t gdb_packet_run(const char *data, size_t len, size_t i)
{
	size_t run = 0;

	while (i + 1 + run < len && data[i + 1 + run] == data[i] &&
	       run < GDB_RLE_MAX)
		run++;
	if (run == GDB_RLE_HASH || run == GDB_RLE_DOLLAR)
		run = GDB_RLE_HASH - 1;
	return run;
}

/*
 * Sends "$data#cs" with runs of equal bytes run-length encoded: every
 * byte costs one send() in QEMU's UART model (several us), and register
 * values and stack words are mostly zero digits. gdb expands the runs as
 * it reads the frame, before it looks at the contents, so binary (escaped)
 * replies may be encoded too.
 */
static void gdb_packet_emit(const char *data, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	uint8_t sum = 0;
	size_t i, k, run;

	gdb_serial_putc('$');
	for (i = 0; i < len; i += 1 + run) {
		run = gdb_packet_run(data, len, i);
		gdb_packet_put(data[i], &sum);
		if (run >= GDB_RLE_MIN) {
			gdb_packet_put('*', &sum);
			gdb_packet_put((char)(GDB_RLE_BASE + run), &sum);
			continue;
		}
		for (k = 0; k < run; k++)
			gdb_packet_put(data[i], &sum);
	}
	gdb_serial_putc('#');
	gdb_serial_putc(digits[sum >> 4]);
	gdb_serial_putc(digits[sum & 0xf]);
	gdb_serial_flush();
}

/*
 * Sends a packet and, in ack mode, waits for gdb's '+'. A '-' asks for the
 * packet again; a '$' means gdb moved on (a new connection, or it gave up
 * on this reply), so the packet it starts is the next one we read.
 */
void gdb_packet_send(const char *data, size_t len)
{
	int c;

	for (;;) {
		gdb_packet_emit(data, len);
		if (gdb_packet_noack)
			return;
		do {
			c = gdb_serial_getc();
		} while (c != GDB_ACK && c != GDB_NAK && c != '$');
		if (c == GDB_ACK)
			return;
		if (c == '$') {
			gdb_packet_have_start = true;
			return;
		}
	}
}
