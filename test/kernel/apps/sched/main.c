/*
 * Kernel self-test: the scheduler. Yield order is round robin; sleeps last
 * at least their time and not wildly more, and wake in deadline order;
 * join returns the exit code; wait queues wake in FIFO order, one or all,
 * and time out; a thread woken from an interrupt handler runs before
 * threads that merely yielded; callee-saved registers survive a switch
 * (Toro's thread-switch test); the idle thread is in the table; the
 * high-water marks of the boot (idle) and main stacks, which nothing
 * clears, are sane.
 */
#include <errno.h>
#include <minnow.h>
#include <string.h>
#include <kernel/cpu.h>
#include <kernel/lapic.h>
#include <kernel/thread.h>
#include <kernel/trap.h>

#include "../common/check.h"

/* a loaded host can stall TCG for 100+ ms; still catches a wrong unit (x1000) */
#define SLEEP_SLACK_NS (2000 * 1000000ull)
#define SLEEP_ORDER_STEP_MS 30	/* far apart enough for host stalls */
#define TEST_VECTOR 0x60	/* a free vector for the self-IPI */

static char trace[64];
static int trace_len;

static void trace_add(char c)
{
	if (trace_len < (int)sizeof(trace) - 1)
		trace[trace_len++] = c;
	trace[trace_len] = '\0';
}

static void trace_reset(void)
{
	trace_len = 0;
	trace[0] = '\0';
}

static int yielder(void *arg)
{
	for (int i = 0; i < 3; i++) {
		trace_add(*(const char *)arg);
		thread_yield();
	}
	return 0;
}

static bool sched_yield_order(void)
{
	struct thread *t[3];

	trace_reset();
	t[0] = thread_create("A", yielder, "A");
	t[1] = thread_create("B", yielder, "B");
	t[2] = thread_create("C", yielder, "C");
	for (int i = 0; i < 3; i++)
		thread_join(t[i]);
	if (strcmp(trace, "ABCABCABC") != 0)
		return check_fail("order \"%s\", expected ABCABCABC", trace);
	return true;
}

static bool sched_sleep(void)
{
	static const uint64_t ms[] = { 1, 5, 20 };

	for (unsigned int i = 0; i < 3; i++) {
		uint64_t t0 = time_ns(), took;

		sleep_ms(ms[i]);
		took = time_ns() - t0;
		if (took < ms[i] * 1000000)
			return check_fail("sleep_ms(%llu) took only %llu ns",
					  (unsigned long long)ms[i],
					  (unsigned long long)took);
		if (took > ms[i] * 1000000 + SLEEP_SLACK_NS)
			return check_fail("sleep_ms(%llu) took %llu ns",
					  (unsigned long long)ms[i],
					  (unsigned long long)took);
	}
	return true;
}

static int sleeper(void *arg)
{
	sleep_ms((uint64_t)(long)arg * SLEEP_ORDER_STEP_MS);
	trace_add('0' + (char)(long)arg);
	return 0;
}

static bool sched_sleep_order(void)
{
	struct thread *t[3];

	trace_reset();
	t[0] = thread_create("sleep3", sleeper, (void *)3);
	t[1] = thread_create("sleep1", sleeper, (void *)1);
	t[2] = thread_create("sleep2", sleeper, (void *)2);
	for (int i = 0; i < 3; i++)
		thread_join(t[i]);
	if (strcmp(trace, "123") != 0)
		return check_fail("woke in order \"%s\", expected 123", trace);
	return true;
}

static int returner(void *arg)
{
	return (int)(long)arg;
}

static int exiter(void *arg)
{
	thread_yield();
	thread_exit(77);
}

static bool sched_join(void)
{
	struct thread *a = thread_create("ret42", returner, (void *)42);
	struct thread *b = thread_create("exit77", exiter, NULL);
	struct thread *c = thread_create("early", returner, (void *)5);
	int ra, rb, rc;

	thread_yield();	/* "early" is dead before it is joined */
	ra = thread_join(a);
	rb = thread_join(b);
	rc = thread_join(c);
	if (ra != 42 || rb != 77 || rc != 5)
		return check_fail("join returned %d %d %d, expected 42 77 5",
				  ra, rb, rc);
	for (struct thread *t = thread_all; t; t = t->all_next)
		if (t == a || t == b || t == c)
			return check_fail("joined thread still in the table");
	return true;
}

static struct waitq test_q = WAITQ_INITIALIZER("test queue");

static int waiter(void *arg)
{
	waitq_wait(&test_q, 0);
	trace_add(*(const char *)arg);
	return 0;
}

static bool sched_waitq(void)
{
	struct thread *t[3];
	int woken;

	trace_reset();
	t[0] = thread_create("w1", waiter, "1");
	t[1] = thread_create("w2", waiter, "2");
	t[2] = thread_create("w3", waiter, "3");
	thread_yield();	/* all three block */
	if (t[0]->state != THREAD_BLOCKED ||
	    strcmp(t[0]->wait_reason, "test queue") != 0)
		return check_fail("w1 is not blocked on \"test queue\"");
	woken = waitq_wake_one(&test_q);
	thread_yield();
	if (woken != 1 || strcmp(trace, "1") != 0)
		return check_fail("wake_one woke %d, trace \"%s\"", woken, trace);
	woken = waitq_wake_all(&test_q);
	for (int i = 0; i < 3; i++)
		thread_join(t[i]);
	if (woken != 2 || strcmp(trace, "123") != 0)
		return check_fail("wake_all woke %d, trace \"%s\"", woken, trace);
	return true;
}

static bool sched_waitq_timeout(void)
{
	uint64_t t0 = time_ns();
	int err = waitq_wait(&test_q, t0 + 3000000);
	uint64_t took = time_ns() - t0;

	if (err != -ETIMEDOUT)
		return check_fail("timed wait returned %d", err);
	if (took < 3000000 || took > 3000000 + SLEEP_SLACK_NS)
		return check_fail("3 ms timed wait took %llu ns",
				  (unsigned long long)took);
	if (test_q.threads.head)
		return check_fail("timed-out thread left on the queue");
	return true;
}

static struct waitq irq_q = WAITQ_INITIALIZER("irq test");

static void test_irq(struct trap_frame *f, void *arg)
{
	waitq_wake_one(&irq_q);
}

static int irq_waiter(void *arg)
{
	waitq_wait(&irq_q, 0);
	trace_add('I');
	return 0;
}

static int spinner(void *arg)
{
	for (int i = 0; i < 3; i++) {
		trace_add(*(const char *)arg);
		if (i == 0 && *(const char *)arg == 'X')
			lapic_self_ipi(TEST_VECTOR);
		thread_yield();
	}
	return 0;
}

/*
 * X and Y yield round robin; W waits for an interrupt. X raises the
 * interrupt (a self-IPI whose handler wakes W): W must run right after X
 * yields, ahead of Y, which was queued first. A wake-up from thread context
 * instead queues behind the yielders.
 */
static bool sched_irq_first(void)
{
	struct thread *w, *x, *y;

	trap_set_handler(TEST_VECTOR, test_irq, NULL);
	trace_reset();
	w = thread_create("irq-waiter", irq_waiter, NULL);
	thread_yield();	/* W blocks */
	x = thread_create("X", spinner, "X");
	y = thread_create("Y", spinner, "Y");
	thread_join(x);
	thread_join(y);
	thread_join(w);
	if (strcmp(trace, "XIYXYXY") != 0)
		return check_fail("order \"%s\", expected XIYXYXY", trace);

	trace_reset();
	w = thread_create("waiter", waiter, "W");
	thread_yield();	/* W blocks */
	x = thread_create("X", yielder, "X");
	y = thread_create("Y", yielder, "Y");
	waitq_wake_one(&test_q);	/* from a thread: no priority */
	thread_join(x);
	thread_join(y);
	thread_join(w);
	if (strcmp(trace, "XYWXYXY") != 0)
		return check_fail("thread wake-up order \"%s\", expected XYWXYXY",
				  trace);
	return true;
}

/* global: the asm below names them */
uint64_t regs_before[6], regs_after[6];

/* Loads known values into rbx and r12-r15, yields, and stores what they
 * (and rsp) hold before and after. */
static void regs_yield(void)
{
	__asm__ volatile(
		"movabs $0x1111111111111111, %%rbx\n\t"
		"movabs $0x1212121212121212, %%r12\n\t"
		"movabs $0x1313131313131313, %%r13\n\t"
		"movabs $0x1414141414141414, %%r14\n\t"
		"movabs $0x1515151515151515, %%r15\n\t"
		"movq %%rbx, regs_before(%%rip)\n\t"
		"movq %%r12, regs_before+8(%%rip)\n\t"
		"movq %%r13, regs_before+16(%%rip)\n\t"
		"movq %%r14, regs_before+24(%%rip)\n\t"
		"movq %%r15, regs_before+32(%%rip)\n\t"
		"movq %%rsp, regs_before+40(%%rip)\n\t"
		"pushq %%rbp\n\t"
		"movq %%rsp, %%rbp\n\t"
		"andq $-16, %%rsp\n\t"
		"call thread_yield\n\t"
		"movq %%rbp, %%rsp\n\t"
		"popq %%rbp\n\t"
		"movq %%rbx, regs_after(%%rip)\n\t"
		"movq %%r12, regs_after+8(%%rip)\n\t"
		"movq %%r13, regs_after+16(%%rip)\n\t"
		"movq %%r14, regs_after+24(%%rip)\n\t"
		"movq %%r15, regs_after+32(%%rip)\n\t"
		"movq %%rsp, regs_after+40(%%rip)\n\t"
		:
		:
		: "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10",
		  "r11", "r12", "r13", "r14", "r15", "memory", "cc");
}

static int clobberer(void *arg)
{
	__asm__ volatile("movabs $0xdeadbeefdeadbeef, %%rbx\n\t"
			 "movq %%rbx, %%r12\n\t"
			 "movq %%rbx, %%r13\n\t"
			 "movq %%rbx, %%r14\n\t"
			 "movq %%rbx, %%r15\n\t"
			 :
			 :
			 : "rbx", "r12", "r13", "r14", "r15");
	return 0;
}

static bool sched_callee_saved(void)
{
	static const char *const names[6] = { "rbx", "r12", "r13", "r14",
					      "r15", "rsp" };
	struct thread *t = thread_create("clobberer", clobberer, NULL);

	regs_yield();
	thread_join(t);
	for (int i = 0; i < 6; i++)
		if (regs_before[i] != regs_after[i])
			return check_fail("%s was %#lx, is %#lx after a switch",
					  names[i], regs_before[i], regs_after[i]);
	return true;
}

/* Puts about `depth` KiB of non-zero data on the stack, as deep code does. */
static int stack_dig(int depth)
{
	volatile char buf[1000];

	for (unsigned int i = 0; i < sizeof(buf); i++)
		buf[i] = (char)(i | 1);
	return depth > 1 ? stack_dig(depth - 1) + buf[7] : buf[3];
}

static int stack_deep(void *arg)
{
	return stack_dig(6) > 0 ? 0 : 1;
}

static int stack_shallow(void *arg)
{
	return 0;
}

/* The high-water mark: exact for an exited thread, bounded by its stack. */
static bool sched_stack_mark(void)
{
	struct thread *deep = thread_create("deep", stack_deep, NULL);
	struct thread *shallow = thread_create("shallow", stack_shallow, NULL);
	struct thread *self = thread_current();
	size_t d, s, size;

	if (!deep || !shallow)
		return check_fail("thread_create failed");
	size = deep->stack_top - deep->stack_base;
	if (deep->stack_low != deep->stack_top)
		return check_fail("a new thread's stack_low is not its top");
	thread_yield();	/* both run and exit */
	d = deep->stack_top - deep->stack_low;
	s = shallow->stack_top - shallow->stack_low;
	if (thread_stack_used(deep) != d)
		return check_fail("the exit scan missed part of the stack");
	thread_join(deep);
	thread_join(shallow);
	if (d < 6000 || d >= size)
		return check_fail("deep thread used %zu bytes of %zu", d, size);
	if (s == 0 || s > 1024)
		return check_fail("shallow thread used %zu bytes", s);
	if (thread_stack_used(self) == 0 ||
	    self->stack_low > read_rsp() || self->stack_low < self->stack_base)
		return check_fail("main: stack_low %#lx, rsp %#lx, base %#lx",
				  (unsigned long)self->stack_low,
				  (unsigned long)read_rsp(),
				  (unsigned long)self->stack_base);
	return true;
}

/*
 * The boot (idle) and main stacks lie past the loaded image, in RAM that
 * no one clears (.noinit): their high-water scan counts on it reading as
 * zero. Dirty RAM would show as a mark near the bottom of the stack.
 */
static bool sched_boot_stacks(void)
{
	for (struct thread *t = thread_all; t; t = t->all_next) {
		size_t used, size = t->stack_top - t->stack_base;

		if (t->id > 2)
			continue;	/* 1 main, 2 idle */
		used = thread_stack_used(t);
		if (t->stack_low < t->stack_base || t->stack_low > t->stack_top)
			return check_fail("\"%s\": stack_low %#lx outside [%#lx, %#lx]",
					  t->name, (unsigned long)t->stack_low,
					  (unsigned long)t->stack_base,
					  (unsigned long)t->stack_top);
		if (used == 0 || used > size / 2)
			return check_fail("\"%s\" used %zu bytes of %zu", t->name,
					  used, size);
	}
	return true;
}

static bool sched_table(void)
{
	bool idle = false, main_seen = false;

	for (struct thread *t = thread_all; t; t = t->all_next) {
		if (strcmp(t->name, "idle") == 0)
			idle = true;
		if (t == thread_current() && strcmp(t->name, "main") == 0 &&
		    t->id == 1 && t->state == THREAD_RUNNING)
			main_seen = true;
	}
	if (!idle || !main_seen)
		return check_fail("thread table lacks idle or a running main (id 1)");
	return true;
}

int main(int argc, char **argv)
{
	check_case("sched_table", sched_table);
	check_case("sched_yield_order", sched_yield_order);
	check_case("sched_sleep", sched_sleep);
	check_case("sched_sleep_order", sched_sleep_order);
	check_case("sched_join", sched_join);
	check_case("sched_waitq", sched_waitq);
	check_case("sched_waitq_timeout", sched_waitq_timeout);
	check_case("sched_irq_first", sched_irq_first);
	check_case("sched_callee_saved", sched_callee_saved);
	check_case("sched_stack_mark", sched_stack_mark);
	check_case("sched_boot_stacks", sched_boot_stacks);
	return check_done();
}
