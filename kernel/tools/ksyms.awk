# Turns `nm -n` output into an assembly file holding the kernel's function
# symbols, sorted by address, for symbolized backtraces (core/ksyms.c).
# Only text symbols: they sit before .ksyms in the image, so the second link
# pass that adds this table moves none of them.
$2 ~ /^[tTwW]$/ && $3 !~ /^\./ {
	addr[n] = $1
	name[n] = $3
	n++
}
END {
	print "\t.section .ksyms, \"a\""
	print "\t.p2align 3"
	print "\t.globl ksyms_count, ksyms_table"
	print "ksyms_count:"
	printf "\t.quad %d\n", n
	print "ksyms_table:"
	for (i = 0; i < n; i++)
		printf "\t.quad 0x%s, .Lksym%d\n", addr[i], i
	for (i = 0; i < n; i++)
		printf ".Lksym%d:\t.asciz \"%s\"\n", i, name[i]
}
