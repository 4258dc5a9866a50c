/*
 * 9P2000.L messages: the numbers of the protocol (from the Linux kernel's
 * Documentation/filesystems/9p.rst and QEMU's hw/9pfs as the reference
 * server) and the little-endian packing both ways (fs/9p_msg.c). Every
 * read of a reply checks its bounds: a short or malformed reply sets the
 * message's error, it never reads past the buffer.
 */
#ifndef FS_9P_MSG_H
#define FS_9P_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define P9_VERSION "9P2000.L"
#define P9_NOTAG 0xffff
#define P9_NOFID 0xffffffffu
/* size[4] type[1] tag[2] */
#define P9_HDR 7
/* the most a read or write header takes beside its data (Linux's
 * P9_IOHDRSZ) */
#define P9_IOHDR 24
/* at most this many names in one Twalk (Linux's P9_MAXWELEM) */
#define P9_MAXWELEM 16

/* message types (T is even, R = T + 1) */
enum p9_type {
	P9_RLERROR = 7,
	P9_TLOPEN = 12,
	P9_TLCREATE = 14,
	P9_TGETATTR = 24,
	P9_TSETATTR = 26,
	P9_TREADDIR = 40,
	P9_TFSYNC = 50,
	P9_TMKDIR = 72,
	P9_TRENAMEAT = 74,
	P9_TUNLINKAT = 76,
	P9_TVERSION = 100,
	P9_TATTACH = 104,
	P9_TWALK = 110,
	P9_TREAD = 116,
	P9_TWRITE = 118,
	P9_TCLUNK = 120,
};

/* qid.type */
#define P9_QTDIR 0x80
/* a qid: type[1] version[4] path[8] */
#define P9_QID_SIZE 13

/* Tgetattr request_mask: the basic fields (mode..blocks) */
#define P9_GETATTR_BASIC 0x7ffull
/* Tsetattr valid */
#define P9_SETATTR_SIZE 0x8
/* Tunlinkat flags: remove a folder (Linux's AT_REMOVEDIR) */
#define P9_AT_REMOVEDIR 0x200

struct p9_qid {
	uint8_t type;
	uint32_t version;
	uint64_t path;
};

/* A message being built or read: buf[0..len), cap bytes of room. */
struct p9_msg {
	uint8_t *buf;
	size_t len;	/* written so far, or the reply's size */
	size_t pos;	/* reading position */
	size_t cap;
	bool bad;	/* overflowed or malformed */
};

/* fs/9p_msg.c */
void p9_begin(struct p9_msg *m, uint8_t *buf, size_t cap, uint8_t type,
	      uint16_t tag);
/* Writes the size field, counting `data` bytes sent from a buffer of
 * their own after the message; returns the length in m->buf. */
size_t p9_finish(struct p9_msg *m, size_t data);
void p9_put8(struct p9_msg *m, uint8_t v);
void p9_put16(struct p9_msg *m, uint16_t v);
void p9_put32(struct p9_msg *m, uint32_t v);
void p9_put64(struct p9_msg *m, uint64_t v);
void p9_putstr(struct p9_msg *m, const char *s, size_t n);
/* Starts reading a reply the device wrote `got` bytes of, the first
 * `buflen` of them into buf (the rest went to the caller's data buffer):
 * -errno from Rlerror, -EIO when it is not `want` or malformed, else 0. */
int p9_reply(struct p9_msg *m, uint8_t *buf, size_t buflen, size_t got,
	     uint8_t want);
uint8_t p9_get8(struct p9_msg *m);
uint16_t p9_get16(struct p9_msg *m);
uint32_t p9_get32(struct p9_msg *m);
uint64_t p9_get64(struct p9_msg *m);
void p9_getqid(struct p9_msg *m, struct p9_qid *q);
/* A string's bytes (not terminated) and length; NULL when malformed. */
const char *p9_getstr(struct p9_msg *m, uint16_t *n);

#endif
