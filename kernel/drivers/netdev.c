/*
 * The table of network cards (kernel/netdev.h): drivers add their cards at
 * boot, the TCP/IP stack takes one by place. Nothing is ever removed: cards
 * do not come and go in a microVM.
 */
#include <errno.h>
#include <kernel/netdev.h>

struct netdev *netdev_table[NETDEV_MAX];

int netdev_register(struct netdev *nd)
{
	for (int i = 0; i < NETDEV_MAX; i++) {
		if (!netdev_table[i]) {
			netdev_table[i] = nd;
			return 0;
		}
	}
	return -ENOSPC;
}

struct netdev *netdev_get(unsigned int n)
{
	return n < NETDEV_MAX ? netdev_table[n] : NULL;
}
