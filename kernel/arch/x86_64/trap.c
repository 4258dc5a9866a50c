/*
 * Trap dispatch: every vector lands in trap_dispatch() with the saved
 * registers in a struct trap_frame. Device and timer interrupts go to their
 * handler and get their EOI; CPU exceptions, int3 and debug traps are first
 * offered to the gdbstub (a breakpoint or a step is its business, a fault
 * stops in the debugger when one is attached) and otherwise end in the crash
 * report (core/crash.c) and exit code 127.
 */
#include <stddef.h>
#include <kernel/crash.h>
#include <kernel/ioapic.h>
#include <kernel/lapic.h>
#include <kernel/log.h>
#include <kernel/trap.h>

struct trap_handler {
	irq_handler_t fn;
	void *arg;
};

static struct trap_handler trap_handlers[256];

static const char *const trap_names[TRAP_EXCEPTIONS] = {
	[TRAP_DE] = "divide error (#DE)",
	[TRAP_DB] = "debug trap (#DB)",
	[TRAP_NMI] = "non-maskable interrupt (NMI)",
	[TRAP_BP] = "breakpoint (#BP)",
	[TRAP_OF] = "overflow (#OF)",
	[TRAP_BR] = "bound range exceeded (#BR)",
	[TRAP_UD] = "invalid opcode (#UD)",
	[TRAP_NM] = "device not available (#NM)",
	[TRAP_DF] = "double fault (#DF)",
	[9] = "coprocessor segment overrun",
	[TRAP_TS] = "invalid TSS (#TS)",
	[TRAP_NP] = "segment not present (#NP)",
	[TRAP_SS] = "stack-segment fault (#SS)",
	[TRAP_GP] = "general protection fault (#GP)",
	[TRAP_PF] = "page fault (#PF)",
	[TRAP_MF] = "x87 floating-point error (#MF)",
	[TRAP_AC] = "alignment check (#AC)",
	[TRAP_MC] = "machine check (#MC)",
	[TRAP_XM] = "SIMD floating-point error (#XM)",
	[TRAP_VE] = "virtualization exception (#VE)",
	[TRAP_CP] = "control protection (#CP)",
};

/* Kernels linked without kernel/debug still have a gdbstub_trap(). */
__attribute__((weak)) bool gdbstub_trap(struct trap_frame *f)
{
	return false;
}

const char *trap_name(unsigned int vector)
{
	if (vector == TRAP_PANIC)
		return "panic";
	if (vector < TRAP_EXCEPTIONS && trap_names[vector])
		return trap_names[vector];
	if (vector < TRAP_EXCEPTIONS)
		return "reserved exception";
	return "interrupt";
}

void trap_set_handler(unsigned int vector, irq_handler_t handler, void *arg)
{
	/* any interrupt source but the scheduler's own timer can wake a
	 * thread: the idle thread's deadlock check must know */
	if (handler && !trap_handlers[vector].fn && vector >= IRQ_BASE &&
	    vector != TRAP_LAPIC_TIMER && vector != TRAP_WAKE_IPI)
		irq_registered++;
	trap_handlers[vector].arg = arg;
	trap_handlers[vector].fn = handler;
}

/* `c` is this CPU's percpu (trap_dispatch has it already). */
static void trap_interrupt(struct percpu *c, struct trap_frame *f)
{
	struct trap_handler *h = &trap_handlers[f->vector];

	if (f->vector == TRAP_LAPIC_SPURIOUS)
		return;
	if (f->vector != TRAP_LAPIC_TIMER && f->vector != TRAP_WAKE_IPI)
		c->irqs++;
	if (h->fn)
		h->fn(f, h->arg);
	else
		kernel_printf("minnow: unexpected interrupt vector %lu\n",
			      f->vector);
	lapic_eoi();
}

void trap_dispatch(struct trap_frame *f)
{
	struct percpu *c = this_cpu();

	c->trap_depth++;
	if (f->vector >= TRAP_EXCEPTIONS && f->vector != TRAP_PANIC) {
		trap_interrupt(c, f);
		c->trap_depth--;
		return;
	}
	if (gdbstub_trap(f)) {
		c->trap_depth--;
		return;
	}
	if (f->vector == TRAP_NMI) {
		kernel_printf("minnow: NMI ignored\n");
		c->trap_depth--;
		return;
	}
	crash_report(f);
}
