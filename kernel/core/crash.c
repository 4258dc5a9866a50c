/*
 * The crash report. Everything a user needs to find the bug without a
 * debugger: which fault, in which thread, where (symbolized), the
 * registers, the call chain, and the other threads with what they wait for
 * (which is what a deadlock report needs). A stack overflow shows up as a fault in the
 * guard page below the thread's stack (usually a double fault: the CPU
 * cannot push the page fault's frame there either), and is named as such.
 * The backtrace follows the rbp chain (everything is built with frame
 * pointers) and trusts only frames inside the current thread's stack.
 */
#include <stdbool.h>
#include <kernel/cpu.h>
#include <kernel/crash.h>
#include <kernel/log.h>
#include <kernel/page.h>
#include <kernel/power.h>
#include <kernel/thread.h>

#define CRASH_BACKTRACE_MAX 32
#define CRASH_GUARD_SIZE PAGE_SIZE	/* one unmapped page below each stack */
#define CRASH_GUARD_SLACK 256	/* rsp just above the guard: the push that failed */
#define CRASH_CALL_REL32 0xe8	/* opcode of "call rel32" */

extern char boot_stack_bottom[], boot_stack_top[];

static bool crash_in_progress;

static void crash_stack_bounds(uintptr_t *lo, uintptr_t *hi)
{
	struct thread *t = thread_current();

	if (t && t->stack_top) {
		*lo = t->stack_base;
		*hi = t->stack_top;
	} else {
		*lo = (uintptr_t)boot_stack_bottom;
		*hi = (uintptr_t)boot_stack_top;
	}
}

static void crash_symbol(uintptr_t addr)
{
	uintptr_t off;
	const char *name = ksyms_lookup(addr, &off);

	if (name)
		kernel_printf("%s+%#lx", name, off);
	else
		kernel_printf("?");
}

static void crash_frame(int i, uintptr_t ret)
{
	kernel_printf("  #%-2d %#018lx ", i, ret);
	/* ret - 1 is inside the call, even when the call ends a function */
	crash_symbol(ret - 1);
	kernel_printf("\n");
}

/*
 * gcc sets up no frame in leaf functions that need no stack, even with
 * -fno-omit-frame-pointer, and a fault in a prologue happens before the
 * frame exists. Either way the caller's return address is at [rsp] (or at
 * [rsp + 8] right after "push %rbp"): accept it when the instruction before
 * it is a direct call to the function that faulted.
 */
static uintptr_t crash_leaf_return(uintptr_t rip, uintptr_t rsp,
				   uintptr_t lo, uintptr_t hi)
{
	uintptr_t off;

	if (!ksyms_lookup(rip, &off))
		return 0;
	for (int slot = 0; slot < 2; slot++) {
		uintptr_t at = rsp + slot * 8, ret, sym_off;
		int32_t rel;

		if (at < lo || at + 8 > hi || (at & 7))
			return 0;
		ret = *(uint64_t *)at;
		if (!ksyms_lookup(ret - 1, &sym_off) || ret < 5)
			continue;
		rel = *(int32_t *)(ret - 4);
		if (*(uint8_t *)(ret - 5) == CRASH_CALL_REL32 &&
		    ret + rel == rip - off)
			return ret;
	}
	return 0;
}

void crash_backtrace(uintptr_t rip, uintptr_t rsp, uintptr_t rbp)
{
	uintptr_t lo, hi, ret, last = 0;
	int i = 1, shown = 1, repeats = 0;

	crash_stack_bounds(&lo, &hi);
	kernel_printf("backtrace:\n  #0  %#018lx ", rip);
	crash_symbol(rip);
	kernel_printf("\n");
	ret = crash_leaf_return(rip, rsp, lo, hi);
	if (ret)
		crash_frame(i++, ret);
	/* the rbp chain only grows upwards inside the stack, so this ends */
	for (; rbp >= lo && rbp + 16 <= hi && !(rbp & 7); i++) {
		uint64_t *frame = (uint64_t *)rbp;

		ret = frame[1];
		if (!ret)
			break;
		/* deep recursion: print the repeating frame once, then a count */
		if (ret == last) {
			repeats++;
		} else {
			if (repeats)
				kernel_printf("  ... %d more frames like #%d\n",
					      repeats, i - repeats - 1);
			repeats = 0;
			if (shown++ < CRASH_BACKTRACE_MAX)
				crash_frame(i, ret);
		}
		last = ret;
		if (frame[0] <= rbp)
			break;
		rbp = frame[0];
	}
	if (repeats)
		kernel_printf("  ... %d more frames like #%d\n", repeats,
			      i - repeats - 1);
}

/* The thread's guard page, if the fault hit it (cr2) or tried to (rsp). */
static bool crash_is_overflow(struct trap_frame *f, uint64_t cr2)
{
	struct thread *t = thread_current();
	uintptr_t guard;

	if (!t || !t->stack_base || (f->vector != TRAP_PF && f->vector != TRAP_DF))
		return false;
	guard = t->stack_base - CRASH_GUARD_SIZE;
	if (cr2 >= guard && cr2 < t->stack_base)
		return true;
	return f->vector == TRAP_DF && f->rsp >= guard &&
	       f->rsp < t->stack_base + CRASH_GUARD_SLACK;
}

static void crash_registers(struct trap_frame *f, uint64_t cr2)
{
	kernel_printf("  rip %#018lx <", f->rip);
	crash_symbol(f->rip);
	kernel_printf(">  rflags %#lx  error %#lx  cr2 %#lx\n", f->rflags,
		      f->error, cr2);
	kernel_printf("  rax %016lx  rbx %016lx  rcx %016lx\n", f->rax, f->rbx,
		      f->rcx);
	kernel_printf("  rdx %016lx  rsi %016lx  rdi %016lx\n", f->rdx, f->rsi,
		      f->rdi);
	kernel_printf("  rbp %016lx  rsp %016lx  r8  %016lx\n", f->rbp, f->rsp,
		      f->r8);
	kernel_printf("  r9  %016lx  r10 %016lx  r11 %016lx\n", f->r9, f->r10,
		      f->r11);
	kernel_printf("  r12 %016lx  r13 %016lx  r14 %016lx\n", f->r12, f->r13,
		      f->r14);
	kernel_printf("  r15 %016lx  cs %lx  ss %lx\n", f->r15, f->cs, f->ss);
}

static const char *const crash_states[] = {
	[THREAD_READY] = "ready",
	[THREAD_RUNNING] = "running",
	[THREAD_SLEEPING] = "sleeping",
	[THREAD_BLOCKED] = "blocked",
	[THREAD_DEAD] = "dead",
};

/* The thread table: who else was there, and what each one waited for. */
static void crash_threads(struct thread *current)
{
	if (!thread_all)
		return;
	kernel_printf("threads:\n");
	for (struct thread *t = thread_all; t; t = t->all_next) {
		const char *state = (unsigned int)t->state < THREAD_DEAD + 1 ?
					    crash_states[t->state] : "?";

		kernel_printf("  %c%-3d %-20s %-8s %s\n",
			      t == current ? '*' : ' ', t->id, t->name, state,
			      t->wait_reason ? t->wait_reason : "");
	}
}

void crash_report(struct trap_frame *f)
{
	struct thread *t = thread_current();
	const char *tname = t ? t->name : "boot";
	int tid = t ? t->id : 0;
	uint64_t cr2 = read_cr2();

	irq_disable();
	if (crash_in_progress) {
		kernel_printf("\nminnow: fault while reporting a crash: %s at %#lx\n",
			      trap_name(f->vector), f->rip);
		power_off(MINNOW_EXIT_CRASH);
	}
	crash_in_progress = true;

	kernel_printf("\nminnow: CRASH in thread \"%s\" (id %d): ", tname, tid);
	if (crash_is_overflow(f, cr2))
		kernel_printf("stack overflow in thread \"%s\" (guard page %#lx, %s)\n",
			      tname, t->stack_base - CRASH_GUARD_SIZE,
			      trap_name(f->vector));
	else if (f->vector == TRAP_PANIC)
		kernel_printf("panic: %s\n", panic_message);
	else if (f->vector == TRAP_BP)
		kernel_printf("unexpected int3 (no debugger attached) at ");
	else
		kernel_printf("%s at ", trap_name(f->vector));
	if (f->vector != TRAP_PANIC && !crash_is_overflow(f, cr2)) {
		crash_symbol(f->rip);
		kernel_printf("\n");
	}
	crash_registers(f, cr2);
	crash_backtrace(f->rip, f->rsp, f->rbp);
	crash_threads(t);
	kernel_printf("minnow: exit %d (crash)\n", MINNOW_EXIT_CRASH);
	power_off(MINNOW_EXIT_CRASH);
}
