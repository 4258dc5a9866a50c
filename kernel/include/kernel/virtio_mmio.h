/*
 * The virtio-mmio transport's registers (virtio 1.2, 4.2.2) and QEMU
 * microvm's window of MMIO slots: shared by the virtio core's transport
 * (drivers/virtio/virtio_mmio.c) and the gdbstub's own console driver
 * (debug/gdb_virtio.c). Definitions only.
 */
#ifndef KERNEL_VIRTIO_MMIO_H
#define KERNEL_VIRTIO_MMIO_H

#define VIRTIO_MMIO_BASE 0xfeb00000ul
#define VIRTIO_MMIO_SLOT 0x200ul
/* microvm has 8 slots, or 24 with its second IOAPIC */
#define VIRTIO_MMIO_SLOTS 24
/* microvm with acpi=off (the run contract) and Firecracker wire slot i to
 * IOAPIC input 5 + i (QEMU hw/i386/microvm.c, virtio_irq_base) */
#define VIRTIO_MMIO_GSI_BASE 5

/* Register offsets (4.2.2, table "MMIO Device Register Layout") */
#define VIRTIO_MMIO_MAGIC 0x000
#define VIRTIO_MMIO_VERSION 0x004
#define VIRTIO_MMIO_DEVICE_ID 0x008
#define VIRTIO_MMIO_VENDOR_ID 0x00c
#define VIRTIO_MMIO_DEVICE_FEATURES 0x010
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL 0x014
#define VIRTIO_MMIO_DRIVER_FEATURES 0x020
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL 0x024
#define VIRTIO_MMIO_QUEUE_SEL 0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX 0x034
#define VIRTIO_MMIO_QUEUE_NUM 0x038
#define VIRTIO_MMIO_QUEUE_READY 0x044
#define VIRTIO_MMIO_QUEUE_NOTIFY 0x050
#define VIRTIO_MMIO_INTERRUPT_STATUS 0x060
#define VIRTIO_MMIO_INTERRUPT_ACK 0x064
#define VIRTIO_MMIO_STATUS 0x070
#define VIRTIO_MMIO_QUEUE_DESC_LOW 0x080
#define VIRTIO_MMIO_QUEUE_DESC_HIGH 0x084
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW 0x090
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH 0x094
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW 0x0a0
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH 0x0a4
#define VIRTIO_MMIO_CONFIG_GENERATION 0x0fc
#define VIRTIO_MMIO_CONFIG 0x100

#define VIRTIO_MMIO_MAGIC_VALUE 0x74726976	/* "virt" */

#endif
