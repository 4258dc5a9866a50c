/*
 * echo: a TCP echo server (RFC 862) on port 7, one thread per connection.
 * main() listens and accepts; each connection's thread reads what the
 * client sends and writes it back until the client closes its side, then
 * closes and marks its slot done, and the accept loop joins finished
 * threads before it takes the next connection.
 *
 *   --port=N   listen on N instead of 7
 */
#include <errno.h>
#include <minnow.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#define ECHO_PORT 7
#define MAX_CONNECTIONS 256
#define BUF_SIZE 16384

struct connection {
	struct thread *thread;
	int fd;
	volatile bool done;
	char peer[INET_ADDRSTRLEN + 6];
};

static struct connection connections[MAX_CONNECTIONS];
static unsigned long served;

/* Writes all of buf: 0, or -1 when the peer is gone. */
static int write_all(int fd, const char *buf, size_t n)
{
	while (n) {
		ssize_t w = write(fd, buf, n);

		if (w < 0)
			return -1;
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

static int echo_connection(void *arg)
{
	struct connection *c = arg;
	char *buf = malloc(BUF_SIZE);
	ssize_t n = 0;

	while (buf && (n = read(c->fd, buf, BUF_SIZE)) > 0) {
		if (write_all(c->fd, buf, (size_t)n) < 0)
			break;
	}
	if (n < 0 && errno != ECONNRESET)
		printf("echo: %s: read: %s\n", c->peer, strerror(errno));
	free(buf);
	close(c->fd);
	c->done = true;
	return 0;
}

/* A free slot, joining the threads of finished connections on the way. */
static struct connection *free_slot(void)
{
	struct connection *found = NULL;

	for (int i = 0; i < MAX_CONNECTIONS; i++) {
		struct connection *c = &connections[i];

		if (c->thread && c->done) {
			thread_join(c->thread);
			c->thread = NULL;
		}
		if (!c->thread && !found)
			found = c;
	}
	return found;
}

static int listen_on(int port)
{
	struct sockaddr_in addr = {
		.sin_family = AF_INET,
		.sin_port = htons((uint16_t)port),
		.sin_addr = { htonl(INADDR_ANY) },
	};
	int one = 1;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0) {
		printf("echo: socket: %s\n", strerror(errno));
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    listen(fd, SOMAXCONN) < 0) {
		printf("echo: port %d: %s\n", port, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int main(int argc, char **argv)
{
	int port = ECHO_PORT;
	int lfd;

	for (int i = 1; i < argc; i++) {
		if (strncmp(argv[i], "--port=", 7) == 0) {
			port = atoi(argv[i] + 7);
		} else {
			printf("echo: unknown argument %s (try --port=N)\n",
			       argv[i]);
			return 2;
		}
	}
	lfd = listen_on(port);
	if (lfd < 0)
		return 1;
	printf("echo: listening on port %d\n", port);
	for (;;) {
		struct sockaddr_in peer;
		socklen_t len = sizeof(peer);
		struct connection *c;
		char name[INET_ADDRSTRLEN];
		int one = 1;
		int fd = accept(lfd, (struct sockaddr *)&peer, &len);

		if (fd < 0) {
			printf("echo: accept: %s\n", strerror(errno));
			usleep(10000);
			continue;
		}
		c = free_slot();
		if (!c) {
			close(fd);	/* every slot busy: refuse this one */
			continue;
		}
		/* echoes are small writes: send each at once */
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		inet_ntop(AF_INET, &peer.sin_addr, name, sizeof(name));
		snprintf(c->peer, sizeof(c->peer), "%s:%u", name,
			 ntohs(peer.sin_port));
		c->fd = fd;
		c->done = false;
		c->thread = thread_create("echo", echo_connection, c);
		if (!c->thread) {
			close(fd);
			continue;
		}
		served++;
	}
}
