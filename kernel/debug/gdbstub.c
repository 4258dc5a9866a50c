/*
 * The gdbstub's entry points and its run state: the trap hook, the
 * transport's RX interrupt (Ctrl-C, or a new gdb's first packet), panic (the
 * TRAP_PANIC vector: SIGABRT) and the wait-before-main stop. A stop takes
 * every breakpoint out, serves gdb (gdb_protocol.c) and then sets the CPU
 * up for what gdb asked: run freely, step once, step through a range
 * (vCont;r, without asking gdb at each instruction), or first step off a
 * breakpoint and then run.
 * A fault or panic stops only when gdbstub_catch says so, and cannot be
 * resumed past: continuing from that stop (without moving rip) runs the
 * kernel's crash path, report and exit 127, as without a debugger.
 * The stub runs with interrupts off; with several CPUs the others are
 * parked while it serves gdb (gdb_smp.c), and a request for a thread that
 * runs on another CPU is handed to that CPU, which carries it out as if
 * gdb had asked it (gdbstub_take_over).
 */
#include <errno.h>
#include <kernel/cmdline.h>
#include <kernel/cpu.h>
#include <kernel/gdbstub.h>
#include <kernel/lapic.h>
#include <kernel/page.h>

#include "gdb.h"

/*
 * Weak so that the stub links (without Ctrl-C) into kernels that have no
 * IOAPIC code; gdb can still stop such a kernel at traps and in wait mode.
 */
extern int irq_register(unsigned int gsi, bool level, irq_handler_t handler,
			void *arg) __attribute__((weak));
extern void irq_route(unsigned int gsi, uint32_t apic_id)
	__attribute__((weak));

#define GDB_SPACE_PAGES (PAGE_ROUND_UP(sizeof(struct gdb_space)) / PAGE_SIZE)

struct gdb_space *gdb_space;
unsigned int gdbstub_catch = GDBSTUB_CATCH_FAULT | GDBSTUB_CATCH_PANIC;
struct gdbstub_fault gdbstub_fault;
#define DR6_HITS 0xfull		/* B0-B3: which DR0-DR3 fired */
#define DR6_BS (1ull << 14)	/* single step */

/* the one session: what every layer below is handed */
static struct gdb_session gdb_session;

/* Signal gdb shows for a CPU exception (Linux's choices, gdb's numbers). */
static int gdbstub_signal(uint64_t vector)
{
	switch (vector) {
	case TRAP_DE:
	case TRAP_MF:
	case TRAP_XM:
		return GDB_SIGFPE;
	case TRAP_UD:
		return GDB_SIGILL;
	case TRAP_OF:
	case TRAP_BR:
	case TRAP_TS:
	case TRAP_NP:
	case TRAP_SS:
	case TRAP_GP:
	case TRAP_PF:
		return GDB_SIGSEGV;
	case TRAP_AC:
		return GDB_SIGBUS;
	}
	return GDB_SIGTRAP;
}

static bool gdbstub_in_range(uint64_t rip)
{
	return rip >= gdb_session.range_start && rip < gdb_session.range_end;
}

/* A breakpoint at rip must stop a range step even inside the range. */
static bool gdbstub_break_at(uint64_t rip)
{
	return gdb_break_sw_at(rip) || gdb_break_hw_exec_at(rip) ||
	       gdb_break_hidden_at(rip);
}

/*
 * Breakpoints in, and every CPU parked for this stop runs again, unless gdb
 * let only this one run (scheduler-locking on: vCont;c:N).
 */
static void gdbstub_run_free(void)
{
	gdb_session.run = GDB_RUN_FREE;
	gdb_break_arm_sw();
	gdb_break_arm_hw(&gdb_session);
	if (!gdb_session.alone)
		gdb_smp_release();
}

/* The other CPUs run while this one steps, breakpoints in. */
static void gdbstub_others_run(void)
{
	gdb_break_arm_sw();
	gdb_smp_resume_others();
}

/* TF is ours on this CPU (another may trap while this one steps). */
static bool gdbstub_stepping_here(void)
{
	return gdb_session.stepping &&
	       gdb_session.step_cpu == this_cpu()->id;
}

/*
 * Lets the CPU execute one instruction under TF, or emulates it. Returns
 * true when the CPU must run (a #DB follows), false when the step ended
 * here and the stop must be reported now.
 */
static bool gdbstub_step(struct trap_frame *f)
{
	for (;;) {
		if (gdb_arch_step_begin(f)) {
			gdb_session.stepping = true;
			gdb_session.step_cpu = this_cpu()->id;
			/*
			 * RF: a DR breakpoint on this very instruction
			 * must not fire again
			 */
			f->rflags |= RFLAGS_RF;
			gdb_break_arm_hw(&gdb_session);
			return true;
		}
		if (gdb_session.run == GDB_RUN_STEP_OVER) {
			gdbstub_run_free();
			return true;
		}
		if (gdb_session.run != GDB_RUN_RANGE ||
		    !gdbstub_in_range(f->rip) || gdbstub_break_at(f->rip))
			return false;
	}
}

/* What gdbstub_resume() did with gdb's request. */
enum gdbstub_go {
	GDBSTUB_GO,		/* this CPU runs (steps) */
	GDBSTUB_REPORT,		/* it ended here: report a stop now */
	GDBSTUB_HANDED,		/* another CPU took it; this one parked */
};

/*
 * Resuming a thread other than the stopped one (`thread 3`, then stepi or
 * next). One running on another CPU: that CPU takes the stub over and
 * steps it (gdb_smp_hand_over), this one parks meanwhile. One that is
 * parked in the scheduler cannot be stepped from here: the kernel runs
 * until that thread resumes where it parked (ctx.rip), where a hidden
 * int3 catches it, and the step starts from there. One running on a CPU
 * that did not park (or cannot resume as it is): a stop is reported at
 * once, rather than a step from registers that are not its own.
 */
static enum gdbstub_go gdbstub_resume_other(struct trap_frame *f,
					    const struct gdb_resume *res)
{
	struct percpu *c = gdb_thread_cpu(res->thread);

	if (c && gdb_smp_can_take(c)) {
		gdb_session.handed = *res;
		gdb_session.handed.thread = NULL;
		/* its int3 into the stub is no bug of the stub's */
		gdb_session.in_stub = false;
		gdb_smp_hand_over(&gdb_session, f, c);
		return GDBSTUB_HANDED;
	}
	gdb_session.reply_due = true;
	if (c)
		return GDBSTUB_REPORT;
	gdb_session.park = *res;
	gdb_break_hidden_set(res->thread->ctx.rip);
	return GDBSTUB_GO;
}

/* Applies gdb's resume request (see enum gdbstub_go). */
static enum gdbstub_go gdbstub_resume(struct trap_frame *f,
				      const struct gdb_resume *res,
				      const struct thread *stopped)
{
	struct gdb_resume cont = { .action = GDB_ACT_CONTINUE };
	enum gdbstub_go go;

	gdb_session.alone = res->alone;
	if (res->thread && res->thread != stopped) {
		go = gdbstub_resume_other(f, res);
		if (go != GDBSTUB_GO)
			return go;
		res = &cont;
		gdb_session.alone = false;
	}
	switch (res->action) {
	case GDB_ACT_DETACH:
		gdb_break_clear_all(&gdb_session);
		gdb_session.attached = false;
		gdb_session.reply_due = false;
		gdb_session.run = GDB_RUN_FREE;
		gdb_session.alone = false;
		gdb_smp_release();
		/* the next gdb starts in ack mode */
		gdb_packet_new_connection();
		return GDBSTUB_GO;
	case GDB_ACT_CONTINUE:
		gdb_session.reply_due = true;
		if (!gdbstub_break_at(f->rip)) {
			gdbstub_run_free();
			f->rflags |= RFLAGS_RF;
			return GDBSTUB_GO;
		}
		gdb_session.run = GDB_RUN_STEP_OVER;
		break;
	case GDB_ACT_STEP:
		gdb_session.run = GDB_RUN_STEP;
		break;
	case GDB_ACT_RANGE:
		gdb_session.run = GDB_RUN_RANGE;
		gdb_session.range_start = res->start;
		gdb_session.range_end = res->end;
		break;
	}
	gdb_session.reply_due = true;
	if (!gdbstub_step(f))
		return GDBSTUB_REPORT;
	/*
	 * vCont;s:N;c (gdb's default scheduler-locking): the others may run
	 * while this CPU steps, breakpoints in, until the step's stop parks
	 * them again. They stay parked, owed a release, unless the step lasts
	 * (gdbstub_debug) or fairness says they run now (gdb_smp.c). Not when
	 * the step starts on a breakpoint of ours: it is out while this CPU
	 * steps over it, and they could run past it.
	 */
	if (!gdb_session.alone && gdb_session.run != GDB_RUN_FREE &&
	    gdb_session.run != GDB_RUN_STEP_OVER && !gdbstub_break_at(f->rip) &&
	    !gdb_smp_defer_others())
		gdbstub_others_run();
	return GDBSTUB_GO;
}

static void gdbstub_irq(struct trap_frame *f, void *arg);

/*
 * Ctrl-C must reach a CPU that runs: while this one runs alone the others
 * are parked with interrupts off, so the transport's interrupt comes here;
 * else it goes back to the CPU that registered it.
 */
static void gdbstub_irq_route(void)
{
	uint32_t to = gdb_session.alone ? lapic_id() : gdb_session.irq_home;

	if (!gdb_session.irq_on || !irq_route || to == gdb_session.irq_apic)
		return;
	irq_route(gdb_serial_transport()->gsi(), to);
	gdb_session.irq_apic = to;
}

/*
 * The one place where the kernel stops and talks to gdb. first: a request
 * of gdb's this CPU was handed by another (gdb_smp_hand_over), which it
 * carries out before it reads any packet; NULL: a stop to report.
 */
static void gdbstub_serve(struct trap_frame *f, int signal,
			  const struct gdb_stop *why,
			  const struct gdb_resume *first)
{
	struct gdb_stop stop = { .kind = GDB_STOP_SIGNAL };
	struct gdb_resume res;
	enum gdbstub_go go;

	gdb_smp_acquire(&gdb_session, f);
	gdb_session.in_stub = true;
	/*
	 * a step that ended in a trap of another kind (int3 in the code, a
	 * fault): give the frame its own TF and IF back
	 */
	if (gdbstub_stepping_here()) {
		gdb_arch_step_end(f, false);
		gdb_session.stepping = false;
	}
	gdb_break_disarm_sw();
	gdb_break_disarm_hw(&gdb_session);
	/* any stop ends a pending step of a parked thread (all-stop) */
	gdb_break_hidden_clear();
	gdb_serial_rx_irq(false);
	/* every other CPU stops; gdb_smp_wait_others() below waits for it */
	gdb_smp_stop_others();
	if (why)
		stop = *why;
	stop.frame = f;
	stop.signal = signal;
	/* called with every breakpoint out, so no user breakpoint can hit */
	stop.thread = thread_current();
	gdb_session.attached = true;
	gdb_session.seen = true;
	gdb_session.stop = &stop;
	for (;;) {
		if (first) {
			res = *first;
			first = NULL;
		} else {
			if (gdb_session.reply_due) {
				gdb_protocol_stop_reply(&stop);
				gdb_session.reply_due = false;
			}
			/*
			 * every other CPU parked before gdb's next packet
			 * (the stop reply holds only this CPU's registers):
			 * gdb sees all-stop, and the others park while the
			 * reply travels
			 */
			gdb_smp_wait_others();
			gdb_session.stop = &stop;
			gdb_protocol_loop(&gdb_session, &res);
		}
		go = gdbstub_resume(f, &res, stop.thread);
		/* the CPU that took the stub did what follows; we ran again */
		if (go == GDBSTUB_HANDED)
			return;
		if (go == GDBSTUB_GO)
			break;
		stop.signal = GDB_SIGTRAP;
		stop.kind = GDB_STOP_SIGNAL;
	}
	gdbstub_irq_route();
	gdb_serial_rx_irq(true);
	gdb_session.in_stub = false;
	/* a Ctrl-C that came while we were resuming: as if it interrupted */
	if (gdb_serial_unannounced())
		gdbstub_irq(f, NULL);
}

static void gdbstub_stop(struct trap_frame *f, int signal,
			 const struct gdb_stop *why)
{
	gdbstub_serve(f, signal, why, NULL);
}

/*
 * This CPU was handed the stub (gdb_smp_taken): what gdb asked of the
 * thread it runs is done here, as if gdb had asked this CPU.
 */
static void gdbstub_take_over(struct trap_frame *f)
{
	struct gdb_resume res = gdb_session.handed;

	gdbstub_serve(f, GDB_SIGTRAP, NULL, &res);
}

/* The parked thread gdb wants to step has just resumed: step it now. */
static void gdbstub_park_arrived(struct trap_frame *f)
{
	gdb_break_hidden_clear();
	gdb_break_disarm_sw();
	if (gdb_session.park.action == GDB_ACT_RANGE &&
	    f->rip >= gdb_session.park.start && f->rip < gdb_session.park.end) {
		gdb_session.run = GDB_RUN_RANGE;
		gdb_session.range_start = gdb_session.park.start;
		gdb_session.range_end = gdb_session.park.end;
		if (gdbstub_step(f))
			return;
	}
	gdbstub_stop(f, GDB_SIGTRAP, NULL);
}

/* The hidden int3 at a parked thread's resume address was hit. */
static void gdbstub_hidden(struct trap_frame *f)
{
	struct gdb_stop why = { .kind = GDB_STOP_SWBREAK };

	f->rip--;
	if (thread_current() == gdb_session.park.thread) {
		gdbstub_park_arrived(f);
	} else if (gdb_break_sw_at(f->rip)) {
		gdbstub_stop(f, GDB_SIGTRAP, &why);	/* a user's, too */
	} else {
		/* another thread resuming there: step it off, run on */
		gdb_break_disarm_sw();
		gdb_session.run = GDB_RUN_STEP_OVER;
		gdbstub_step(f);
	}
}

static bool gdbstub_int3(struct trap_frame *f)
{
	struct gdb_stop why = { .kind = GDB_STOP_SWBREAK };
	int sig = gdb_session.own_signal;

	if (gdb_smp_taken(f)) {
		gdbstub_take_over(f);
		return true;
	}
	if (sig) {
		gdb_session.own_signal = 0;
		/*
		 * the IF gdbstub_before_main() took away; rip stays past
		 * the int3, so continuing does not trap again
		 */
		f->rflags |= gdb_session.own_if;
		gdbstub_stop(f, sig, NULL);
		return true;
	}
	if (!gdb_session.attached)
		return false;
	if (gdb_break_hidden_at(f->rip - 1)) {
		gdbstub_hidden(f);
		return true;
	}
	/* int3 is a trap: rip is past it. Ours? Then back onto the insn. */
	if (gdb_break_sw_at(f->rip - 1)) {
		f->rip--;
		gdbstub_stop(f, GDB_SIGTRAP, &why);
	} else {
		/* an int3 compiled into the code */
		gdbstub_stop(f, GDB_SIGTRAP, NULL);
	}
	return true;
}

/* Ctrl-C while the CPU steps through a range: polled, IF is off. */
static bool gdbstub_ctrl_c(void)
{
	int c;

	while ((c = gdb_serial_poll()) >= 0) {
		if (c == GDB_CTRL_C)
			return true;
	}
	return false;
}

static bool gdbstub_debug(struct trap_frame *f)
{
	struct gdb_stop why = { .kind = GDB_STOP_SIGNAL };
	uint64_t dr6 = gdb_arch_dr6_take();
	bool stepped = gdbstub_stepping_here(), hit = false;

	/* DR7 off first: reading a watched variable below would trap again */
	gdb_break_disarm_hw(&gdb_session);

	if (stepped) {
		/* BS: the instruction completed; else a DR breakpoint fired */
		gdb_arch_step_end(f, dr6 & DR6_BS);
		gdb_session.stepping = false;
	}
	if (!gdb_session.attached && !stepped)
		return false;
	if (dr6 & DR6_HITS)
		hit = gdb_break_hw_hit(dr6, &why);
	if (hit && why.kind == GDB_STOP_HWBREAK)
		f->rflags |= RFLAGS_RF;	/* fault-like: no refire on resume */
	if (!hit && !stepped) {
		gdb_break_arm_hw(&gdb_session);
		return true;	/* a write seen by a read watchpoint */
	}
	if (!hit && gdb_session.run == GDB_RUN_STEP_OVER) {
		gdbstub_run_free();
		return true;
	}
	if (!hit && gdb_session.run == GDB_RUN_RANGE &&
	    gdbstub_in_range(f->rip) && !gdbstub_break_at(f->rip)) {
		if (gdbstub_ctrl_c()) {
			gdbstub_stop(f, GDB_SIGINT, NULL);
			return true;
		}
		/* still in the range: the others owed a release get it */
		if (gdb_smp_owed_due())
			gdbstub_others_run();
		if (gdbstub_step(f))
			return true;
	}
	gdbstub_stop(f, GDB_SIGTRAP, &why);
	return true;
}

/*
 * A fault or panic: stop if gdb wants it. A faulting instruction cannot be
 * retried (it would fault again, forever), so false (the crash report)
 * unless gdb moved rip elsewhere (`jump`, `set $pc`) while stopped.
 */
static bool gdbstub_fault_stop(struct trap_frame *f, int signal,
			       unsigned int catch)
{
	uint64_t rip = f->rip;

	if (!(gdbstub_catch & catch))
		return false;
	gdbstub_fault.vector = f->vector;
	gdbstub_fault.error = f->error;
	gdbstub_fault.cr2 = f->vector == TRAP_PF ? read_cr2() : 0;
	gdbstub_fault.rip = rip;
	gdbstub_fault.signal = signal;
	gdbstub_stop(f, signal, NULL);
	return f->rip != rip;
}

bool gdbstub_trap(struct trap_frame *f)
{
	if (!gdb_session.up)
		return false;
	/* another CPU's stop (its NMI, or a trap while it owns the stub) */
	if (gdb_smp_foreign(&gdb_session, f))
		return true;
	/* the stub's own bug; another CPU's trap is handled as any other */
	if (gdb_session.in_stub && gdb_smp_owner_cpu() == this_cpu()->id)
		return false;
	switch (f->vector) {
	case TRAP_BP:
		return gdbstub_int3(f);
	case TRAP_DB:
		return gdbstub_debug(f);
	case TRAP_NMI:
	case TRAP_DF:
	case TRAP_MC:
		return false;	/* not resumable: for the crash report */
	}
	if (!gdb_session.attached)
		return false;
	/* panic()/assert(): stop on the int $TRAP_PANIC, in panic() */
	if (f->vector == TRAP_PANIC)
		return gdbstub_fault_stop(f, GDB_SIGABRT, GDBSTUB_CATCH_PANIC);
	if (f->vector >= TRAP_EXCEPTIONS)
		return false;
	return gdbstub_fault_stop(f, gdbstub_signal(f->vector),
				  GDBSTUB_CATCH_FAULT);
}

/* Input while the kernel runs: Ctrl-C, or a gdb that just connected. */
static void gdbstub_irq(struct trap_frame *f, void *arg)
{
	int c;

	(void)arg;
	gdb_serial_irq_ack();
	if (gdb_session.in_stub)
		return;
	while ((c = gdb_serial_poll()) >= 0) {
		if (c == GDB_CTRL_C) {
			gdbstub_stop(f, GDB_SIGINT, NULL);
			return;
		}
		if (c == '$') {
			/* a new session: it asks '?' itself */
			gdb_packet_unget_start();
			gdb_session.reply_due = false;
			gdbstub_stop(f, GDB_SIGTRAP, NULL);
			return;
		}
		if (c == '+')
			gdb_packet_new_connection();
	}
}

int gdbstub_init(const char *option)
{
	const char *transport = cmdline_option("gdb.transport");
	const struct gdb_transport *tr;
	bool ok;

	if (option && gdb_util_streq(option, "off"))
		return -ENODEV;
	if (!gdb_serial_init(transport))
		return -ENODEV;
	/* only now: a kernel run without a debugger line pays nothing */
	gdb_space = page_alloc_raw(GDB_SPACE_PAGES);
	if (!gdb_space)
		return -ENOMEM;
	gdb_session.up = true;
	gdb_session.wait = option && gdb_util_streq(option, "wait");
	/* without the IRQ gdb can still stop us at a trap or in wait mode */
	tr = gdb_serial_transport();
	ok = irq_register &&
	     irq_register(tr->gsi(), tr->level, gdbstub_irq, NULL) == 0;
	if (ok) {
		gdb_session.irq_on = true;
		gdb_session.irq_home = lapic_id();
		gdb_session.irq_apic = gdb_session.irq_home;
		gdb_serial_rx_irq(true);
	}
	return 0;
}

unsigned long gdbstub_virtio_mmio(void)
{
	return gdb_session.up &&
			       gdb_serial_transport() == &gdb_virtio_transport ?
		       gdb_virtio_base() :
		       0;
}

bool gdbstub_before_main(void)
{
	uint64_t flags = irq_save();

	/*
	 * A gdb that connected during boot (even one that detached since)
	 * has had its chance already.
	 */
	if (!gdb_session.up || !gdb_session.wait || gdb_session.seen) {
		irq_restore(flags);
		return false;
	}
	gdb_session.own_signal = GDB_SIGTRAP;
	gdb_session.own_if = flags & CPU_RFLAGS_IF;
	return true;
}

bool gdbstub_attached(void)
{
	return gdb_session.attached;
}
