# The kernel's optional components: the one table that says what an
# application can link in. kernel/Makefile includes it; target/components.ts
# parses it for the CLI, the adapter and the extension; scripts/build.mjs
# writes its names into schemas/minnow.schema.json's enum (a unit test checks
# that they agree). Adding a component is a block here plus its folder.
#
# Every block is four lines of the form `<name>.<field> := <value>`:
#   srcs   its sources, wildcard patterns relative to kernel/, or starting
#          with $(LWIP_DIR) (lwIP, fetched into the user's cache)
#   needs  components it cannot work without (linked with it, transitively)
#   cflags extra compiler flags for the whole image when it is linked
#   about  one line for people: the schema's description and `minnow check`
# and its name in ALL_COMPONENTS. Everything not listed here (arch, core, lib,
# debug, the UART) is always linked.

ALL_COMPONENTS += virtio
virtio.srcs := drivers/virtio/*.c drivers/pci/*.c
virtio.needs :=
virtio.cflags :=
virtio.about := The virtio transport (MMIO on microvm, PCI on q35); linked with any virtio driver.

ALL_COMPONENTS += virtio_blk
virtio_blk.srcs := drivers/virtio_blk.c drivers/blkdev.c
virtio_blk.needs := virtio
virtio_blk.cflags :=
virtio_blk.about := virtio-blk disk: raw sector reads and writes (needs "disk").

ALL_COMPONENTS += virtio_net
virtio_net.srcs := drivers/virtio_net.c drivers/netdev.c
virtio_net.needs := virtio
virtio_net.cflags :=
virtio_net.about := virtio-net card: raw Ethernet frames (QEMU's user network by default).

ALL_COMPONENTS += virtio_console
virtio_console.srcs := drivers/virtio_console.c
virtio_console.needs := virtio
virtio_console.cflags :=
virtio_console.about := virtio console: a second character device for the application.

ALL_COMPONENTS += fs
fs.srcs := fs/vfs.c fs/vfs_api.c fs/ramfs.c
fs.needs :=
fs.cflags :=
fs.about := Files: open/read/write/stat/mkdir/opendir and fopen over a VFS, with a RAM filesystem at / and /tmp.

ALL_COMPONENTS += 9p
9p.srcs := fs/9p.c fs/9p_rpc.c fs/9p_msg.c drivers/virtio_9p.c
9p.needs := fs virtio
9p.cflags :=
9p.about := A host folder in the guest over virtio-9p (minnow.json "mounts", minnow run -v host:guest).

ALL_COMPONENTS += virtiofs
virtiofs.srcs := fs/virtiofs.c fs/virtiofs_req.c
virtiofs.needs := fs virtio
virtiofs.cflags :=
virtiofs.about := A host folder in the guest over virtio-fs and the host's virtiofsd (minnow.json "mounts" with "type": "virtiofs"; needs root).

ALL_COMPONENTS += fat
fat.srcs := fs/fat.c fs/fat_file.c fs/fat_dir.c fs/fat_path.c fs/fat_cache.c fs/fat_names.c
fat.needs := fs virtio_blk
fat.cflags :=
fat.about := FAT16/FAT32 disk images with long names on virtio-blk (minnow.json "disks"; minnow disk create --fat).

ALL_COMPONENTS += net
net.srcs := net/*.c $(LWIP_DIR)/src/core/*.c $(LWIP_DIR)/src/core/ipv4/*.c $(LWIP_DIR)/src/netif/ethernet.c
net.needs := virtio_net
net.cflags := -I$(KERNEL_DIR)/net -I$(LWIP_DIR)/src/include
net.about := TCP/IP (lwIP 2.1.3, fetched by kernel/tools/fetch-lwip.sh) with BSD sockets: socket, connect, accept, poll, getaddrinfo; DHCP on QEMU's user network.
