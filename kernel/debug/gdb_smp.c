/*
 * All-stop on several CPUs. The CPU that stops (a breakpoint, a step, a
 * fault, Ctrl-C) becomes the stub's owner and sends every other CPU an
 * NMI; each of those parks with its registers in a trap frame (struct
 * percpu's gdb_frame, where gdb_thread.c finds them) and waits. Only then
 * does the owner answer gdb. A step lets only the owner run, unless gdb
 * lets the others run meanwhile (vCont;s:N;c, gdb_smp_resume_others);
 * when gdb lets the kernel run freely the owner releases them all
 * together, and each loads the debug registers (gdb_break.c) on its way
 * out, so breakpoints and watchpoints hold on every CPU.
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
 * The owner wakes each parked CPU with an NMI after moving the release
 * count. An NMI that lands on the park stack starts the park over from its
 * top (gdb_smp_held is written so that it can be): whatever it brought, a
 * release or another stop, the park sees it afresh, and no wake-up is
 * lost between the check and the hlt.
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

enum gdb_cpu_state {
	GDB_CPU_RUN,	/* 0: running freely */
	GDB_CPU_STOP_REQ,	/* the owner sent it an NMI */
	GDB_CPU_PARKED,	/* waiting in the stub */
};

/* Per-CPU parking state: plain data, indexed by CPU number. */
struct gdb_smp_cpu {
	unsigned int seen;	/* gdb_smp_releases when it parked */
	/* parked where it trapped (not on its park stack): its frame */
	struct trap_frame *volatile in_place;
	volatile bool holding;	/* in_place and in the halt loop */
	/* wake-up NMIs sent to it, and taken by it (a late one is ours) */
	volatile unsigned int wakes, woken;
};

/* gdb_park.S resumes the copy through isr_return from an aligned %rsp */
_Static_assert(sizeof(struct trap_frame) % 16 == 0 &&
		       sizeof(struct gdb_park) % 16 == 0,
	       "a parked CPU's frame copy must stay 16-byte aligned");

/* gdb_park.S */
void gdb_smp_halt_while(const volatile unsigned int *word, unsigned int v);
void gdb_smp_park_entry(void);
extern const char gdb_smp_halt_check[], gdb_smp_halt_end[];

void gdb_smp_held(struct percpu *c);

/* the CPU that owns the stub now, -1: none */
static volatile int gdb_smp_owner = -1;
/*
 * Counts releases. A parked CPU waits for it to move, not for its state to
 * read GDB_CPU_RUN: its host thread may not run between a release and the
 * next stop (a few microseconds later on a busy TCG host), when its state
 * is GDB_CPU_STOP_REQ again, and it would stay parked in its NMI handler
 * with NMIs blocked, deaf to every later stop.
 */
static volatile unsigned int gdb_smp_releases;
static struct gdb_smp_cpu gdb_smp_cpus[CPU_MAX];
/* the one session (gdbstub.c), for a park that starts from the NMI */
static struct gdb_session *gdb_smp_session;

int gdb_smp_owner_cpu(void)
{
	return gdb_smp_owner;
}

static int gdb_smp_state(const struct percpu *c)
{
	return __atomic_load_n(&c->gdb_state, __ATOMIC_ACQUIRE);
}

/* Parked from now on: the owner may read and write `shown`. */
static void gdb_smp_parked(struct percpu *c, struct trap_frame *shown)
{
	struct gdb_smp_cpu *p = &gdb_smp_cpus[c->id];

	p->seen = __atomic_load_n(&gdb_smp_releases, __ATOMIC_ACQUIRE);
	c->gdb_frame = shown;
	__atomic_store_n(&c->gdb_state, GDB_CPU_PARKED, __ATOMIC_RELEASE);
}

/*
 * On the park stack (gdb_smp_park_entry), until released. An NMI anywhere
 * here starts it over, so every step is one that may be done again: park
 * when asked to (the first time, the NMI that brought the CPU here asked),
 * halt until the release count moves, and go unless another stop asked
 * for this CPU again meanwhile.
 */
void gdb_smp_held(struct percpu *c)
{
	struct gdb_smp_cpu *p = &gdb_smp_cpus[c->id];
	/* parked where it trapped, below: gdb sees that frame */
	struct trap_frame *below = p->in_place;

	for (;;) {
		if (gdb_smp_state(c) == GDB_CPU_STOP_REQ)
			gdb_smp_parked(c, below ? below :
					  &gdb_space->park[c->id].frame);
		gdb_smp_halt_while(&gdb_smp_releases, p->seen);
		if (gdb_smp_state(c) != GDB_CPU_STOP_REQ)
			break;
	}
	if (!below)
		c->gdb_frame = NULL;
	gdb_break_arm_hw(gdb_smp_session);
}

/*
 * Parks where the CPU trapped (not from an NMI) until the release count
 * moves from `seen`, read before the CPU saw that another owns the stub:
 * a release between the two does not leave it parked.
 */
static void gdb_smp_park(struct gdb_session *s, struct trap_frame *f,
			 unsigned int seen)
{
	struct percpu *c = this_cpu();
	struct gdb_smp_cpu *p = &gdb_smp_cpus[c->id];
	int parked = GDB_CPU_PARKED;

	p->in_place = f;
	if (gdb_smp_state(c) == GDB_CPU_STOP_REQ) {
		gdb_smp_parked(c, f);	/* for that stop */
	} else {
		p->seen = seen;
		c->gdb_frame = f;
		__atomic_store_n(&c->gdb_state, GDB_CPU_PARKED,
				 __ATOMIC_SEQ_CST);
	}
	for (;;) {
		/* an NMI from here on only wakes the halt loop */
		p->holding = true;
		gdb_smp_halt_while(&gdb_smp_releases, p->seen);
		/*
		 * from here on a stop's NMI parks this CPU on its park
		 * stack, over this frame; before, the check below sees it
		 */
		p->holding = false;
		if (gdb_smp_state(c) != GDB_CPU_STOP_REQ)
			break;
		gdb_smp_parked(c, f);
	}
	/*
	 * released before it said it parked: not parked now (the trap it
	 * goes back to brings it here again if another stop began)
	 */
	__atomic_compare_exchange_n(&c->gdb_state, &parked, GDB_CPU_RUN, false,
				    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
	c->gdb_frame = NULL;
	p->in_place = NULL;
	gdb_break_arm_hw(s);
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
		if (f->rip >= (uintptr_t)gdb_smp_halt_check &&
		    f->rip < (uintptr_t)gdb_smp_halt_end)
			f->rip = (uintptr_t)gdb_smp_halt_check;
		return true;
	}
	if (gdb_smp_state(c) == GDB_CPU_STOP_REQ) {
		gdb_util_memcpy(&park->frame, f, sizeof(*f));
		gdb_smp_to_park(c, f);
		return true;
	}
	/* late, or a wake-up that came after its park ended: ours */
	return wake || gdb_smp_owner >= 0;
}

bool gdb_smp_foreign(struct gdb_session *s, struct trap_frame *f)
{
	struct percpu *c = this_cpu();
	unsigned int seen;
	int owner;

	gdb_smp_session = s;
	if (f->vector == TRAP_NMI)
		return gdb_smp_nmi(f);
	seen = __atomic_load_n(&gdb_smp_releases, __ATOMIC_SEQ_CST);
	owner = __atomic_load_n(&gdb_smp_owner, __ATOMIC_SEQ_CST);
	if (owner < 0 || owner == c->id)
		return false;
	if (f->vector == TRAP_BP &&
	    (gdb_break_sw_at(f->rip - 1) || gdb_break_hidden_at(f->rip - 1))) {
		f->rip--;
		gdb_smp_park(s, f, seen);
		return true;
	}
	gdb_smp_park(s, f, seen);
	return false;
}

void gdb_smp_acquire(struct gdb_session *s, struct trap_frame *f)
{
	int me = this_cpu()->id, free_cpu;
	unsigned int seen;

	for (;;) {
		seen = __atomic_load_n(&gdb_smp_releases, __ATOMIC_SEQ_CST);
		free_cpu = -1;
		if (gdb_smp_owner == me ||
		    __atomic_compare_exchange_n(&gdb_smp_owner, &free_cpu, me,
						false, __ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE))
			return;
		/* another CPU stopped first: serve its stop, then ours */
		gdb_smp_park(s, f, seen);
	}
}

void gdb_smp_stop_others(void)
{
	struct percpu *me = this_cpu(), *c;
	uint64_t deadline;
	int i;

	for (i = 0; i < percpu_count; i++) {
		c = &percpu_cpus[i];
		if (c == me || !c->online || gdb_smp_state(c) == GDB_CPU_PARKED)
			continue;
		__atomic_store_n(&c->gdb_state, GDB_CPU_STOP_REQ,
				 __ATOMIC_RELEASE);
		lapic_send_nmi(c->apic_id);
	}
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
 * Every other CPU runs again, from the next release on. Each is then sent
 * a wake-up NMI, parked or not: a CPU that parked where it trapped just as
 * the owner let go may have published its state only now, and would
 * otherwise sleep through the release (a wake-up it does not need is
 * counted, and ignored).
 */
static void gdb_smp_wake_others(bool drop_owner)
{
	struct percpu *me = this_cpu(), *c;
	int i;

	for (i = 0; i < percpu_count; i++) {
		c = &percpu_cpus[i];
		if (c != me)
			__atomic_store_n(&c->gdb_state, GDB_CPU_RUN,
					 __ATOMIC_RELEASE);
	}
	/*
	 * before the count moves: a CPU that saw us own the stub read the
	 * count before, so it sees it move (gdb_smp_foreign)
	 */
	if (drop_owner)
		__atomic_store_n(&gdb_smp_owner, -1, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&gdb_smp_releases, 1, __ATOMIC_SEQ_CST);
	for (i = 0; i < percpu_count; i++) {
		c = &percpu_cpus[i];
		if (c == me || !c->online)
			continue;
		gdb_smp_cpus[i].wakes++;
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
