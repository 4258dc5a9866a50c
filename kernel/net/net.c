/*
 * The TCP/IP stack's start-up and its one thread. lwIP runs with NO_SYS=1
 * (lwipopts.h): nothing in it blocks or locks, so Minnow serialises every
 * call into it with net_lock (net/sock.h says how waits work with it).
 * The "net" thread is lwIP's driver: it sleeps on the card until a frame
 * arrives (the card's interrupt wakes it) or lwIP's next timer is due,
 * whichever is first (a deadline on the kernel's timer list, no polling),
 * then feeds lwIP the frames, sends what waited for a transmit slot, runs
 * the timers that are due, bounds TIME_WAIT (net/timewait.c) and refreshes
 * the debugger's socket table.
 *
 * At boot (after the drivers, since net/ links after drivers/) it starts
 * DHCP on the first card and waits a little for an address, so that main()
 * finds the interface configured on QEMU's user network.
 */
#include <errno.h>
#include <kernel/log.h>
#include <kernel/cpu.h>
#include <kernel/driver.h>
#include <kernel/net.h>
#include <kernel/netdev.h>
#include <kernel/thread.h>
#include <kernel/time.h>
#include "arch/hooks.h"
#include "lwip/init.h"
#include "lwip/timeouts.h"
#include "sock.h"

/* frames fed to lwIP before the thread lets application threads run */
#define NET_RX_BATCH 32
/* how long boot waits for DHCP before main() runs anyway */
#define NET_UP_WAIT_NS (5 * NSEC_PER_SEC)
#define NET_THREAD_STACK (32 * 1024)

struct spinlock net_lock = SPINLOCK_INITIALIZER("net");

static struct netdev *net_dev;
static struct thread *net_thread;
/* when the net thread means to wake (0: it is awake, UINT64_MAX: never) */
static volatile uint64_t net_sleep_until;
static struct waitq net_up_wq = WAITQ_INITIALIZER("net up");
static uint64_t net_rand_state;

uint32_t sys_now(void)
{
	return (uint32_t)(time_now_ns() / NSEC_PER_MSEC);
}

/* xorshift64* (Vigna): lwIP wants unpredictable ids, not cryptography */
uint32_t net_rand(void)
{
	uint64_t x = net_rand_state;

	if (!x)
		x = rdtsc() | 1;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	net_rand_state = x;
	return (uint32_t)((x * 0x2545f4914f6cdd1dull) >> 32);
}

/* A 64-bit mix (the finaliser of MurmurHash3): spreads every input bit. */
static uint64_t net_mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	return x ^ (x >> 33);
}

/*
 * RFC 6528: ISN = M + F(4-tuple, secret), M a clock ticking every 4 us,
 * so that a new connection of the same four numbers starts past the old
 * one's sequence space while nobody off the path can guess it.
 */
u32_t net_tcp_isn(const ip_addr_t *local_ip, u16_t local_port,
		  const ip_addr_t *remote_ip, u16_t remote_port)
{
	static uint64_t secret;
	uint64_t tuple;

	while (!secret)
		secret = ((uint64_t)net_rand() << 32) | net_rand();
	tuple = (uint64_t)ip4_addr_get_u32(ip_2_ip4(local_ip)) << 32 |
		ip4_addr_get_u32(ip_2_ip4(remote_ip));
	tuple ^= net_mix(secret ^ ((uint64_t)local_port << 16 | remote_port));
	return (u32_t)(time_now_ns() / 4000) + (u32_t)net_mix(tuple ^ secret);
}

uint64_t net_lock_take(void)
{
	return spin_lock_irqsave(&net_lock);
}

/* The deadline lwIP's timers ask for, in time_now_ns() terms. */
static uint64_t net_timer_deadline(void)
{
	uint32_t ms = sys_timeouts_sleeptime();

	if (ms == SYS_TIMEOUTS_SLEEPTIME_INFINITE)
		return UINT64_MAX;
	return time_now_ns() + (uint64_t)ms * NSEC_PER_MSEC;
}

void net_lock_give(uint64_t flags)
{
	bool early = net_sleep_until && net_timer_deadline() < net_sleep_until;

	spin_unlock_irqrestore(&net_lock, flags);
	if (early && net_dev)
		net_dev->ops->wake(net_dev);
}

int net_wait_up(uint64_t deadline_ns)
{
	uint64_t flags = spin_lock_irqsave(&net_lock);
	int err = 0;

	while (!net_iface0.up && err == 0)
		err = waitq_wait_locked(&net_up_wq, &net_lock, deadline_ns);
	spin_unlock_irqrestore(&net_lock, flags);
	return net_iface0.up ? 0 : err;
}

/* net_link.c's status callback: the address came or changed */
void net_up_changed(void)
{
	waitq_wake_all(&net_up_wq);
}

static int net_thread_main(void *arg)
{
	struct netdev *nd = arg;

	for (;;) {
		uint64_t flags = spin_lock_irqsave(&net_lock);
		uint64_t deadline;
		bool more;

		more = net_link_input(NET_RX_BATCH) == NET_RX_BATCH;
		more |= net_link_flush();
		sys_check_timeouts();
		net_timewait_trim();
		net_view_refresh();
		deadline = net_timer_deadline();
		spin_unlock_irqrestore(&net_lock, flags);
		if (more) {
			/* let the threads those frames woke run first */
			thread_yield();
			continue;
		}
		flags = irq_save();
		net_sleep_until = deadline;
		if (!nd->ops->rx_ready(nd) && !net_link_tx_ready())
			nd->ops->wait(nd, deadline == UINT64_MAX ? 0 : deadline);
		net_sleep_until = 0;
		irq_restore(flags);
	}
	return 0;
}

static int net_init(void)
{
	struct netdev *nd = netdev_get(0);
	uint64_t flags;
	int err;

	net_iface0.config = "none";
	if (!nd) {
		kernel_printf("net: no network card (the \"net\" component needs virtio_net's device; is minnow.json's \"network\" set?)\n");
		return -ENODEV;
	}
	flags = spin_lock_irqsave(&net_lock);
	lwip_init();
	err = net_link_setup(nd);
	spin_unlock_irqrestore(&net_lock, flags);
	if (err) {
		kernel_printf("net: cannot set up %s: error %d\n", nd->name, err);
		return err;
	}
	net_dev = nd;
	net_thread = thread_create_stack("net", net_thread_main, nd,
					 NET_THREAD_STACK);
	if (!net_thread) {
		kernel_printf("net: out of memory for the net thread\n");
		return -ENOMEM;
	}
	if (net_wait_up(time_now_ns() + NET_UP_WAIT_NS))
		kernel_printf("net: %s has no address yet (no DHCP answer in %llu s); carrying on\n",
		       nd->name, NET_UP_WAIT_NS / NSEC_PER_SEC);
	return 0;
}
DRIVER_INIT(net_init);
