/*
 * Splits the PVH command line into kernel options and main's argv. The words
 * live in one static buffer (the line is at most BOOT_CMDLINE_MAX bytes), so
 * argv stays valid for the whole run and costs no heap.
 */
#include <stdbool.h>
#include <string.h>
#include <kernel/boot.h>
#include <kernel/cmdline.h>

#define CMDLINE_OPTION_PREFIX "minnow."
#define CMDLINE_OPTIONS_MAX 16
/* QEMU microvm (acpi=off) appends "virtio_mmio.device=512@0xfeb00e00:12"
 * words for Linux; they are not the application's arguments */
#define CMDLINE_FOREIGN_PREFIX "virtio_mmio."

static char cmdline_buf[BOOT_CMDLINE_MAX];
static char *cmdline_args[CMDLINE_ARGS_MAX + 1];
static int cmdline_nargs = 1;
static char *cmdline_opts[CMDLINE_OPTIONS_MAX];
static int cmdline_nopts;
static char cmdline_default_name[] = "app";

/* Cuts the next word out of *pp in place; returns NULL at the end. */
static char *cmdline_word(char **pp)
{
	char *p = *pp, *start, *out;
	bool quoted = false;

	while (*p == ' ' || *p == '\t' || *p == '\n')
		p++;
	if (!*p)
		return NULL;
	start = out = p;
	for (; *p; p++) {
		if (*p == '"') {
			quoted = !quoted;
			continue;
		}
		if (!quoted && (*p == ' ' || *p == '\t' || *p == '\n'))
			break;
		*out++ = *p;
	}
	if (*p)
		p++;
	*out = '\0';
	*pp = p;
	return start;
}

void cmdline_parse(const char *cmdline)
{
	size_t plen = strlen(CMDLINE_OPTION_PREFIX);
	char *p = cmdline_buf, *w;

	strlcpy(cmdline_buf, cmdline, sizeof(cmdline_buf));
	cmdline_args[0] = cmdline_default_name;
	while ((w = cmdline_word(&p))) {
		if (strncmp(w, CMDLINE_OPTION_PREFIX, plen) == 0) {
			if (cmdline_nopts < CMDLINE_OPTIONS_MAX)
				cmdline_opts[cmdline_nopts++] = w + plen;
			continue;
		}
		if (strncmp(w, CMDLINE_FOREIGN_PREFIX,
			    strlen(CMDLINE_FOREIGN_PREFIX)) == 0)
			continue;
		if (cmdline_nargs < CMDLINE_ARGS_MAX)
			cmdline_args[cmdline_nargs++] = w;
	}
	cmdline_args[cmdline_nargs] = NULL;
	if (cmdline_option("name") && *cmdline_option("name"))
		cmdline_args[0] = (char *)cmdline_option("name");
}

const char *cmdline_option(const char *key)
{
	size_t klen = strlen(key);

	for (int i = 0; i < cmdline_nopts; i++) {
		const char *o = cmdline_opts[i];

		if (strncmp(o, key, klen) != 0)
			continue;
		if (o[klen] == '=')
			return o + klen + 1;
		if (o[klen] == '\0')
			return o + klen;
	}
	return NULL;
}

int cmdline_argc(void)
{
	return cmdline_nargs;
}

char **cmdline_argv(void)
{
	return cmdline_args;
}
