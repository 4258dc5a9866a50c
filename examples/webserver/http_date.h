/*
 * HTTP dates (RFC 9110 section 5.6.7): seconds since 1970 to and from the
 * three formats a server meets. Minnow has no calendar functions (no
 * gmtime, no strptime), so the conversion is done here, in UTC only, which
 * is all HTTP uses.
 */
#ifndef HTTP_DATE_H
#define HTTP_DATE_H

#include <stdbool.h>
#include <stddef.h>

/* "Sun, 06 Nov 1994 08:49:37 GMT" is 29 characters */
#define HTTP_DATE_LEN 29

/* Writes the IMF-fixdate for t (seconds since 1970, UTC) into buf, which
 * must hold HTTP_DATE_LEN + 1 bytes. */
void http_date_format(long long t, char *buf);

/* Reads an IMF-fixdate, an RFC 850 date or an asctime() date. Returns false
 * (and leaves *t alone) when text is none of them. */
bool http_date_parse(const char *text, long long *t);

#endif
