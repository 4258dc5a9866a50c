/*
 * All-stop on several CPUs. The CPU that stops (a breakpoint, a step, a
 * fault, Ctrl-C) becomes the stub's owner and sends every other CPU an
 * NMI; each of those parks with its registers in a trap frame (struct
 * percpu's gdb_frame, where gdb_thread.c finds them) and waits. The owner
 * sends gdb the stop reply (its own registers) meanwhile, and serves no
 * packet before every other CPU is parked. A step lets only the owner run,
 * unless gdb lets the others run meanwhile (vCont;s:N;c,
 * gdb_smp_resume_others); when gdb lets the kernel run freely the owner
 * releases them all together, and each loads the debug registers
 * (gdb_break.c) on its way out, so breakpoints and watchpoints hold on
 * every CPU.
 *
 * A parked CPU halts rather than spins: under TCG every vCPU is a host
 * thread, and three spinning ones starved the owner, gdb and QEMU of the
 * host's cores (a stepi cost 16 times its 1-CPU figure). hlt with IF clear
 * ends only at an NMI, and NMIs are blocked from an NMI until its iretq,
 * so a CPU parked by NMI does not wait in its handler: the handler copies
 * the trap frame to the top of the CPU's own park stack (struct gdb_park,
 * in gdb_space) and returns into gdb_smp_park_entry (gdb_park.S) on that
 * stack, IF clear; the iretq unblocks NMIs. The NMI stack is an IST
 * stack, so a later NMI overwrites the frame there; the copy is what gdb
 * reads and writes, and what the CPU resumes once released (isr_return).
 * A parked CPU waits for its own state to leave PARKED; the owner wakes it
 * with an NMI after releasing it. An NMI that lands on the park stack
 * starts the park over from its top (gdb_smp_held is written so that it
 * can be): whatever it brought, a release or another stop, the park sees
 * it afresh, and no wake-up is lost between the check and the hlt. A
 * release the CPU has not taken up when the next stop comes is taken back
 * (see enum gdb_cpu_state): a stepi that lets the others run (gdb's
 * default) does not wait for three host threads to wake and park again.
 *
 * Lazy release. A step that lets the others run (vCont;s:N;c, gdb's
 * default scheduler-locking) leaves them parked, owed a release: gdb says
 * they may run meanwhile, not that they must, and waking three vCPUs only
 * to park them again microseconds later made such a stepi cost five times
 * a 1-CPU one. A single step always ends at once (one instruction with IF
 * clear, hlt emulated, and the only software interrupt the kernel issues,
 * TRAP_PANIC, stops in the stub), so it never needs them; a range step
 * (vCont;r) may not end (`next` over `while (!flag) ;` waiting for another
 * CPU), so at each of its instructions the stepping CPU checks the TSC and
 * releases them for real once the step has lasted GDB_SMP_GRACE_US. Steps
 * that end at once may still come one after another forever (the same
 * loop, stepped with range-stepping off), so every GDB_SMP_LAZY_MAX-th
 * lazy step in a row releases them for real, and its stop lets them leave
 * their park and run GDB_SMP_FAIR_RUN_US before parking them again (a
 * release taken back before it is taken up would not move them). Continue
 * releases everyone at once, as does a stop's resume that is not a step.
 *
 * Hand-over. gdb may resume a thread that runs on another CPU (`thread 3`
 * then stepi: vCont;s:3). That CPU takes the stub over and does it, so
 * that the step runs on its own registers and the stop names its thread:
 * the owner parks where it is, makes that CPU the owner and releases it
 * alone (gdb_smp_hand_over); it resumes into gdb_smp_take_int3 and so
 * enters the stub as the owner, on its own stack, where gdbstub.c carries
 * out the request. The old owner stays parked until a release, like any
 * other CPU, and may be handed the stub back the same way.
 *
 * A CPU that traps into the stub while another owns it parks where it is
 * (its trap stack) and halts the same way, an NMI while it waits sent back
 * to the check (gdb_smp_halt_check): an int3 of ours is rewound so that it
 * runs again once released (and stops then, if the breakpoint is still
 * there); any other trap is handled once the CPU is released. An NMI is
 * the stub's only when it asked for one.
 * Reference: Linux's kgdb (kernel/debug/debug_core.c) stops CPUs the same
 * way but spins in the NMI handler; Intel SDM vol. 3, 6.7.1 (NMIs blocked
 * until IRET), 6.14.5 (IST).
 */
#include <kernel/cpu.h>
#include <kernel/lapic.h>
#include <kernel/time.h>

#include "gdb.h"

#define GDB_SMP_STOP_WAIT_NS (2 * NSEC_PER_SEC)	/* a loaded TCG host */
#define GDB_SMP_RFLAGS 0x2	/* bit 1 always set; IF, TF clear */
/*
 * Lazy release (see the top): how long a step that lets the others run
 * may keep them parked before they run for real, how many steps in a row
 * may keep them parked, and, once they are let go for that, how long they
 * run (after leaving their park) before the next stop takes them again.
 */
#define GDB_SMP_GRACE_US 500
#define GDB_SMP_LAZY_MAX 32
#define GDB_SMP_FAIR_RUN_US 500
#define GDB_SMP_FAIR_WAIT_NS (100 * NSEC_PER_MSEC)

/*
 * struct percpu's gdb_state. A CPU moves itself RUN/STOP_REQ -> PARKED
 * and RELEASED -> RUN; the owner moves it RUN -> STOP_REQ (and sends the
 * NMI), PARKED -> RELEASED, and RELEASED -> PARKED: a CPU that has not
 * left yet when the next stop comes (a stepi's, microseconds later) is
 * parked again without an NMI and without waiting for its host thread.
 * Every move is a compare-and-swap, so the two sides never cross.
 */
enum gdb_cpu_state {
	GDB_CPU_RUN,	/* 0: running freely */
	GDB_CPU_STOP_REQ,	/* the owner sent it an NMI */
	GDB_CPU_PARKED,	/* waiting in the stub */
	GDB_CPU_RELEASED,	/* may go, and has not gone yet */
};

/* Per-CPU parking state: plain data, indexed by CPU number. */
struct gdb_smp_cpu {
	/* parked where it trapped (not on its park stack): its frame */
	struct trap_frame *volatile in_place;
	volatile bool holding;	/* in_place and in its wait loop */
	volatile unsigned int kicked;	/* an NMI came while holding */
	/* wake-up NMIs sent to it, and taken by it (a late one is ours) */
	volatile unsigned int wakes, woken;
	/* trap_depth inside the NMI that parked it on its park stack */
	int depth;
	/* in_place resumes as it is once released (the CPU may take over) */
	bool resumable;
	/* take over the stub once released (gdb_smp_hand_over), and the
	 * rip and rflags its frame had before gdb_smp_take_int3 took
	 * their place */
	volatile bool take;
	uint64_t take_rip, take_rflags;
};

/* gdb_park.S resumes the copy through isr_return from an aligned %rsp */
_Static_assert(sizeof(struct trap_frame) % 16 == 0 &&
		       sizeof(struct gdb_park) % 16 == 0,
	       "a parked CPU's frame copy must stay 16-byte aligned");

/* gdb_park.S */
void gdb_smp_halt_while(const volatile unsigned int *word, unsigned int v);
void gdb_smp_park_entry(void);
extern const char gdb_smp_halt_check[], gdb_smp_halt_end[];
extern const char gdb_smp_take_int3[];

void gdb_smp_held(struct percpu *c);

/* the CPU that owns the stub now, -1: none */
static volatile int gdb_smp_owner = -1;
static struct gdb_smp_cpu gdb_smp_cpus[CPU_MAX];
/* the owner sent stop NMIs and has not yet seen every CPU parked */
static bool gdb_smp_stopping;
/* the one session (gdbstub.c), for a park that starts from the NMI */
static struct gdb_session *gdb_smp_session;
/*
 * Lazy release: the step running now lets the others run, and they have
 * not yet (owed, since the TSC read owed_since); steps in a row that left
 * them parked; and whether the others were let go for fairness, so that
 * the next stop lets them run a little before it parks them.
 */
static bool gdb_smp_owed;
static uint64_t gdb_smp_owed_since;
static unsigned int gdb_smp_lazy_steps;
static bool gdb_smp_fair;

int gdb_smp_owner_cpu(void)
{
	return gdb_smp_owner;
}

static int gdb_smp_state(const struct percpu *c)
{
	return __atomic_load_n(&c->gdb_state, __ATOMIC_SEQ_CST);
}

static bool gdb_smp_move(struct percpu *c, int from, int to)
{
	return __atomic_compare_exchange_n(&c->gdb_state, &from, to, false,
					   __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

/* Parked from now on (from RUN or STOP_REQ): the owner may use `shown`. */
static void gdb_smp_parked(struct percpu *c, struct trap_frame *shown)
{
	int st;

	c->gdb_frame = shown;
	do
		st = gdb_smp_state(c);
	while (st != GDB_CPU_PARKED && !gdb_smp_move(c, st, GDB_CPU_PARKED));
}

/*
 * A CPU handed the stub (gdb_smp_hand_over), about to resume the frame gdb
 * shows for it: it resumes into gdb_smp_take_int3 instead, IF and TF
 * clear, and so enters the stub on its own stack as the owner
 * (gdb_smp_taken gives the frame back).
 */
static void gdb_smp_take_up(struct percpu *c, struct trap_frame *f)
{
	struct gdb_smp_cpu *p = &gdb_smp_cpus[c->id];

	if (!__atomic_load_n(&p->take, __ATOMIC_SEQ_CST))
		return;
	p->take = false;
	p->take_rip = f->rip;
	p->take_rflags = f->rflags;
	f->rip = (uintptr_t)gdb_smp_take_int3;
	f->rflags = GDB_SMP_RFLAGS;
}

/*
 * On the park stack (gdb_smp_park_entry), until released. An NMI anywhere
 * here starts it over, so every step is one that may be done again: park
 * when asked to (the first time, the NMI that brought the CPU here asked),
 * halt while parked, and go once released (or told to run before it
 * parked: a stop that gave up waiting for it).
 */
void gdb_smp_held(struct percpu *c)
{
	struct gdb_smp_cpu *p = &gdb_smp_cpus[c->id];
	/* parked where it trapped, below: gdb sees that frame */
	struct trap_frame *below = p->in_place;
	int st;

	/*
	 * still inside the NMI's handling for the rest of the kernel (the
	 * scheduler, a debugger reading trap_depth), until it resumes the
	 * copy; set, not counted, so that it holds when started over
	 */
	c->trap_depth = p->depth;
	for (;;) {
		st = gdb_smp_state(c);
		if (st == GDB_CPU_RUN)
			break;
		if (st == GDB_CPU_STOP_REQ)
			gdb_smp_parked(c, below ? below :
					  &gdb_space->park[c->id].frame);
		else if (st == GDB_CPU_PARKED)
			gdb_smp_halt_while((const volatile unsigned int *)
						   &c->gdb_state,
					   GDB_CPU_PARKED);
		else if (gdb_smp_move(c, GDB_CPU_RELEASED, GDB_CPU_RUN))
			break;
	}
	if (!below) {
		gdb_smp_take_up(c, &gdb_space->park[c->id].frame);
		c->gdb_frame = NULL;
	}
	gdb_break_arm_hw(gdb_smp_session);
	c->trap_depth = p->depth - 1;
}

/*
 * Waits where the CPU trapped, parked, until it may go. A CPU that parked
 * just as its owner let go (it published PARKED after the owner's last
 * look) finds no owner left when the wake-up NMI comes, and goes.
 */
static void gdb_smp_hold_in_place(struct percpu *c, struct gdb_smp_cpu *p)
{
	int st;

	for (;;) {
		p->kicked = 0;
		st = gdb_smp_state(c);
		if (st == GDB_CPU_RUN)
			return;
		if (st == GDB_CPU_RELEASED &&
		    gdb_smp_move(c, GDB_CPU_RELEASED, GDB_CPU_RUN))
			return;
		if (st == GDB_CPU_STOP_REQ) {
			gdb_smp_move(c, GDB_CPU_STOP_REQ, GDB_CPU_PARKED);
			continue;
		}
		if (st == GDB_CPU_PARKED &&
		    __atomic_load_n(&gdb_smp_owner, __ATOMIC_SEQ_CST) < 0 &&
		    gdb_smp_move(c, GDB_CPU_PARKED, GDB_CPU_RUN))
			return;
		if (st == GDB_CPU_PARKED)
			gdb_smp_halt_while(&p->kicked, 0);
	}
}

/* Parked where it trapped (gdb_smp_park): waits until released. */
static void gdb_smp_hold(struct gdb_session *s, struct percpu *c,
			 struct gdb_smp_cpu *p, struct trap_frame *f)
{
	for (;;) {
		/* an NMI from here on only wakes the wait */
		p->holding = true;
		gdb_smp_hold_in_place(c, p);
		/*
		 * from here on a stop's NMI parks this CPU on its park
		 * stack, over this frame; before, the check below sees it
		 */
		p->holding = false;
		if (gdb_smp_state(c) != GDB_CPU_STOP_REQ)
			break;
		gdb_smp_parked(c, f);
	}
	if (p->resumable)
		gdb_smp_take_up(c, f);
	c->gdb_frame = NULL;
	p->in_place = NULL;
	p->resumable = false;
	gdb_break_arm_hw(s);
}

/*
 * Parks where the CPU trapped (not from an NMI) until released. resumable:
 * the trap is done with once released (an int3 of ours, rewound), so
 * another CPU may hand this one the stub (gdb_smp_can_take).
 */
static void gdb_smp_park(struct gdb_session *s, struct trap_frame *f,
			 bool resumable)
{
	struct percpu *c = this_cpu();
	struct gdb_smp_cpu *p = &gdb_smp_cpus[c->id];

	p->in_place = f;
	p->resumable = resumable;
	gdb_smp_parked(c, f);
	gdb_smp_hold(s, c, p, f);
}

/* The NMI returns to the top of the park, on the park stack, IF clear. */
static void gdb_smp_to_park(struct percpu *c, struct trap_frame *f)
{
	struct trap_frame *top = &gdb_space->park[c->id].frame;

	f->rip = (uintptr_t)gdb_smp_park_entry;
	f->rsp = (uintptr_t)top;
	f->rflags = GDB_SMP_RFLAGS;
	f->rdi = (uintptr_t)c;
	f->rsi = (uintptr_t)top;
}

/* An NMI: a stop asking this CPU to park, a wake-up, or a real one. */
static bool gdb_smp_nmi(struct trap_frame *f)
{
	struct percpu *c = this_cpu();
	struct gdb_smp_cpu *p = &gdb_smp_cpus[c->id];
	struct gdb_park *park = &gdb_space->park[c->id];
	unsigned int wakes = p->wakes;
	bool wake = p->woken != wakes;

	p->woken = wakes;
	if (f->rsp > (uintptr_t)park->stack &&
	    f->rsp <= (uintptr_t)(park + 1)) {
		/* on the park stack: it looks afresh at what we brought */
		gdb_smp_to_park(c, f);
		return true;
	}
	if (p->holding) {
		p->kicked = 1;
		if (f->rip >= (uintptr_t)gdb_smp_halt_check &&
		    f->rip < (uintptr_t)gdb_smp_halt_end)
			f->rip = (uintptr_t)gdb_smp_halt_check;
		return true;
	}
	if (gdb_smp_state(c) == GDB_CPU_STOP_REQ) {
		gdb_util_memcpy(&park->frame, f, sizeof(*f));
		p->depth = c->trap_depth;
		gdb_smp_to_park(c, f);
		return true;
	}
	/* late, or a wake-up that came after its park ended: ours */
	return wake || gdb_smp_owner >= 0;
}

bool gdb_smp_foreign(struct gdb_session *s, struct trap_frame *f)
{
	struct percpu *c = this_cpu();
	int owner;

	gdb_smp_session = s;
	if (f->vector == TRAP_NMI)
		return gdb_smp_nmi(f);
	owner = __atomic_load_n(&gdb_smp_owner, __ATOMIC_SEQ_CST);
	if (owner < 0 || owner == c->id)
		return false;
	if (f->vector == TRAP_BP &&
	    (gdb_break_sw_at(f->rip - 1) || gdb_break_hidden_at(f->rip - 1))) {
		f->rip--;
		gdb_smp_park(s, f, true);
		return true;
	}
	gdb_smp_park(s, f, false);
	return false;
}

void gdb_smp_acquire(struct gdb_session *s, struct trap_frame *f)
{
	int me = this_cpu()->id, free_cpu;

	for (;;) {
		free_cpu = -1;
		if (gdb_smp_owner == me ||
		    __atomic_compare_exchange_n(&gdb_smp_owner, &free_cpu, me,
						false, __ATOMIC_SEQ_CST,
						__ATOMIC_SEQ_CST))
			return;
		/* another CPU stopped first: serve its stop, then ours */
		gdb_smp_park(s, f, false);
	}
}

/* TSC ticks in us microseconds (the stub reads the TSC itself). */
static uint64_t gdb_smp_ticks(uint64_t us)
{
	return tsc_hz / 1000000 * us;
}

/*
 * A step that lets the other CPUs run (vCont;s:N;c, vCont;r...:N;c):
 * true when they stay parked for now, owed a release; false when the
 * caller must let them go at once, which every GDB_SMP_LAZY_MAX-th step in
 * a row does, for fairness (gdb_smp_fair_run).
 */
bool gdb_smp_defer_others(void)
{
	if (percpu_count < 2)
		return true;
	if (++gdb_smp_lazy_steps >= GDB_SMP_LAZY_MAX) {
		gdb_smp_fair = true;
		return false;
	}
	gdb_smp_owed = true;
	gdb_smp_owed_since = rdtsc();
	return true;
}

/*
 * The step that left the others parked has lasted GDB_SMP_GRACE_US: the
 * caller lets them go now. Checked at each instruction of a range step,
 * the only step that lasts (see the top).
 */
bool gdb_smp_owed_due(void)
{
	return gdb_smp_owed &&
	       rdtsc() - gdb_smp_owed_since >= gdb_smp_ticks(GDB_SMP_GRACE_US);
}

/*
 * The others were let go for fairness and the step already ended: each
 * gets to leave its park (or the long wait ends) and then runs a while,
 * so that a CPU stepping `while (!flag) ;` one stepi at a time sees
 * another CPU move, instead of taking back releases nobody took up.
 */
static void gdb_smp_fair_run(void)
{
	struct percpu *me = this_cpu(), *c;
	uint64_t t0 = rdtsc();
	uint64_t wait = gdb_smp_ticks(GDB_SMP_FAIR_WAIT_NS / NSEC_PER_USEC);
	int i;

	gdb_smp_fair = false;
	for (i = 0; i < percpu_count; i++) {
		c = &percpu_cpus[i];
		if (c == me || !c->online)
			continue;
		while (gdb_smp_state(c) == GDB_CPU_RELEASED &&
		       rdtsc() - t0 < wait)
			cpu_relax();
	}
	t0 = rdtsc();
	while (rdtsc() - t0 < gdb_smp_ticks(GDB_SMP_FAIR_RUN_US))
		cpu_relax();
}

/*
 * Parks every other CPU: one released and not gone yet is simply parked
 * again; any other is sent an NMI (gdb_smp_wait_others waits for it). A
 * step that left them parked (owed a release) finds them there.
 */
void gdb_smp_stop_others(void)
{
	struct percpu *me = this_cpu(), *c;
	int i, st;

	gdb_smp_owed = false;
	if (gdb_smp_fair)
		gdb_smp_fair_run();
	for (i = 0; i < percpu_count; i++) {
		c = &percpu_cpus[i];
		if (c == me || !c->online)
			continue;
		for (;;) {
			st = gdb_smp_state(c);
			if (st == GDB_CPU_PARKED)
				break;
			if (st == GDB_CPU_RELEASED) {
				if (gdb_smp_move(c, st, GDB_CPU_PARKED))
					break;
			} else if (gdb_smp_move(c, st, GDB_CPU_STOP_REQ)) {
				lapic_send_nmi(c->apic_id);
				break;
			}
		}
	}
	gdb_smp_stopping = true;
}

/* Returns once every other CPU is parked (or after a long while). */
void gdb_smp_wait_others(void)
{
	struct percpu *me = this_cpu(), *c;
	uint64_t deadline;
	int i;

	if (!gdb_smp_stopping)
		return;
	gdb_smp_stopping = false;
	deadline = time_now_ns() + GDB_SMP_STOP_WAIT_NS;
	for (i = 0; i < percpu_count; i++) {
		c = &percpu_cpus[i];
		if (c == me || !c->online)
			continue;
		while (gdb_smp_state(c) != GDB_CPU_PARKED &&
		       time_now_ns() < deadline)
			cpu_relax();
	}
}

/*
 * Every other CPU may run again: the parked ones are released, one that
 * never came is told to run. Each is then sent a wake-up NMI, parked or
 * not: a CPU that parked where it trapped just as the owner let go may
 * have published its state only now, and must look again (a wake-up it
 * does not need is counted, and ignored).
 */
static void gdb_smp_wake_others(bool drop_owner)
{
	struct percpu *me = this_cpu(), *c;
	int i, st;

	gdb_smp_owed = false;
	gdb_smp_lazy_steps = 0;
	for (i = 0; i < percpu_count; i++) {
		c = &percpu_cpus[i];
		if (c == me)
			continue;
		do
			st = gdb_smp_state(c);
		while ((st == GDB_CPU_PARKED &&
			!gdb_smp_move(c, st, GDB_CPU_RELEASED)) ||
		       (st == GDB_CPU_STOP_REQ &&
			!gdb_smp_move(c, st, GDB_CPU_RUN)));
	}
	if (drop_owner)
		__atomic_store_n(&gdb_smp_owner, -1, __ATOMIC_SEQ_CST);
	for (i = 0; i < percpu_count; i++) {
		c = &percpu_cpus[i];
		if (c == me || !c->online)
			continue;
		/* atomic: the next owner may be counting too */
		__atomic_add_fetch(&gdb_smp_cpus[i].wakes, 1, __ATOMIC_SEQ_CST);
		lapic_send_nmi(c->apic_id);
	}
}

void gdb_smp_release(void)
{
	if (gdb_smp_owner == this_cpu()->id)
		gdb_smp_wake_others(true);
}

void gdb_smp_resume_others(void)
{
	if (gdb_smp_owner == this_cpu()->id)
		gdb_smp_wake_others(false);
}

/*
 * May the owner hand the stub to CPU c (gdb_smp_hand_over)? It must be
 * parked, with the frame gdb shows for its thread one that it resumes as
 * it is: on its park stack, or where it trapped on an int3 of ours.
 */
bool gdb_smp_can_take(const struct percpu *c)
{
	const struct gdb_smp_cpu *p = &gdb_smp_cpus[c->id];

	return c != this_cpu() && c->online && c->gdb_frame &&
	       gdb_smp_state(c) == GDB_CPU_PARKED &&
	       (!p->in_place || p->resumable);
}

/*
 * gdb resumed a thread that runs on CPU `to` (parked): that CPU takes the
 * stub over and does what gdb asked (gdbstub.c). The owner parks where it
 * is first, so that the new owner finds every other CPU parked, then makes
 * `to` the owner and releases it alone; `to` enters the stub through
 * gdb_smp_take_int3. Returns once the owner of the day releases this CPU:
 * then it resumes f (or takes the stub back, through the same int3).
 */
void gdb_smp_hand_over(struct gdb_session *s, struct trap_frame *f,
		       struct percpu *to)
{
	struct percpu *me = this_cpu();
	struct gdb_smp_cpu *p = &gdb_smp_cpus[me->id];

	p->in_place = f;
	p->resumable = true;
	gdb_smp_parked(me, f);
	__atomic_store_n(&gdb_smp_cpus[to->id].take, true, __ATOMIC_SEQ_CST);
	__atomic_store_n(&gdb_smp_owner, to->id, __ATOMIC_SEQ_CST);
	gdb_smp_move(to, GDB_CPU_PARKED, GDB_CPU_RELEASED);
	__atomic_add_fetch(&gdb_smp_cpus[to->id].wakes, 1, __ATOMIC_SEQ_CST);
	lapic_send_nmi(to->apic_id);
	gdb_smp_hold(s, me, p, f);
}

/*
 * An int3: the one at gdb_smp_take_int3, by which a CPU handed the stub
 * enters it? Then f gets back the rip and rflags gdb saw.
 */
bool gdb_smp_taken(struct trap_frame *f)
{
	struct gdb_smp_cpu *p = &gdb_smp_cpus[this_cpu()->id];

	if (f->rip - 1 != (uintptr_t)gdb_smp_take_int3 ||
	    gdb_smp_owner != this_cpu()->id)
		return false;
	f->rip = p->take_rip;
	f->rflags = p->take_rflags;
	return true;
}
