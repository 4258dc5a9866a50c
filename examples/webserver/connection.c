/*
 * One client connection, served by its own thread (main.c starts it): read
 * a request head, answer it, and keep going while the client keeps the
 * connection alive (RFC 9112 section 9.3). Every wait has a deadline, so a
 * client that goes quiet ends its own connection and no one else's: the
 * others have threads of their own.
 *
 * request_handle() is the place for a breakpoint: it runs once per request,
 * with the parsed request in `req`.
 */
#include <errno.h>
#include <minnow.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "http_date.h"
#include "server.h"

/* An idle keep-alive connection is closed after this */
#define IDLE_TIMEOUT_MS 30000
/* A request head must arrive whole within this of its first byte */
#define HEAD_TIMEOUT_MS 60000
/* A client must take some of our data at least this often */
#define SEND_TIMEOUT_MS 30000
/* A request body we skip (GET needs none) may be at most this long */
#define BODY_DISCARD_MAX 65536

#define STATS_PATH "/stats"

/* What goes into a response head besides the status line */
struct response {
	int status;
	long long length;	/* Content-Length; -1: none (304) */
	const char *content_type;	/* NULL: none */
	long long mtime;	/* Last-Modified; -1: none */
	const char *location;	/* 301 */
	bool keep_alive;
	bool head_only;		/* HEAD: the same head, no body */
};

static int elapsed_ms(uint64_t since)
{
	return (int)(time_ms() - since);
}

/* Waits (at most timeout_ms) for the fd to be ready for events, then 0;
 * -ETIMEDOUT, or -errno. */
static int wait_ready(int fd, short events, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = events };
	int n;

	if (timeout_ms <= 0)
		return -ETIMEDOUT;
	n = poll(&p, 1, timeout_ms);
	if (n < 0)
		return -errno;
	return n == 0 ? -ETIMEDOUT : 0;
}

/* Reads what has arrived into buf; bytes read, 0 at end of stream,
 * -ETIMEDOUT or -errno. */
static ssize_t receive(struct connection *conn, void *buf, size_t size,
		       int timeout_ms)
{
	int err = wait_ready(conn->fd, POLLIN, timeout_ms);
	ssize_t n;

	if (err)
		return err;
	n = read(conn->fd, buf, size);
	return n < 0 ? -errno : n;
}

/* Writes all of buf; false if the client stopped taking it. */
static bool send_all(struct connection *conn, const char *buf, size_t len)
{
	while (len > 0) {
		if (wait_ready(conn->fd, POLLOUT, SEND_TIMEOUT_MS))
			return false;
		ssize_t n = write(conn->fd, buf, len);

		if (n < 0 && errno == EAGAIN)
			continue;
		if (n <= 0)
			return false;
		buf += n;
		len -= n;
	}
	return true;
}

/* Formats the status line and header fields into conn->out; their length */
static size_t format_head(struct connection *conn, const struct response *r,
			  int minor_version)
{
	char *out = conn->out;
	size_t size = sizeof(conn->out);
	char date[HTTP_DATE_LEN + 1];
	int n;

	/* No Date field: RFC 9110 section 6.6.1 forbids it to a server
	 * without a clock, and the VM's clock starts at boot. */
	n = snprintf(out, size, "HTTP/1.1 %d %s\r\nServer: minnow-webserver\r\n",
		     r->status, http_reason(r->status));
	if (r->length >= 0)
		n += snprintf(out + n, size - n, "Content-Length: %lld\r\n",
			      r->length);
	if (r->content_type)
		n += snprintf(out + n, size - n, "Content-Type: %s\r\n",
			      r->content_type);
	if (r->mtime >= 0) {
		http_date_format(r->mtime, date);
		n += snprintf(out + n, size - n, "Last-Modified: %s\r\n", date);
	}
	if (r->location)
		n += snprintf(out + n, size - n, "Location: %s\r\n", r->location);
	if (r->status == HTTP_METHOD_NOT_ALLOWED)
		n += snprintf(out + n, size - n, "Allow: GET, HEAD\r\n");
	if (!r->keep_alive)
		n += snprintf(out + n, size - n, "Connection: close\r\n");
	else if (minor_version == 0)	/* 1.0 closes unless told */
		n += snprintf(out + n, size - n, "Connection: keep-alive\r\n");
	n += snprintf(out + n, size - n, "\r\n");
	return (size_t)n < size ? (size_t)n : size - 1;
}

/* A response whose body is in memory (an error page, /stats) */
static bool send_small(struct connection *conn, struct response *r,
		       int minor_version, const char *body, size_t body_len)
{
	size_t len;

	r->length = r->status == HTTP_NOT_MODIFIED ? -1 : (long long)body_len;
	len = format_head(conn, r, minor_version);
	if (!r->head_only && r->length > 0) {
		if (body_len > sizeof(conn->out) - len)
			body_len = sizeof(conn->out) - len;
		memcpy(conn->out + len, body, body_len);
		len += body_len;
	}
	stats_count_response(r->status, len);
	return send_all(conn, conn->out, len);
}

/* An error page; keep_alive only where the request was framed cleanly */
static bool send_error(struct connection *conn, int status, bool keep_alive,
		       int minor_version, bool head_only)
{
	char body[128];
	int n = snprintf(body, sizeof(body),
			 "<!doctype html><title>%d %s</title><h1>%d %s</h1>\n",
			 status, http_reason(status), status,
			 http_reason(status));
	struct response r = {
		.status = status, .content_type = "text/html; charset=utf-8",
		.mtime = -1, .keep_alive = keep_alive, .head_only = head_only,
	};

	send_small(conn, &r, minor_version, body, (size_t)n);
	return keep_alive;
}

/* Sends conn->file: the head and the first piece in one write, then the
 * rest. False if the connection cannot go on. */
static bool send_file(struct connection *conn, struct response *r,
		      int minor_version)
{
	size_t len = format_head(conn, r, minor_version);
	long long left = r->head_only ? 0 : r->length;
	uint64_t sent = 0;

	for (;;) {
		size_t room = sizeof(conn->out) - len;
		ssize_t n = left < (long long)room ? (ssize_t)left : (ssize_t)room;

		if (n > 0) {
			n = read(conn->file.fd, conn->out + len, n);
			if (n <= 0)	/* the file shrank: the length we sent is a lie */
				break;
			left -= n;
			len += n;
		}
		if (!send_all(conn, conn->out, len))
			break;
		sent += len;
		len = 0;
		if (left == 0) {
			stats_count_response(r->status, sent);
			return r->keep_alive;
		}
	}
	stats_count_response(r->status, sent);
	return false;
}

/* Is the file unchanged since the client's copy (RFC 9110 section 13.1.3)? */
static bool not_modified(const struct http_request *req, long long mtime)
{
	long long since;

	return req->if_modified_since &&
	       http_date_parse(req->if_modified_since, &since) && mtime <= since;
}

/* Answers one parsed request; false when the connection must end. */
static bool request_handle(struct connection *conn, struct http_request *req)
{
	struct response r = {
		.status = HTTP_OK, .mtime = -1, .keep_alive = req->keep_alive,
		.head_only = req->method == HTTP_METHOD_HEAD,
	};
	char page[512];
	int status;

	if (server_config.log)
		printf("webserver: #%lu %s %s\n", conn->id, req->method_name,
		       req->target);
	if (req->method == HTTP_METHOD_OTHER)
		return send_error(conn, HTTP_METHOD_NOT_ALLOWED, r.keep_alive,
				  req->minor_version, false);
	if (strcmp(req->target, STATS_PATH) == 0) {
		r.content_type = "text/plain; charset=utf-8";
		return send_small(conn, &r, req->minor_version, page,
				  stats_page(page, sizeof(page))) && r.keep_alive;
	}

	status = files_open(server_config.root, req->target, &conn->file);
	if (status == HTTP_MOVED_PERMANENTLY) {
		r.status = status;
		r.location = conn->file.path;
		return send_small(conn, &r, req->minor_version, "", 0) &&
		       r.keep_alive;
	}
	if (status) {
		/* a target we refused parsed cleanly: the stream is fine */
		return send_error(conn, status, r.keep_alive,
				  req->minor_version, r.head_only);
	}

	r.mtime = conn->file.st.st_mtime;
	if (not_modified(req, r.mtime)) {
		r.status = HTTP_NOT_MODIFIED;
		close(conn->file.fd);
		return send_small(conn, &r, req->minor_version, "", 0) &&
		       r.keep_alive;
	}
	r.length = conn->file.st.st_size;
	r.content_type = conn->file.content_type;
	bool go_on = send_file(conn, &r, req->minor_version);

	close(conn->file.fd);
	return go_on;
}

/*
 * Reads until conn->head holds a whole request head; its length, or 0 when
 * the connection is to end (after answering 408/414/431/400 if a partial
 * head was there).
 */
static size_t receive_head(struct connection *conn)
{
	uint64_t first_byte = time_ms();
	size_t len;

	while ((len = http_head_length(conn->head, conn->have)) == 0) {
		int timeout;

		if (conn->have == sizeof(conn->head)) {
			send_error(conn, http_overflow_status(conn->head,
							      conn->have),
				   false, 1, false);
			return 0;
		}
		if (conn->have == 0)
			timeout = IDLE_TIMEOUT_MS;
		else
			timeout = HEAD_TIMEOUT_MS - elapsed_ms(first_byte);
		ssize_t n = receive(conn, conn->head + conn->have,
				    sizeof(conn->head) - conn->have, timeout);

		if (n == -ETIMEDOUT && conn->have > 0)
			send_error(conn, HTTP_REQUEST_TIMEOUT, false, 1, false);
		if (n <= 0)
			return 0;
		if (conn->have == 0)
			first_byte = time_ms();
		conn->have += n;
	}
	return len;
}

/* Skips a request body of `length` bytes, the first of them already in
 * conn->head after the head; false if the client does not send it. */
static bool skip_body(struct connection *conn, size_t head_len,
		      long long length)
{
	size_t buffered = conn->have - head_len;
	size_t now = length < (long long)buffered ? (size_t)length : buffered;

	/* keep what follows the body: the next request, pipelined */
	memmove(conn->head + head_len, conn->head + head_len + now,
		buffered - now);
	conn->have -= now;
	length -= now;
	while (length > 0) {
		ssize_t n = receive(conn, conn->out,
				    length < (long long)sizeof(conn->out) ?
				    (size_t)length : sizeof(conn->out),
				    HEAD_TIMEOUT_MS);

		if (n <= 0)
			return false;
		length -= n;
	}
	return true;
}

void connection_serve(struct connection *conn)
{
	struct http_request req;
	bool go_on = true;

	while (go_on) {
		size_t head_len = receive_head(conn);
		int status;

		if (head_len == 0)
			return;
		status = http_parse_request(conn->head, head_len, &req);
		if (status) {
			/* the stream can no longer be trusted: close */
			send_error(conn, status, false,
				   req.minor_version, false);
			return;
		}
		if (req.content_length > BODY_DISCARD_MAX) {
			send_error(conn, HTTP_CONTENT_TOO_LARGE, false,
				   req.minor_version, false);
			return;
		}
		if (!skip_body(conn, head_len, req.content_length))
			return;
		go_on = request_handle(conn, &req);
		/* the next request may already be here (pipelining) */
		memmove(conn->head, conn->head + head_len,
			conn->have - head_len);
		conn->have -= head_len;
	}
}
