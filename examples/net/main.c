/*
 * virtio-net example: answers ARP and ICMP echo (ping) for its IPv4
 * address, and echoes frames of the local experimental EtherType 0x88b5
 * back to their sender (the tests use them for bursts). At start it pings
 * the gateway a few times, which QEMU's user network answers.
 *
 *   net [ip] [gateway] [pings]     defaults: 10.0.2.15 10.0.2.2 3
 *
 * A 0x88b5 frame whose payload starts with "QUIT" ends the program.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <minnow.h>
#include <minnow/net.h>

#define ETH_HLEN 14
#define ETH_P_IP 0x0800
#define ETH_P_ARP 0x0806
#define ETH_P_TEST 0x88b5	/* IEEE 802 local experimental */
#define ARP_REQUEST 1
#define ARP_REPLY 2
#define IP_PROTO_ICMP 1
#define ICMP_ECHO_REPLY 0
#define ICMP_ECHO_REQUEST 8

static uint8_t mac[NET_MAC_LEN];
static uint8_t my_ip[4], gw_ip[4], gw_mac[NET_MAC_LEN];
static uint8_t frame[NET_FRAME_MAX], out[NET_FRAME_MAX];
static unsigned long answered_arp, answered_ping, echoed;

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* The Internet checksum (RFC 1071) */
static uint16_t csum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += get16(p + i);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void eth_header(uint8_t *f, const uint8_t *dst, uint16_t type)
{
	memcpy(f, dst, NET_MAC_LEN);
	memcpy(f + 6, mac, NET_MAC_LEN);
	put16(f + 12, type);
}

static void arp_send(uint16_t op, const uint8_t *dst_mac,
		     const uint8_t *tha, const uint8_t *tpa)
{
	uint8_t *a = out + ETH_HLEN;

	eth_header(out, dst_mac, ETH_P_ARP);
	put16(a, 1);		/* hardware: Ethernet */
	put16(a + 2, ETH_P_IP);
	a[4] = NET_MAC_LEN;
	a[5] = 4;
	put16(a + 6, op);
	memcpy(a + 8, mac, NET_MAC_LEN);
	memcpy(a + 14, my_ip, 4);
	memcpy(a + 18, tha, NET_MAC_LEN);
	memcpy(a + 24, tpa, 4);
	net_send(out, ETH_HLEN + 28);
}

static void arp_input(const uint8_t *a, size_t len)
{
	if (len < 28 || get16(a + 6) > ARP_REPLY)
		return;
	if (memcmp(a + 14, gw_ip, 4) == 0)
		memcpy(gw_mac, a + 8, NET_MAC_LEN);
	if (get16(a + 6) == ARP_REQUEST && memcmp(a + 24, my_ip, 4) == 0) {
		arp_send(ARP_REPLY, a + 8, a + 8, a + 14);
		answered_arp++;
	}
}

/* Builds an IPv4 + ICMP packet in `out`; payload already at out+14+20+8. */
static size_t icmp_build(const uint8_t *dst_mac, const uint8_t *dst_ip,
			 uint8_t type, uint16_t id, uint16_t seq,
			 size_t payload)
{
	uint8_t *ip = out + ETH_HLEN, *icmp = ip + 20;
	size_t ip_len = 20 + 8 + payload;

	eth_header(out, dst_mac, ETH_P_IP);
	memset(ip, 0, 20);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)ip_len);
	ip[8] = 64;
	ip[9] = IP_PROTO_ICMP;
	memcpy(ip + 12, my_ip, 4);
	memcpy(ip + 16, dst_ip, 4);
	put16(ip + 10, csum(ip, 20));
	icmp[0] = type;
	icmp[1] = 0;
	put16(icmp + 2, 0);
	put16(icmp + 4, id);
	put16(icmp + 6, seq);
	put16(icmp + 2, csum(icmp, 8 + payload));
	return ETH_HLEN + ip_len;
}

/* Returns the sequence number of an echo reply addressed to us, or -1. */
static int ip_input(const uint8_t *f, size_t len)
{
	const uint8_t *ip = f + ETH_HLEN, *icmp;
	size_t ihl, ip_len, n;

	if (len < ETH_HLEN + 20 || (ip[0] >> 4) != 4)
		return -1;
	ihl = (size_t)(ip[0] & 0xf) * 4;
	ip_len = get16(ip + 2);
	if (ihl < 20 || ip_len < ihl + 8 || ETH_HLEN + ip_len > len ||
	    ip[9] != IP_PROTO_ICMP || memcmp(ip + 16, my_ip, 4) != 0)
		return -1;
	icmp = ip + ihl;
	n = ip_len - ihl - 8;
	if (icmp[0] == ICMP_ECHO_REPLY)
		return get16(icmp + 6);
	if (icmp[0] != ICMP_ECHO_REQUEST || n > NET_FRAME_MAX - ETH_HLEN - 28)
		return -1;
	memcpy(out + ETH_HLEN + 28, icmp + 8, n);
	net_send(out, icmp_build(f + 6, ip + 12, ICMP_ECHO_REPLY,
				 get16(icmp + 4), get16(icmp + 6), n));
	answered_ping++;
	return -1;
}

/* Handles one frame; returns an echo reply's sequence number, -2 on QUIT,
 * else -1. */
static int handle(size_t len)
{
	uint16_t type = get16(frame + 12);

	if (len < ETH_HLEN)
		return -1;
	if (type == ETH_P_ARP)
		arp_input(frame + ETH_HLEN, len - ETH_HLEN);
	else if (type == ETH_P_IP)
		return ip_input(frame, len);
	else if (type == ETH_P_TEST) {
		if (len >= ETH_HLEN + 4 && memcmp(frame + ETH_HLEN, "QUIT", 4) == 0)
			return -2;
		memcpy(out, frame, len);
		eth_header(out, frame + 6, ETH_P_TEST);
		net_send(out, len);
		echoed++;
	}
	return -1;
}

static int parse_ip(const char *s, uint8_t ip[4])
{
	unsigned int i, v;

	for (i = 0; i < 4; i++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		for (v = 0; *s >= '0' && *s <= '9'; s++)
			v = v * 10 + (unsigned int)(*s - '0');
		if (v > 255 || (i < 3 && *s++ != '.'))
			return -EINVAL;
		ip[i] = (uint8_t)v;
	}
	return *s ? -EINVAL : 0;
}

/* Resolves the gateway, then sends `count` echo requests to it. */
static void ping_gateway(unsigned int count)
{
	static const uint8_t bcast[NET_MAC_LEN] = { 0xff, 0xff, 0xff,
						    0xff, 0xff, 0xff };
	static const uint8_t zero[NET_MAC_LEN];
	unsigned int seq, replies = 0, tries;
	uint64_t t0, rtt, rtt_min = ~0ull, rtt_max = 0, rtt_sum = 0;
	int n;

	for (tries = 0; tries < 3 && !memcmp(gw_mac, zero, NET_MAC_LEN); tries++) {
		arp_send(ARP_REQUEST, bcast, zero, gw_ip);
		while ((n = net_recv(frame, sizeof(frame), 500)) > 0) {
			handle((size_t)n);
			if (memcmp(gw_mac, zero, NET_MAC_LEN))
				break;
		}
	}
	if (!memcmp(gw_mac, zero, NET_MAC_LEN)) {
		printf("net: gateway %u.%u.%u.%u does not answer ARP\n",
		       gw_ip[0], gw_ip[1], gw_ip[2], gw_ip[3]);
		return;
	}
	for (seq = 1; seq <= count; seq++) {
		memset(out + ETH_HLEN + 28, 0x5a, 32);
		t0 = time_us();
		net_send(out, icmp_build(gw_mac, gw_ip, ICMP_ECHO_REQUEST,
					 0x4d4e, (uint16_t)seq, 32));
		while ((n = net_recv(frame, sizeof(frame), 1000)) > 0) {
			if (handle((size_t)n) != (int)seq)
				continue;
			rtt = time_us() - t0;
			rtt_min = rtt < rtt_min ? rtt : rtt_min;
			rtt_max = rtt > rtt_max ? rtt : rtt_max;
			rtt_sum += rtt;
			replies++;
			break;
		}
	}
	printf("net: ping %u.%u.%u.%u: %u/%u replies", gw_ip[0], gw_ip[1],
	       gw_ip[2], gw_ip[3], replies, count);
	if (replies)
		printf(", rtt min/avg/max %llu/%llu/%llu us",
		       (unsigned long long)rtt_min,
		       (unsigned long long)(rtt_sum / replies),
		       (unsigned long long)rtt_max);
	printf("\n");
}

int main(int argc, char **argv)
{
	unsigned int pings = 3;
	int n;

	if (parse_ip(argc > 1 ? argv[1] : "10.0.2.15", my_ip) ||
	    parse_ip(argc > 2 ? argv[2] : "10.0.2.2", gw_ip)) {
		printf("usage: net [ip] [gateway] [pings]\n");
		return 2;
	}
	if (argc > 3)
		for (pings = 0, n = 0; argv[3][n] >= '0' && argv[3][n] <= '9'; n++)
			pings = pings * 10 + (unsigned int)(argv[3][n] - '0');
	if (net_mac(mac)) {
		printf("net: no network device (add \"virtio_net\" to drivers)\n");
		return 2;
	}
	printf("net: %02x:%02x:%02x:%02x:%02x:%02x is %u.%u.%u.%u\n", mac[0],
	       mac[1], mac[2], mac[3], mac[4], mac[5], my_ip[0], my_ip[1],
	       my_ip[2], my_ip[3]);
	if (pings)
		ping_gateway(pings);
	printf("net: answering ARP and ping\n");
	for (;;) {
		n = net_recv(frame, sizeof(frame), 0);
		if (n < 0) {
			printf("net: receive error %d\n", n);
			return 1;
		}
		if (handle((size_t)n) == -2)
			break;
	}
	printf("net: answered %lu ARP, %lu ping, echoed %lu frames\n",
	       answered_arp, answered_ping, echoed);
	return 0;
}
