/*
 * Parsing HTTP/1.1 request heads (http.h), strictly: RFC 9112 lets a server
 * reject what it cannot read unambiguously, and every byte a static file
 * server tolerates is one more way to smuggle a second request past it.
 * The head is parsed in place: tokens become NUL-terminated strings inside
 * the connection's buffer, so nothing is allocated per request.
 */
#include <ctype.h>
#include <string.h>
#include "http.h"

/* RFC 9110 section 5.6.2: tchar, the characters of a token */
static bool is_tchar(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || (c != '\0' && strchr("!#$%&'*+-.^_`|~", c));
}

/* RFC 9110 section 5.5: field-value characters (VCHAR, SP, HTAB, obs-text) */
static bool is_field_char(unsigned char c)
{
	return c == ' ' || c == '\t' || (c >= 0x21 && c != 0x7f);
}

/* Methods RFC 9110 section 9 and RFC 5789 (PATCH) define: a request for
 * one of them is answered 405 with Allow; any other token is 501. */
static const char *const known_methods[] = {
	"POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
};

size_t http_head_length(const char *buf, size_t len)
{
	size_t line = 0;	/* where the current line starts */
	bool in_head = false;	/* a non-empty line has been seen */

	for (size_t i = 0; i < len; i++) {
		if (buf[i] != '\n')
			continue;
		size_t end = (i > line && buf[i - 1] == '\r') ? i - 1 : i;

		if (end > line)
			in_head = true;
		else if (in_head)
			return i + 1;
		/* RFC 9112 section 2.2: empty lines before the request
		 * line are skipped */
		line = i + 1;
	}
	return 0;
}

/* Skips the empty lines a client may send before a request (RFC 9112
 * section 2.2). */
static size_t skip_empty_lines(const char *buf, size_t len)
{
	size_t i = 0;

	while (i < len && (buf[i] == '\n' ||
			   (buf[i] == '\r' && i + 1 < len && buf[i + 1] == '\n')))
		i += buf[i] == '\r' ? 2 : 1;
	return i;
}

int http_overflow_status(const char *buf, size_t len)
{
	size_t start = skip_empty_lines(buf, len);
	const char *line = buf + start;
	const char *lf = memchr(line, '\n', len - start);
	const char *line_end = lf ? lf : buf + len;
	const char *p = line;

	/* a method, then a target that is too long, is a 414 whether or
	 * not its line ended; after a line of sane length, the fields
	 * overflowed; anything else is garbage */
	while (p < line_end && p - line <= HTTP_METHOD_MAX && is_tchar(*p))
		p++;
	if (p > line && p < line_end && *p == ' ') {
		const char *target = p + 1;
		const char *sp = memchr(target, ' ', line_end - target);

		if ((sp ? sp : line_end) - target > HTTP_TARGET_MAX)
			return HTTP_URI_TOO_LONG;
	}
	return lf ? HTTP_FIELDS_TOO_LARGE : HTTP_BAD_REQUEST;
}

/*
 * Cuts the next line out of [*pos, end): NUL-terminates it (over its CR LF,
 * or a bare LF, which RFC 9112 section 2.2 allows) and moves *pos past it.
 * Returns NULL for a line with a NUL or a bare CR in it, which must not be
 * read as text.
 */
static char *next_line(char **pos, char *end)
{
	char *line = *pos;
	char *lf = memchr(line, '\n', end - line);
	char *stop;

	if (!lf)
		return NULL;
	stop = (lf > line && lf[-1] == '\r') ? lf - 1 : lf;
	*pos = lf + 1;
	if (memchr(line, '\0', stop - line) || memchr(line, '\r', stop - line))
		return NULL;
	*stop = '\0';
	return line;
}

/* "METHOD SP request-target SP HTTP-version" (RFC 9112 section 3) */
static int parse_request_line(char *line, struct http_request *req)
{
	char *sp1 = strchr(line, ' ');
	char *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
	char *version;
	size_t method_len;

	if (!sp2)
		return HTTP_BAD_REQUEST;
	version = sp2 + 1;
	if (strchr(version, ' '))
		return HTTP_BAD_REQUEST;
	method_len = sp1 - line;
	if (method_len == 0)
		return HTTP_BAD_REQUEST;
	for (size_t i = 0; i < method_len; i++)
		if (!is_tchar(line[i]))
			return HTTP_BAD_REQUEST;
	if (method_len > HTTP_METHOD_MAX)
		return HTTP_NOT_IMPLEMENTED;
	memcpy(req->method_name, line, method_len);
	req->method_name[method_len] = '\0';

	*sp2 = '\0';
	req->target = sp1 + 1;
	if (strlen(req->target) > HTTP_TARGET_MAX)
		return HTTP_URI_TOO_LONG;
	if (req->target[0] == '\0')
		return HTTP_BAD_REQUEST;
	for (const char *t = req->target; *t; t++)
		if (*t < 0x21 || *t > 0x7e)	/* no controls, no spaces */
			return HTTP_BAD_REQUEST;

	/* HTTP-version = "HTTP/" DIGIT "." DIGIT, case-sensitive */
	if (strncmp(version, "HTTP/", 5) != 0 || !isdigit(version[5]) ||
	    version[6] != '.' || !isdigit(version[7]) || version[8] != '\0')
		return HTTP_BAD_REQUEST;
	if (version[5] != '1')
		return HTTP_VERSION_NOT_SUPPORTED;
	/* a later 1.x is answered as 1.1 (RFC 9110 section 2.5) */
	req->minor_version = version[7] == '0' ? 0 : 1;

	if (strcmp(req->method_name, "GET") == 0) {
		req->method = HTTP_METHOD_GET;
	} else if (strcmp(req->method_name, "HEAD") == 0) {
		req->method = HTTP_METHOD_HEAD;
	} else {
		req->method = HTTP_METHOD_OTHER;
		for (size_t i = 0; i < sizeof(known_methods) /
				       sizeof(known_methods[0]); i++)
			if (strcmp(req->method_name, known_methods[i]) == 0)
				return 0;
		return HTTP_NOT_IMPLEMENTED;
	}
	return 0;
}

/* Does the comma-separated list hold this token (any case)? */
static bool list_has_token(const char *list, const char *token)
{
	size_t n = strlen(token);

	for (const char *p = list; *p;) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		const char *start = p;

		while (*p && *p != ',')
			p++;
		const char *stop = p;

		while (stop > start && (stop[-1] == ' ' || stop[-1] == '\t'))
			stop--;
		if ((size_t)(stop - start) == n && strncasecmp(start, token, n) == 0)
			return true;
	}
	return false;
}

/* Content-Length = 1*DIGIT (RFC 9110 section 8.6); -1 when it is not */
static long long parse_content_length(const char *value)
{
	long long n = 0;

	if (*value == '\0')
		return -1;
	for (const char *p = value; *p; p++) {
		if (!isdigit((unsigned char)*p) || n > (1LL << 50))
			return -1;
		n = n * 10 + (*p - '0');
	}
	return n;
}

/* One "name: value" line; name and value end up NUL-terminated. */
static int parse_field(char *line, struct http_request *req)
{
	char *colon = strchr(line, ':');
	char *value, *end;

	/* a field starting with whitespace is obs-fold, and whitespace
	 * before the colon is forbidden (RFC 9112 sections 5.1 and 5.2) */
	if (!colon || colon == line)
		return HTTP_BAD_REQUEST;
	for (char *p = line; p < colon; p++)
		if (!is_tchar(*p))
			return HTTP_BAD_REQUEST;
	*colon = '\0';
	value = colon + 1;
	while (*value == ' ' || *value == '\t')
		value++;
	end = value + strlen(value);
	while (end > value && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	*end = '\0';
	for (const char *p = value; *p; p++)
		if (!is_field_char(*p))
			return HTTP_BAD_REQUEST;

	if (strcasecmp(line, "Host") == 0) {
		/* exactly one Host (RFC 9112 section 3.2) */
		if (req->has_host)
			return HTTP_BAD_REQUEST;
		req->has_host = true;
	} else if (strcasecmp(line, "Connection") == 0) {
		if (list_has_token(value, "close"))
			req->keep_alive = false;
		else if (list_has_token(value, "keep-alive"))
			req->keep_alive = true;
	} else if (strcasecmp(line, "If-Modified-Since") == 0) {
		req->if_modified_since = value;
	} else if (strcasecmp(line, "Content-Length") == 0) {
		long long n = parse_content_length(value);

		/* two different lengths would frame the body two ways */
		if (n < 0 || (req->content_length >= 0 &&
			      req->content_length != n))
			return HTTP_BAD_REQUEST;
		req->content_length = n;
	} else if (strcasecmp(line, "Transfer-Encoding") == 0) {
		/* a file server takes no request bodies; chunked ones it
		 * cannot even skip (RFC 9112 section 6.1 says 501) */
		return HTTP_NOT_IMPLEMENTED;
	}
	return 0;
}

int http_parse_request(char *buf, size_t len, struct http_request *req)
{
	char *pos = buf + skip_empty_lines(buf, len);
	char *end = buf + len;
	char *line;
	int fields = 0;
	int status;

	memset(req, 0, sizeof(*req));
	req->content_length = -1;
	line = next_line(&pos, end);
	if (!line)
		return HTTP_BAD_REQUEST;
	status = parse_request_line(line, req);
	if (status)
		return status;
	/* persistent by default from HTTP/1.1 on (RFC 9112 section 9.3) */
	req->keep_alive = req->minor_version >= 1;

	for (;;) {
		line = next_line(&pos, end);
		if (!line)
			return HTTP_BAD_REQUEST;
		if (line[0] == '\0')
			break;
		if (++fields > HTTP_FIELDS_MAX)
			return HTTP_FIELDS_TOO_LARGE;
		status = parse_field(line, req);
		if (status)
			return status;
	}
	if (req->minor_version >= 1 && !req->has_host)
		return HTTP_BAD_REQUEST;
	if (req->content_length < 0)
		req->content_length = 0;
	return 0;
}

const char *http_reason(int status)
{
	switch (status) {
	case HTTP_OK: return "OK";
	case HTTP_MOVED_PERMANENTLY: return "Moved Permanently";
	case HTTP_NOT_MODIFIED: return "Not Modified";
	case HTTP_BAD_REQUEST: return "Bad Request";
	case HTTP_FORBIDDEN: return "Forbidden";
	case HTTP_NOT_FOUND: return "Not Found";
	case HTTP_METHOD_NOT_ALLOWED: return "Method Not Allowed";
	case HTTP_REQUEST_TIMEOUT: return "Request Timeout";
	case HTTP_CONTENT_TOO_LARGE: return "Content Too Large";
	case HTTP_URI_TOO_LONG: return "URI Too Long";
	case HTTP_FIELDS_TOO_LARGE: return "Request Header Fields Too Large";
	case HTTP_INTERNAL_ERROR: return "Internal Server Error";
	case HTTP_NOT_IMPLEMENTED: return "Not Implemented";
	case HTTP_VERSION_NOT_SUPPORTED: return "HTTP Version Not Supported";
	default: return "Unknown";
	}
}
