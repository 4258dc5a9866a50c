/*
 * What the parts of the web server share: its settings (from the command
 * line, main.c), one connection's state (connection.c serves it, main.c
 * gives it a thread) and the counters behind the /stats page (stats.c).
 */
#ifndef SERVER_H
#define SERVER_H

#include <stdbool.h>
#include <stdint.h>
#include "files.h"
#include "http.h"

/* Room for a response head plus the first piece of the file behind it, so
 * a small file leaves in one write (and one TCP segment train) */
#define SERVER_OUT_MAX 16384

struct server_config {
	const char *root;	/* the document root, "/www" */
	int port;		/* 80 */
	bool log;		/* one console line per request */
};

extern struct server_config server_config;

struct connection {
	int fd;			/* the accepted socket */
	unsigned long id;	/* 1, 2, ... in accept order */
	struct thread *thread;	/* serving it (main.c) */
	bool finished;		/* the thread is about to exit: join it */
	size_t have;		/* bytes in head */
	char head[HTTP_HEAD_MAX];	/* what the client sent, not yet used */
	struct static_file file;	/* the one being sent */
	char out[SERVER_OUT_MAX];
};

/* connection.c: answers requests on conn->fd until the client is done, a
 * request is malformed or the client goes quiet. Does not close the fd. */
void connection_serve(struct connection *conn);

struct server_stats {
	uint64_t requests;	/* responses sent, every status */
	uint64_t by_class[6];	/* [2] counts 2xx, ... [5] 5xx */
	uint64_t connections_accepted;
	uint64_t connections_open;
	uint64_t bytes_sent;	/* heads and bodies */
};

extern struct server_stats server_stats;

/* stats.c */
void stats_count_response(int status, uint64_t bytes);
/* The /stats page as text, "name: value" lines; returns its length. */
size_t stats_page(char *buf, size_t size);

#endif
