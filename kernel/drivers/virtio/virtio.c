/*
 * The virtio core: the list of devices the transports found, the device
 * initialisation sequence (3.1.1), feature negotiation (2.2), reading the
 * device configuration space safely (2.5.1, config generation) and one
 * interrupt handler per IOAPIC input, shared by every virtio device routed
 * to it (PCI INTx lines are shared by several slots).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <kernel/cpu.h>
#include <kernel/ioapic.h>
#include <kernel/log.h>
#include <kernel/page.h>
#include <kernel/pci.h>
#include <kernel/percpu.h>
#include <kernel/time.h>
#include <kernel/trap.h>
#include <kernel/virtio.h>
#include <kernel/virtq.h>
#include <kernel/waitq.h>

struct virtio_dev *virtio_devices;
static struct virtio_dev **virtio_tail = &virtio_devices;
static bool virtio_probed;

/* IOAPIC inputs that already have our handler (GSIs are < 256) */
static uint8_t virtio_gsi_registered[256 / 8];

void virtio_add(struct virtio_dev *dev)
{
	dev->next = NULL;
	spin_init(&dev->lock, "virtio device");
	*virtio_tail = dev;
	virtio_tail = &dev->next;
}

/*
 * The `nth` (from 0) unclaimed device of type `device_id`, or NULL. The first
 * call probes both transports: a machine has either virtio-mmio slots or a
 * PCI bus with virtio functions, and looking costs little either way.
 */
struct virtio_dev *virtio_find(uint32_t device_id, unsigned int nth)
{
	struct virtio_dev *dev;

	if (!virtio_probed) {
		virtio_probed = true;
		virtio_mmio_probe();
		virtio_pci_probe();
	}
	for (dev = virtio_devices; dev; dev = dev->next) {
		if (dev->device_id != device_id || dev->claimed)
			continue;
		if (nth-- == 0)
			return dev;
	}
	return NULL;
}

bool virtio_has_feature(const struct virtio_dev *dev, unsigned int bit)
{
	return (dev->features >> bit) & 1;
}

static void virtio_reset(struct virtio_dev *dev)
{
	unsigned int spins;

	dev->tr->set_status(dev, 0);
	/* PCI: the reset is complete when status reads back 0 (4.1.4.3.2) */
	for (spins = 0; spins < 1000000; spins++) {
		if (dev->tr->get_status(dev) == 0)
			return;
		__asm__ volatile("pause");
	}
	virtio_log("%s: reset did not complete\n", dev->name);
}

/* The 64 feature bits, low word first (2.2) */
static uint64_t virtio_get_features(struct virtio_dev *dev)
{
	uint64_t lo = dev->tr->get_features(dev, 0);
	uint64_t hi = dev->tr->get_features(dev, 1);

	return (hi << 32) | lo;
}

static void virtio_set_features(struct virtio_dev *dev, uint64_t features)
{
	dev->tr->set_features(dev, 0, (uint32_t)features);
	dev->tr->set_features(dev, 1, (uint32_t)(features >> 32));
}

/*
 * Steps 1-6 of the initialisation sequence (3.1.1): reset, ACKNOWLEDGE,
 * DRIVER, accept the intersection of what the device offers with `wanted`
 * (plus VERSION_1, which we require: no legacy interface), FEATURES_OK and
 * check that the device kept it. The driver then sets up its queues and
 * calls virtio_driver_ok(). Returns 0 or -ENODEV (the device was failed).
 */
int virtio_negotiate(struct virtio_dev *dev, uint64_t wanted)
{
	uint64_t offered, accepted;
	uint8_t status;

	virtio_reset(dev);
	status = VIRTIO_STATUS_ACKNOWLEDGE;
	dev->tr->set_status(dev, status);
	status |= VIRTIO_STATUS_DRIVER;
	dev->tr->set_status(dev, status);

	offered = virtio_get_features(dev);
	if (!(offered & (1ull << VIRTIO_F_VERSION_1))) {
		virtio_log("%s: device does not offer VIRTIO_F_VERSION_1 (legacy only); not supported\n",
			   dev->name);
		goto err_fail;
	}
	accepted = offered & (wanted | (1ull << VIRTIO_F_VERSION_1));
	virtio_set_features(dev, accepted);
	status |= VIRTIO_STATUS_FEATURES_OK;
	dev->tr->set_status(dev, status);
	if (!(dev->tr->get_status(dev) & VIRTIO_STATUS_FEATURES_OK)) {
		virtio_log("%s: device refused features %#llx\n", dev->name,
			   (unsigned long long)accepted);
		goto err_fail;
	}
	dev->features = accepted;
	return 0;

err_fail:
	virtio_fail(dev);
	return -ENODEV;
}

void virtio_driver_ok(struct virtio_dev *dev)
{
	dev->tr->set_status(dev, dev->tr->get_status(dev) |
				 VIRTIO_STATUS_DRIVER_OK);
	dev->claimed = true;
}

/* The driver gives up: say so (FAILED), then reset so the device stops
 * touching our memory. */
void virtio_fail(struct virtio_dev *dev)
{
	dev->tr->set_status(dev, dev->tr->get_status(dev) |
				 VIRTIO_STATUS_FAILED);
	virtio_reset(dev);
}

/* One access of `width` bytes (1, 2 or 4) at `off` in the device
 * configuration space; 0 when the device has none. */
static uint32_t virtio_config_read(struct virtio_dev *dev, unsigned int off,
				   unsigned int width)
{
	volatile uint8_t *p = dev->tr->config(dev);

	if (!p)
		return 0;
	p += off;
	switch (width) {
	case 1:
		return *p;
	case 2:
		return *(volatile uint16_t *)p;
	default:
		return *(volatile uint32_t *)p;
	}
}

/*
 * Configuration fields wider than 32 bits, or read in several accesses, can
 * tear when the device changes them meanwhile: retry until the generation
 * counter is stable (2.5.1, 4.2.2.2).
 */
uint64_t virtio_config_read64(struct virtio_dev *dev, unsigned int off)
{
	uint32_t gen, lo, hi;
	unsigned int tries = 0;

	do {
		gen = dev->tr->config_generation(dev);
		lo = virtio_config_read(dev, off, 4);
		hi = virtio_config_read(dev, off + 4, 4);
	} while (gen != dev->tr->config_generation(dev) && ++tries < 100);
	return ((uint64_t)hi << 32) | lo;
}

uint32_t virtio_config_read32(struct virtio_dev *dev, unsigned int off)
{
	return virtio_config_read(dev, off, 4);
}

uint8_t virtio_config_read8(struct virtio_dev *dev, unsigned int off)
{
	return (uint8_t)virtio_config_read(dev, off, 1);
}

/*
 * One handler per GSI: ask every virtio device on that line whether it
 * interrupted (reading the ISR acknowledges it and lowers the line before
 * the EOI), and wake the threads waiting for it. The rings are left alone:
 * the woken threads collect their buffers themselves.
 */
static void virtio_irq(struct trap_frame *f, void *arg)
{
	unsigned int gsi = (unsigned int)(uintptr_t)arg;
	struct virtio_dev *dev;

	(void)f;
	for (dev = virtio_devices; dev; dev = dev->next) {
		if (dev->gsi != gsi || !dev->irq_attached)
			continue;
		if (!dev->tr->isr_ack(dev))
			continue;
		spin_lock(&dev->lock);
		dev->irq_count++;
		waitq_wake_all(&dev->wq);
		spin_unlock(&dev->lock);
	}
}

/* MSI-X: the vector is the device's own, and the ISR must not be read
 * (4.1.4.5.1): there is nothing to acknowledge, only threads to wake. */
static void virtio_msix_irq(struct trap_frame *f, void *arg)
{
	struct virtio_dev *dev = arg;

	(void)f;
	spin_lock(&dev->lock);
	dev->irq_count++;
	waitq_wake_all(&dev->wq);
	spin_unlock(&dev->lock);
}

int virtio_irq_attach(struct virtio_dev *dev, const char *wait_name)
{
	unsigned int gsi = dev->gsi;
	int err;

	waitq_init(&dev->wq, wait_name);
	if (dev->msix_vector) {
		trap_set_handler(dev->msix_vector, virtio_msix_irq, dev);
		/* an interrupt source exists: the idle loop's deadlock check */
		irq_registered++;
		virtio_log_info("%s: MSI-X, vector %#x\n", dev->name,
				dev->msix_vector);
		return 0;
	}
	virtio_log_info("%s: %s interrupt, GSI %u\n", dev->name,
			dev->level ? "level" : "edge", gsi);
	if (gsi >= 256)
		return -EINVAL;
	dev->irq_attached = true;
	if (virtio_gsi_registered[gsi / 8] & (1u << (gsi % 8)))
		return 0;
	err = irq_register(gsi, dev->level, virtio_irq, (void *)(uintptr_t)gsi);
	if (err) {
		virtio_log("%s: cannot route GSI %u: error %d\n", dev->name,
			   gsi, err);
		dev->irq_attached = false;
		return err;
	}
	virtio_gsi_registered[gsi / 8] |= (uint8_t)(1u << (gsi % 8));
	return 0;
}

int virtio_irq_set_cpu(struct virtio_dev *dev, int cpu)
{
	if (dev->msix_vector)
		return pci_msix_enable(dev->pci_bdf, (uint8_t)dev->msix_vector,
				       percpu_of(cpu)->apic_id) ? 0 : -EIO;
	if (!dev->irq_attached)
		return -ENOENT;
	return irq_set_cpu(dev->gsi, cpu);
}

/* The kinds device_irq_cpu() knows a device by, as the Kernel view names
 * them (virtio 1.2, 5: device ids). */
static const struct {
	uint32_t id;
	const char *kind;
} virtio_kinds[] = {
	{ 1, "virtio-net" }, { 2, "virtio-blk" }, { 3, "virtio-console" },
	{ 9, "virtio-9p" }, { 26, "virtio-fs" },
};

static bool virtio_is(const struct virtio_dev *dev, const char *device)
{
	size_t i;

	if (strcmp(dev->name, device) == 0)
		return true;
	for (i = 0; i < sizeof(virtio_kinds) / sizeof(virtio_kinds[0]); i++) {
		if (virtio_kinds[i].id == dev->device_id)
			return strcmp(virtio_kinds[i].kind, device) == 0;
	}
	return false;
}

/* core/api.c's device_irq_cpu() for virtio devices: the first device a
 * driver owns whose kind ("virtio-net") or name ("virtio-mmio@0x...")
 * this is. Overrides the weak default of kernels without virtio. */
int device_irq_cpu_virtio(const char *device, int cpu)
{
	struct virtio_dev *dev;

	for (dev = virtio_devices; dev; dev = dev->next) {
		if (dev->claimed && virtio_is(dev, device))
			return virtio_irq_set_cpu(dev, cpu);
	}
	return -ENODEV;
}

/*
 * Memory the devices can reach: kernel addresses are guest-physical
 * (identity mapping), so any page is DMA memory; rings need 16-byte
 * alignment at most (2.7), pages give 4096. Pages come zeroed.
 */
void *virtio_dma_alloc(size_t size)
{
	return page_alloc(PAGE_ROUND_UP(size) / PAGE_SIZE);
}

void virtio_dma_free(void *p, size_t size)
{
	if (p)
		page_free(p, PAGE_ROUND_UP(size) / PAGE_SIZE);
}

/* Unlike kernel_info(), the callers end their lines themselves */
static void virtio_vlog(const char *fmt, va_list ap)
{
	kernel_printf("minnow: ");
	kernel_vprintf(fmt, ap);
}

void virtio_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	virtio_vlog(fmt, ap);
	va_end(ap);
}

void virtio_log_info(const char *fmt, ...)
{
	va_list ap;

	if (!kernel_verbose)
		return;
	va_start(ap, fmt);
	virtio_vlog(fmt, ap);
	va_end(ap);
}

uint64_t virtio_now_ns(void)
{
	return time_now_ns();
}

uint64_t virtio_lock(struct virtio_dev *dev)
{
	return spin_lock_irqsave(&dev->lock);
}

void virtio_unlock(struct virtio_dev *dev, uint64_t flags)
{
	spin_unlock_irqrestore(&dev->lock, flags);
}

int virtio_wait(struct virtio_dev *dev, uint64_t deadline_ns)
{
	return waitq_wait_locked(&dev->wq, &dev->lock, deadline_ns);
}

/* The token of a chain whose thread sleeps in virtio_request(). */
struct virtio_request_wait {
	volatile bool done;
	uint32_t len;
};

/* Finishes every chain the device has returned; under virtio_lock(). */
static void virtio_request_reap(struct virtq *vq)
{
	struct virtio_request_wait *w;
	uint32_t len;
	void *token;
	int ret;

	while ((ret = virtq_collect(vq, &token, &len)) > 0) {
		w = token;
		w->len = len;
		w->done = true;
	}
	/* a queue that broke finishes nothing more: every waiter would sleep
	 * for good, so all of them wake to return -EIO */
	if (ret < 0)
		waitq_wake_all(&vq->dev->wq);
}

long virtio_request(struct virtq *vq, const struct virtq_buf *bufs,
		    unsigned int n, unsigned long *sent)
{
	struct virtio_request_wait w = { .done = false, .len = 0 };
	struct virtio_dev *dev = vq->dev;
	uint64_t flags = virtio_lock(dev);
	int err;

	while ((err = virtq_add(vq, bufs, n, &w)) == -ENOSPC) {
		/* queue full: wait for someone's chain to come back */
		virtio_request_reap(vq);
		if (virtq_free_count(vq) < n && !vq->broken)
			virtio_wait(dev, 0);
	}
	if (err) {
		virtio_unlock(dev, flags);
		return err;
	}
	if (sent)
		(*sent)++;
	virtq_kick(vq);
	/* the chain is reaped by whichever waiter looks first: sleep until
	 * ours is done, checked under the lock the interrupt's wake-up takes */
	while (!w.done && !vq->broken) {
		virtio_request_reap(vq);
		if (!w.done && !vq->broken)
			virtio_wait(dev, 0);
	}
	virtio_unlock(dev, flags);
	/* one wake-up may have been meant for another waiter whose chain we
	 * reaped: pass it on */
	waitq_wake_all(&dev->wq);
	return w.done ? (long)w.len : -EIO;
}
