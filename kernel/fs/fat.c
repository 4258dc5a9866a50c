/*
 * A FAT16/FAT32 volume on a block device (fs/fat.h): the boot sector
 * checked field by field, the whole table kept in memory (a 64 MiB volume
 * has a table of 64-512 KiB), cluster chains, and the data of files (the
 * open files' operations on it are in fat_file.c).
 * Every call that changes the volume leaves it consistent on the disk
 * before it returns: data first, then the table sectors it changed, then
 * the directory entry. So a program that exits or crashes between calls
 * loses nothing it was told was written; fsync adds the device's flush.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <kernel/driver.h>
#include <kernel/file.h>
#include <kernel/log.h>
#include <kernel/vfs.h>
#include "fat.h"

/* the most one data transfer asks of the device: 1 MiB */
#define FAT_XFER_MAX_SECTORS 2048

static uint16_t fat_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t fat_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

uint64_t fat_cluster_lba(struct fat_vol *v, uint32_t c)
{
	return v->data_start + (uint64_t)(c - FAT_FIRST_CLUSTER) * v->sec_per_clus;
}

bool fat_valid_cluster(struct fat_vol *v, uint32_t c)
{
	return c >= FAT_FIRST_CLUSTER && c < v->clusters + FAT_FIRST_CLUSTER;
}

uint32_t fat_next(struct fat_vol *v, uint32_t c)
{
	return fat_valid_cluster(v, c) ? v->table[c] : FAT_BAD;
}

uint32_t fat_entry_cluster(const struct fat_dirent *de)
{
	return (uint32_t)de->clus_hi << 16 | de->clus_lo;
}

static void fat_set(struct fat_vol *v, uint32_t c, uint32_t val)
{
	uint32_t per_sector = BLKDEV_SECTOR / (v->bits / 8);

	/* a chain cut or freed: the directory walk's place may be gone */
	if (v->table[c] != FAT_FREE && v->table[c] < FAT_EOC)
		v->walk_valid = false;
	v->table[c] = val;
	v->dirty[c / per_sector] = 1;
}

int fat_alloc(struct fat_vol *v, uint32_t prev, uint32_t *out)
{
	for (uint32_t i = 0; i < v->clusters; i++) {
		uint32_t c = FAT_FIRST_CLUSTER +
			     (v->next_free - FAT_FIRST_CLUSTER + i) % v->clusters;

		if (v->table[c] != FAT_FREE)
			continue;
		fat_set(v, c, FAT_EOC);
		v->free_count--;
		v->fsinfo_dirty = true;
		if (prev)
			fat_set(v, prev, c);
		v->next_free = c;
		*out = c;
		return 0;
	}
	return -ENOSPC;
}

int fat_free_chain(struct fat_vol *v, uint32_t first)
{
	uint32_t c = first;

	/* a folder's clusters may come back as another folder's */
	fat_names_forget(v, first);

	/* a chain visits each cluster once: more steps mean a loop */
	for (uint32_t steps = 0; fat_valid_cluster(v, c); steps++) {
		uint32_t next = v->table[c];

		if (steps > v->clusters)
			return -EIO;
		fat_set(v, c, FAT_FREE);
		v->free_count++;
		v->fsinfo_dirty = true;
		c = next;
	}
	return c >= FAT_EOC || c == FAT_FREE ? 0 : -EIO;
}

/* The table as it is on disk, sector `s` of it. */
static void fat_pack_sector(struct fat_vol *v, uint32_t s, uint8_t *buf)
{
	uint32_t per = BLKDEV_SECTOR / (v->bits / 8);

	for (uint32_t i = 0; i < per; i++) {
		uint32_t c = s * per + i;
		uint32_t val = c < v->clusters + FAT_FIRST_CLUSTER ? v->table[c] : 0;

		if (v->bits == 16) {
			if (val >= FAT_BAD)
				val = val - FAT_BAD + 0xfff7;
			buf[2 * i] = (uint8_t)val;
			buf[2 * i + 1] = (uint8_t)(val >> 8);
		} else {
			memcpy(buf + 4 * i, &val, 4);
		}
	}
}

/* FAT32 keeps a free-cluster count that must agree with the table. */
static int fat_write_fsinfo(struct fat_vol *v)
{
	uint8_t buf[BLKDEV_SECTOR];
	int err;

	if (!v->fsinfo)
		return 0;
	err = v->dev->read(v->dev, v->fsinfo, buf, 1);
	if (err)
		return err;
	memcpy(buf + FAT_FSI_FREE, &v->free_count, 4);
	memcpy(buf + FAT_FSI_NEXT, &v->next_free, 4);
	err = v->dev->write(v->dev, v->fsinfo, buf, 1);
	if (!err)
		v->fsinfo_dirty = false;
	return err;
}

int fat_flush_table(struct fat_vol *v)
{
	uint8_t buf[BLKDEV_SECTOR];
	int err;

	for (uint32_t s = 0; s < v->fat_sectors; s++) {
		if (!v->dirty[s])
			continue;
		if (v->bits == 32) {	/* the top 4 bits are reserved: keep them */
			err = v->dev->read(v->dev, v->fat_start + s, buf, 1);
			if (err)
				return err;
		}
		fat_pack_sector(v, s, buf);
		for (uint32_t f = 0; f < v->num_fats; f++) {
			err = v->dev->write(v->dev,
					    v->fat_start + f * v->fat_sectors + s,
					    buf, 1);
			if (err)
				return err;
		}
		v->dirty[s] = 0;
	}
	return v->fsinfo_dirty ? fat_write_fsinfo(v) : 0;
}

int fat_zero_cluster(struct fat_vol *v, uint32_t c)
{
	uint8_t *zero = calloc(1, v->cluster_bytes);
	int err;

	if (!zero)
		return -ENOMEM;
	fat_cache_forget(v, fat_cluster_lba(v, c), v->sec_per_clus);
	err = v->dev->write(v->dev, fat_cluster_lba(v, c), zero,
			    v->sec_per_clus);
	free(zero);
	return err;
}

struct fat_node *fat_node_find(struct fat_vol *v, uint32_t dir, uint32_t index)
{
	for (struct fat_node *n = v->nodes; n; n = n->next) {
		if (n->dir == dir && n->index == index)
			return n;
	}
	return NULL;
}

struct fat_node *fat_node_get(struct fat_vol *v, const struct fat_loc *l)
{
	struct fat_node *n;

	if (l->is_root) {
		v->root.refs++;
		return &v->root;
	}
	n = fat_node_find(v, l->dir, l->index);
	if (n) {
		n->refs++;
		return n;
	}
	n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->dir = l->dir;
	n->index = l->index;
	n->first = fat_entry_cluster(&l->de);
	n->is_dir = l->de.attr & FAT_ATTR_DIRECTORY;
	n->size = n->is_dir ? 0 : l->de.size;
	n->refs = 1;
	n->next = v->nodes;
	v->nodes = n;
	return n;
}

void fat_node_put(struct fat_vol *v, struct fat_node *n)
{
	struct fat_node **pp = &v->nodes;

	if (--n->refs > 0 || n->is_root)
		return;
	while (*pp && *pp != n)
		pp = &(*pp)->next;
	if (*pp)
		*pp = n->next;
	free(n);
}

/* The cluster holding byte `off` of the node, extending the chain when
 * `grow`; 0 past the end of the chain when not growing. */
static int fat_cluster_at(struct fat_vol *v, struct fat_node *n, uint64_t off,
			  bool grow, uint32_t *out)
{
	uint32_t want = (uint32_t)(off / v->cluster_bytes);
	uint32_t i = 0, c = n->first;
	int err;

	if (!c) {
		if (!grow) {
			*out = 0;
			return 0;
		}
		err = fat_alloc(v, 0, &c);
		if (err)
			return err;
		n->first = c;
	}
	if (n->hint_cluster && n->hint_n <= want) {
		i = n->hint_n;
		c = n->hint_cluster;
	}
	for (; i < want; i++) {
		uint32_t next = fat_next(v, c);

		if (next >= FAT_EOC) {
			if (!grow) {
				*out = 0;
				return 0;
			}
			err = fat_alloc(v, c, &next);
			if (err)
				return err;
		}
		if (!fat_valid_cluster(v, next) || i > v->clusters)
			return -EIO;	/* a broken or looping chain */
		c = next;
	}
	if (!fat_valid_cluster(v, c))
		return -EIO;
	n->hint_n = want;
	n->hint_cluster = c;
	*out = c;
	return 0;
}

/*
 * Moves n bytes between buf and the node's data at off, a run of whole
 * sectors at a time straight from the caller's buffer; partial sectors
 * go through a bounce sector. Writing extends the chain.
 */
int fat_xfer(struct fat_vol *v, struct fat_node *n, uint64_t off,
	     uint8_t *buf, size_t len, bool write)
{
	uint8_t bounce[BLKDEV_SECTOR];
	int err;

	while (len) {
		uint32_t c, in_clus, sec_off, count;
		uint64_t lba;

		err = fat_cluster_at(v, n, off, write, &c);
		if (err)
			return err;
		if (!c)
			return -EIO;	/* the size says more than the chain */
		in_clus = (uint32_t)(off % v->cluster_bytes);
		lba = fat_cluster_lba(v, c) + in_clus / BLKDEV_SECTOR;
		sec_off = in_clus % BLKDEV_SECTOR;
		if (sec_off || len < BLKDEV_SECTOR) {
			count = BLKDEV_SECTOR - sec_off;
			if (count > len)
				count = (uint32_t)len;
			err = v->dev->read(v->dev, lba, bounce, 1);
			if (!err && write) {
				memcpy(bounce + sec_off, buf, count);
				err = v->dev->write(v->dev, lba, bounce, 1);
			} else if (!err) {
				memcpy(buf, bounce + sec_off, count);
			}
		} else {
			/* whole sectors to the end of this cluster, and on
			 * through the clusters after it that are next to it on
			 * the disk: one device request instead of one each */
			uint32_t secs = (v->cluster_bytes - in_clus) / BLKDEV_SECTOR;
			uint32_t last = c, next;

			while (len / BLKDEV_SECTOR >= secs + v->sec_per_clus &&
			       secs < FAT_XFER_MAX_SECTORS &&
			       !fat_cluster_at(v, n, off + (uint64_t)secs *
					       BLKDEV_SECTOR, write, &next) &&
			       next == last + 1) {
				last = next;
				secs += v->sec_per_clus;
			}
			if (secs > len / BLKDEV_SECTOR)
				secs = (uint32_t)(len / BLKDEV_SECTOR);
			count = secs * BLKDEV_SECTOR;
			err = write ? v->dev->write(v->dev, lba, buf, secs) :
				      v->dev->read(v->dev, lba, buf, secs);
		}
		if (err)
			return err;
		if (write)
			fat_cache_forget(v, lba, (count + BLKDEV_SECTOR - 1) /
					 BLKDEV_SECTOR);
		off += count;
		buf += count;
		len -= count;
	}
	return 0;
}

/* The table and the entry after data: the order that keeps it whole. */
int fat_commit(struct fat_vol *v, struct fat_node *n)
{
	int err = fat_flush_table(v);

	return err ? err : fat_update_entry(v, n);
}

int fat_resize(struct fat_vol *v, struct fat_node *n, uint32_t size)
{
	static const uint8_t zeros[BLKDEV_SECTOR];
	uint32_t keep = (size + v->cluster_bytes - 1) / v->cluster_bytes;
	uint32_t last;
	int err = 0;

	if (size < n->size) {
		if (keep == 0) {
			err = fat_free_chain(v, n->first);
			n->first = 0;
		} else {
			err = fat_cluster_at(v, n, (uint64_t)(keep - 1) *
						   v->cluster_bytes, false, &last);
			if (!err && last && fat_next(v, last) < FAT_EOC)
				err = fat_free_chain(v, fat_next(v, last));
			if (!err && last)
				fat_set(v, last, FAT_EOC);
		}
		n->hint_cluster = 0;
		if (!err)
			n->size = size;
	}
	while (!err && n->size < size) {
		uint32_t z = size - n->size;

		if (z > sizeof(zeros))
			z = sizeof(zeros);
		err = fat_xfer(v, n, n->size, (uint8_t *)zeros, z, true);
		if (!err)
			n->size += z;
	}
	return fat_commit(v, n) ? -EIO : err;
}

/* Reads the boot sector into v: 0, or -EINVAL naming what is wrong. */
static int fat_parse_bpb(struct fat_vol *v, const uint8_t *b)
{
	uint32_t bps = fat_le16(b + FAT_BPB_BYTES_PER_SEC);
	uint32_t spc = b[FAT_BPB_SEC_PER_CLUS];
	uint32_t rsvd = fat_le16(b + FAT_BPB_RSVD_SEC);
	uint32_t root_ents = fat_le16(b + FAT_BPB_ROOT_ENTS);
	uint64_t total = fat_le16(b + FAT_BPB_TOT_SEC16);
	uint32_t fat_sz = fat_le16(b + FAT_BPB_FAT_SZ16);
	uint64_t meta;

	if (b[FAT_BOOT_SIG] != 0x55 || b[FAT_BOOT_SIG + 1] != 0xaa)
		return -EINVAL;
	if (bps != BLKDEV_SECTOR || !spc || (spc & (spc - 1)) || !rsvd ||
	    b[FAT_BPB_NUM_FATS] < 1 || b[FAT_BPB_NUM_FATS] > 2)
		return -EINVAL;
	if (!total)
		total = fat_le32(b + FAT_BPB_TOT_SEC32);
	if (!fat_sz)
		fat_sz = fat_le32(b + FAT_BPB_FAT_SZ32);
	if (!fat_sz || total > v->dev->sectors)
		return -EINVAL;
	v->sec_per_clus = spc;
	v->cluster_bytes = spc * BLKDEV_SECTOR;
	v->num_fats = b[FAT_BPB_NUM_FATS];
	v->fat_start = rsvd;
	v->fat_sectors = fat_sz;
	v->root_entries = root_ents;
	v->root_start = rsvd + v->num_fats * fat_sz;
	meta = (uint64_t)v->root_start +
	       ((uint64_t)root_ents * FAT_DIRENT + BLKDEV_SECTOR - 1) /
		       BLKDEV_SECTOR;
	if (meta >= total)
		return -EINVAL;
	v->data_start = (uint32_t)meta;
	v->clusters = (uint32_t)((total - meta) / spc);
	if (v->clusters < FAT16_MIN_CLUSTERS)
		return -EINVAL;	/* FAT12 is not supported */
	v->bits = v->clusters < FAT32_MIN_CLUSTERS ? 16 : 32;
	if ((v->bits == 32) != (root_ents == 0))
		return -EINVAL;
	if ((uint64_t)fat_sz * BLKDEV_SECTOR / (v->bits / 8) <
	    v->clusters + FAT_FIRST_CLUSTER)
		return -EINVAL;	/* the table cannot describe every cluster */
	if ((uint64_t)fat_sz * BLKDEV_SECTOR > FAT_TABLE_MAX)
		return -EFBIG;
	v->root_cluster = v->bits == 32 ? fat_le32(b + FAT_BPB_ROOT_CLUS) : 0;
	v->fsinfo = v->bits == 32 ? fat_le16(b + FAT_BPB_FSINFO) : 0;
	if (v->fsinfo >= rsvd)
		v->fsinfo = 0;	/* it must sit among the reserved sectors */
	if (v->bits == 32 && !fat_valid_cluster(v, v->root_cluster))
		return -EINVAL;
	return 0;
}

static int fat_load_table(struct fat_vol *v)
{
	uint32_t n = v->clusters + FAT_FIRST_CLUSTER;
	uint8_t *raw = malloc((size_t)v->fat_sectors * BLKDEV_SECTOR);
	int err;

	v->table = malloc((size_t)n * sizeof(*v->table));
	v->dirty = calloc(v->fat_sectors, 1);
	if (!raw || !v->table || !v->dirty) {
		free(raw);
		return -ENOMEM;
	}
	err = v->dev->read(v->dev, v->fat_start, raw, v->fat_sectors);
	for (uint32_t c = 0; !err && c < n; c++) {
		uint32_t val = v->bits == 16 ? fat_le16(raw + 2 * c) :
					       fat_le32(raw + 4 * c) & FAT32_MASK;

		if (v->bits == 16 && val >= 0xfff7)
			val = val - 0xfff7 + FAT_BAD;
		v->table[c] = val;
		if (c >= FAT_FIRST_CLUSTER && val == FAT_FREE)
			v->free_count++;
	}
	free(raw);
	v->next_free = FAT_FIRST_CLUSTER;
	return err;
}

/* Forgets an FSInfo sector without its signatures: never written then. */
static void fat_check_fsinfo(struct fat_vol *v)
{
	uint8_t buf[BLKDEV_SECTOR];

	if (v->dev->read(v->dev, v->fsinfo, buf, 1) ||
	    fat_le32(buf + FAT_FSI_LEAD) != FAT_FSI_LEAD_SIG ||
	    fat_le32(buf + FAT_FSI_STRUC) != FAT_FSI_STRUC_SIG)
		v->fsinfo = 0;
}

static void fat_vol_free(struct fat_vol *v)
{
	free(v->table);
	free(v->dirty);
	fat_cache_free(v);
	fat_names_free(v);
	free(v);
}

int fat_mount(struct blkdev *dev, const char *path, bool ro)
{
	struct fat_vol *v = calloc(1, sizeof(*v));
	uint8_t *boot = malloc(BLKDEV_SECTOR);
	char source[MOUNT_SOURCE_MAX];
	int err;

	if (!v || !boot) {
		free(boot);
		free(v);
		return -ENOMEM;
	}
	v->dev = dev;
	err = fat_cache_init(v);
	if (!err)
		err = dev->read(dev, 0, boot, 1);
	if (!err)
		err = fat_parse_bpb(v, boot);
	free(boot);
	if (!err)
		err = fat_load_table(v);
	if (!err && v->fsinfo)
		fat_check_fsinfo(v);
	v->root.is_dir = v->root.is_root = true;
	v->root.first = v->root_cluster;
	v->root.refs = 1;
	snprintf(source, sizeof(source), "fat%d %s", v->bits, dev->name);
	if (!err)
		err = vfs_mount(path, &fat_ops, v, source, ro || dev->read_only);
	if (err) {
		fat_vol_free(v);
		return err;
	}
	dev->in_use = true;
	return 0;
}

int fat_umount(struct mount *m)
{
	struct fat_vol *v = m->priv;

	if (v->nodes || v->root.refs > 1)
		return -EBUSY;
	v->dev->in_use = false;
	fat_vol_free(v);
	return 0;
}

static void fat_mount_one(const char *source, const char *path, bool ro)
{
	struct blkdev *dev = blkdev_find(source);
	int err = dev ? fat_mount(dev, path, ro) : -ENODEV;

	if (err)
		kernel_printf("minnow: fs: mounting FAT disk %s on %s failed: error %d%s\n",
			      source, path, err,
			      err == -EINVAL ? " (not FAT16/FAT32 with 512-byte sectors)" : "");
}

static int fat_init(void)
{
	vfs_boot_mounts("fat", fat_mount_one);
	return 0;
}
DRIVER_INIT(fat_init);
