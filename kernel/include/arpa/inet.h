/*
 * arpa/inet.h for Minnow: IPv4 addresses between text and binary
 * (kernel/net/inet.c). Binary addresses are in network byte order.
 */
#ifndef _MINNOW_ARPA_INET_H
#define _MINNOW_ARPA_INET_H

#include <netinet/in.h>

/* "a.b.c.d" (also the short forms a, a.b, a.b.c, and 0x/0 prefixes) to an
 * address, INADDR_NONE when it is not one */
in_addr_t inet_addr(const char *s);
/* the same into *out: 1, or 0 when s is not an address */
int inet_aton(const char *s, struct in_addr *out);
/* dotted decimal in a static buffer (one per program, as POSIX allows) */
char *inet_ntoa(struct in_addr a);
/* AF_INET: exactly four decimal parts. 1, 0 when not an address, -1 with
 * errno EAFNOSUPPORT for another family */
int inet_pton(int af, const char *s, void *dst);
/* dst, or NULL with errno ENOSPC (size too small) or EAFNOSUPPORT */
const char *inet_ntop(int af, const void *src, char *dst, socklen_t size);

#endif
