/*
 * The net suite's guest. Servers, each on a thread of its own:
 *   8   writes "bye\n" and closes first (the guest's side goes to TIME_WAIT)
 *   9   sets SO_RCVTIMEO to 200 ms, reports how recv() timed out, then
 *       echoes one line
 *   10  an echo server in one thread: non-blocking sockets, one poll() over
 *       the listener and every connection
 * With --host=P it then runs client.c's checks against the test's server
 * on 10.0.2.2:P and prints "client done: N failures".
 */
#include <errno.h>
#include <fcntl.h>
#include <minnow.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "netcheck.h"

#define POLL_MAX 200
#define RCVTIMEO_MS 200

int listen_tcp(int port, int backlog)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((uint16_t)port) };
	int one = 1;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(fd, backlog) < 0) {
		printf("netcheck: port %d: %s\n", port, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int closer(void *arg)
{
	int lfd = (int)(long)arg;

	for (;;) {
		int fd = accept(lfd, NULL, NULL);

		if (fd < 0)
			continue;
		write_all(fd, "bye\n", 4);
		close(fd);
	}
	return 0;
}

static int timeout_server(void *arg)
{
	int lfd = (int)(long)arg;

	for (;;) {
		struct timeval tv = { 0, RCVTIMEO_MS * 1000 };
		char buf[256], line[128];
		uint64_t t0;
		ssize_t n;
		int fd = accept(lfd, NULL, NULL), err;

		if (fd < 0)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		t0 = time_ms();
		n = recv(fd, buf, sizeof(buf), 0);
		err = errno;
		snprintf(line, sizeof(line), "rcvtimeo n=%ld errno=%s after %lu ms\n",
			 (long)n, err == EAGAIN ? "EAGAIN" : strerror(err),
			 (unsigned long)(time_ms() - t0));
		write_all(fd, line, strlen(line));
		/* the socket still works after a time-out */
		tv.tv_usec = 0;
		tv.tv_sec = 30;
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		n = recv(fd, buf, sizeof(buf), 0);
		if (n > 0)
			write_all(fd, buf, (size_t)n);
		close(fd);
	}
	return 0;
}

/* Echo with one poll() over everything; writes are small enough here to
 * go out whole or be retried on the next POLLOUT. */
static int poll_server(void *arg)
{
	static struct pollfd fds[POLL_MAX];
	static char buf[8192];
	int n = 1;

	fds[0] = (struct pollfd){ (int)(long)arg, POLLIN, 0 };
	fcntl(fds[0].fd, F_SETFL, O_NONBLOCK);
	for (;;) {
		if (poll(fds, (nfds_t)n, -1) < 0) {
			printf("netcheck: poll: %s\n", strerror(errno));
			return 1;
		}
		if (fds[0].revents & POLLIN) {
			int fd;

			while (n < POLL_MAX && (fd = accept(fds[0].fd, NULL, NULL)) >= 0) {
				fcntl(fd, F_SETFL, O_NONBLOCK);
				fds[n++] = (struct pollfd){ fd, POLLIN, 0 };
			}
		}
		for (int i = 1; i < n; i++) {
			ssize_t r;

			if (!fds[i].revents)
				continue;
			r = read(fds[i].fd, buf, sizeof(buf));
			if (r < 0 && errno == EAGAIN)
				continue;
			/* the connection's socket is non-blocking; echo in full */
			if (r > 0) {
				int fl = fcntl(fds[i].fd, F_GETFL);

				fcntl(fds[i].fd, F_SETFL, fl & ~O_NONBLOCK);
				r = write_all(fds[i].fd, buf, (size_t)r) ? -1 : r;
				fcntl(fds[i].fd, F_SETFL, fl);
			}
			if (r <= 0) {
				close(fds[i].fd);
				fds[i--] = fds[--n];
			}
		}
	}
	return 0;
}

static void start(const char *name, int (*fn)(void *), int port, int backlog)
{
	int fd = listen_tcp(port, backlog);

	if (fd < 0 || !thread_create(name, fn, (void *)(long)fd))
		printf("netcheck: cannot start %s\n", name);
}

int main(int argc, char **argv)
{
	int host = 0;

	for (int i = 1; i < argc; i++)
		if (strncmp(argv[i], "--host=", 7) == 0)
			host = atoi(argv[i] + 7);
	start("closer", closer, 8, 16);
	start("rcvtimeo", timeout_server, 9, 16);
	start("poll", poll_server, 10, SOMAXCONN);
	printf("netcheck: serving on 8 9 10\n");
	if (host)
		printf("client done: %d failures\n", client_checks(host));
	for (;;)
		sleep_ms(1000);
}
