/*
 * FAT16 and FAT32 (Microsoft's "FAT: General Overview of On-Disk Format",
 * 1.03, 2000; long names as in its "Long Directory Entries" section),
 * shared by fs/fat.c (the volume: boot sector, the table, clusters, file
 * data, mounting), fs/fat_file.c (open files), fs/fat_dir.c (directory
 * entries, long names) and fs/fat_path.c (the path operations). Everything
 * read from the disk is checked before use: a cluster number out of
 * range, a chain longer than the volume or a directory that never ends is
 * -EIO, never a fault or a hang.
 */
#ifndef FS_FAT_H
#define FS_FAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <kernel/blkdev.h>

struct file;
struct mount;
struct stat;

/* Boot sector (BPB) offsets */
#define FAT_BPB_BYTES_PER_SEC 11
#define FAT_BPB_SEC_PER_CLUS 13
#define FAT_BPB_RSVD_SEC 14
#define FAT_BPB_NUM_FATS 16
#define FAT_BPB_ROOT_ENTS 17
#define FAT_BPB_TOT_SEC16 19
#define FAT_BPB_FAT_SZ16 22
#define FAT_BPB_TOT_SEC32 32
#define FAT_BPB_FAT_SZ32 36
#define FAT_BPB_ROOT_CLUS 44
#define FAT_BPB_FSINFO 48
/* FAT32's FSInfo sector (the overview, "FAT32 FSInfo Sector Structure") */
#define FAT_FSI_LEAD 0		/* 0x41615252 */
#define FAT_FSI_STRUC 484	/* 0x61417272 */
#define FAT_FSI_FREE 488
#define FAT_FSI_NEXT 492
#define FAT_FSI_LEAD_SIG 0x41615252u
#define FAT_FSI_STRUC_SIG 0x61417272u
#define FAT_BOOT_SIG 510	/* 0x55 0xaa */

/* cluster counts that decide the type (the overview, "FAT Type
 * Determination") */
#define FAT16_MIN_CLUSTERS 4085
#define FAT32_MIN_CLUSTERS 65525

/* table values, normalised to FAT32's: free, bad, end of chain */
#define FAT_FREE 0
#define FAT_BAD 0x0ffffff7u
#define FAT_EOC 0x0ffffff8u
#define FAT32_MASK 0x0fffffffu
#define FAT_FIRST_CLUSTER 2

/* directory entries */
#define FAT_DIRENT 32
#define FAT_ATTR_READ_ONLY 0x01
#define FAT_ATTR_HIDDEN 0x02
#define FAT_ATTR_SYSTEM 0x04
#define FAT_ATTR_VOLUME_ID 0x08
#define FAT_ATTR_DIRECTORY 0x10
#define FAT_ATTR_ARCHIVE 0x20
#define FAT_ATTR_LONG_NAME 0x0f
#define FAT_ENTRY_FREE 0xe5
#define FAT_ENTRY_END 0x00
#define FAT_LFN_LAST 0x40
#define FAT_LFN_CHARS 13
#define FAT_LFN_MAX_ENTRIES 20	/* 255 characters */

/* the whole table stays in memory; larger volumes are refused */
#define FAT_TABLE_MAX (16u << 20)

/* the directory sector cache (fs/fat_cache.c): 64 sets of 8 sectors,
 * 256 KiB, room for 8,192 entries (about 4,000 files with long names) */
#define FAT_CACHE_SETS 64
#define FAT_CACHE_WAYS 8
#define FAT_CACHE_AHEAD 8

/* the name index (fs/fat_names.c): the last FAT_NAMES_DIRS folders
 * looked up, each up to FAT_NAMES_MAX names */
#define FAT_NAMES_DIRS 8
#define FAT_NAMES_MAX 65536

/* A name of an indexed folder: its hash and where its entries are. */
struct fat_name_slot {
	uint32_t hash;
	uint32_t first;		/* its first (long) entry */
	uint32_t index;		/* its 8.3 entry; FAT_NAMES_EMPTY/_GONE */
};

struct fat_names {
	uint32_t dir;		/* the folder (fat_loc.dir's numbering) */
	bool valid;
	uint32_t used;		/* v->names_clock when last used */
	uint32_t count, gone, cap;	/* names, dropped slots, slots */
	struct fat_name_slot *slot;	/* cap slots, a power of 2 */
};

struct fat_cache_slot {
	uint64_t lba;
	uint32_t used;		/* v->cache_clock when last used */
	bool valid;
};

/* A directory entry as it is on disk. */
struct fat_dirent {
	uint8_t name[11];
	uint8_t attr;
	uint8_t ntres;
	uint8_t crt_tenth;
	uint16_t crt_time, crt_date, acc_date;
	uint16_t clus_hi;
	uint16_t wrt_time, wrt_date;
	uint16_t clus_lo;
	uint32_t size;
} __attribute__((packed));

/* A file or folder open at least once: shared by all its open files. */
struct fat_node {
	uint32_t dir;		/* first cluster of its folder; 0: FAT16 root */
	uint32_t index;		/* its 8.3 entry's place in that folder */
	uint32_t first;		/* first cluster, 0 when empty */
	uint32_t size;
	bool is_dir;
	bool is_root;
	int refs;
	/* the last cluster looked up: sequential I/O walks no chain twice */
	uint32_t hint_n, hint_cluster;
	struct fat_node *next;
};

struct fat_vol {
	struct blkdev *dev;
	int bits;		/* 16 or 32 */
	uint32_t sec_per_clus, cluster_bytes;
	uint32_t fat_start, fat_sectors, num_fats;
	uint32_t root_start, root_entries;	/* FAT16's fixed root */
	uint32_t root_cluster;			/* FAT32 */
	uint32_t data_start;
	uint32_t clusters;	/* valid numbers: 2 .. clusters + 1 */
	uint32_t *table;	/* the FAT, normalised */
	uint8_t *dirty;		/* per table sector: to write */
	uint32_t next_free;
	uint32_t free_count;
	uint32_t fsinfo;	/* its sector, 0 when absent (FAT16) */
	bool fsinfo_dirty;
	uint8_t *sec;		/* the directory sector read last (cached) */
	uint64_t sec_lba;
	bool sec_valid;
	/* where fat_entry_pos last was: the walk_n-th cluster of folder
	 * walk_dir is walk_cluster (a folder is read in order, so the next
	 * entry starts there, not at the folder's first cluster) */
	bool walk_valid;
	uint32_t walk_dir, walk_n, walk_cluster;
	struct fat_cache_slot cache[FAT_CACHE_SETS * FAT_CACHE_WAYS];
	uint8_t *cache_data;	/* its sectors, then AHEAD for one miss */
	uint32_t cache_clock;
	struct fat_names names[FAT_NAMES_DIRS];
	uint32_t names_clock;
	struct fat_node *nodes;	/* open ones */
	struct fat_node root;
};

/* Where a name was found: its folder, its 8.3 entry and long entries. */
struct fat_loc {
	uint32_t dir;
	uint32_t index;
	uint32_t lfn_count;
	struct fat_dirent de;
	bool is_root;
};

/* fs/fat.c */
uint64_t fat_cluster_lba(struct fat_vol *v, uint32_t c);
bool fat_valid_cluster(struct fat_vol *v, uint32_t c);
uint32_t fat_next(struct fat_vol *v, uint32_t c);
int fat_alloc(struct fat_vol *v, uint32_t prev, uint32_t *out);
int fat_free_chain(struct fat_vol *v, uint32_t first);
/* Writes the changed table sectors to every copy of the table. */
int fat_flush_table(struct fat_vol *v);

/* fs/fat_cache.c */
int fat_cache_init(struct fat_vol *v);
void fat_cache_free(struct fat_vol *v);
/* Points v->sec at sector lba's cached copy: 0 or -errno. */
int fat_read_sector(struct fat_vol *v, uint64_t lba);
/* Writes v->sec (changed in place) to its sector. */
int fat_write_sector(struct fat_vol *v);
/* Drops cached copies of sectors [lba, lba + count) written around it. */
void fat_cache_forget(struct fat_vol *v, uint64_t lba, uint64_t count);

/* fs/fat_names.c */
/* Finds name[0..len) in `dir` through its index (built on first use): 1
 * and *l, 0 when it is not there, -EAGAIN when there is no index to ask
 * (scan the folder instead). */
int fat_names_find(struct fat_vol *v, uint32_t dir, const char *name,
		   size_t len, struct fat_loc *l);
/* fat_add() wrote a name from entry `first` on (over the folder's end
 * marker: past_end); fat_drop() is about to free one. */
void fat_names_add(struct fat_vol *v, uint32_t dir, uint32_t first,
		   bool past_end);
void fat_names_drop(struct fat_vol *v, uint32_t dir, uint32_t first,
		    uint32_t index);
/* Drops the index of `dir` (its entries changed some other way). */
void fat_names_forget(struct fat_vol *v, uint32_t dir);
void fat_names_free(struct fat_vol *v);

/* fs/fat.c */
uint32_t fat_entry_cluster(const struct fat_dirent *de);
struct fat_node *fat_node_get(struct fat_vol *v, const struct fat_loc *l);
void fat_node_put(struct fat_vol *v, struct fat_node *n);
struct fat_node *fat_node_find(struct fat_vol *v, uint32_t dir,
			       uint32_t index);
int fat_zero_cluster(struct fat_vol *v, uint32_t c);
/* Moves len bytes between buf and the file at off (write: extending it). */
int fat_xfer(struct fat_vol *v, struct fat_node *n, uint64_t off,
	     uint8_t *buf, size_t len, bool write);
/* The table and the entry after data: the order that keeps it whole. */
int fat_commit(struct fat_vol *v, struct fat_node *n);
/* Cuts or extends (with zeros) a file to `size`, committed. */
int fat_resize(struct fat_vol *v, struct fat_node *n, uint32_t size);
int fat_umount(struct mount *m);

/* fs/fat_file.c */
int fat_open_node(struct fat_vol *v, const struct fat_loc *l, int flags,
		  struct file **out);

/* fs/fat_dir.c */
/* The sector and byte offset of entry `index` of folder `dir`. */
int fat_entry_pos(struct fat_vol *v, uint32_t dir, uint32_t index,
		  uint64_t *lba, unsigned int *off);
int fat_lookup(struct fat_vol *v, const char *path, struct fat_loc *l);
/* Rewrites a node's 8.3 entry with its first cluster and size. */
int fat_update_entry(struct fat_vol *v, struct fat_node *n);
/* The next entry of a listing at *index: 1, 0 at the end, -errno. */
int fat_readdir(struct fat_vol *v, uint32_t dir, uint32_t *index,
		char *name, bool *is_dir);
void fat_stat_entry(struct fat_vol *v, const struct fat_loc *l,
		    struct stat *st);
/*
 * Walks the entries of `dir` from *index: the next name (long if its long
 * entries are whole and match, else the 8.3 one) into name, its 8.3 entry
 * into *de (*index is its place), the index of its first long entry into
 * *first. 1, 0 at the end, -errno.
 */
int fat_next_name(struct fat_vol *v, uint32_t dir, uint32_t *index,
		  char *name, struct fat_dirent *de, uint32_t *first);
/* Entry `index` of `dir` in v->sec: a pointer into it, or NULL at the end
 * of the folder or on an error (through *err). */
struct fat_dirent *fat_entry(struct fat_vol *v, uint32_t dir, uint32_t index,
			     int *err);
/* Writes one entry (32 bytes) at `index` of `dir`. */
int fat_put_entry(struct fat_vol *v, uint32_t dir, uint32_t index,
		  const void *raw);
/* Adds entries for `name` in `dir` pointing at `first`: *l says where. */
int fat_add(struct fat_vol *v, uint32_t dir, const char *name, uint8_t attr,
	    uint32_t first, uint32_t size, struct fat_loc *l);
/* Frees the entries (long ones and the 8.3 one) of what l found. */
int fat_drop(struct fat_vol *v, const struct fat_loc *l);

/* fs/fat_path.c */
extern const struct fs_ops fat_ops;

/* 2000-01-01 00:00, the date every entry written here carries */
#define FAT_DATE_2000 ((20 << 9) | (1 << 5) | 1)

#endif
