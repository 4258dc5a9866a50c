/*
 * From a request-target to a file under the document root (files.h).
 *
 * The target is decoded once, segment by segment, and every segment that
 * could climb out of the root is refused rather than "normalised": "." and
 * "..", whether sent plainly or percent-encoded (%2e%2e), and any encoded
 * "/" or "\" or NUL, which would change where the segments split after
 * decoding. Browsers remove dot segments before sending (RFC 3986 section
 * 5.2.4), so only a client probing for a way out ever sends one.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>
#include "files.h"
#include "http.h"

struct content_type {
	const char *extension;
	const char *type;
};

static const struct content_type content_types[] = {
	{ "html", "text/html; charset=utf-8" },
	{ "htm", "text/html; charset=utf-8" },
	{ "css", "text/css; charset=utf-8" },
	{ "js", "text/javascript; charset=utf-8" },
	{ "mjs", "text/javascript; charset=utf-8" },
	{ "json", "application/json" },
	{ "txt", "text/plain; charset=utf-8" },
	{ "md", "text/markdown; charset=utf-8" },
	{ "xml", "application/xml" },
	{ "svg", "image/svg+xml" },
	{ "png", "image/png" },
	{ "jpg", "image/jpeg" },
	{ "jpeg", "image/jpeg" },
	{ "gif", "image/gif" },
	{ "webp", "image/webp" },
	{ "ico", "image/vnd.microsoft.icon" },
	{ "wasm", "application/wasm" },
	{ "pdf", "application/pdf" },
	{ "woff", "font/woff" },
	{ "woff2", "font/woff2" },
	{ "mp4", "video/mp4" },
};

const char *files_content_type(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *dot = strrchr(slash ? slash : path, '.');

	if (dot) {
		for (size_t i = 0; i < sizeof(content_types) /
				       sizeof(content_types[0]); i++)
			if (strcasecmp(dot + 1, content_types[i].extension) == 0)
				return content_types[i].type;
	}
	return "application/octet-stream";
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Decodes one segment [start, stop) of the target onto the end of path
 * (at *len, at most FILES_PATH_MAX). Returns 0 or the status to answer.
 */
static int append_segment(const char *start, const char *stop,
			  char *path, size_t *len)
{
	size_t first = *len;

	for (const char *p = start; p < stop; p++) {
		int c = (unsigned char)*p;

		if (c == '%') {
			int hi = p + 2 < stop ? hex_value(p[1]) : -1;
			int lo = hi >= 0 ? hex_value(p[2]) : -1;

			if (lo < 0)
				return HTTP_BAD_REQUEST;	/* "%" not followed by two hex digits */
			c = hi * 16 + lo;
			p += 2;
			if (c == '/' || c == '\0')
				return HTTP_BAD_REQUEST;
		}
		if (c == '\\')	/* a path separator on some hosts' filesystems */
			return HTTP_BAD_REQUEST;
		if (*len + 1 >= FILES_PATH_MAX)
			return HTTP_URI_TOO_LONG;
		path[(*len)++] = (char)c;
	}
	path[*len] = '\0';
	if (strcmp(path + first, ".") == 0 || strcmp(path + first, "..") == 0)
		return HTTP_BAD_REQUEST;
	return 0;
}

/*
 * The path part of target, decoded under root, into path. *dir_wanted says
 * whether it ended with "/". Returns 0 or the status to answer.
 */
static int target_to_path(const char *root, const char *target, char *path,
			  bool *dir_wanted)
{
	size_t len = strlen(root);
	const char *p = target;
	const char *end;
	int status;

	/* absolute-form, "http://host/path" (RFC 9112 section 3.2.2): the
	 * authority is the Host; only the path matters here */
	if (strncasecmp(p, "http://", 7) == 0 || strncasecmp(p, "https://", 8) == 0) {
		p = strstr(p, "//") + 2;
		p += strcspn(p, "/?#");
		if (*p != '/')
			p = "/";
	}
	if (*p != '/')		/* origin-form is the only other one for GET */
		return HTTP_BAD_REQUEST;
	end = p + strcspn(p, "?#");
	if (len + 1 >= FILES_PATH_MAX)
		return HTTP_INTERNAL_ERROR;
	memcpy(path, root, len + 1);
	while (len > 0 && path[len - 1] == '/')	/* "/www/" is "/www" */
		path[--len] = '\0';

	while (p < end) {
		const char *seg = p + 1;	/* p is at a '/' */
		const char *seg_end = seg + strcspn(seg, "/?#");

		if (seg_end > end)
			seg_end = end;
		if (seg_end > seg) {	/* "//" adds nothing */
			if (len + 1 >= FILES_PATH_MAX)
				return HTTP_URI_TOO_LONG;
			path[len++] = '/';
			status = append_segment(seg, seg_end, path, &len);
			if (status)
				return status;
		}
		p = seg_end;
	}
	path[len] = '\0';
	*dir_wanted = end[-1] == '/';
	return 0;
}

static int status_for_errno(int err)
{
	switch (err) {
	case ENOENT:
	case ENOTDIR:
	case ENAMETOOLONG:
		return HTTP_NOT_FOUND;
	case EACCES:
	case EPERM:
		return HTTP_FORBIDDEN;
	default:
		return HTTP_INTERNAL_ERROR;
	}
}

/* opens path and reads its attributes into file; 0 or a status */
static int open_and_stat(const char *path, struct static_file *file)
{
	file->fd = open(path, O_RDONLY);
	if (file->fd < 0 && errno == EISDIR) {
		/* a filesystem that opens no directories still says what
		 * the path is */
		memset(&file->st, 0, sizeof(file->st));
		file->st.st_mode = S_IFDIR;
		return 0;
	}
	if (file->fd < 0)
		return status_for_errno(errno);
	if (fstat(file->fd, &file->st) < 0) {
		int status = status_for_errno(errno);

		close(file->fd);
		file->fd = -1;
		return status;
	}
	return 0;
}

int files_open(const char *root, const char *target, struct static_file *file)
{
	bool dir_wanted = false;
	int status;

	file->fd = -1;
	status = target_to_path(root, target, file->path, &dir_wanted);
	if (status)
		return status;
	status = open_and_stat(file->path, file);
	if (status)
		return status;
	if (S_ISREG(file->st.st_mode)) {
		if (dir_wanted)		/* "/index.html/" names no directory */
			goto err_close;
		file->content_type = files_content_type(file->path);
		return 0;
	}
	if (!S_ISDIR(file->st.st_mode))
		goto err_close;
	if (file->fd >= 0)
		close(file->fd);
	file->fd = -1;

	if (!dir_wanted) {
		/* relative links in the index resolve against the URL's
		 * directory, so send the browser to "/dir/" first */
		size_t n = strcspn(target, "?#");

		if (n + 2 > sizeof(file->path))
			return HTTP_URI_TOO_LONG;
		memcpy(file->path, target, n);
		memcpy(file->path + n, "/", 2);
		return HTTP_MOVED_PERMANENTLY;
	}
	size_t len = strlen(file->path);

	if (len + 1 + sizeof(FILES_INDEX) > sizeof(file->path))
		return HTTP_URI_TOO_LONG;
	memcpy(file->path + len, "/" FILES_INDEX, sizeof(FILES_INDEX) + 1);
	status = open_and_stat(file->path, file);
	if (status)
		return status;
	if (!S_ISREG(file->st.st_mode))
		goto err_close;
	file->content_type = files_content_type(file->path);
	return 0;

err_close:
	if (file->fd >= 0)
		close(file->fd);
	file->fd = -1;
	return HTTP_NOT_FOUND;
}
