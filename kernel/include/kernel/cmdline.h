/*
 * The kernel command line: words starting with "minnow." are kernel
 * options (minnow.name=<app>, minnow.verbose, minnow.gdb=wait|off), the
 * rest are argv[1..] for main. Double quotes group words with spaces.
 */
#ifndef KERNEL_CMDLINE_H
#define KERNEL_CMDLINE_H

#define CMDLINE_ARGS_MAX 32

/* core/cmdline.c */
void cmdline_parse(const char *cmdline);
/* "minnow.gdb=wait" -> cmdline_option("gdb") == "wait"; a bare
 * "minnow.verbose" gives ""; an absent option gives NULL. */
const char *cmdline_option(const char *key);
int cmdline_argc(void);
char **cmdline_argv(void);

#endif
