/*
 * Raw Ethernet frames for applications, named for what they are rather
 * than for the device model: today the virtio-net card (link with
 * "components": ["virtio_net"]). The calls are those of minnow/virtio_net.h,
 * which stays for programs written against it. TCP/IP applications use
 * the BSD sockets of the "net" component (<sys/socket.h>) instead.
 */
#ifndef MINNOW_NET_H
#define MINNOW_NET_H

#include <minnow/virtio_net.h>

#endif
