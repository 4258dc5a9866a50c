/*
 * webserver: a static file server for the folder mounted at /www, after
 * Toro's StaticWebServer. minnow.json mounts www/ there and publishes
 * 127.0.0.1:8080 to port 80, so
 *
 *   minnow run examples/webserver
 *
 * serves http://127.0.0.1:8080/ (the counter page is /stats); another
 * folder and port: minnow run -p 9090:80 -v ~/site:/www examples/webserver
 *
 * main() listens and accepts; each connection gets a thread of its own
 * (connection.c), so one slow client blocks only itself. When a connection
 * ends, its thread marks it finished and the "reaper" thread joins it and
 * frees its memory, leaving the accept loop free to take the next one.
 *
 * Options (the kernel command line's words after the minnow.* ones):
 *   --root=DIR   serve DIR instead of /www
 *   --port=N     listen on N instead of 80
 *   --addr=A.B.C.D  listen on one address only (default: all)
 *   --log        print a line per request on the console
 */
#include <errno.h>
#include <minnow.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include "server.h"

/* At most this many clients are served at once; the next wait in the
 * listen backlog until one leaves. */
#define MAX_CONNECTIONS 64
#define LISTEN_BACKLOG 16
/* after a failed accept (out of memory or descriptors), before the next */
#define ACCEPT_RETRY_MS 100

struct server_config server_config = { .root = "/www", .port = 80 };
static uint32_t listen_addr = INADDR_ANY;	/* host byte order */

/* Plain data, for a debugger: the connection in each slot, or NULL */
static struct connection *connections[MAX_CONNECTIONS];
static struct waitq connection_finished = WAITQ_INITIALIZER("http finished");
static struct waitq slot_freed = WAITQ_INITIALIZER("http slot free");

static int connection_thread(void *arg)
{
	struct connection *conn = arg;

	connection_serve(conn);
	close(conn->fd);
	conn->finished = true;
	waitq_wake_one(&connection_finished);
	return 0;
}

/* Joins the threads of finished connections and frees them. */
static int reaper_thread(void *arg)
{
	for (;;) {
		bool freed = false;

		for (int i = 0; i < MAX_CONNECTIONS; i++) {
			struct connection *conn = connections[i];

			if (!conn || !conn->finished)
				continue;
			thread_join(conn->thread);
			connections[i] = NULL;
			free(conn);
			server_stats.connections_open--;
			freed = true;
		}
		if (freed)
			waitq_wake_one(&slot_freed);
		else
			waitq_wait(&connection_finished, 0);
	}
	return 0;
}

static int free_slot(void)
{
	for (int i = 0; i < MAX_CONNECTIONS; i++)
		if (!connections[i])
			return i;
	return -1;
}

/* Gives the accepted socket fd a connection and a thread in slot. */
static void connection_start(int fd, int slot)
{
	struct connection *conn = calloc(1, sizeof(*conn));
	char name[32];

	if (!conn) {
		close(fd);
		sleep_ms(ACCEPT_RETRY_MS);
		return;
	}
	conn->fd = fd;
	conn->id = ++server_stats.connections_accepted;
	snprintf(name, sizeof(name), "http %lu", conn->id);
	conn->thread = thread_create(name, connection_thread, conn);
	if (!conn->thread) {
		close(fd);
		free(conn);
		sleep_ms(ACCEPT_RETRY_MS);
		return;
	}
	connections[slot] = conn;
	server_stats.connections_open++;
}

/* "10.0.2.15" into host byte order; false if it is not a dotted quad */
static bool parse_ipv4(const char *text, uint32_t *addr)
{
	uint32_t a = 0;
	const char *p = text;

	for (int i = 0; i < 4; i++) {
		char *end;
		long part = strtol(p, &end, 10);

		if (end == p || part < 0 || part > 255 ||
		    *end != (i < 3 ? '.' : '\0'))
			return false;
		a = a << 8 | (uint32_t)part;
		p = end + 1;
	}
	*addr = a;
	return true;
}

static bool parse_options(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		char *end;

		if (strncmp(arg, "--root=", 7) == 0 && arg[7]) {
			server_config.root = arg + 7;
		} else if (strncmp(arg, "--port=", 7) == 0) {
			long port = strtol(arg + 7, &end, 10);

			if (end == arg + 7 || *end || port < 1 || port > 65535) {
				printf("webserver: bad port in \"%s\" (fix: a number 1..65535)\n", arg);
				return false;
			}
			server_config.port = (int)port;
		} else if (strncmp(arg, "--addr=", 7) == 0) {
			if (!parse_ipv4(arg + 7, &listen_addr)) {
				printf("webserver: bad address in \"%s\" (fix: four numbers like 127.0.0.1)\n", arg);
				return false;
			}
		} else if (strcmp(arg, "--log") == 0) {
			server_config.log = true;
		} else {
			printf("webserver: unknown option \"%s\" (fix: --root=DIR, --port=N, --addr=A.B.C.D or --log)\n", arg);
			return false;
		}
	}
	return true;
}

static int listen_on(uint32_t addr, int port)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons((uint16_t)port),
		.sin_addr.s_addr = htonl(addr),
	};
	int one = 1;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return -errno;
	/* a restarted server may bind while old connections linger */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    listen(fd, LISTEN_BACKLOG) < 0) {
		int err = errno;

		close(fd);
		return -err;
	}
	return fd;
}

int main(int argc, char **argv)
{
	struct stat root;
	int listen_fd;
	int err = 0;

	if (!parse_options(argc, argv))
		return 2;
	if (stat(server_config.root, &root) < 0)
		err = errno;
	else if (!S_ISDIR(root.st_mode))
		err = ENOTDIR;
	if (err) {
		printf("webserver: cannot serve %s: %s (fix: mount a folder there, e.g. minnow run -v ./www:/www)\n",
		       server_config.root, strerror(err));
		return 1;
	}
	listen_fd = listen_on(listen_addr, server_config.port);
	if (listen_fd < 0) {
		printf("webserver: cannot listen on port %d: %s\n",
		       server_config.port, strerror(-listen_fd));
		return 1;
	}
	if (!thread_create("http reaper", reaper_thread, NULL)) {
		printf("webserver: out of memory\n");
		return 1;
	}
	printf("webserver: serving %s on port %d\n", server_config.root,
	       server_config.port);

	for (;;) {
		int slot = free_slot();

		while (slot < 0) {
			waitq_wait(&slot_freed, 0);
			slot = free_slot();
		}
		int fd = accept(listen_fd, NULL, NULL);

		if (fd < 0) {
			if (errno != ECONNABORTED && errno != EINTR) {
				printf("webserver: accept: %s\n", strerror(errno));
				sleep_ms(ACCEPT_RETRY_MS);
			}
			continue;
		}
		connection_start(fd, slot);
	}
}
