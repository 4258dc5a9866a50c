/*
 * The guest as a client of the test's server on the host (10.0.2.2:port
 * on QEMU's user network), which answers each line with "host:" and the
 * line, over TCP and UDP alike. Each check prints "client <name>: ok" or
 * "client <name>: FAIL <why>"; client_checks returns the failures.
 */
#include <errno.h>
#include <fcntl.h>
#include <minnow.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "netcheck.h"

#define HOST_ADDR "10.0.2.2"
#define NONBLOCK_SOCKETS 32
/* a port on the host nothing listens on (tcpmux) */
#define CLOSED_PORT 1

static int failures;

static void result(const char *name, const char *why)
{
	if (why) {
		failures++;
		printf("client %s: FAIL %s (errno %s)\n", name, why,
		       strerror(errno));
	} else {
		printf("client %s: ok\n", name);
	}
}

static struct sockaddr_in host_addr(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port) };

	inet_pton(AF_INET, HOST_ADDR, &a.sin_addr);
	return a;
}

/* Reads one line (up to \n) into buf: its length, or -1. */
static int read_line(int fd, char *buf, size_t size)
{
	size_t n = 0;

	while (n + 1 < size) {
		ssize_t r = read(fd, buf + n, 1);

		if (r <= 0)
			return -1;
		if (buf[n++] == '\n')
			break;
	}
	buf[n] = '\0';
	return (int)n;
}

static const char *check_blocking(int port)
{
	struct sockaddr_in a = host_addr(port), me;
	socklen_t len = sizeof(me);
	char line[64];
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	const char *why = NULL;

	if (fd < 0)
		return "socket";
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		why = "connect";
	else if (getsockname(fd, (struct sockaddr *)&me, &len) < 0 ||
		 me.sin_addr.s_addr != inet_addr("10.0.2.15"))
		why = "getsockname is not 10.0.2.15";
	else if (write_all(fd, "hello\n", 6) < 0)
		why = "write";
	else if (read_line(fd, line, sizeof(line)) < 0 ||
		 strcmp(line, "host:hello\n") != 0)
		why = "the answer is not host:hello";
	close(fd);
	return why;
}

/* Many non-blocking connects at once, then one poll() over all of them. */
static const char *check_nonblocking(int port)
{
	struct sockaddr_in a = host_addr(port);
	struct pollfd p[NONBLOCK_SOCKETS];
	const char *why = NULL;
	int ready = 0, i;

	for (i = 0; i < NONBLOCK_SOCKETS; i++) {
		p[i].fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		p[i].events = POLLOUT;
		if (p[i].fd < 0)
			return "socket";
		if (connect(p[i].fd, (struct sockaddr *)&a, sizeof(a)) == 0 ||
		    errno != EINPROGRESS)
			return "connect did not say EINPROGRESS";
	}
	while (ready < NONBLOCK_SOCKETS) {
		if (poll(p, NONBLOCK_SOCKETS, 30000) <= 0)
			return "poll for POLLOUT timed out";
		for (i = 0; i < NONBLOCK_SOCKETS; i++) {
			int err = -1;
			socklen_t len = sizeof(err);
			char msg[16];

			if (!(p[i].revents & POLLOUT) || p[i].events != POLLOUT)
				continue;
			getsockopt(p[i].fd, SOL_SOCKET, SO_ERROR, &err, &len);
			if (err != 0)
				return "SO_ERROR after connect is not 0";
			snprintf(msg, sizeof(msg), "n%d\n", i);
			if (send(p[i].fd, msg, strlen(msg), 0) != (ssize_t)strlen(msg))
				return "send";
			p[i].events = POLLIN;
			ready++;
		}
	}
	for (ready = 0; ready < NONBLOCK_SOCKETS && !why;) {
		if (poll(p, NONBLOCK_SOCKETS, 30000) <= 0)
			why = "poll for POLLIN timed out";
		for (i = 0; i < NONBLOCK_SOCKETS && !why; i++) {
			char want[16], got[16] = "";
			ssize_t n;

			if (!(p[i].revents & POLLIN) || p[i].events != POLLIN)
				continue;
			snprintf(want, sizeof(want), "host:n%d\n", i);
			/* the answer may come in pieces: take what is there */
			n = recv(p[i].fd, got, strlen(want), MSG_WAITALL);
			if (n != (ssize_t)strlen(want) || memcmp(got, want, (size_t)n))
				why = "a wrong answer";
			p[i].events = 0;
			ready++;
		}
	}
	for (i = 0; i < NONBLOCK_SOCKETS; i++)
		close(p[i].fd);
	return why;
}

static const char *check_refused(void)
{
	struct sockaddr_in a = host_addr(CLOSED_PORT);
	struct pollfd p;
	int err = 0;
	socklen_t len = sizeof(err);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0 ||
	    errno != ECONNREFUSED)
		return "a blocking connect to a closed port did not say ECONNREFUSED";
	close(fd);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0 ||
	    errno != EINPROGRESS)
		return "connect did not say EINPROGRESS";
	p = (struct pollfd){ fd, POLLOUT, 0 };
	if (poll(&p, 1, 30000) != 1 || !(p.revents & POLLERR))
		return "poll did not say POLLERR";
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
	close(fd);
	if (err != ECONNREFUSED)
		return "SO_ERROR is not ECONNREFUSED";
	return NULL;
}

static const char *check_getaddrinfo(int port)
{
	struct addrinfo hints = { .ai_family = AF_INET,
				  .ai_socktype = SOCK_STREAM };
	struct addrinfo *res;
	char svc[8], line[64];
	const char *why = NULL;
	int fd, r;

	snprintf(svc, sizeof(svc), "%d", port);
	r = getaddrinfo(HOST_ADDR, svc, &hints, &res);
	if (r) {
		printf("client getaddrinfo: %s\n", gai_strerror(r));
		return "getaddrinfo of a number";
	}
	fd = socket(res->ai_family, res->ai_socktype, res->ai_protocol);
	if (connect(fd, res->ai_addr, res->ai_addrlen) < 0)
		why = "connect";
	else if (write_all(fd, "gai\n", 4) < 0 ||
		 read_line(fd, line, sizeof(line)) < 0 ||
		 strcmp(line, "host:gai\n") != 0)
		why = "the answer is not host:gai";
	close(fd);
	freeaddrinfo(res);
	if (!why && getaddrinfo("no such host", "x", &hints, &res) == 0)
		why = "a bad service was taken";
	return why;
}

static const char *check_udp(int port)
{
	struct sockaddr_in a = host_addr(port), from;
	struct timeval tv = { 5, 0 };
	socklen_t len = sizeof(from);
	char buf[64];
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	const char *why = NULL;
	ssize_t n;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	for (int i = 0; i < 20 && !why; i++) {
		if (sendto(fd, "udp\n", 4, 0, (struct sockaddr *)&a, sizeof(a)) != 4) {
			why = "sendto";
			break;
		}
		n = recvfrom(fd, buf, sizeof(buf) - 1, 0, (struct sockaddr *)&from,
			     &len);
		if (n < 0 && errno == EAGAIN)
			continue;	/* a datagram may be lost: send again */
		if (n != 9 || memcmp(buf, "host:udp\n", 9) != 0)
			why = "the answer is not host:udp";
		else if (from.sin_port != a.sin_port)
			why = "the answer came from another port";
		break;
	}
	close(fd);
	return why;
}

int client_checks(int port)
{
	result("blocking", check_blocking(port));
	result("nonblocking", check_nonblocking(port));
	result("refused", check_refused());
	result("getaddrinfo", check_getaddrinfo(port));
	result("udp", check_udp(port));
	return failures;
}
