/*
 * Network cards as the TCP/IP stack sees them: send a frame, take a
 * received one, sleep until the card interrupts. Drivers register each card
 * (drivers/virtio_net.c); the stack (net/net_link.c) takes the first, so no
 * protocol code calls a device model directly. Frames are whole Ethernet
 * frames without the FCS. The table is plain data for the debugger.
 * Implemented in drivers/netdev.c.
 */
#ifndef KERNEL_NETDEV_H
#define KERNEL_NETDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NETDEV_MAX 4
#define NETDEV_NAME_MAX 32
#define NETDEV_MAC_LEN 6
#define NETDEV_MTU 1500	/* Ethernet payload (IEEE 802.3) */
#define NETDEV_FRAME_MAX (14 + NETDEV_MTU)	/* header + payload, no FCS */

/* One piece of a frame to send: the card gets the pieces end to end. */
struct netdev_frag {
	const void *data;
	size_t len;
};

struct netdev;

struct netdev_ops {
	/* Copies the frame into a transmit slot: 0, -EAGAIN when every slot
	 * is taken (tx_space() says when one frees), -EINVAL, -EIO. */
	int (*send)(struct netdev *nd, const struct netdev_frag *frags,
		    unsigned int n);
	/* Copies one received frame into buf: its length, 0 when none is
	 * waiting, -EIO. A frame longer than size is cut. Never blocks. */
	int (*recv)(struct netdev *nd, void *buf, size_t size);
	/* True when recv() has a frame (interrupts off, before wait()). */
	bool (*rx_ready)(struct netdev *nd);
	/* Free transmit slots now; with `notify`, the card also interrupts
	 * when a busy one frees (for a sender that found none). */
	unsigned int (*tx_space)(struct netdev *nd, bool notify);
	/* Sleeps until the card interrupts or deadline_ns of time_now_ns()
	 * (0: none): 0 or -ETIMEDOUT. Interrupts off, after rx_ready(). */
	int (*wait)(struct netdev *nd, uint64_t deadline_ns);
	/* Ends a wait() early, as an interrupt would (from any thread). */
	void (*wake)(struct netdev *nd);
};

struct netdev {
	char name[NETDEV_NAME_MAX];	/* "virtio-net0" */
	uint8_t mac[NETDEV_MAC_LEN];
	uint16_t mtu;
	const struct netdev_ops *ops;
	void *priv;			/* the driver's */
	bool in_use;			/* the TCP/IP stack drives it */
};

/* The registered cards, in order. */
extern struct netdev *netdev_table[NETDEV_MAX];

/* drivers/netdev.c */
/* 0, or -ENOSPC when the table is full. */
int netdev_register(struct netdev *nd);
/* The nth registered card, or NULL. */
struct netdev *netdev_get(unsigned int n);

#endif
