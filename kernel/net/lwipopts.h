/*
 * lwIP's configuration for Minnow (lwIP's src/include/lwip/opt.h lists
 * every option and its default). The shape: NO_SYS=1, the raw API only;
 * Minnow's own BSD socket layer (net/socket*.c) calls it holding net_lock,
 * and one kernel thread (net/net.c) feeds it received frames and runs its
 * timers. Memory comes from the kernel heap rather than fixed pools, so
 * a server with a few hundred connections is bounded by the VM's memory,
 * not by a pool size chosen here. IPv4 only, with DHCP and DNS.
 */
#ifndef MINNOW_LWIPOPTS_H
#define MINNOW_LWIPOPTS_H

/* no OS layer: no threads, mailboxes or semaphores inside lwIP */
#define NO_SYS 1
#define LWIP_TIMERS 1
/* every lwIP call is made holding net_lock, never from an interrupt */
#define SYS_LIGHTWEIGHT_PROT 0
#define LWIP_NETCONN 0
#define LWIP_SOCKET 0
#define LWIP_NETIF_API 0
/* <netinet/in.h> and <arpa/inet.h> give htons and friends */
#define LWIP_DONT_PROVIDE_BYTEORDER_FUNCTIONS 1

/* memory: the kernel's malloc for the heap and for every pool */
#define MEM_LIBC_MALLOC 1
#define MEMP_MEM_MALLOC 1
#define MEM_ALIGNMENT 8

/* protocols */
#define LWIP_IPV4 1
#define LWIP_IPV6 0
#define LWIP_ARP 1
/* keep every frame sent while the gateway's MAC is being asked for (the
 * default keeps the last one only: a burst of SYN-ACKs lost all but one) */
#define ARP_QUEUEING 1
#define LWIP_ETHERNET 1
#define LWIP_ICMP 1
#define LWIP_RAW 0
#define LWIP_UDP 1
#define LWIP_TCP 1
#define LWIP_DHCP 1
/* QEMU's user network hands out 10.0.2.15 to the only guest there is;
 * the ARP probe would add a second to every boot */
#define DHCP_DOES_ARP_CHECK 0
#define LWIP_DNS 1
#define DNS_MAX_SERVERS 2
#define LWIP_AUTOIP 0
#define LWIP_IGMP 0
#define IP_REASSEMBLY 1
/* fragments of one datagram kept for reassembly: enough for the largest
 * UDP payload (65507 bytes in 1480-byte fragments) */
#define IP_REASS_MAX_PBUFS 46
#define IP_FRAG 1
#define LWIP_SINGLE_NETIF 1
#define LWIP_NETIF_STATUS_CALLBACK 1
#define LWIP_NETIF_LINK_CALLBACK 0
#define LWIP_NETIF_HOSTNAME 0

/*
 * TCP, configured for throughput (measured in bench/: the window and the
 * send buffer are what a bulk transfer through QEMU's user network is
 * limited by). A 1460-byte MSS fills a 1500-byte Ethernet MTU.
 */
#define TCP_MSS 1460
#define LWIP_WND_SCALE 1
#define TCP_RCV_SCALE 2
#define TCP_WND (128 * 1024)
#define TCP_SND_BUF (128 * 1024)
#define TCP_SND_QUEUELEN (4 * TCP_SND_BUF / TCP_MSS)
/* lwIP keeps it in 16 bits (init.c checks it stays 4 MSS below) */
#define TCP_SNDLOWAT (32 * TCP_MSS)
#define TCP_SNDQUEUELOWAT (TCP_SND_QUEUELEN / 2)
/* with MEMP_MEM_MALLOC these bound nothing; lwIP's sanity checks read them */
#define MEMP_NUM_TCP_SEG (2 * TCP_SND_QUEUELEN)
#define MEMP_NUM_TCP_PCB 1024
#define MEMP_NUM_TCP_PCB_LISTEN 64
#define MEMP_NUM_UDP_PCB 64
#define TCP_LISTEN_BACKLOG 1
#define TCP_DEFAULT_LISTEN_BACKLOG 128
#define TCP_QUEUE_OOSEQ 1
#define LWIP_TCP_SACK_OUT 1
#define LWIP_TCP_KEEPALIVE 1
/* initial sequence numbers as RFC 6528 says, not lwIP's counter */
#define LWIP_HOOK_FILENAME "arch/hooks.h"
#define LWIP_HOOK_TCP_ISN net_tcp_isn
/* a new SYN may take over a connection in TIME_WAIT (net/timewait.c) */
#define LWIP_HOOK_IP4_INPUT net_timewait_syn
/* SO_REUSEADDR */
#define SO_REUSE 1

/* one received frame in one pbuf: header, MTU, rounded up */
#define PBUF_POOL_BUFSIZE 1536

/* checksums in software both ways: virtio-net offers no offload here */
#define LWIP_CHKSUM_ALGORITHM 3

/* counters a debugger reads (lwip_stats), never printed */
#define LWIP_STATS 1
#define LWIP_STATS_DISPLAY 0
#define MIB2_STATS 0

#endif
