/*
 * getaddrinfo (netdb.h): a node and a service to socket addresses. A
 * numeric node needs no lookup; a name goes to lwIP's DNS resolver, which
 * asks the servers DHCP gave (QEMU's user network: 10.0.2.3), and the
 * calling thread sleeps until lwIP's callback has the answer. lwIP always
 * calls back, with an address or with none after its retries, so the wait
 * needs no deadline of its own. IPv4 only: one address per name.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netdb.h>
#include "lwip/dns.h"
#include "sock.h"

#define NETDB_AI_FLAGS                                                       \
	(AI_PASSIVE | AI_CANONNAME | AI_NUMERICHOST | AI_V4MAPPED | AI_ALL |  \
	 AI_ADDRCONFIG | AI_NUMERICSERV)

/* the few services programs name (IANA's port numbers) */
static const struct {
	const char *name;
	uint16_t port;
} netdb_services[] = {
	{ "echo", 7 },	   { "discard", 9 }, { "ftp", 21 },  { "ssh", 22 },
	{ "telnet", 23 },  { "smtp", 25 },   { "domain", 53 }, { "http", 80 },
	{ "ntp", 123 },	   { "https", 443 },
};

/* One lookup in progress: lwIP's callback fills it in. */
struct netdb_query {
	struct waitq wq;
	bool done, found;
	uint32_t addr;
};

static void netdb_found(const char *name, const ip_addr_t *ip, void *arg)
{
	struct netdb_query *q = arg;

	q->found = ip != NULL;
	if (ip)
		q->addr = ip4_addr_get_u32(ip_2_ip4(ip));
	q->done = true;
	waitq_wake_all(&q->wq);
}

/* The address of a name: 0 or an EAI_* code. */
static int netdb_resolve(const char *name, uint32_t *addr)
{
	struct netdb_query q = { .done = false };
	ip_addr_t ip;
	uint64_t lock;
	err_t err;

	if (strlen(name) >= DNS_MAX_NAME_LENGTH)
		return EAI_NONAME;
	waitq_init(&q.wq, "dns");
	net_wait_up(0);
	lock = net_lock_take();
	err = dns_gethostbyname(name, &ip, netdb_found, &q);
	if (err == ERR_OK) {
		q.found = q.done = true;
		q.addr = ip4_addr_get_u32(ip_2_ip4(&ip));
	} else if (err == ERR_INPROGRESS) {
		while (!q.done)
			waitq_wait_locked(&q.wq, &net_lock, 0);
	} else {
		q.done = true;
	}
	net_lock_give(lock);
	if (!q.found)
		return err == ERR_INPROGRESS ? EAI_NONAME : EAI_FAIL;
	*addr = q.addr;
	return 0;
}

static int netdb_port(const char *service, int flags, uint16_t *port)
{
	char *end;
	unsigned long v;

	if (!service) {
		*port = 0;
		return 0;
	}
	v = strtoul(service, &end, 10);
	if (*service && !*end) {
		if (v > 65535)
			return EAI_SERVICE;
		*port = (uint16_t)v;
		return 0;
	}
	if (flags & AI_NUMERICSERV)
		return EAI_NONAME;
	for (size_t i = 0; i < sizeof(netdb_services) / sizeof(netdb_services[0]);
	     i++) {
		if (strcmp(service, netdb_services[i].name) == 0) {
			*port = netdb_services[i].port;
			return 0;
		}
	}
	return EAI_SERVICE;
}

/* One result: the addrinfo, its address and its name in one block. */
static struct addrinfo *netdb_entry(int socktype, uint32_t addr,
				    uint16_t port, const char *canon)
{
	size_t clen = canon ? strlen(canon) + 1 : 0;
	struct addrinfo *ai = calloc(1, sizeof(*ai) +
					       sizeof(struct sockaddr_in) + clen);
	struct sockaddr_in *in;

	if (!ai)
		return NULL;
	in = (struct sockaddr_in *)(ai + 1);
	in->sin_family = AF_INET;
	in->sin_port = htons(port);
	in->sin_addr.s_addr = addr;
	ai->ai_family = AF_INET;
	ai->ai_socktype = socktype;
	ai->ai_protocol = socktype == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP;
	ai->ai_addrlen = sizeof(*in);
	ai->ai_addr = (struct sockaddr *)in;
	if (canon) {
		ai->ai_canonname = (char *)(in + 1);
		memcpy(ai->ai_canonname, canon, clen);
	}
	return ai;
}

int getaddrinfo(const char *node, const char *service,
		const struct addrinfo *hints, struct addrinfo **res)
{
	int flags = hints ? hints->ai_flags : 0;
	int family = hints ? hints->ai_family : AF_UNSPEC;
	int socktype = hints ? hints->ai_socktype : 0;
	int protocol = hints ? hints->ai_protocol : 0;
	static const int both[] = { SOCK_STREAM, SOCK_DGRAM };
	struct addrinfo *head = NULL, **tail = &head;
	struct in_addr a;
	uint32_t addr;
	uint16_t port;
	int err;

	if (!res)
		return EAI_SYSTEM;
	*res = NULL;
	if (!node && !service)
		return EAI_NONAME;
	if (flags & ~NETDB_AI_FLAGS)
		return EAI_BADFLAGS;
	if (family != AF_UNSPEC && family != AF_INET)
		return EAI_FAMILY;
	if (socktype != 0 && socktype != SOCK_STREAM && socktype != SOCK_DGRAM)
		return EAI_SOCKTYPE;
	if (protocol == IPPROTO_TCP && !socktype)
		socktype = SOCK_STREAM;
	if (protocol == IPPROTO_UDP && !socktype)
		socktype = SOCK_DGRAM;
	err = netdb_port(service, flags, &port);
	if (err)
		return err;
	if (!node) {
		addr = flags & AI_PASSIVE ? htonl(INADDR_ANY) :
					    htonl(INADDR_LOOPBACK);
	} else if (inet_aton(node, &a)) {
		addr = a.s_addr;
	} else if (flags & AI_NUMERICHOST) {
		return EAI_NONAME;
	} else {
		err = netdb_resolve(node, &addr);
		if (err)
			return err;
	}
	for (int i = 0; i < 2; i++) {
		struct addrinfo *ai;

		if (socktype && both[i] != socktype)
			continue;
		ai = netdb_entry(both[i], addr, port,
				 head == NULL && (flags & AI_CANONNAME) ? node :
									  NULL);
		if (!ai) {
			freeaddrinfo(head);
			return EAI_MEMORY;
		}
		*tail = ai;
		tail = &ai->ai_next;
	}
	*res = head;
	return 0;
}

void freeaddrinfo(struct addrinfo *ai)
{
	while (ai) {
		struct addrinfo *next = ai->ai_next;

		free(ai);
		ai = next;
	}
}

const char *gai_strerror(int code)
{
	switch (code) {
	case 0:
		return "Success";
	case EAI_BADFLAGS:
		return "Bad value for ai_flags";
	case EAI_NONAME:
		return "Name or service not known";
	case EAI_AGAIN:
		return "Temporary failure in name resolution";
	case EAI_FAIL:
		return "Non-recoverable failure in name resolution";
	case EAI_FAMILY:
		return "ai_family not supported";
	case EAI_SOCKTYPE:
		return "ai_socktype not supported";
	case EAI_SERVICE:
		return "Servname not supported for ai_socktype";
	case EAI_MEMORY:
		return "Memory allocation failure";
	case EAI_SYSTEM:
		return "System error";
	case EAI_OVERFLOW:
		return "Argument buffer overflow";
	default:
		return "Unknown error";
	}
}
