/*
 * netinet/in.h for Minnow: Internet addresses for sockets (sys/socket.h).
 * Addresses and ports in struct sockaddr_in are in network byte order;
 * htons() and friends convert. Values as on Linux.
 */
#ifndef _MINNOW_NETINET_IN_H
#define _MINNOW_NETINET_IN_H

#include <stdint.h>
#include <sys/socket.h>

typedef uint16_t in_port_t;
typedef uint32_t in_addr_t;

struct in_addr {
	in_addr_t s_addr;	/* network byte order */
};

struct sockaddr_in {
	sa_family_t sin_family;	/* AF_INET */
	in_port_t sin_port;	/* network byte order */
	struct in_addr sin_addr;
	unsigned char sin_zero[8];
};

/* IPv6 addresses exist for code that names them; the stack is IPv4 only
 * and AF_INET6 sockets fail with EAFNOSUPPORT */
struct in6_addr {
	uint8_t s6_addr[16];
};

struct sockaddr_in6 {
	sa_family_t sin6_family;
	in_port_t sin6_port;
	uint32_t sin6_flowinfo;
	struct in6_addr sin6_addr;
	uint32_t sin6_scope_id;
};

#define IPPROTO_IP 0
#define IPPROTO_ICMP 1
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17
#define IPPROTO_IPV6 41
#define IPPROTO_RAW 255

/* host byte order, as in POSIX */
#define INADDR_ANY ((in_addr_t)0x00000000)
#define INADDR_BROADCAST ((in_addr_t)0xffffffff)
#define INADDR_NONE ((in_addr_t)0xffffffff)
#define INADDR_LOOPBACK ((in_addr_t)0x7f000001)

#define INET_ADDRSTRLEN 16
#define INET6_ADDRSTRLEN 46

/* IPPROTO_IP options */
#define IP_TOS 1
#define IP_TTL 2

static inline uint16_t htons(uint16_t x)
{
	return __builtin_bswap16(x);
}

static inline uint16_t ntohs(uint16_t x)
{
	return __builtin_bswap16(x);
}

static inline uint32_t htonl(uint32_t x)
{
	return __builtin_bswap32(x);
}

static inline uint32_t ntohl(uint32_t x)
{
	return __builtin_bswap32(x);
}

#endif
