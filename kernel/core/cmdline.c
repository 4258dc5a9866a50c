/*
 * Splits the PVH command line into kernel options and main's argv. The words
 * live in one static buffer (the line is at most BOOT_CMDLINE_MAX bytes), so
 * argv stays valid for the whole run and costs no heap.
 */
#include <stdbool.h>
#include <stddef.h>
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
static const char *cmdline_opts[CMDLINE_OPTIONS_MAX];
static int cmdline_nopts;
static char cmdline_default_name[] = "app";

/* The rest of w after `prefix`, or NULL when w does not start with it. */
static const char *cmdline_after(const char *w, const char *prefix)
{
	while (*prefix && *w == *prefix) {
		w++;
		prefix++;
	}
	return *prefix ? NULL : w;
}

static void cmdline_add(char *w)
{
	const char *opt = cmdline_after(w, CMDLINE_OPTION_PREFIX);

	if (opt) {
		if (cmdline_nopts < CMDLINE_OPTIONS_MAX)
			cmdline_opts[cmdline_nopts++] = opt;
	} else if (!cmdline_after(w, CMDLINE_FOREIGN_PREFIX) &&
		   cmdline_nargs < CMDLINE_ARGS_MAX) {
		cmdline_args[cmdline_nargs++] = w;
	}
}

/*
 * One pass over the line, copying each word into cmdline_buf without its
 * quotes. It runs before main, where under TCG every distinct block of
 * code costs its translation (core/init.c), hence the few branches: any
 * control character separates words like a space does.
 */
void cmdline_parse(const char *line)
{
	char *out = cmdline_buf, *word = NULL;
	const char *name;
	bool quoted = false;

	cmdline_args[0] = cmdline_default_name;
	for (const char *p = line;; p++) {
		char c = *p;

		if (c != '\0' && (quoted || (unsigned char)c > ' ')) {
			if (!word)
				word = out;
			if (c == '"')
				quoted = !quoted;
			else
				*out++ = c;
			continue;
		}
		if (word) {
			*out++ = '\0';
			cmdline_add(word);
			word = NULL;
		}
		if (c == '\0')
			break;
	}
	cmdline_args[cmdline_nargs] = NULL;
	name = cmdline_option("name");
	if (name && *name)
		cmdline_args[0] = (char *)name;
}

const char *cmdline_option(const char *key)
{
	for (int i = 0; i < cmdline_nopts; i++) {
		const char *rest = cmdline_after(cmdline_opts[i], key);

		if (rest && *rest == '=')
			return rest + 1;
		if (rest && *rest == '\0')
			return rest;
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
