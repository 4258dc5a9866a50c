/*
 * peer-echo: the TCP echo server of the benchmark peer (bench/peer). Every byte a client sends
 * comes back, one child process per connection, TCP_NODELAY so that a 1-byte round trip is not
 * held back by Nagle. The same static binary runs in the Linux microVM and on the host (the
 * limit), so both columns measure the same program.
 *
 * usage: peer-echo ADDRESS PORT     (e.g. 0.0.0.0 7 in the guest, 127.0.0.1 0 on the host: port 0
 *                                    picks one; the port is printed as "peer-echo: listening N")
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define ECHO_BUF (64 * 1024)
#define ECHO_BACKLOG 64

static int echo_write_all(int fd, const char *p, ssize_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= w;
	}
	return 0;
}

static void echo_serve(int fd)
{
	static char buf[ECHO_BUF];
	int one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || echo_write_all(fd, buf, n) < 0)
			break;
	}
	close(fd);
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int one = 1;
	int s;

	if (argc != 3) {
		fprintf(stderr, "usage: %s ADDRESS PORT\n", argv[0]);
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(atoi(argv[2]));
	if (inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1) {
		fprintf(stderr, "peer-echo: bad address %s\n", argv[1]);
		return 2;
	}
	/* children are not waited for: let the kernel reap them */
	signal(SIGCHLD, SIG_IGN);
	s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0 || setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(s, ECHO_BACKLOG) < 0 ||
	    getsockname(s, (struct sockaddr *)&sa, &len) < 0) {
		perror("peer-echo");
		return 1;
	}
	printf("peer-echo: listening %d\n", ntohs(sa.sin_port));
	fflush(stdout);
	for (;;) {
		int c = accept(s, NULL, NULL);

		if (c < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			perror("peer-echo: accept");
			return 1;
		}
		switch (fork()) {
		case 0:
			close(s);
			echo_serve(c);
			_exit(0);
		case -1:
			perror("peer-echo: fork");
			break;
		}
		close(c);
	}
}
