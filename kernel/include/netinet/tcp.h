/*
 * netinet/tcp.h for Minnow: IPPROTO_TCP socket options (setsockopt), with
 * Linux's values.
 */
#ifndef _MINNOW_NETINET_TCP_H
#define _MINNOW_NETINET_TCP_H

#define TCP_NODELAY 1	/* int: send small segments at once (no Nagle) */
#define TCP_MAXSEG 2	/* int, read only: the MSS */
#define TCP_KEEPIDLE 4	/* int seconds before the first keepalive probe */
#define TCP_KEEPINTVL 5	/* int seconds between probes */
#define TCP_KEEPCNT 6	/* int probes before the connection is dropped */

#endif
