/*
 * Packet dispatch: reads packets while the kernel is stopped and answers
 * them, until gdb resumes (c, s, vCont), detaches (D) or kills (k).
 * Registers and memory of "the selected thread" (Hg) come from the trap
 * frame when it is the thread that stopped, from its saved context
 * otherwise. Anything we do not know gets the empty reply, as the protocol
 * asks. Queries live in gdb_query.c.
 * Reference: GDB manual, E.2 "Packets", E.3 "Stop Reply Packets".
 */
#include <errno.h>
#include <kernel/power.h>

#include "gdb.h"

#define gdb_protocol_in (gdb_space->in)
#define gdb_protocol_out (gdb_space->out)

static void gdb_protocol_stop_build(const struct gdb_stop *stop,
				    struct gdb_buf *out)
{
	static const int expedite[] = { GDB_REG_RBP, GDB_REG_RSP, GDB_REG_RIP };
	struct gdb_regs r = { .frame = stop->frame };
	unsigned int i;

	gdb_buf_putc(out, 'T');
	gdb_buf_hex8(out, (uint8_t)stop->signal);
	gdb_buf_puts(out, "thread:");
	gdb_buf_hexnum(out, (uint64_t)gdb_thread_id(stop->thread));
	gdb_buf_putc(out, ';');
	/* rip/rsp/rbp ride along so that a step needs no 'g' */
	for (i = 0; i < sizeof(expedite) / sizeof(expedite[0]); i++) {
		gdb_buf_hex8(out, (uint8_t)expedite[i]);
		gdb_buf_putc(out, ':');
		gdb_arch_reg_get(&r, expedite[i], out);
		gdb_buf_putc(out, ';');
	}
	switch (stop->kind) {
	case GDB_STOP_SWBREAK:
		gdb_buf_puts(out, "swbreak:;");
		break;
	case GDB_STOP_HWBREAK:
		gdb_buf_puts(out, "hwbreak:;");
		break;
	case GDB_STOP_WATCH:
	case GDB_STOP_RWATCH:
	case GDB_STOP_AWATCH:
		gdb_buf_puts(out, stop->kind == GDB_STOP_WATCH ? "watch:" :
				  stop->kind == GDB_STOP_RWATCH ? "rwatch:" :
								  "awatch:");
		gdb_buf_hexnum(out, stop->watch_addr);
		gdb_buf_putc(out, ';');
		break;
	default:
		break;
	}
}

void gdb_protocol_stop_reply(const struct gdb_stop *stop)
{
	struct gdb_buf out;

	gdb_buf_init(&out, gdb_protocol_out, sizeof(gdb_protocol_out));
	gdb_protocol_stop_build(stop, &out);
	gdb_packet_send(out.data, out.len);
}

/* Thread id as in H/T/vCont: hex, 0 (any) or -1 (all); -2 when malformed. */
static int gdb_protocol_tid(const char **p)
{
	uint64_t v;

	if ((*p)[0] == '-' && (*p)[1] == '1') {
		*p += 2;
		return -1;
	}
	if (!gdb_util_parse_hex(p, &v) || v > 0x7fffffff)
		return -2;
	return (int)v;
}

static void gdb_protocol_H(struct gdb_session *s, const char *p, struct gdb_buf *out)
{
	char op = *p++;
	int id = gdb_protocol_tid(&p);
	struct thread *t = NULL;

	if (id == -2 || *p || (op != 'g' && op != 'c')) {
		gdb_buf_puts(out, GDB_ERR_INVALID);
		return;
	}
	if (id > 0 && id != gdb_thread_id(s->stop->thread)) {
		t = gdb_thread_find(s, id);
		if (!t) {
			gdb_buf_puts(out, GDB_ERR_THREAD);
			return;
		}
	}
	/* Hc only matters for resuming, which always resumes everyone */
	if (op == 'g')
		s->sel = t;
	gdb_buf_puts(out, "OK");
}

static void gdb_protocol_T(struct gdb_session *s, const char *p, struct gdb_buf *out)
{
	int id = gdb_protocol_tid(&p);

	if (id > 0 && !*p &&
	    (id == gdb_thread_id(s->stop->thread) ||
	     gdb_thread_find(s, id)))
		gdb_buf_puts(out, "OK");
	else
		gdb_buf_puts(out, GDB_ERR_THREAD);
}

/* c/s/C/S with an optional new pc (after the signal for C/S) */
static bool gdb_protocol_resume(struct gdb_session *s, const char *p, enum gdb_action act,
				bool has_sig, struct gdb_resume *res)
{
	uint64_t v;

	if (has_sig && !gdb_util_parse_hex(&p, &v))
		return false;
	if (has_sig && *p == ';')
		p++;
	if (*p) {
		if (!gdb_util_parse_hex(&p, &v) || *p)
			return false;
		s->stop->frame->rip = v;
	}
	res->action = act;
	/* c runs every CPU, s only the stopped one */
	res->alone = act == GDB_ACT_STEP;
	return true;
}

enum gdb_protocol_next {
	GDB_NEXT_REPLY,		/* send the reply, read the next packet */
	GDB_NEXT_RESUME,	/* leave the loop (no reply for c/s/vCont) */
	GDB_NEXT_NOACK,		/* reply, then stop acking */
};

/*
 * vCont;action[:tid]...: the leftmost action that names the stopped thread
 * (or names none) decides, unless it merely continues and another action
 * steps a parked thread ("vCont;s:3;c" after `thread 3`): then that step
 * is what gdb waits for. Threads no action applies to stay stopped (GDB
 * manual, E.2 "vCont"): the other CPUs run only when an action applies to
 * other threads, as gdb's default ("vCont;s:1;c", "vCont;c") asks and
 * scheduler-locking on ("vCont;r...:1", "vCont;c:1") does not; every
 * thread that is not running keeps its place in the scheduler.
 */
static int gdb_protocol_vcont(struct gdb_session *s, const char *p, struct gdb_resume *res,
			      struct gdb_buf *out)
{
	int cur = gdb_thread_id(s->stop->thread), tid, named = 0;
	uint64_t start = 0, end = 0, sig;
	bool found = false, stay = false, all = false;
	struct gdb_resume parked = { .thread = NULL };
	struct thread *t;
	char act;

	res->action = GDB_ACT_CONTINUE;
	res->thread = NULL;
	res->alone = true;
	if (*p != ';')
		goto bad;
	while (*p == ';') {
		p++;
		act = *p++;
		if (act == 'C' || act == 'S') {
			if (!gdb_util_parse_hex(&p, &sig))
				goto bad;
		} else if (act == 'r') {
			if (!gdb_util_parse_hex(&p, &start) || *p++ != ',' ||
			    !gdb_util_parse_hex(&p, &end))
				goto bad;
		} else if (act != 'c' && act != 's' && act != 't') {
			goto bad;
		}
		tid = -1;
		if (*p == ':') {
			p++;
			tid = gdb_protocol_tid(&p);
			if (tid == -2)
				goto bad;
		}
		/* it applies to threads but the stopped one: they run */
		if (act != 't' && (tid <= 0 || tid != cur))
			res->alone = false;
		if (act != 't' && tid <= 0)
			all = true;
		else if (act != 't')
			named++;
		if (tid > 0 && tid != cur && !parked.thread && act != 'c' &&
		    act != 'C' && act != 't') {
			t = gdb_thread_find(s, tid);
			parked.thread = t;
			parked.action = act == 'r' ? GDB_ACT_RANGE : GDB_ACT_STEP;
			parked.start = start;
			parked.end = end;
		}
		if (found || (tid > 0 && tid != cur))
			continue;
		found = true;
		stay = act == 't';
		res->start = start;
		res->end = end;
		if (act == 's' || act == 'S')
			res->action = GDB_ACT_STEP;
		else if (act == 'r')
			res->action = GDB_ACT_RANGE;
	}
	if (*p)
		goto bad;
	if (parked.thread && !stay && res->action == GDB_ACT_CONTINUE) {
		/*
		 * its CPU steps it, or the kernel runs until that thread
		 * comes back (gdbstub.c); the others run meanwhile when an
		 * action applies to them too ("vCont;s:3;c", not "vCont;s:3")
		 */
		*res = parked;
		res->alone = !all && named == 1;
	}
	if (!stay)
		return GDB_NEXT_RESUME;
	/* all-stop: we are stopped already */
	gdb_buf_puts(out, "OK");
	return GDB_NEXT_REPLY;
bad:
	gdb_buf_puts(out, GDB_ERR_INVALID);
	return GDB_NEXT_REPLY;
}

static int gdb_protocol_dispatch(struct gdb_session *s, char *pkt, size_t len, struct gdb_buf *out,
				 struct gdb_resume *res)
{
	struct gdb_regs r;

	gdb_thread_regs(s, s->sel, &r);
	switch (pkt[0]) {
	case '?':
		gdb_protocol_stop_build(s->stop, out);
		break;
	case 'g':
		gdb_data_g(&r, out);
		break;
	case 'G':
		gdb_data_G(&r, pkt + 1, out);
		break;
	case 'p':
		gdb_data_p(&r, pkt + 1, out);
		break;
	case 'P':
		gdb_data_P(&r, pkt + 1, out);
		break;
	case 'm':
		gdb_data_m(pkt + 1, out);
		break;
	case 'M':
		gdb_data_M(pkt + 1, out);
		break;
	case 'X':
		gdb_data_X(pkt + 1, len - 1, out);
		break;
	case 'Z':
	case 'z':
		gdb_data_Z(pkt + 1, pkt[0] == 'Z', out);
		break;
	case 'H':
		gdb_protocol_H(s, pkt + 1, out);
		break;
	case 'T':
		gdb_protocol_T(s, pkt + 1, out);
		break;
	case 'c':
	case 'C':
	case 's':
	case 'S':
		if (gdb_protocol_resume(s, pkt + 1,
					pkt[0] == 'c' || pkt[0] == 'C' ?
						GDB_ACT_CONTINUE :
						GDB_ACT_STEP,
					pkt[0] == 'C' || pkt[0] == 'S', res))
			return GDB_NEXT_RESUME;
		gdb_buf_puts(out, GDB_ERR_INVALID);
		break;
	case 'D':
		gdb_buf_puts(out, "OK");
		res->action = GDB_ACT_DETACH;
		return GDB_NEXT_RESUME;
	case 'k':
		/* not a crash: the runner says "ended by the debugger" */
		gdb_arch_exit_vm(MINNOW_EXIT_DEBUGGER);
		break;
	case 'v':
		if (gdb_util_prefix(pkt, "vCont?"))
			gdb_buf_puts(out, "vCont;c;C;s;S;t;r");
		else if (gdb_util_prefix(pkt, "vCont"))
			return gdb_protocol_vcont(s, pkt + 5, res, out);
		break;
	case 'Q':
		if (gdb_util_prefix(pkt, "QStartNoAckMode") && len == 15) {
			gdb_buf_puts(out, "OK");
			return GDB_NEXT_NOACK;
		}
		gdb_query_handle(s, pkt, len, out);
		break;
	case 'q':
		gdb_query_handle(s, pkt, len, out);
		break;
	}
	return GDB_NEXT_REPLY;
}

/* Serves gdb until it resumes or detaches; *res says which. */
void gdb_protocol_loop(struct gdb_session *s, struct gdb_resume *res)
{
	struct gdb_buf out;
	int n, next;

	s->sel = NULL;
	for (;;) {
		n = gdb_packet_recv(gdb_protocol_in, sizeof(gdb_protocol_in));
		gdb_buf_init(&out, gdb_protocol_out, sizeof(gdb_protocol_out));
		if (n < 0) {
			gdb_buf_puts(&out, GDB_ERR_TOOBIG);
			gdb_packet_send(out.data, out.len);
			continue;
		}
		res->thread = NULL;
		next = gdb_protocol_dispatch(s, gdb_protocol_in, (size_t)n, &out,
					     res);
		if (next == GDB_NEXT_RESUME && res->action != GDB_ACT_DETACH)
			return;
		/* a reply that outgrew the buffer would be truncated: refuse */
		if (out.overflow) {
			gdb_buf_init(&out, gdb_protocol_out,
				     sizeof(gdb_protocol_out));
			gdb_buf_puts(&out, GDB_ERR_TOOBIG);
		}
		gdb_packet_send(out.data, out.len);
		if (next == GDB_NEXT_NOACK)
			gdb_packet_set_noack(true);
		if (next == GDB_NEXT_RESUME)
			return;
	}
}
