# Turns `readelf -SsW` output (section headers, then the symbol table) into
# an assembly file holding the kernel's function symbols, sorted by address,
# for symbolized backtraces (core/ksyms.c).
# Only symbols in executable sections (what nm shows as t, T, w or W): they
# sit before .ksyms in the image, so the second link pass that adds this
# table moves none of them. FILE and SECTION symbols and local labels
# (names starting with ".") are left out.
#
# A section header line: "  [ 1] .text PROGBITS 0000... off size es AX lk inf al";
# a symbol line: "    42: 0000000000100109 101 FUNC LOCAL DEFAULT 1 gdt_set_tss".

BEGIN {
	# n used as a subscript before it is assigned would be "", not 0
	n = 0
}

# section headers: remember the numbers of the executable ones (flag X)
/^ *\[ *[0-9]+\]/ {
	line = $0
	sub(/^ *\[ */, "", line)
	nr = line + 0
	sub(/^[0-9]+\] */, "", line)
	nf = split(line, f, " ")
	# the flags column is the fourth from the end (Flg Lk Inf Al)
	if (nf >= 4 && f[nf - 3] ~ /X/)
		exec[nr] = 1
	next
}

$1 ~ /^[0-9]+:$/ && NF >= 8 && ($4 == "FUNC" || $4 == "NOTYPE") && \
    ($7 in exec) && $8 !~ /^\./ {
	addr[n] = $2 ""
	name[n] = $8 ""
	n++
}

END {
	# sort by address, then by name for a stable table: a shell sort, n
	# is a few hundred. The addresses are fixed-width hex compared as
	# strings (the "" makes them strings: awk would read 00000000001025e3
	# as the number 1025e3)
	for (gap = int(n / 2); gap > 0; gap = int(gap / 2)) {
		for (i = gap; i < n; i++) {
			a = addr[i] ""
			s = name[i] ""
			for (j = i; j >= gap && (addr[j - gap] > a || \
			    (addr[j - gap] == a && name[j - gap] > s)); j -= gap) {
				addr[j] = addr[j - gap]
				name[j] = name[j - gap]
			}
			addr[j] = a
			name[j] = s
		}
	}
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
