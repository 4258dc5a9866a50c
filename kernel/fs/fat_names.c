/*
 * The FAT driver's name index (fs/fat.h): for the last few folders looked
 * up, a hash table from each name (ASCII case folded, as names compare) to
 * the place of its entries. Without it, finding a name decodes the
 * folder's entries from the start: stat() in a folder of 1,000 files
 * decoded some 1,500 entries and ran at 0.03x Linux's vfat.
 *
 * An index is built by one scan of the whole folder, and it is complete:
 * a name it does not hold is not in the folder. So every change to a
 * folder's names keeps it so: fat_add() and fat_drop() put in or take out
 * the one name they wrote, anything else that writes entries
 * (fat_put_entry(), freeing a folder's clusters, an error half-way) drops
 * the folder's index, and the next lookup builds it again. A hit is
 * checked by decoding the name at its place, so a stale slot can only cost
 * a scan, never a wrong answer.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <kernel/vfs.h>
#include "fat.h"

#define FAT_NAMES_EMPTY 0xffffffffu	/* a slot never used */
#define FAT_NAMES_GONE 0xfffffffeu	/* a slot whose name was dropped */
#define FAT_NAMES_MIN 64		/* slots in a new table */

static uint32_t fat_names_hash(const char *name, size_t len)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c + ('a' - 'A'));
		h = (h ^ c) * 16777619u;
	}
	return h;
}

/* The index of folder `dir`, or NULL. */
static struct fat_names *fat_names_of(struct fat_vol *v, uint32_t dir)
{
	for (int i = 0; i < FAT_NAMES_DIRS; i++) {
		if (v->names[i].valid && v->names[i].dir == dir)
			return &v->names[i];
	}
	return NULL;
}

static void fat_names_clear(struct fat_names *t)
{
	free(t->slot);
	memset(t, 0, sizeof(*t));
}

void fat_names_forget(struct fat_vol *v, uint32_t dir)
{
	struct fat_names *t = fat_names_of(v, dir);

	if (t)
		fat_names_clear(t);
}

void fat_names_free(struct fat_vol *v)
{
	for (int i = 0; i < FAT_NAMES_DIRS; i++)
		fat_names_clear(&v->names[i]);
}

/* Puts (hash, first, index) in a table with room for it. */
static void fat_names_put(struct fat_names *t, uint32_t hash, uint32_t first,
			  uint32_t index)
{
	uint32_t mask = t->cap - 1, i = hash & mask;

	while (t->slot[i].index != FAT_NAMES_EMPTY &&
	       t->slot[i].index != FAT_NAMES_GONE)
		i = (i + 1) & mask;
	if (t->slot[i].index == FAT_NAMES_GONE)
		t->gone--;
	t->slot[i].hash = hash;
	t->slot[i].first = first;
	t->slot[i].index = index;
	t->count++;
}

/* Makes room for one more name, keeping the table at most half used
 * (dropped names count): 0 or -ENOMEM. */
static int fat_names_room(struct fat_names *t)
{
	struct fat_name_slot *old = t->slot;
	uint32_t old_cap = t->cap, cap = old_cap ? old_cap : FAT_NAMES_MIN;

	if (old && (t->count + t->gone + 1) * 2 <= old_cap)
		return 0;
	while ((t->count + 1) * 2 > cap)
		cap *= 2;
	t->slot = malloc((size_t)cap * sizeof(*t->slot));
	if (!t->slot) {
		t->slot = old;
		return -ENOMEM;
	}
	memset(t->slot, 0xff, (size_t)cap * sizeof(*t->slot));
	t->cap = cap;
	t->count = t->gone = 0;
	for (uint32_t i = 0; i < old_cap; i++) {
		if (old[i].index < FAT_NAMES_GONE)
			fat_names_put(t, old[i].hash, old[i].first,
				      old[i].index);
	}
	free(old);
	return 0;
}

/* A free table for `dir`: an unused one, else the least recently used. */
static struct fat_names *fat_names_new(struct fat_vol *v, uint32_t dir)
{
	struct fat_names *t = &v->names[0];

	for (int i = 0; i < FAT_NAMES_DIRS; i++) {
		if (!v->names[i].valid) {
			t = &v->names[i];
			break;
		}
		if (v->names[i].used < t->used)
			t = &v->names[i];
	}
	fat_names_clear(t);
	t->dir = dir;
	return t;
}

/* Scans all of `dir` into a new index: it, or NULL (no memory, a folder
 * too large to index, a read error: the caller scans instead). */
static struct fat_names *fat_names_build(struct fat_vol *v, uint32_t dir)
{
	struct fat_names *t = fat_names_new(v, dir);
	char name[VFS_NAME_MAX + 1];
	uint32_t index = 0, first;
	struct fat_dirent de;
	int r = fat_names_room(t) ? -ENOMEM : 1;	/* never without slots */

	while (r > 0 &&
	       (r = fat_next_name(v, dir, &index, name, &de, &first)) > 0) {
		if (t->count >= FAT_NAMES_MAX || fat_names_room(t))
			break;
		fat_names_put(t, fat_names_hash(name, strlen(name)), first,
			      index);
		index++;
	}
	if (r != 0) {
		fat_names_clear(t);
		return NULL;
	}
	t->valid = true;
	return t;
}

int fat_names_find(struct fat_vol *v, uint32_t dir, const char *name,
		   size_t len, struct fat_loc *l)
{
	struct fat_names *t = fat_names_of(v, dir);
	char found[VFS_NAME_MAX + 1];
	uint32_t hash = fat_names_hash(name, len), mask, i;
	bool hit = false;

	if (!t)
		t = fat_names_build(v, dir);
	if (!t)
		return -EAGAIN;
	t->used = ++v->names_clock;
	mask = t->cap - 1;
	/* every slot with this hash: the first place in the folder wins,
	 * as it does for a scan */
	for (i = hash & mask; t->slot[i].index != FAT_NAMES_EMPTY;
	     i = (i + 1) & mask) {
		struct fat_name_slot *s = &t->slot[i];
		uint32_t index = s->first, first;
		struct fat_dirent de;

		if (s->index == FAT_NAMES_GONE || s->hash != hash ||
		    (hit && s->index > l->index))
			continue;
		if (fat_next_name(v, dir, &index, found, &de, &first) <= 0 ||
		    index != s->index || first != s->first) {
			/* the folder changed under the index */
			fat_names_clear(t);
			return -EAGAIN;
		}
		if (strlen(found) != len || strncasecmp(found, name, len))
			continue;
		hit = true;
		l->dir = dir;
		l->index = index;
		l->lfn_count = index - first;
		l->de = de;
		l->is_root = false;
	}
	return hit ? 1 : 0;
}

/* The slot holding (hash, index), or NULL. */
static struct fat_name_slot *fat_names_slot(struct fat_names *t, uint32_t hash,
					    uint32_t index)
{
	uint32_t mask = t->cap - 1;

	for (uint32_t i = hash & mask; t->slot[i].index != FAT_NAMES_EMPTY;
	     i = (i + 1) & mask) {
		if (t->slot[i].index == index && t->slot[i].hash == hash)
			return &t->slot[i];
	}
	return NULL;
}

/* Entry `index` of `dir` is a used one (not free, not the end); a long
 * one only, with `lfn`. */
static bool fat_names_used(struct fat_vol *v, uint32_t dir, uint32_t index,
			   bool lfn)
{
	int err;
	struct fat_dirent *e = fat_entry(v, dir, index, &err);

	if (!e || e->name[0] == FAT_ENTRY_END || e->name[0] == FAT_ENTRY_FREE)
		return false;
	return !lfn || (e->attr & 0x3f) == FAT_ATTR_LONG_NAME;
}

void fat_names_add(struct fat_vol *v, uint32_t dir, uint32_t first,
		   bool past_end)
{
	struct fat_names *t = fat_names_of(v, dir);
	char name[VFS_NAME_MAX + 1];
	uint32_t index = first, at;
	struct fat_dirent de;

	if (!t)
		return;
	/* the name as a scan decodes it, so the two agree; and what a scan
	 * would now see besides: long entries left just before it could
	 * join it, and entries after an end marker it wrote over show */
	if (fat_next_name(v, dir, &index, name, &de, &at) <= 0 || at != first ||
	    (first > 0 && fat_names_used(v, dir, first - 1, true)) ||
	    (past_end && fat_names_used(v, dir, index + 1, false)) ||
	    t->count >= FAT_NAMES_MAX || fat_names_room(t)) {
		fat_names_clear(t);
		return;
	}
	fat_names_put(t, fat_names_hash(name, strlen(name)), first, index);
}

void fat_names_drop(struct fat_vol *v, uint32_t dir, uint32_t first,
		    uint32_t index)
{
	struct fat_names *t = fat_names_of(v, dir);
	char name[VFS_NAME_MAX + 1];
	uint32_t i = first, at;
	struct fat_name_slot *s;
	struct fat_dirent de;

	if (!t)
		return;
	if (fat_next_name(v, dir, &i, name, &de, &at) <= 0 || i != index ||
	    at != first ||
	    !(s = fat_names_slot(t, fat_names_hash(name, strlen(name)),
				 index))) {
		fat_names_clear(t);	/* it should have been there */
		return;
	}
	s->index = FAT_NAMES_GONE;
	t->count--;
	t->gone++;
}
