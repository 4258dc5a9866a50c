/*
 * Packing and unpacking 9P messages (fs/9p_msg.h). x86-64 is little-endian
 * like 9P, but the bytes are still written one by one: replies come from
 * the host and may sit at any alignment in the buffer.
 */
#include <errno.h>
#include <string.h>
#include "9p_msg.h"

static void p9_put(struct p9_msg *m, uint64_t v, unsigned int bytes)
{
	if (m->len + bytes > m->cap) {
		m->bad = true;
		return;
	}
	for (unsigned int i = 0; i < bytes; i++)
		m->buf[m->len++] = (uint8_t)(v >> (8 * i));
}

void p9_put8(struct p9_msg *m, uint8_t v)
{
	p9_put(m, v, 1);
}

void p9_put16(struct p9_msg *m, uint16_t v)
{
	p9_put(m, v, 2);
}

void p9_put32(struct p9_msg *m, uint32_t v)
{
	p9_put(m, v, 4);
}

void p9_put64(struct p9_msg *m, uint64_t v)
{
	p9_put(m, v, 8);
}

void p9_putstr(struct p9_msg *m, const char *s, size_t n)
{
	if (n > UINT16_MAX || m->len + 2 + n > m->cap) {
		m->bad = true;
		return;
	}
	p9_put16(m, (uint16_t)n);
	memcpy(m->buf + m->len, s, n);
	m->len += n;
}

void p9_begin(struct p9_msg *m, uint8_t *buf, size_t cap, uint8_t type,
	      uint16_t tag)
{
	m->buf = buf;
	m->cap = cap;
	m->len = 0;
	m->pos = 0;
	m->bad = false;
	p9_put32(m, 0);	/* size, filled in by p9_finish */
	p9_put8(m, type);
	p9_put16(m, tag);
}

size_t p9_finish(struct p9_msg *m, size_t data)
{
	size_t len = m->len;

	m->len = 0;
	p9_put32(m, (uint32_t)(len + data));
	m->len = len;
	return len;
}

static uint64_t p9_get(struct p9_msg *m, unsigned int bytes)
{
	uint64_t v = 0;

	if (m->pos + bytes > m->len) {
		m->bad = true;
		return 0;
	}
	for (unsigned int i = 0; i < bytes; i++)
		v |= (uint64_t)m->buf[m->pos++] << (8 * i);
	return v;
}

uint8_t p9_get8(struct p9_msg *m)
{
	return (uint8_t)p9_get(m, 1);
}

uint16_t p9_get16(struct p9_msg *m)
{
	return (uint16_t)p9_get(m, 2);
}

uint32_t p9_get32(struct p9_msg *m)
{
	return (uint32_t)p9_get(m, 4);
}

uint64_t p9_get64(struct p9_msg *m)
{
	return p9_get(m, 8);
}

void p9_getqid(struct p9_msg *m, struct p9_qid *q)
{
	q->type = p9_get8(m);
	q->version = p9_get32(m);
	q->path = p9_get64(m);
}

const char *p9_getstr(struct p9_msg *m, uint16_t *n)
{
	const char *s;

	*n = p9_get16(m);
	if (m->bad || m->pos + *n > m->len) {
		m->bad = true;
		return NULL;
	}
	s = (const char *)m->buf + m->pos;
	m->pos += *n;
	return s;
}

int p9_reply(struct p9_msg *m, uint8_t *buf, size_t buflen, size_t got,
	     uint8_t want)
{
	uint32_t size;
	uint8_t type;
	int ecode;

	m->buf = buf;
	m->len = buflen < got ? buflen : got;
	m->cap = m->len;
	m->pos = 0;
	m->bad = false;
	size = p9_get32(m);
	type = p9_get8(m);
	p9_get16(m);	/* tag: one request per chain, nothing to match */
	if (m->bad || size < P9_HDR || size > got)
		return -EIO;
	if (size < m->len)
		m->len = size;
	if (type == P9_RLERROR) {
		ecode = (int)p9_get32(m);
		/* an errno from the host's Linux; anything odd is an I/O error */
		return m->bad || ecode <= 0 || ecode > 4095 ? -EIO : -ecode;
	}
	return type == want ? 0 : -EIO;
}
