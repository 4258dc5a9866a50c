/*
 * The virtio core as drivers see it: a device found on some transport (MMIO
 * on microvm, PCI on q35), the status handshake, feature negotiation, the
 * device configuration space and the interrupt. Transports fill in
 * struct virtio_transport; drivers never look at registers themselves.
 * References are to the virtio 1.2 specification (OASIS, 2022).
 */
#ifndef KERNEL_VIRTIO_H
#define KERNEL_VIRTIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <kernel/spinlock.h>
#include <kernel/waitq.h>

/* Device status bits (2.1) */
#define VIRTIO_STATUS_ACKNOWLEDGE 0x01
#define VIRTIO_STATUS_DRIVER 0x02
#define VIRTIO_STATUS_DRIVER_OK 0x04
#define VIRTIO_STATUS_FEATURES_OK 0x08
#define VIRTIO_STATUS_NEEDS_RESET 0x40
#define VIRTIO_STATUS_FAILED 0x80

/* Reserved feature bits (6), as bit numbers */
#define VIRTIO_F_INDIRECT_DESC 28
#define VIRTIO_F_EVENT_IDX 29
#define VIRTIO_F_VERSION_1 32
#define VIRTIO_F_ACCESS_PLATFORM 33
#define VIRTIO_F_RING_PACKED 34

/* Device types (5) */
#define VIRTIO_ID_NET 1
#define VIRTIO_ID_BLOCK 2
#define VIRTIO_ID_CONSOLE 3

/* ISR status bits (4.1.4.5, 4.2.2 InterruptStatus) */
#define VIRTIO_ISR_QUEUE 0x1
#define VIRTIO_ISR_CONFIG 0x2

#define VIRTIO_MAX_QUEUES 8
#define VIRTIO_NAME_MAX 32

struct virtio_dev;
struct virtq;
struct virtq_buf;

/* What a transport implements; every function is called in thread context
 * except isr_ack, which the interrupt handler calls. */
struct virtio_transport {
	const char *name;
	uint8_t (*get_status)(struct virtio_dev *dev);
	void (*set_status)(struct virtio_dev *dev, uint8_t status);
	/* feature bits 32 at a time: word 0 is bits 0-31, word 1 bits 32-63 */
	uint32_t (*get_features)(struct virtio_dev *dev, unsigned int word);
	void (*set_features)(struct virtio_dev *dev, unsigned int word,
			     uint32_t bits);
	uint32_t (*config_generation)(struct virtio_dev *dev);
	/* the device configuration space, NULL when the device has none */
	volatile uint8_t *(*config)(struct virtio_dev *dev);
	/* largest size of queue `index`, 0 when the queue does not exist */
	unsigned int (*queue_max)(struct virtio_dev *dev, unsigned int index);
	int (*queue_enable)(struct virtio_dev *dev, unsigned int index,
			    unsigned int size, uint64_t desc, uint64_t driver,
			    uint64_t device);
	void (*queue_notify)(struct virtio_dev *dev, unsigned int index);
	/* reads and acknowledges the interrupt status (VIRTIO_ISR_*) */
	uint32_t (*isr_ack)(struct virtio_dev *dev);
};

struct virtio_dev {
	const struct virtio_transport *tr;
	/* "virtio-mmio@0xfeb00e00", "virtio-pci@00:03.0" */
	char name[VIRTIO_NAME_MAX];
	uint32_t device_id;	/* VIRTIO_ID_* */
	unsigned int gsi;	/* IOAPIC input of its interrupt */
	/* PCI: CPU vector of MSI-X table entry 0; 0 means INTx */
	unsigned int msix_vector;
	bool level;		/* level-triggered (INTx, virtio-mmio) */
	bool claimed;		/* a driver owns it */
	uint64_t features;	/* negotiated */
	bool irq_attached;	/* its GSI handler looks at it */
	struct waitq wq;	/* threads waiting for its interrupt */
	/* its queues and the wake-up from its interrupt, whichever CPU
	 * takes it (virtio_lock()) */
	struct spinlock lock;
	unsigned long irq_count;	/* interrupts taken (Kernel view) */
	struct virtio_dev *next;	/* all devices, in discovery order */

	/* transport private state */
	volatile uint8_t *regs;	/* MMIO: register block */
	volatile uint8_t *common;	/* PCI: common configuration */
	volatile uint8_t *isr;	/* PCI: ISR status byte */
	volatile uint8_t *device_cfg;	/* PCI: device configuration */
	volatile uint8_t *notify;	/* PCI: notification area */
	uint32_t notify_mult;	/* PCI: notify_off_multiplier */
	uint16_t notify_off[VIRTIO_MAX_QUEUES];
	unsigned int pci_bdf;
};

/* virtio.c: the list of devices and the handshake */
extern struct virtio_dev *virtio_devices;
void virtio_add(struct virtio_dev *dev);
struct virtio_dev *virtio_find(uint32_t device_id, unsigned int nth);
int virtio_negotiate(struct virtio_dev *dev, uint64_t wanted);
void virtio_driver_ok(struct virtio_dev *dev);
void virtio_fail(struct virtio_dev *dev);
bool virtio_has_feature(const struct virtio_dev *dev, unsigned int bit);
uint32_t virtio_config_read32(struct virtio_dev *dev, unsigned int off);
uint64_t virtio_config_read64(struct virtio_dev *dev, unsigned int off);
uint8_t virtio_config_read8(struct virtio_dev *dev, unsigned int off);
/* Routes the device's interrupt to wake dev->wq, whose name is the wait
 * reason a debugger shows for threads sleeping in virtio_wait(). */
int virtio_irq_attach(struct virtio_dev *dev, const char *wait_name);
/* Delivers the device's interrupt to CPU cpu (its GSI at the IOAPIC, or its
 * MSI-X entry): 0, -ENOENT when it has none attached yet, -EIO. */
int virtio_irq_set_cpu(struct virtio_dev *dev, int cpu);
/* minnow.h's device_irq_cpu() for virtio devices (a weak -ENODEV in
 * core/api.c when virtio is not linked). */
int device_irq_cpu_virtio(const char *device, int cpu);
/*
 * A device's lock: its queues are touched, and its waiters woken, under it.
 * The interrupt may be taken on another CPU than the waiting thread's
 * (device_irq_cpu(), or a thread on CPU 1 using a device set up on CPU 0),
 * so disabling interrupts here is not enough: the wake-up could land
 * between a waiter's check and its sleep.
 *
 *	uint64_t flags = virtio_lock(dev);
 *	reap; while (nothing) { virtio_wait(dev, deadline); reap; }
 *	virtio_unlock(dev, flags);
 */
uint64_t virtio_lock(struct virtio_dev *dev);
void virtio_unlock(struct virtio_dev *dev, uint64_t flags);
/* Sleeps until `dev` interrupts or the clock passes deadline_ns (0: no
 * deadline). Call it holding virtio_lock(dev), right after finding nothing
 * to do: the lock is dropped once the thread waits and taken again before
 * it returns, so an interrupt in between cannot be missed.
 * Returns 0 or -ETIMEDOUT. */
int virtio_wait(struct virtio_dev *dev, uint64_t deadline_ns);
/*
 * One request and its answer on a queue whose every chain goes through
 * here (any number of threads, on any CPUs): adds bufs[0..n) (device-
 * readable ones first), kicks, and sleeps until the device returns that
 * chain, finishing other threads' chains it finds on the way. *sent (may
 * be NULL) counts the chains sent, under the device's lock. Returns the
 * bytes the device wrote, -EIO when the queue broke before the chain came
 * back, or virtq_add()'s -EINVAL.
 */
long virtio_request(struct virtq *vq, const struct virtq_buf *bufs,
		    unsigned int n, unsigned long *sent);
uint64_t virtio_now_ns(void);
void *virtio_dma_alloc(size_t size);
void virtio_dma_free(void *p, size_t size);
/* virtio_log always prints; virtio_log_info only with minnow.verbose */
void virtio_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void virtio_log_info(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* virtio_mmio.c, virtio_pci.c: discovery, called once by virtio_find */
void virtio_mmio_probe(void);
void virtio_pci_probe(void);

#endif
