/*
 * Ethernet frames over virtio-net for applications (link with "components":
 * ["virtio_net"] in minnow.json). Frames are whole Ethernet frames without
 * the FCS: destination MAC, source MAC, EtherType, payload. Calls return a
 * negative errno on failure: -ENODEV without a network device, -EINVAL for
 * a frame larger than NET_FRAME_MAX, -ETIMEDOUT, -EIO.
 */
#ifndef MINNOW_VIRTIO_NET_H
#define MINNOW_VIRTIO_NET_H

#include <stddef.h>
#include <stdint.h>

#define NET_MAC_LEN 6
#define NET_FRAME_MAX 1514	/* 14-byte header + 1500-byte MTU */

/* Copies the device's MAC address into mac; 0 or -ENODEV. */
int net_mac(uint8_t mac[NET_MAC_LEN]);
/* Queues one frame for sending; returns 0 once the device owns a copy. */
int net_send(const void *frame, size_t len);
/* Waits up to timeout_ms (0: forever) for a frame; returns its length.
 * A frame longer than size is cut to size. */
int net_recv(void *buf, size_t size, uint64_t timeout_ms);

#endif
