/*
 * Kernel self-test: several CPUs (booted with -smp N, N in argv[1]). Every
 * CPU the firmware lists comes online and runs threads created on it; each
 * CPU schedules its own threads (round robin, sleeps on its own timer);
 * a wake-up from one CPU reaches a thread blocked on another; a thread
 * migrates and runs where it moved; join works across CPUs; a channel
 * carries 1,000,000 messages from one CPU to another, none lost,
 * duplicated or reordered; a spinlock keeps a counter exact under every
 * CPU at once; a device interrupt (the console's) routed to the last CPU
 * is taken there and wakes its reader on CPU 0.
 */
#include <errno.h>
#include <minnow.h>
#include <stdlib.h>
#include <string.h>
#include <kernel/percpu.h>
#include <kernel/spinlock.h>
#include <kernel/thread.h>
#include <kernel/trap.h>
#include <kernel/uart.h>
#include <kernel/waitq.h>

#include "../common/check.h"

#define CHANNEL_MESSAGES 1000000
#define TORTURE_ROUNDS 20000

static int expected_cpus;

static int where(void *arg)
{
	int *out = arg;

	*out = cpu_current();
	thread_yield();
	/* still there after a switch */
	return cpu_current() == *out ? 0 : 1;
}

static bool smp_all_online(void)
{
	int seen[CPU_MAX];

	if (cpu_count() != expected_cpus)
		return check_fail("%d CPUs online, expected %d", cpu_count(),
				  expected_cpus);
	for (int i = 0; i < cpu_count(); i++) {
		struct thread *t;

		if (!percpu_cpus[i].online || percpu_cpus[i].id != i)
			return check_fail("CPU %d not online", i);
		seen[i] = -1;
		t = thread_create_on(i, "where", where, &seen[i]);
		if (!t)
			return check_fail("thread_create_on(%d) failed", i);
		if (thread_join(t) != 0 || seen[i] != i)
			return check_fail("thread made for CPU %d ran on %d", i,
					  seen[i]);
	}
	if (thread_create_on(cpu_count(), "none", where, seen))
		return check_fail("thread_create_on a CPU that is not there");
	return true;
}

/* Each CPU's scheduler alone: round robin among its own threads. */
struct rr {
	struct spinlock lock;
	char trace[CPU_MAX][16];
	int len[CPU_MAX];
};

static struct rr rr = { .lock = SPINLOCK_INITIALIZER("rr") };

struct rr_arg {
	int cpu;
	char tag;
};

static int rr_thread(void *arg)
{
	struct rr_arg *a = arg;

	for (int i = 0; i < 3; i++) {
		uint64_t f = spin_lock_irqsave(&rr.lock);

		rr.trace[a->cpu][rr.len[a->cpu]++] = a->tag;
		spin_unlock_irqrestore(&rr.lock, f);
		thread_yield();
	}
	sleep_ms(2);	/* this CPU's own LAPIC timer */
	return cpu_current() == a->cpu ? 0 : 1;
}

/* On CPU c: makes two threads there (both queued before either runs). */
static int rr_spawner(void *arg)
{
	struct rr_arg *args = arg;
	struct thread *t[2];
	int bad = 0;

	for (int k = 0; k < 2; k++)
		t[k] = thread_create("rr", rr_thread, &args[k]);
	for (int k = 0; k < 2; k++)
		bad |= thread_join(t[k]);
	return bad;
}

static bool smp_per_cpu_sched(void)
{
	struct rr_arg args[CPU_MAX][2];
	struct thread *t[CPU_MAX];
	int n = cpu_count();

	memset(&rr.trace, 0, sizeof(rr.trace));
	memset(&rr.len, 0, sizeof(rr.len));
	for (int c = 1; c < n; c++) {
		for (int k = 0; k < 2; k++) {
			args[c][k].cpu = c;
			args[c][k].tag = (char)('A' + k);
		}
		t[c] = thread_create_on(c, "spawner", rr_spawner, args[c]);
	}
	for (int c = 1; c < n; c++)
		if (thread_join(t[c]) != 0)
			return check_fail("a thread left CPU %d", c);
	for (int c = 1; c < n; c++)
		if (strcmp(rr.trace[c], "ABABAB") != 0)
			return check_fail("CPU %d ran \"%s\", not ABABAB", c,
					  rr.trace[c]);
	return true;
}

/* A thread on the last CPU blocks; CPU 0 wakes it. */
static struct spinlock wake_lock = SPINLOCK_INITIALIZER("wake test");
static struct waitq wake_q = WAITQ_INITIALIZER("cross wake");
static volatile bool wake_flag;

static int blocker(void *arg)
{
	uint64_t f = spin_lock_irqsave(&wake_lock);

	while (!wake_flag)
		waitq_wait_locked(&wake_q, &wake_lock, 0);
	spin_unlock_irqrestore(&wake_lock, f);
	return cpu_current();
}

static bool smp_cross_wake(void)
{
	int far = cpu_count() - 1;
	struct thread *t = thread_create_on(far, "blocker", blocker, NULL);
	uint64_t ipis = percpu_cpus[far].wake_ipis, f;

	for (int i = 0; i < 1000 && t->state != THREAD_BLOCKED; i++)
		sleep_ms(1);
	if (t->state != THREAD_BLOCKED)
		return check_fail("the blocker never blocked");
	/* past its CPU's idle poll (core/sched.c): only an IPI wakes it */
	sleep_ms(1);
	f = spin_lock_irqsave(&wake_lock);
	wake_flag = true;
	waitq_wake_one(&wake_q);
	spin_unlock_irqrestore(&wake_lock, f);
	if (thread_join(t) != far)
		return check_fail("the blocker woke on the wrong CPU");
	if (percpu_cpus[far].wake_ipis == ipis)
		return check_fail("no wake-up IPI reached CPU %d", far);
	return true;
}

static int wanderer(void *arg)
{
	for (int c = 0; c < cpu_count(); c++) {
		if (thread_migrate(c) != 0 || cpu_current() != c ||
		    thread_current()->cpu != c)
			return 100 + c;
		thread_yield();
		if (cpu_current() != c)
			return 200 + c;
	}
	if (thread_migrate(cpu_count()) != -EINVAL)
		return 300;
	return 0;
}

static bool smp_migrate(void)
{
	struct thread *t = thread_create("wanderer", wanderer, NULL);
	int r = thread_join(t);

	if (r != 0)
		return check_fail("wanderer returned %d", r);
	return true;
}

struct msg {
	uint32_t seq;
	uint32_t check;
};

static int producer(void *arg)
{
	struct channel *c = arg;
	struct msg m;

	for (uint32_t i = 0; i < CHANNEL_MESSAGES; i++) {
		m.seq = i;
		m.check = i * 2654435761u;
		if (channel_send(c, &m, 0) != 0)
			return 1;
	}
	return 0;
}

static bool smp_channel_load(void)
{
	struct channel *c = channel_create("load", 256, sizeof(struct msg));
	struct thread *p;
	struct msg m;
	uint64_t t0 = time_ns(), ns;

	p = thread_create_on(cpu_count() - 1, "producer", producer, c);
	if (!c || !p)
		return check_fail("no channel or producer");
	for (uint32_t i = 0; i < CHANNEL_MESSAGES; i++) {
		if (channel_recv(c, &m, 0) != 0)
			return check_fail("recv failed at %u", i);
		if (m.seq != i || m.check != i * 2654435761u)
			return check_fail("message %u arrived as %u", i, m.seq);
	}
	ns = time_ns() - t0;
	if (thread_join(p) != 0)
		return check_fail("producer failed");
	if (channel_recv(c, &m, CHANNEL_NOWAIT) != -EAGAIN)
		return check_fail("a message more than was sent");
	printf("channel: %d messages CPU %d -> CPU 0 in %llu ms\n",
	       CHANNEL_MESSAGES, cpu_count() - 1,
	       (unsigned long long)(ns / 1000000));
	channel_destroy(c);
	return true;
}

static struct spinlock torture_lock = SPINLOCK_INITIALIZER("torture");
static volatile uint64_t torture_count;

static int torturer(void *arg)
{
	for (int i = 0; i < TORTURE_ROUNDS; i++) {
		uint64_t f = spin_lock_irqsave(&torture_lock);
		uint64_t v = torture_count;

		/* a window for another CPU to slip in, were the lock broken */
		for (int k = 0; k < 8; k++)
			cpu_relax();
		torture_count = v + 1;
		spin_unlock_irqrestore(&torture_lock, f);
		if (i % 64 == 0)
			thread_yield();
	}
	return 0;
}

static bool smp_spinlock_torture(void)
{
	struct thread *t[CPU_MAX];
	int n = cpu_count();

	torture_count = 0;
	for (int c = 0; c < n; c++)
		t[c] = thread_create_on(c, "torture", torturer, NULL);
	for (int c = 0; c < n; c++)
		thread_join(t[c]);
	if (torture_count != (uint64_t)n * TORTURE_ROUNDS)
		return check_fail("counter %llu, expected %llu",
				  (unsigned long long)torture_count,
				  (unsigned long long)n * TORTURE_ROUNDS);
	return true;
}

/* The test types "ping" once it reads "READY irq". */
static bool smp_irq_route(void)
{
	int last = cpu_count() - 1;
	uint64_t before = percpu_cpus[last].irqs;
	char line[32];
	int err;

	if (device_irq_cpu("console", cpu_count()) != -EINVAL)
		return check_fail("routing to a CPU that is not there");
	if (device_irq_cpu("virtio-nothing", 0) != -ENODEV)
		return check_fail("routing a device that is not there");
	err = device_irq_cpu("console", last);
	if (err)
		return check_fail("device_irq_cpu(console, %d): %d", last, err);
	if (irq_cpu[UART_COM1_GSI] != last)
		return check_fail("irq_cpu[%d] is %d, not %d", UART_COM1_GSI,
				  irq_cpu[UART_COM1_GSI], last);
	printf("READY irq\n");
	if (!fgets(line, sizeof(line), stdin) || strcmp(line, "ping\n") != 0)
		return check_fail("read \"%s\", not ping", line);
	if (cpu_current() != 0)
		return check_fail("main woke on CPU %d", cpu_current());
	if (percpu_cpus[last].irqs == before)
		return check_fail("CPU %d took no device interrupt", last);
	return true;
}

int main(int argc, char **argv)
{
	expected_cpus = argc > 1 ? atoi(argv[1]) : 2;
	check_case("smp_all_online", smp_all_online);
	check_case("smp_per_cpu_sched", smp_per_cpu_sched);
	check_case("smp_cross_wake", smp_cross_wake);
	check_case("smp_migrate", smp_migrate);
	check_case("smp_spinlock_torture", smp_spinlock_torture);
	check_case("smp_channel_load", smp_channel_load);
	/* it reads a line: only when the runner types one (argv[2] "irq") */
	if (argc > 2 && strcmp(argv[2], "irq") == 0)
		check_case("smp_irq_route", smp_irq_route);
	return check_done();
}
