/*
 * FAT directories (fs/fat.h): entries and long names; the path operations
 * that use them (open, mkdir, rename...) are in fat_path.c.
 * A long name is stored as UCS-2 in the entries before its 8.3 entry, with
 * the checksum of the 8.3 name; names are UTF-8 here (characters of the
 * Basic Multilingual Plane) and compared without regard to ASCII case, as
 * Windows does. A new name always gets long entries unless it is already
 * an upper-case 8.3 name, and a short alias (NAME~1.EXT, or a hashed one
 * when those are taken) found unused in the same scan that looks for the
 * name and for free entries. Times are not kept: there is no clock.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <kernel/file.h>
#include <kernel/vfs.h>
#include "fat.h"

/* short-alias candidates: NAME~1..~4, then hashed ones (NA1F2C~1...) */
#define FAT_ALIASES 12
#define FAT_SHORT_PLAIN 4
/* NT's case bits in ntres: show the base or extension in lower case */
#define FAT_NT_LOWER_BASE 0x08
#define FAT_NT_LOWER_EXT 0x10

/* Characters of a long name, read or to write. */
struct fat_lname {
	uint16_t ch[FAT_LFN_MAX_ENTRIES * FAT_LFN_CHARS];
	unsigned int len;
};

int fat_entry_pos(struct fat_vol *v, uint32_t dir, uint32_t index,
		  uint64_t *lba, unsigned int *off)
{
	uint32_t per_sec = BLKDEV_SECTOR / FAT_DIRENT;
	uint32_t per_clus = v->cluster_bytes / FAT_DIRENT, c = dir;
	uint32_t i = 0, want = index / per_clus;

	*off = (index % per_sec) * FAT_DIRENT;
	if (!dir) {	/* FAT16's root: a fixed run of sectors */
		if (index >= v->root_entries)
			return 0;
		*lba = v->root_start + index / per_sec;
		return 1;
	}
	if (v->walk_valid && v->walk_dir == dir && v->walk_n <= want) {
		i = v->walk_n;
		c = v->walk_cluster;
	}
	for (; i < want; i++) {
		c = fat_next(v, c);
		if (c >= FAT_EOC)
			return 0;
		if (!fat_valid_cluster(v, c) || i > v->clusters)
			return -EIO;
	}
	if (!fat_valid_cluster(v, c))
		return -EIO;
	v->walk_valid = true;
	v->walk_dir = dir;
	v->walk_n = want;
	v->walk_cluster = c;
	*lba = fat_cluster_lba(v, c) + (index % per_clus) / per_sec;
	return 1;
}

/* Entry `index` of `dir` in v->sec: a pointer into it, NULL at the end of
 * the folder, or an error pointer through *err. */
struct fat_dirent *fat_entry(struct fat_vol *v, uint32_t dir, uint32_t index,
			     int *err)
{
	uint64_t lba;
	unsigned int off;
	int r = fat_entry_pos(v, dir, index, &lba, &off);

	*err = r < 0 ? r : 0;
	if (r <= 0)
		return NULL;
	*err = fat_read_sector(v, lba);
	return *err ? NULL : (struct fat_dirent *)(v->sec + off);
}

static uint8_t fat_checksum(const uint8_t *name)
{
	uint8_t sum = 0;

	for (int i = 0; i < 11; i++)
		sum = (uint8_t)(((sum & 1) << 7) + (sum >> 1) + name[i]);
	return sum;
}

/* The 13 characters one long entry holds, at their places in it. */
static const uint8_t fat_lfn_off[FAT_LFN_CHARS] = {
	1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30
};

static void fat_utf8_put(char **out, char *end, uint16_t c)
{
	char *p = *out;

	if (c < 0x80 && p + 1 < end) {
		*p++ = (char)c;
	} else if (c < 0x800 && p + 2 < end) {
		*p++ = (char)(0xc0 | c >> 6);
		*p++ = (char)(0x80 | (c & 0x3f));
	} else if (c >= 0x800 && p + 3 < end) {
		*p++ = (char)(0xe0 | c >> 12);
		*p++ = (char)(0x80 | ((c >> 6) & 0x3f));
		*p++ = (char)(0x80 | (c & 0x3f));
	}
	*out = p;
}

/* UTF-8 to UCS-2: 0, or -EINVAL for what FAT cannot store. */
static int fat_utf8_get(const char *s, struct fat_lname *n)
{
	const unsigned char *p = (const unsigned char *)s;

	n->len = 0;
	while (*p) {
		uint32_t c;

		if (*p < 0x80) {
			c = *p++;
		} else if ((*p & 0xe0) == 0xc0 && (p[1] & 0xc0) == 0x80) {
			c = (uint32_t)(*p & 0x1f) << 6 | (p[1] & 0x3f);
			p += 2;
		} else if ((*p & 0xf0) == 0xe0 && (p[1] & 0xc0) == 0x80 &&
			   (p[2] & 0xc0) == 0x80) {
			c = (uint32_t)(*p & 0x0f) << 12 |
			    (uint32_t)(p[1] & 0x3f) << 6 | (p[2] & 0x3f);
			p += 3;
		} else {
			return -EINVAL;	/* beyond the BMP, or not UTF-8 */
		}
		if (n->len >= VFS_NAME_MAX)
			return -ENAMETOOLONG;
		/* what Windows refuses in a name */
		if (c < 0x20 || (c < 0x80 && strchr("\"*/:<>?\\|", (int)c)))
			return -EINVAL;
		n->ch[n->len++] = (uint16_t)c;
	}
	return n->len ? 0 : -EINVAL;
}

/* "NAME.EXT" of an 8.3 entry, lower-cased where NT's bits say so. */
static void fat_short_name(const struct fat_dirent *de, char *out)
{
	int n = 0;

	for (int i = 0; i < 8 && de->name[i] != ' '; i++) {
		char c = (char)(i == 0 && de->name[0] == 0x05 ? 0xe5 : de->name[i]);

		out[n++] = (de->ntres & FAT_NT_LOWER_BASE) && c >= 'A' && c <= 'Z' ?
				   (char)(c + 32) : c;
	}
	if (de->name[8] != ' ')
		out[n++] = '.';
	for (int i = 8; i < 11 && de->name[i] != ' '; i++)
		out[n++] = (de->ntres & FAT_NT_LOWER_EXT) && de->name[i] >= 'A' &&
					   de->name[i] <= 'Z' ?
				   (char)(de->name[i] + 32) : (char)de->name[i];
	out[n] = '\0';
}

/* (fs/fat.h) Deleted entries and volume labels are skipped. */
int fat_next_name(struct fat_vol *v, uint32_t dir, uint32_t *index,
		  char *name, struct fat_dirent *de, uint32_t *first)
{
	struct fat_lname ln;
	int expect = 0, err;
	uint8_t sum = 0;

	*first = *index;
	for (uint32_t steps = 0;; steps++, (*index)++) {
		struct fat_dirent *e = fat_entry(v, dir, *index, &err);
		uint8_t *raw = (uint8_t *)e;

		if (!e || steps > v->clusters * (v->cluster_bytes / FAT_DIRENT) + v->root_entries)
			return err;
		if (e->name[0] == FAT_ENTRY_END)
			return 0;
		if (e->name[0] == FAT_ENTRY_FREE) {
			expect = 0;
			continue;
		}
		if ((e->attr & 0x3f) == FAT_ATTR_LONG_NAME) {
			int ord = raw[0] & 0x1f;

			if (raw[0] & FAT_LFN_LAST) {
				if (!ord || ord > FAT_LFN_MAX_ENTRIES) {
					expect = 0;
					continue;
				}
				expect = ord;
				sum = raw[13];
				ln.len = (unsigned int)ord * FAT_LFN_CHARS;
				*first = *index;
			} else if (ord != expect || raw[13] != sum) {
				expect = 0;
				continue;
			}
			for (int i = 0; i < FAT_LFN_CHARS; i++)
				ln.ch[(ord - 1) * FAT_LFN_CHARS + i] =
					(uint16_t)(raw[fat_lfn_off[i]] |
						   raw[fat_lfn_off[i] + 1] << 8);
			expect = ord - 1;
			if (expect == 0)
				expect = -1;	/* whole: the 8.3 entry is next */
			continue;
		}
		if (e->attr & FAT_ATTR_VOLUME_ID) {
			expect = 0;
			continue;
		}
		*de = *e;
		if (expect == -1 && fat_checksum(e->name) == sum) {
			char *p = name, *end = name + VFS_NAME_MAX + 1;

			for (unsigned int i = 0; i < ln.len && ln.ch[i] &&
						 ln.ch[i] != 0xffff; i++)
				fat_utf8_put(&p, end, ln.ch[i]);
			*p = '\0';
		} else {
			fat_short_name(e, name);
			*first = *index;
		}
		if (!name[0])
			fat_short_name(e, name);
		return 1;
	}
}

int fat_readdir(struct fat_vol *v, uint32_t dir, uint32_t *index, char *name,
		bool *is_dir)
{
	struct fat_dirent de;
	uint32_t first;
	int r = fat_next_name(v, dir, index, name, &de, &first);

	if (r == 1) {
		*is_dir = de.attr & FAT_ATTR_DIRECTORY;
		(*index)++;
	}
	return r;
}

/* Finds `name` in `dir`: 1 and *l, 0, or -errno. */
static int fat_find(struct fat_vol *v, uint32_t dir, const char *name,
		    size_t len, struct fat_loc *l)
{
	char found[VFS_NAME_MAX + 1];
	uint32_t index = 0, first;
	int r = fat_names_find(v, dir, name, len, l);

	if (r != -EAGAIN)
		return r;
	/* no index for the folder: read it from the start */
	while ((r = fat_next_name(v, dir, &index, found, &l->de, &first)) > 0) {
		if (strlen(found) == len && !strncasecmp(found, name, len)) {
			l->dir = dir;
			l->index = index;
			l->lfn_count = index - first;
			l->is_root = false;
			return 1;
		}
		index++;
	}
	return r;
}

int fat_lookup(struct fat_vol *v, const char *path, struct fat_loc *l)
{
	const char *p = path;

	memset(l, 0, sizeof(*l));
	l->is_root = true;
	l->de.attr = FAT_ATTR_DIRECTORY;
	while (*p) {
		size_t len = strcspn(p, "/");
		uint32_t dir;
		int r;

		if (!(l->de.attr & FAT_ATTR_DIRECTORY))
			return -ENOTDIR;
		dir = l->is_root ? v->root_cluster : fat_entry_cluster(&l->de);
		if (!l->is_root && !dir)
			return -EIO;	/* a folder without clusters */
		if ((len == 1 && p[0] == '.') || (len == 2 && !strncmp(p, "..", 2)))
			return -EINVAL;	/* the VFS resolved these */
		r = fat_find(v, dir, p, len, l);
		if (r <= 0)
			return r ? r : -ENOENT;
		p += len;
		if (*p == '/')
			p++;
	}
	return 0;
}

int fat_update_entry(struct fat_vol *v, struct fat_node *n)
{
	struct fat_dirent *e;
	int err;

	if (n->is_root)
		return 0;
	e = fat_entry(v, n->dir, n->index, &err);
	if (!e)
		return err ? err : -EIO;
	e->clus_hi = (uint16_t)(n->first >> 16);
	e->clus_lo = (uint16_t)n->first;
	e->size = n->is_dir ? 0 : n->size;
	return fat_write_sector(v);
}

static uint32_t fat_days(int y, int m, int d)
{
	/* days since 1970-01-01 of a date after 1980 */
	static const uint16_t before[12] = { 0,   31,  59,  90,  120, 151,
					     181, 212, 243, 273, 304, 334 };
	uint32_t days = (uint32_t)(y - 1970) * 365 + (uint32_t)(y - 1969) / 4;

	days += before[(m - 1) % 12] + (uint32_t)d - 1;
	if (m > 2 && y % 4 == 0)
		days++;
	return days;
}

void fat_stat_entry(struct fat_vol *v, const struct fat_loc *l, struct stat *st)
{
	bool dir = l->is_root || (l->de.attr & FAT_ATTR_DIRECTORY);
	uint16_t date = l->de.wrt_date, t = l->de.wrt_time;

	memset(st, 0, sizeof(*st));
	st->st_mode = dir ? S_IFDIR | 0755 :
		      S_IFREG | (l->de.attr & FAT_ATTR_READ_ONLY ? 0444 : 0644);
	st->st_nlink = 1;
	st->st_ino = l->is_root ? 1 : ((uint64_t)l->dir << 20) + l->index + 2;
	st->st_size = dir ? 0 : l->de.size;
	st->st_blksize = v->cluster_bytes;
	st->st_blocks = (st->st_size + v->cluster_bytes - 1) / v->cluster_bytes *
			(v->cluster_bytes / 512);
	if (date) {
		st->st_mtim.tv_sec = (time_t)fat_days(1980 + (date >> 9),
						      (date >> 5) & 15 ? (date >> 5) & 15 : 1,
						      date & 31 ? date & 31 : 1) * 86400 +
				     (t >> 11) * 3600 + ((t >> 5) & 63) * 60 +
				     (t & 31) * 2;
	}
	st->st_atim = st->st_ctim = st->st_mtim;
}

static bool fat_short_ok(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("$%'-_@~`!(){}^#&", c));
}

/* The 8.3 form of name when it is one already (upper case), else false. */
static bool fat_is_short(const char *name, uint8_t out[11])
{
	const char *dot = strrchr(name, '.');
	size_t base = dot ? (size_t)(dot - name) : strlen(name);
	size_t ext = dot ? strlen(dot + 1) : 0;

	if (!base || base > 8 || ext > 3 || (dot && !ext))
		return false;
	memset(out, ' ', 11);
	for (size_t i = 0; i < base; i++) {
		if (!fat_short_ok((unsigned char)name[i]))
			return false;
		out[i] = (uint8_t)name[i];
	}
	for (size_t i = 0; i < ext; i++) {
		if (!fat_short_ok((unsigned char)dot[1 + i]))
			return false;
		out[8 + i] = (uint8_t)dot[1 + i];
	}
	return true;
}

/* Candidate aliases for a long name: NAME~1.EXT... then hashed ones. */
static void fat_aliases(const char *name, uint8_t alias[FAT_ALIASES][11])
{
	const char *dot = strrchr(name, '.');
	char base[9] = "", ext[4] = "";
	size_t nb = 0, ne = 0;
	uint32_t hash = 2166136261u;

	for (const char *p = name; *p; p++) {
		unsigned char c = (unsigned char)*p;

		hash = (hash ^ c) * 16777619u;
		if (c >= 'a' && c <= 'z')
			c = (unsigned char)(c - 32);
		if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
			c = c >= 0x80 || c == '.' || c == ' ' ? 0 : '_';
		if (!c)
			continue;
		if (dot && p > dot) {
			if (ne < 3)
				ext[ne++] = (char)c;
		} else if (nb < 8 && (!dot || p < dot)) {
			base[nb++] = (char)c;
		}
	}
	if (!nb)
		base[nb++] = '_';
	for (int i = 0; i < FAT_ALIASES; i++) {
		char b[9];

		if (i < FAT_SHORT_PLAIN)
			snprintf(b, sizeof(b), "%.6s~%d", base, i + 1);
		else
			snprintf(b, sizeof(b), "%.2s%04X~%d", base,
				 (hash >> (i - FAT_SHORT_PLAIN)) & 0xffff,
				 1 + (i - FAT_SHORT_PLAIN) / 8);
		memset(alias[i], ' ', 11);
		memcpy(alias[i], b, strlen(b));
		memcpy(alias[i] + 8, ext, ne);
	}
}

/* The last cluster of a folder's chain. */
static int fat_last_cluster(struct fat_vol *v, uint32_t dir, uint32_t *last)
{
	uint32_t c = dir;

	for (uint32_t i = 0;; i++) {
		uint32_t next = fat_next(v, c);

		if (next >= FAT_EOC) {
			*last = c;
			return 0;
		}
		if (!fat_valid_cluster(v, next) || i > v->clusters)
			return -EIO;
		c = next;
	}
}

static int fat_put_raw(struct fat_vol *v, uint32_t dir, uint32_t index,
		       const void *raw)
{
	int err;
	struct fat_dirent *e = fat_entry(v, dir, index, &err);

	if (!e)
		return err ? err : -EIO;
	memcpy(e, raw, FAT_DIRENT);
	return fat_write_sector(v);
}

/* Writes one entry (32 bytes) at `index` of `dir`; the folder's name
 * index cannot follow an arbitrary entry, so it goes. */
int fat_put_entry(struct fat_vol *v, uint32_t dir, uint32_t index,
		  const void *raw)
{
	fat_names_forget(v, dir);
	return fat_put_raw(v, dir, index, raw);
}

/*
 * Finds room for `need` entries in `dir` and an unused alias: one scan.
 * The folder grows by clusters when it is full (not FAT16's root).
 */
static int fat_make_room(struct fat_vol *v, uint32_t dir, uint32_t need,
			 uint8_t alias[FAT_ALIASES][11], bool *taken,
			 uint32_t *start, uint32_t *end)
{
	uint32_t index = 0, run = 0, run_start = 0;
	bool found = false, ended = false;
	int err = 0;

	for (;; index++) {
		struct fat_dirent *e = fat_entry(v, dir, index, &err);

		if (!e)
			break;
		if (ended || e->name[0] == FAT_ENTRY_END ||
		    e->name[0] == FAT_ENTRY_FREE) {
			if (!ended && e->name[0] == FAT_ENTRY_END)
				*end = index;
			ended = ended || e->name[0] == FAT_ENTRY_END;
			if (!run++)
				run_start = index;
			if (run >= need && !found) {
				found = true;
				*start = run_start;
			}
			if (ended && found)
				return 0;
			continue;
		}
		run = 0;
		if ((e->attr & 0x3f) == FAT_ATTR_LONG_NAME)
			continue;
		for (int i = 0; i < FAT_ALIASES; i++)
			taken[i] = taken[i] || !memcmp(e->name, alias[i], 11);
	}
	if (err)
		return err;
	if (found)
		return 0;
	if (!dir)
		return -ENOSPC;	/* FAT16's root has a fixed size */
	*start = run ? run_start : index;
	while (index < *start + need) {
		uint32_t last, c;

		err = fat_last_cluster(v, dir, &last);
		if (!err)
			err = fat_alloc(v, last, &c);
		if (!err)
			err = fat_zero_cluster(v, c);
		if (err)
			return err;
		index += v->cluster_bytes / FAT_DIRENT;
	}
	return fat_flush_table(v);
}

/* Adds entries for `name` in `dir` pointing at `first`: *l says where. */
int fat_add(struct fat_vol *v, uint32_t dir, const char *name,
	    uint8_t attr, uint32_t first, uint32_t size, struct fat_loc *l)
{
	uint8_t alias[FAT_ALIASES][11], raw[FAT_DIRENT];
	bool taken[FAT_ALIASES] = { false };
	struct fat_lname *ln = malloc(sizeof(*ln));
	uint32_t nlfn = 0, start, end = UINT32_MAX;
	bool plain;
	int err, pick = -1;

	if (!ln)
		return -ENOMEM;
	err = fat_utf8_get(name, ln);
	plain = !err && fat_is_short(name, alias[0]);
	if (!err && !plain) {
		fat_aliases(name, alias);
		nlfn = (ln->len + FAT_LFN_CHARS - 1) / FAT_LFN_CHARS;
	}
	if (!err)
		err = fat_make_room(v, dir, nlfn + 1, alias, taken, &start,
				    &end);
	for (int i = 0; !err && i < (plain ? 1 : FAT_ALIASES) && pick < 0; i++)
		pick = taken[i] ? pick : i;
	if (!err && pick < 0)
		err = plain ? -EEXIST : -ENOSPC;
	for (uint32_t k = nlfn; !err && k >= 1; k--) {
		memset(raw, 0, sizeof(raw));
		raw[0] = (uint8_t)(k | (k == nlfn ? FAT_LFN_LAST : 0));
		raw[11] = FAT_ATTR_LONG_NAME;
		raw[13] = fat_checksum(alias[pick]);
		for (int i = 0; i < FAT_LFN_CHARS; i++) {
			uint32_t at = (k - 1) * FAT_LFN_CHARS + (uint32_t)i;
			uint16_t c = at < ln->len ? ln->ch[at] :
				     at == ln->len ? 0 : 0xffff;

			raw[fat_lfn_off[i]] = (uint8_t)c;
			raw[fat_lfn_off[i] + 1] = (uint8_t)(c >> 8);
		}
		err = fat_put_raw(v, dir, start + nlfn - k, raw);
	}
	free(ln);
	if (err) {
		fat_names_forget(v, dir);
		return err;
	}
	memset(&l->de, 0, sizeof(l->de));
	memcpy(l->de.name, alias[pick], 11);
	l->de.attr = attr;
	l->de.crt_date = l->de.wrt_date = l->de.acc_date = FAT_DATE_2000;
	l->de.clus_hi = (uint16_t)(first >> 16);
	l->de.clus_lo = (uint16_t)first;
	l->de.size = size;
	l->dir = dir;
	l->index = start + nlfn;
	l->lfn_count = nlfn;
	l->is_root = false;
	err = fat_put_raw(v, dir, l->index, &l->de);
	if (err)
		fat_names_forget(v, dir);
	else
		fat_names_add(v, dir, start, end <= l->index);
	return err;
}

int fat_drop(struct fat_vol *v, const struct fat_loc *l)
{
	/* out of the index while its entries can still be decoded */
	fat_names_drop(v, l->dir, l->index - l->lfn_count, l->index);
	for (uint32_t i = l->index - l->lfn_count; i <= l->index; i++) {
		int err;
		struct fat_dirent *e = fat_entry(v, l->dir, i, &err);

		if (e) {
			e->name[0] = FAT_ENTRY_FREE;
			err = fat_write_sector(v);
		}
		if (!e || err) {
			fat_names_forget(v, l->dir);
			return err ? err : -EIO;
		}
	}
	return 0;
}

