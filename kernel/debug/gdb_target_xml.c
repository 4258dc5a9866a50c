/*
 * The target description gdb reads with qXfer:features:read:target.xml.
 * gdb's amd64 code insists on the feature names and register names below
 * (org.gnu.gdb.i386.core and .sse; .segments for fs_base/gs_base) and
 * numbers the registers in document order: enum gdb_reg in gdb.h must
 * follow this order exactly. The .linux feature (orig_rax) is left out on
 * purpose: this is not a Linux process and it has no system calls.
 * Reference: GDB manual, G.5 "Standard Target Features", "i386 Features".
 */
#include "gdb.h"

#define REG64(n, type) "<reg name=\"" n "\" bitsize=\"64\" type=\"" type "\"/>"
#define REG32(n, type) "<reg name=\"" n "\" bitsize=\"32\" type=\"" type "\"/>"
#define ST(n) "<reg name=\"st" n "\" bitsize=\"80\" type=\"i387_ext\"/>"
#define FPU(n) "<reg name=\"" n "\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
#define XMM(n) "<reg name=\"xmm" n "\" bitsize=\"128\" type=\"vec128\"/>"

const char gdb_target_xml[] =
	"<?xml version=\"1.0\"?>"
	"<!DOCTYPE target SYSTEM \"gdb-target.dtd\">"
	"<target version=\"1.0\">"
	"<architecture>i386:x86-64</architecture>"
	"<feature name=\"org.gnu.gdb.i386.core\">"
	"<flags id=\"i386_eflags\" size=\"4\">"
	"<field name=\"CF\" start=\"0\" end=\"0\"/>"
	"<field name=\"\" start=\"1\" end=\"1\"/>"
	"<field name=\"PF\" start=\"2\" end=\"2\"/>"
	"<field name=\"AF\" start=\"4\" end=\"4\"/>"
	"<field name=\"ZF\" start=\"6\" end=\"6\"/>"
	"<field name=\"SF\" start=\"7\" end=\"7\"/>"
	"<field name=\"TF\" start=\"8\" end=\"8\"/>"
	"<field name=\"IF\" start=\"9\" end=\"9\"/>"
	"<field name=\"DF\" start=\"10\" end=\"10\"/>"
	"<field name=\"OF\" start=\"11\" end=\"11\"/>"
	"<field name=\"NT\" start=\"14\" end=\"14\"/>"
	"<field name=\"RF\" start=\"16\" end=\"16\"/>"
	"<field name=\"VM\" start=\"17\" end=\"17\"/>"
	"<field name=\"AC\" start=\"18\" end=\"18\"/>"
	"<field name=\"VIF\" start=\"19\" end=\"19\"/>"
	"<field name=\"VIP\" start=\"20\" end=\"20\"/>"
	"<field name=\"ID\" start=\"21\" end=\"21\"/>"
	"</flags>"
	REG64("rax", "int64") REG64("rbx", "int64")
	REG64("rcx", "int64") REG64("rdx", "int64")
	REG64("rsi", "int64") REG64("rdi", "int64")
	REG64("rbp", "data_ptr") REG64("rsp", "data_ptr")
	REG64("r8", "int64") REG64("r9", "int64")
	REG64("r10", "int64") REG64("r11", "int64")
	REG64("r12", "int64") REG64("r13", "int64")
	REG64("r14", "int64") REG64("r15", "int64")
	REG64("rip", "code_ptr") REG32("eflags", "i386_eflags")
	REG32("cs", "int32") REG32("ss", "int32")
	REG32("ds", "int32") REG32("es", "int32")
	REG32("fs", "int32") REG32("gs", "int32")
	ST("0") ST("1") ST("2") ST("3") ST("4") ST("5") ST("6") ST("7")
	FPU("fctrl") FPU("fstat") FPU("ftag") FPU("fiseg")
	FPU("fioff") FPU("foseg") FPU("fooff") FPU("fop")
	"</feature>"
	"<feature name=\"org.gnu.gdb.i386.sse\">"
	"<vector id=\"v4f\" type=\"ieee_single\" count=\"4\"/>"
	"<vector id=\"v2d\" type=\"ieee_double\" count=\"2\"/>"
	"<vector id=\"v16i8\" type=\"int8\" count=\"16\"/>"
	"<vector id=\"v8i16\" type=\"int16\" count=\"8\"/>"
	"<vector id=\"v4i32\" type=\"int32\" count=\"4\"/>"
	"<vector id=\"v2i64\" type=\"int64\" count=\"2\"/>"
	"<union id=\"vec128\">"
	"<field name=\"v4_float\" type=\"v4f\"/>"
	"<field name=\"v2_double\" type=\"v2d\"/>"
	"<field name=\"v16_int8\" type=\"v16i8\"/>"
	"<field name=\"v8_int16\" type=\"v8i16\"/>"
	"<field name=\"v4_int32\" type=\"v4i32\"/>"
	"<field name=\"v2_int64\" type=\"v2i64\"/>"
	"<field name=\"uint128\" type=\"uint128\"/>"
	"</union>"
	XMM("0") XMM("1") XMM("2") XMM("3") XMM("4") XMM("5") XMM("6")
	XMM("7") XMM("8") XMM("9") XMM("10") XMM("11") XMM("12") XMM("13")
	XMM("14") XMM("15")
	"<reg name=\"mxcsr\" bitsize=\"32\" type=\"int\" group=\"vector\"/>"
	"</feature>"
	"<feature name=\"org.gnu.gdb.i386.segments\">"
	REG64("fs_base", "int") REG64("gs_base", "int")
	"</feature>"
	"</target>";

const size_t gdb_target_xml_len = sizeof(gdb_target_xml) - 1;
