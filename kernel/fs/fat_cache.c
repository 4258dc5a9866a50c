/*
 * The FAT driver's cache of directory sectors (fs/fat.h). Finding a name
 * reads a folder's entries from the start, so without a cache every
 * stat() in a folder of 1,000 files costs dozens of device requests. The
 * cache holds FAT_CACHE_SETS * FAT_CACHE_WAYS sectors, set-associative:
 * sector s may live in any way of set s % SETS, the least recently used
 * way making room. Sectors, not clusters: a volume with 512-byte clusters
 * spreads a folder over many clusters among its files' data. A miss reads
 * on to the end of the cluster (at most FAT_CACHE_AHEAD sectors) in one
 * request, since a folder is read in order.
 *
 * It is write-through: fat_write_sector writes the cached copy to the disk
 * at once, so a crash loses nothing and the disk never lags behind it.
 * Writes of file data and zeroed clusters go around it and drop what they
 * overlap (fat_cache_forget). v->sec points at the sector fat_read_sector
 * read last; it stays valid until the next fat_read_sector.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "fat.h"

#define FAT_CACHE_SLOTS (FAT_CACHE_SETS * FAT_CACHE_WAYS)

int fat_cache_init(struct fat_vol *v)
{
	v->cache_data = malloc((FAT_CACHE_SLOTS + FAT_CACHE_AHEAD) *
			       BLKDEV_SECTOR);
	return v->cache_data ? 0 : -ENOMEM;
}

void fat_cache_free(struct fat_vol *v)
{
	free(v->cache_data);
	v->cache_data = NULL;
}

static uint8_t *fat_cache_sector(struct fat_vol *v, int slot)
{
	return v->cache_data + (size_t)slot * BLKDEV_SECTOR;
}

/* The slot holding sector lba, or -1. */
static int fat_cache_find(struct fat_vol *v, uint64_t lba)
{
	int set = (int)(lba % FAT_CACHE_SETS) * FAT_CACHE_WAYS;

	for (int i = set; i < set + FAT_CACHE_WAYS; i++) {
		if (v->cache[i].valid && v->cache[i].lba == lba)
			return i;
	}
	return -1;
}

/* Puts a copy of sector lba in its set: the slot it took. */
static int fat_cache_put(struct fat_vol *v, uint64_t lba, const uint8_t *data)
{
	int set = (int)(lba % FAT_CACHE_SETS) * FAT_CACHE_WAYS;
	int slot = fat_cache_find(v, lba);

	if (slot < 0) {
		slot = set;
		for (int i = set; i < set + FAT_CACHE_WAYS; i++) {
			if (!v->cache[i].valid) {
				slot = i;
				break;
			}
			if (v->cache[i].used < v->cache[slot].used)
				slot = i;
		}
	}
	memcpy(fat_cache_sector(v, slot), data, BLKDEV_SECTOR);
	v->cache[slot].lba = lba;
	v->cache[slot].valid = true;
	v->cache[slot].used = ++v->cache_clock;
	return slot;
}

/* How many sectors from lba one miss reads: to the end of its cluster, or
 * of FAT16's root folder, never past the disk. */
static uint32_t fat_cache_ahead(struct fat_vol *v, uint64_t lba)
{
	uint64_t end = v->dev->sectors;

	if (lba >= v->data_start)
		end = lba + v->sec_per_clus -
		      (lba - v->data_start) % v->sec_per_clus;
	else if (lba >= v->root_start)
		end = v->data_start;
	else
		end = lba + 1;
	if (end > v->dev->sectors)
		end = v->dev->sectors;
	if (end - lba > FAT_CACHE_AHEAD)
		end = lba + FAT_CACHE_AHEAD;
	return (uint32_t)(end - lba);
}

int fat_read_sector(struct fat_vol *v, uint64_t lba)
{
	uint8_t *ahead = fat_cache_sector(v, FAT_CACHE_SLOTS);
	uint32_t count;
	int slot, err;

	if (v->sec_valid && v->sec_lba == lba)
		return 0;
	v->sec_valid = false;
	if (lba >= v->dev->sectors)
		return -EIO;
	slot = fat_cache_find(v, lba);
	if (slot >= 0) {
		v->cache[slot].used = ++v->cache_clock;
	} else {
		count = fat_cache_ahead(v, lba);
		err = v->dev->read(v->dev, lba, ahead, count);
		if (err)
			return err;
		/* the sector asked for last: the others cannot evict it */
		for (uint32_t i = count - 1; i > 0; i--)
			fat_cache_put(v, lba + i, ahead + i * BLKDEV_SECTOR);
		slot = fat_cache_put(v, lba, ahead);
	}
	v->sec = fat_cache_sector(v, slot);
	v->sec_lba = lba;
	v->sec_valid = true;
	return 0;
}

int fat_write_sector(struct fat_vol *v)
{
	return v->dev->write(v->dev, v->sec_lba, v->sec, 1);
}

void fat_cache_forget(struct fat_vol *v, uint64_t lba, uint64_t count)
{
	if (count < FAT_CACHE_SLOTS) {
		for (uint64_t s = lba; s < lba + count; s++) {
			int slot = fat_cache_find(v, s);

			if (slot >= 0)
				v->cache[slot].valid = false;
		}
	} else {
		for (int i = 0; i < FAT_CACHE_SLOTS; i++) {
			struct fat_cache_slot *s = &v->cache[i];

			if (s->lba >= lba && s->lba < lba + count)
				s->valid = false;
		}
	}
	if (v->sec_valid && v->sec_lba >= lba && v->sec_lba < lba + count)
		v->sec_valid = false;
}
