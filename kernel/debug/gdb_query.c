/*
 * General queries (q/Q packets): what the stub supports, the thread list
 * and its extra info, and the qXfer objects (the target description and the
 * thread list as XML). Kernel threads are read straight from thread_all,
 * which is plain data by design (kernel/thread.h).
 * Reference: GDB manual, E.4 "General Query Packets", G "Target
 * Descriptions", E.4 "qXfer:threads:read".
 */
#include "gdb.h"

#define gdb_query_xml (gdb_space->xml)
static size_t gdb_query_xml_len;

static const char gdb_query_supported[] =
	"PacketSize=4000;swbreak+;hwbreak+;vContSupported+;"
	"QStartNoAckMode+;qXfer:features:read+;qXfer:threads:read+";

static const char *gdb_query_state(const struct thread *t)
{
	switch (t->state) {
	case THREAD_READY:
		return "ready";
	case THREAD_RUNNING:
		return "running";
	case THREAD_SLEEPING:
		return "sleeping";
	case THREAD_BLOCKED:
		return "blocked";
	case THREAD_DEAD:
		return "dead";
	}
	return "unknown";
}

/* "blocked: wait queue rxq"; the reason is only shown when there is one */
static void gdb_query_describe(const struct thread *t, struct gdb_buf *b,
			       bool xml)
{
	const char *s = gdb_query_state(t);
	struct percpu *on = percpu_count > 1 ? gdb_thread_cpu(t) : NULL;

	/* on a CPU, if only on its way to sleep: its registers are that CPU's */
	if (on) {
		gdb_buf_puts(b, "running on cpu ");
		gdb_buf_dec(b, (uint64_t)on->id);
		return;
	}

	gdb_buf_puts(b, s);
	/* "sleeping: sleep" says nothing more than "sleeping" */
	if (t->wait_reason && t->state != THREAD_RUNNING &&
	    t->state != THREAD_READY &&
	    !(t->state == THREAD_SLEEPING &&
	      gdb_util_streq(t->wait_reason, "sleep"))) {
		gdb_buf_puts(b, ": ");
		if (xml)
			gdb_buf_xml(b, t->wait_reason);
		else
			gdb_buf_puts(b, t->wait_reason);
	}
	/* with several CPUs: where it runs, or would */
	if (percpu_count > 1) {
		gdb_buf_puts(b, " on cpu ");
		gdb_buf_dec(b, (uint64_t)t->cpu);
	}
}

static void gdb_query_thread_list(const struct gdb_session *s,
				  struct gdb_buf *out)
{
	struct gdb_thread_iter it;
	const struct thread *t;
	bool first = true;

	gdb_buf_putc(out, 'm');
	if (gdb_thread_unlisted(s) || !thread_all) {
		gdb_buf_hexnum(out, (uint64_t)gdb_thread_id(s->stop->thread));
		first = false;
	}
	for (t = gdb_thread_first(&it); t; t = gdb_thread_next(&it)) {
		if (!first)
			gdb_buf_putc(out, ',');
		first = false;
		gdb_buf_hexnum(out, (uint64_t)gdb_thread_id(t));
	}
}

/* qThreadExtraInfo: "netrx [blocked: wait queue rxq]", hex encoded */
static void gdb_query_extra(const struct gdb_session *s, const char *p,
			    struct gdb_buf *out)
{
	char text[THREAD_NAME_MAX + 96];
	struct gdb_buf b;
	const struct thread *t;
	uint64_t id;
	size_t i;

	if (!gdb_util_parse_hex(&p, &id) || *p || id > 0x7fffffff) {
		gdb_buf_puts(out, GDB_ERR_INVALID);
		return;
	}
	t = gdb_thread_find(s, (int)id);
	if (!t) {
		if (gdb_thread_is_pseudo((int)id))
			gdb_buf_hexstr(out, "kernel [running]");
		else
			gdb_buf_puts(out, GDB_ERR_THREAD);
		return;
	}
	gdb_buf_init(&b, text, sizeof(text) - 1);
	for (i = 0; i < THREAD_NAME_MAX && t->name[i]; i++)
		gdb_buf_putc(&b, t->name[i]);
	gdb_buf_puts(&b, " [");
	gdb_query_describe(t, &b, false);
	gdb_buf_putc(&b, ']');
	text[b.len] = '\0';
	gdb_buf_hexstr(out, text);
}

static void gdb_query_thread_xml(const struct thread *t, struct gdb_buf *b)
{
	char name[THREAD_NAME_MAX + 1];

	gdb_util_memcpy(name, t->name, THREAD_NAME_MAX);
	name[THREAD_NAME_MAX] = '\0';
	gdb_buf_puts(b, "<thread id=\"");
	gdb_buf_hexnum(b, (uint64_t)gdb_thread_id(t));
	if (percpu_count > 1) {
		/* gdb shows the core in -thread-info */
		gdb_buf_puts(b, "\" core=\"");
		gdb_buf_dec(b, (uint64_t)(t->state == THREAD_RUNNING ?
						  t->on_cpu :
						  t->cpu));
	}
	gdb_buf_puts(b, "\" name=\"");
	gdb_buf_xml(b, name);
	gdb_buf_puts(b, "\">");
	gdb_query_describe(t, b, true);
	gdb_buf_puts(b, "</thread>");
}

static void gdb_query_threads_xml(const struct gdb_session *s)
{
	struct gdb_thread_iter it;
	const struct thread *t, *extra;
	struct gdb_buf b;

	gdb_buf_init(&b, gdb_query_xml, sizeof(gdb_query_xml));
	/* gdb reads this after every stop: no prolog, no white space */
	gdb_buf_puts(&b, "<threads>");
	extra = gdb_thread_unlisted(s);
	if (extra)
		gdb_query_thread_xml(extra, &b);
	else if (!thread_all)
		gdb_buf_puts(&b, "<thread id=\"7fffffff\" name=\"kernel\">"
				 "running</thread>");
	for (t = gdb_thread_first(&it); t; t = gdb_thread_next(&it))
		gdb_query_thread_xml(t, &b);
	gdb_buf_puts(&b, "</threads>");
	gdb_query_xml_len = b.len;
}

/*
 * One window of a qXfer object: 'm' and data when more follows, 'l' for
 * the last part. The data is binary, so RSP's special bytes are escaped.
 */
static void gdb_query_window(const char *obj, size_t len, const char *p,
			     struct gdb_buf *out)
{
	uint64_t off, want;
	char c;

	if (!gdb_util_parse_hex(&p, &off) || *p++ != ',' ||
	    !gdb_util_parse_hex(&p, &want) || *p) {
		gdb_buf_puts(out, GDB_ERR_INVALID);
		return;
	}
	/* escaping can double each byte: keep the reply inside the buffer */
	if (want > (out->cap - 1) / 2)
		want = (out->cap - 1) / 2;
	if (off >= len) {
		gdb_buf_putc(out, 'l');
		return;
	}
	gdb_buf_putc(out, off + want >= len ? 'l' : 'm');
	for (; off < len && want; off++, want--) {
		c = obj[off];
		if (c == '#' || c == '$' || c == '}' || c == '*') {
			gdb_buf_putc(out, '}');
			c ^= 0x20;
		}
		gdb_buf_putc(out, c);
	}
}

/* Fills `out` with the reply; leaves it empty for unknown queries. */
bool gdb_query_handle(struct gdb_session *s, const char *pkt, size_t len,
		      struct gdb_buf *out)
{
	(void)len;
	if (gdb_util_prefix(pkt, "qSupported")) {
		gdb_buf_puts(out, gdb_query_supported);
	} else if (gdb_util_prefix(pkt, "qAttached")) {
		/* "attached to an existing process": quitting gdb detaches */
		gdb_buf_putc(out, '1');
	} else if (pkt[0] == 'q' && pkt[1] == 'C' && !pkt[2]) {
		gdb_buf_puts(out, "QC");
		gdb_buf_hexnum(out, (uint64_t)gdb_thread_id(s->stop->thread));
	} else if (gdb_util_prefix(pkt, "qfThreadInfo")) {
		gdb_query_thread_list(s, out);
	} else if (gdb_util_prefix(pkt, "qsThreadInfo")) {
		gdb_buf_putc(out, 'l');
	} else if (gdb_util_prefix(pkt, "qThreadExtraInfo,")) {
		gdb_query_extra(s, pkt + 17, out);
	} else if (gdb_util_prefix(pkt, "qXfer:features:read:target.xml:")) {
		gdb_query_window(gdb_target_xml, gdb_target_xml_len, pkt + 31,
				 out);
	} else if (gdb_util_prefix(pkt, "qXfer:features:read:")) {
		gdb_buf_puts(out, GDB_ERR_INVALID);	/* no other annex */
	} else if (gdb_util_prefix(pkt, "qXfer:threads:read::")) {
		/* rebuild at offset 0 so a multi-part read sees one snapshot */
		if (pkt[20] == '0' && pkt[21] == ',')
			gdb_query_threads_xml(s);
		gdb_query_window(gdb_query_xml, gdb_query_xml_len, pkt + 20,
				 out);
	} else {
		return false;
	}
	return true;
}
