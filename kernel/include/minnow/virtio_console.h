/*
 * A second console port for applications over virtio-console (link with
 * "components": ["virtio_console"] in minnow.json; QEMU: virtio-serial-device
 * or virtio-serial-pci plus a virtconsole port). Bytes, no line discipline.
 * Calls return a negative errno on failure: -ENODEV without the device,
 * -ETIMEDOUT, -EIO.
 */
#ifndef MINNOW_VIRTIO_CONSOLE_H
#define MINNOW_VIRTIO_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

/* Writes all len bytes; returns len once the device has taken them. */
int vconsole_write(const void *buf, size_t len);
/* Waits up to timeout_ms (0: forever) for input, then returns what is
 * there, at most len bytes (at least 1). */
int vconsole_read(void *buf, size_t len, uint64_t timeout_ms);

#endif
