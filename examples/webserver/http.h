/*
 * HTTP/1.1 requests and response heads (RFC 9110 semantics, RFC 9112
 * message syntax): finding where a request's head ends, parsing it into a
 * struct http_request, and the limits that keep a client from using up the
 * server's memory.
 */
#ifndef HTTP_H
#define HTTP_H

#include <stdbool.h>
#include <stddef.h>

/* The whole head (request line and header fields) must fit in this buffer;
 * a longer one is answered 431, or 414 if the request line alone does not
 * fit (RFC 9112 section 3 leaves the limits to the server). */
#define HTTP_HEAD_MAX 8192
/* Longest request-target; RFC 9112 section 3 suggests at least 8000, but a
 * static file server has no use for more than this. Longer: 414. */
#define HTTP_TARGET_MAX 2048
/* Most header fields in one request. More: 431. */
#define HTTP_FIELDS_MAX 64
/* Longest method token we keep (the longest standard one is 7). */
#define HTTP_METHOD_MAX 16

/* Status codes this server sends (RFC 9110 section 15) */
#define HTTP_OK 200
#define HTTP_MOVED_PERMANENTLY 301
#define HTTP_NOT_MODIFIED 304
#define HTTP_BAD_REQUEST 400
#define HTTP_FORBIDDEN 403
#define HTTP_NOT_FOUND 404
#define HTTP_METHOD_NOT_ALLOWED 405
#define HTTP_REQUEST_TIMEOUT 408
#define HTTP_CONTENT_TOO_LARGE 413
#define HTTP_URI_TOO_LONG 414
#define HTTP_FIELDS_TOO_LARGE 431
#define HTTP_INTERNAL_ERROR 500
#define HTTP_NOT_IMPLEMENTED 501
#define HTTP_VERSION_NOT_SUPPORTED 505

enum http_method {
	HTTP_METHOD_GET,
	HTTP_METHOD_HEAD,
	HTTP_METHOD_OTHER,	/* a valid token we do not serve: 405 */
};

struct http_request {
	enum http_method method;
	char method_name[HTTP_METHOD_MAX + 1];
	char *target;		/* as sent, NUL-terminated, inside the head */
	int minor_version;	/* HTTP/1.0 or HTTP/1.1 */
	bool keep_alive;	/* what the client asked for (Connection) */
	bool has_host;
	const char *if_modified_since;	/* NULL when absent */
	long long content_length;	/* body bytes that follow the head */
};

/* Length of the head at the start of buf (through the empty line that ends
 * it), or 0 if buf does not hold a whole head yet. */
size_t http_head_length(const char *buf, size_t len);

/* Parses the head in buf[0..len) (http_head_length bytes), writing NULs
 * into it. Returns 0, or the status to answer with: 400, 414, 431, 501 or
 * 505. */
int http_parse_request(char *buf, size_t len, struct http_request *req);

/* What a full buffer without a whole head deserves: 414 while the request
 * line is still unfinished, 431 once the header fields overflow. */
int http_overflow_status(const char *buf, size_t len);

/* The reason phrase of a status code ("Not Found"). */
const char *http_reason(int status);

#endif
