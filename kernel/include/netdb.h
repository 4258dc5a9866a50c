/*
 * netdb.h for Minnow: names and services to socket addresses
 * (kernel/net/netdb.c). Names are looked up with DNS through the servers
 * DHCP gave (QEMU's user network: 10.0.2.3); numeric addresses and ports
 * need no lookup. IPv4 only. Error codes have glibc's values.
 */
#ifndef _MINNOW_NETDB_H
#define _MINNOW_NETDB_H

#include <netinet/in.h>
#include <sys/socket.h>

struct addrinfo {
	int ai_flags;
	int ai_family;
	int ai_socktype;
	int ai_protocol;
	socklen_t ai_addrlen;
	struct sockaddr *ai_addr;
	char *ai_canonname;
	struct addrinfo *ai_next;
};

#define AI_PASSIVE 0x0001	/* no node: the wildcard address, for bind */
#define AI_CANONNAME 0x0002
#define AI_NUMERICHOST 0x0004	/* never look the node up */
#define AI_V4MAPPED 0x0008
#define AI_ALL 0x0010
#define AI_ADDRCONFIG 0x0020
#define AI_NUMERICSERV 0x0400	/* the service is a port number */

#define EAI_BADFLAGS -1
#define EAI_NONAME -2
#define EAI_AGAIN -3
#define EAI_FAIL -4
#define EAI_FAMILY -6
#define EAI_SOCKTYPE -7
#define EAI_SERVICE -8
#define EAI_MEMORY -10
#define EAI_SYSTEM -11
#define EAI_OVERFLOW -12

/* 0 or an EAI_* code; free the list with freeaddrinfo */
int getaddrinfo(const char *node, const char *service,
		const struct addrinfo *hints, struct addrinfo **res);
void freeaddrinfo(struct addrinfo *ai);
const char *gai_strerror(int code);

#endif
