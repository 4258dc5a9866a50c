/*
 * Thin wrappers that give applications (minnow.h) friendlier units and
 * names than the kernel's own interfaces.
 */
#include <errno.h>
#include <minnow.h>
#include <string.h>
#include <kernel/console.h>
#include <kernel/percpu.h>
#include <kernel/thread.h>
#include <kernel/time.h>
#include <kernel/virtio.h>

void sleep_ns(uint64_t ns)
{
	thread_sleep_ns(ns);
}

void sleep_us(uint64_t us)
{
	thread_sleep_ns(us * NSEC_PER_USEC);
}

void sleep_ms(uint64_t ms)
{
	thread_sleep_ns(ms * NSEC_PER_MSEC);
}

uint64_t time_ns(void)
{
	return time_now_ns();
}

uint64_t time_us(void)
{
	return time_now_ns() / NSEC_PER_USEC;
}

uint64_t time_ms(void)
{
	return time_now_ns() / NSEC_PER_MSEC;
}

const char *thread_name(const struct thread *t)
{
	return t->name;
}

int thread_id(const struct thread *t)
{
	return t->id;
}

int thread_cpu(const struct thread *t)
{
	return t->cpu;
}

int cpu_count(void)
{
	return percpu_count;
}

int cpu_current(void)
{
	return this_cpu()->id;
}

/* drivers/virtio/virtio.c overrides this when virtio is linked. */
__attribute__((weak)) int device_irq_cpu_virtio(const char *device, int cpu)
{
	(void)device;
	(void)cpu;
	return -ENODEV;
}

int device_irq_cpu(const char *device, int cpu)
{
	if (!device)
		return -EINVAL;
	if (cpu < 0 || cpu >= percpu_count || !percpu_of(cpu)->online)
		return -EINVAL;
	if (strcmp(device, "console") == 0)
		return console_irq_cpu(cpu);
	return device_irq_cpu_virtio(device, cpu);
}
