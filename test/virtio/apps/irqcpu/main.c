/*
 * Device interrupts on a chosen CPU, and a device shared by the CPUs.
 * With two CPUs, the disk's interrupt is sent to CPU 1, then back to
 * CPU 0, with device_irq_cpu(); after each move a reader on the other CPU
 * reads 32 sectors, and the CPUs' counts of device interrupts
 * (percpu_cpus[].irqs) must rise on the chosen CPU only. Then a reader on
 * each CPU works at once. A wake-up taken on one CPU for a reader asleep on
 * the other must never be lost (virtio_lock()). Over virtio-mmio (an IOAPIC
 * pin) and virtio-pci (MSI-X or INTx) alike.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <minnow.h>
#include <minnow/virtio_blk.h>
#include <kernel/percpu.h>

#define READS 32
#define BOTH_READS 256

static int failures;

static void check(bool ok, const char *name, const char *why)
{
	if (ok)
		printf("PASS %s\n", name);
	else
		printf("FAIL %s: %s\n", name, why);
	failures += !ok;
}

struct reader {
	int reads;	/* how many to do */
	int done;	/* how many succeeded */
	unsigned char buf[BLK_SECTOR_SIZE];
};

static int reader(void *arg)
{
	struct reader *r = arg;

	for (r->done = 0; r->done < r->reads; r->done++) {
		if (blk_read((uint64_t)(r->done % 64), r->buf, 1))
			return 1;
	}
	return 0;
}

/* Routes the disk to `cpu`, reads on the other CPU, and says where the
 * interrupts went. */
static void route_and_read(int cpu, const char *name)
{
	uint64_t before[2] = { percpu_cpus[0].irqs, percpu_cpus[1].irqs };
	static struct reader r;
	uint64_t got[2];
	int err = device_irq_cpu("virtio-blk", cpu);
	struct thread *t;

	r.reads = READS;
	r.done = 0;
	t = err ? NULL : thread_create_on(1 - cpu, "reader", reader, &r);
	if (t)
		thread_join(t);
	got[0] = percpu_cpus[0].irqs - before[0];
	got[1] = percpu_cpus[1].irqs - before[1];
	printf("%s: %d reads on CPU %d, device interrupts on CPU 0: %llu, CPU 1: %llu\n",
	       name, r.done, 1 - cpu, (unsigned long long)got[0],
	       (unsigned long long)got[1]);
	check(err == 0 && r.done == READS, name,
	      "the routing or a read failed");
	check(got[cpu] > 0 && got[1 - cpu] == 0, name,
	      "the interrupts did not all arrive on the chosen CPU");
}

/* A reader on each CPU at once: one queue, two CPUs adding and reaping. */
static void both_read(void)
{
	static struct reader r[2];
	struct thread *t[2];
	int c, ok = 1;

	for (c = 0; c < 2; c++) {
		r[c].reads = BOTH_READS;
		t[c] = thread_create_on(c, "reader", reader, &r[c]);
	}
	for (c = 0; c < 2; c++)
		ok &= t[c] && thread_join(t[c]) == 0 && r[c].done == BOTH_READS;
	printf("both CPUs: %d and %d reads\n", r[0].done, r[1].done);
	check(ok, "both CPUs at once", "a reader failed or stopped short");
}

int main(void)
{
	static unsigned char first[BLK_SECTOR_SIZE];

	if (cpu_count() != 2) {
		printf("irqcpu: needs 2 CPUs, has %d\n", cpu_count());
		return 2;
	}
	/* the driver takes its interrupt once it sends a request */
	if (blk_read(0, first, 1)) {
		printf("irqcpu: the first read failed\n");
		return 2;
	}
	route_and_read(1, "to CPU 1");
	route_and_read(0, "back to CPU 0");
	device_irq_cpu("virtio-blk", 1);
	both_read();
	check(device_irq_cpu("virtio-net", 1) == -ENODEV, "no such device",
	      "routing a device that is not there did not say ENODEV");
	check(device_irq_cpu("virtio-blk", 2) == -EINVAL, "no such CPU",
	      "routing to a CPU that is not there did not say EINVAL");
	return failures ? 1 : 0;
}
