/* The net suite's guest (test/net/behaviours.test.ts): shared helpers. */
#ifndef NETCHECK_H
#define NETCHECK_H

#include <stddef.h>

/* client.c: the guest as a client of the host's test server on port */
int client_checks(int port);

/* main.c */
int listen_tcp(int port, int backlog);
int write_all(int fd, const void *buf, size_t n);

#endif
