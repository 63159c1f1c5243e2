/* SPDX-License-Identifier: Apache-2.0 */
/*
 * net_filter_gen.c - a build tool, not part of the agent: compiles the net
 * collector's BPF filter (net_filter_text()) with libpcap for every link
 * type the decoder reads, and prints the programs as a C header that
 * net_filter.c includes (the Makefile passes its path as
 * NET_FILTER_PREBUILT).
 *
 * Why: libpcap's optimizer spends ~30 ms of CPU on the Ethernet filter
 * (three copies of the expression, under zero, one and two VLAN tags),
 * which is as long as farmhound --pcap takes to read a 30 MB capture.  A
 * --pcap run would pay it on every start; compiled here once, the run
 * copies the program instead (net_filter_offline()).  Each program is
 * stored with the text it was compiled from, so a stale header is never
 * used: net_filter.c compares the text before taking it.
 *
 * Compiled with optimization on a savefile handle (an empty capture in
 * memory) of each byte order, as --pcap would compile on its file: libpcap
 * generates other code for savefiles than for live or dead handles (every
 * BSD AF_INET6 value on DLT_NULL/DLT_LOOP; DLT_NULL's address family in
 * the file's byte order; no kernel VLAN handling).  Where the two byte
 * orders give the same program (all but DLT_NULL) one entry serves both.
 * The snapshot length in the accepting `ret` is the only other input;
 * net_filter_offline() sets it to the file's.  A link type libpcap cannot
 * compile the filter for is left out (--pcap compiles it at run time, and
 * says why if it cannot).
 *
 * Each program is also printed as a C function, one statement per BPF
 * instruction, which --pcap runs instead of libpcap's interpreter (that
 * interpreter was 38% of --pcap's user-space instructions on a real mix:
 * every packet of a capture file goes through the 731-instruction
 * Ethernet program).  The translation follows libpcap 1.10's
 * pcap_filter_with_aux_data() (the-tcpdump-group/libpcap@95691eb,
 * libpcap-1.10.3, bpf_filter.c) instruction by instruction:
 * the same bounds checks (a load past the captured bytes rejects the
 * packet), division by zero rejects, shifts by 32 or more give 0.  An
 * instruction it does not know (or a Linux ancillary-data load, which a
 * savefile program never has) leaves that link type without a function:
 * --pcap then runs the program in libpcap.  tests/unit/
 * test_net_filter_prebuilt.c checks each function against libpcap on
 * every frame it builds.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "collectors/net/net_decode.h"
#include "collectors/net/net_filter.h"

/* The link types net_decode() reads (net_decode.h). */
static const int gen_dlts[] = { NET_DLT_EN10MB, NET_DLT_LINUX_SLL, NET_DLT_LINUX_SLL2,
				NET_DLT_RAW,	NET_DLT_RAW_OPENBSD, NET_DLT_IPV4,
				NET_DLT_IPV6,	NET_DLT_NULL,	     NET_DLT_LOOP };

/* The filter text as a C string literal, one source line per 96 bytes. */
static void put_text(const char *s)
{
	size_t col = 0;

	fputs("\t\"", stdout);
	for (; *s; s++, col++) {
		if (col && col % 96 == 0)
			fputs("\"\n\t\"", stdout);
		if (*s == '"' || *s == '\\')
			putchar('\\');
		putchar(*s);
	}
	fputs("\"", stdout);
}

/* ---- the program as C ---- */

#define SKF_AD_FIRST 0xfffff000u	/* Linux ancillary data (SKF_AD_OFF) */

/* The C statement of instruction i, or NULL if it has none here.  Jumps
 * are written by put_fn(); targets are instruction numbers. */
static const char *insn_c(const struct bpf_insn *in, char *buf, size_t len)
{
	unsigned k = in->k;

	switch (in->code) {
	case BPF_RET | BPF_K:
		snprintf(buf, len, "return 0x%xu;", k);
		break;
	case BPF_RET | BPF_A:
		snprintf(buf, len, "return A;");
		break;
	/* The loads name pc->k as K, as bpf_filter.c does (and so that
	 * the compiler does not warn about comparing constants). */
	case BPF_LD | BPF_W | BPF_ABS:
		snprintf(buf, len, "K = 0x%xu;\n\tif (K > buflen || 4u > buflen - K)\n\t\treturn 0;\n"
			 "\tA = ld32(p + K);", k);
		break;
	case BPF_LD | BPF_H | BPF_ABS:
		snprintf(buf, len, "K = 0x%xu;\n\tif (K > buflen || 2u > buflen - K)\n\t\treturn 0;\n"
			 "\tA = ld16(p + K);", k);
		break;
	case BPF_LD | BPF_B | BPF_ABS:
		if (k >= SKF_AD_FIRST)
			return NULL;
		snprintf(buf, len, "K = 0x%xu;\n\tif (K >= buflen)\n\t\treturn 0;\n\tA = p[K];", k);
		break;
	case BPF_LD | BPF_W | BPF_LEN:
		snprintf(buf, len, "A = wirelen;");
		break;
	case BPF_LDX | BPF_W | BPF_LEN:
		snprintf(buf, len, "X = wirelen;");
		break;
	case BPF_LD | BPF_W | BPF_IND:
		snprintf(buf, len, "K = 0x%xu;\n\tif (K > buflen || X > buflen - K || "
			 "4u > buflen - (X + K))\n\t\treturn 0;\n\tA = ld32(p + X + K);", k);
		break;
	case BPF_LD | BPF_H | BPF_IND:
		snprintf(buf, len, "K = 0x%xu;\n\tif (X > buflen || K > buflen - X || "
			 "2u > buflen - (X + K))\n\t\treturn 0;\n\tA = ld16(p + X + K);", k);
		break;
	case BPF_LD | BPF_B | BPF_IND:
		snprintf(buf, len, "K = 0x%xu;\n\tif (K >= buflen || X >= buflen - K)\n\t\treturn 0;\n"
			 "\tA = p[X + K];", k);
		break;
	case BPF_LDX | BPF_MSH | BPF_B:
		snprintf(buf, len, "K = 0x%xu;\n\tif (K >= buflen)\n\t\treturn 0;\n"
			 "\tX = (p[K] & 0xfu) << 2;", k);
		break;
	case BPF_LD | BPF_IMM:
		snprintf(buf, len, "A = 0x%xu;", k);
		break;
	case BPF_LDX | BPF_IMM:
		snprintf(buf, len, "X = 0x%xu;", k);
		break;
	case BPF_LD | BPF_MEM:
	case BPF_LDX | BPF_MEM:
	case BPF_ST:
	case BPF_STX:
		if (k >= BPF_MEMWORDS)
			return NULL;
		snprintf(buf, len, in->code == (BPF_LD | BPF_MEM)    ? "A = M[%u];"
				   : in->code == (BPF_LDX | BPF_MEM) ? "X = M[%u];"
				   : in->code == BPF_ST		     ? "M[%u] = A;"
								     : "M[%u] = X;",
			 k);
		break;
	case BPF_ALU | BPF_ADD | BPF_X: snprintf(buf, len, "A += X;"); break;
	case BPF_ALU | BPF_SUB | BPF_X: snprintf(buf, len, "A -= X;"); break;
	case BPF_ALU | BPF_MUL | BPF_X: snprintf(buf, len, "A *= X;"); break;
	case BPF_ALU | BPF_DIV | BPF_X: snprintf(buf, len, "if (X == 0)\n\t\treturn 0;\n\tA /= X;"); break;
	case BPF_ALU | BPF_MOD | BPF_X: snprintf(buf, len, "if (X == 0)\n\t\treturn 0;\n\tA %%= X;"); break;
	case BPF_ALU | BPF_AND | BPF_X: snprintf(buf, len, "A &= X;"); break;
	case BPF_ALU | BPF_OR | BPF_X: snprintf(buf, len, "A |= X;"); break;
	case BPF_ALU | BPF_XOR | BPF_X: snprintf(buf, len, "A ^= X;"); break;
	case BPF_ALU | BPF_LSH | BPF_X: snprintf(buf, len, "A = X < 32 ? A << X : 0;"); break;
	case BPF_ALU | BPF_RSH | BPF_X: snprintf(buf, len, "A = X < 32 ? A >> X : 0;"); break;
	case BPF_ALU | BPF_ADD | BPF_K: snprintf(buf, len, "A += 0x%xu;", k); break;
	case BPF_ALU | BPF_SUB | BPF_K: snprintf(buf, len, "A -= 0x%xu;", k); break;
	case BPF_ALU | BPF_MUL | BPF_K: snprintf(buf, len, "A *= 0x%xu;", k); break;
	case BPF_ALU | BPF_DIV | BPF_K:
	case BPF_ALU | BPF_MOD | BPF_K:
		if (k == 0)
			return NULL;	/* libpcap's validator refuses it */
		snprintf(buf, len, BPF_OP(in->code) == BPF_DIV ? "A /= 0x%xu;" : "A %%= 0x%xu;", k);
		break;
	case BPF_ALU | BPF_AND | BPF_K: snprintf(buf, len, "A &= 0x%xu;", k); break;
	case BPF_ALU | BPF_OR | BPF_K: snprintf(buf, len, "A |= 0x%xu;", k); break;
	case BPF_ALU | BPF_XOR | BPF_K: snprintf(buf, len, "A ^= 0x%xu;", k); break;
	case BPF_ALU | BPF_LSH | BPF_K:
	case BPF_ALU | BPF_RSH | BPF_K:
		if (k >= 32)
			return NULL;	/* undefined in C, refused by the validator */
		snprintf(buf, len, BPF_OP(in->code) == BPF_LSH ? "A <<= %u;" : "A >>= %u;", k);
		break;
	case BPF_ALU | BPF_NEG: snprintf(buf, len, "A = 0u - A;"); break;
	case BPF_MISC | BPF_TAX: snprintf(buf, len, "X = A;"); break;
	case BPF_MISC | BPF_TXA: snprintf(buf, len, "A = X;"); break;
	default:
		return NULL;
	}
	return buf;
}

/* The condition of a conditional jump, or NULL if it is none. */
static const char *jump_cond(const struct bpf_insn *in, char *buf, size_t len)
{
	/* K: put_fn() sets it to the constant first (a literal 0 would make
	 * the compiler warn that A >= 0 always holds). */
	const char *rhs = BPF_SRC(in->code) == BPF_X ? "X" : "K";

	if (BPF_CLASS(in->code) != BPF_JMP || BPF_OP(in->code) == BPF_JA)
		return NULL;
	switch (BPF_OP(in->code)) {
	case BPF_JGT: snprintf(buf, len, "A > %s", rhs); break;
	case BPF_JGE: snprintf(buf, len, "A >= %s", rhs); break;
	case BPF_JEQ: snprintf(buf, len, "A == %s", rhs); break;
	case BPF_JSET: snprintf(buf, len, "(A & %s) != 0", rhs); break;
	default: return NULL;
	}
	return buf;
}

/* Jump targets of the program: which instructions need a label.  false
 * if a jump leaves the program (libpcap's validator refuses that). */
static bool mark_targets(const struct bpf_program *prog, bool *target)
{
	for (unsigned i = 0; i < prog->bf_len; i++) {
		const struct bpf_insn *in = &prog->bf_insns[i];
		long t[2];
		int n = 0;

		if (BPF_CLASS(in->code) != BPF_JMP)
			continue;
		if (BPF_OP(in->code) == BPF_JA)
			t[n++] = (long)i + 1 + (int32_t)in->k;
		else {
			t[n++] = (long)i + 1 + in->jt;
			t[n++] = (long)i + 1 + in->jf;
		}
		for (int j = 0; j < n; j++) {
			if (t[j] <= (long)i || t[j] >= (long)prog->bf_len)
				return false;	/* backward or out: left to libpcap */
			target[t[j]] = true;
		}
	}
	return true;
}

/* The program as `static u_int net_filter_fn_NAME(p, wirelen, buflen)`;
 * false (nothing printed) if some instruction has no translation. */
static bool put_fn(const char *name, const struct bpf_program *prog)
{
	bool *target = calloc(prog->bf_len, sizeof(*target));
	char stmt[256], cond[64];
	bool ok = target && mark_targets(prog, target);

	for (unsigned i = 0; ok && i < prog->bf_len; i++) {
		const struct bpf_insn *in = &prog->bf_insns[i];

		if (BPF_CLASS(in->code) == BPF_JMP)
			ok = BPF_OP(in->code) == BPF_JA || jump_cond(in, cond, sizeof(cond));
		else
			ok = insn_c(in, stmt, sizeof(stmt)) != NULL;
	}
	if (!ok) {
		free(target);
		return false;
	}
	printf("static u_int net_filter_fn_%s(const u_char *p, u_int wirelen, u_int buflen)\n{\n"
	       "\tuint32_t A = 0, X = 0, K = 0, M[BPF_MEMWORDS] = { 0 };\n\n"
	       "\t(void)p; (void)wirelen; (void)buflen; (void)A; (void)X; (void)K; (void)M;\n",
	       name);
	for (unsigned i = 0; i < prog->bf_len; i++) {
		const struct bpf_insn *in = &prog->bf_insns[i];

		if (target[i])
			printf("L%u:\n", i);
		if (BPF_CLASS(in->code) == BPF_JMP && BPF_OP(in->code) == BPF_JA)
			printf("\tgoto L%ld;\n", (long)i + 1 + (int32_t)in->k);
		else if (jump_cond(in, cond, sizeof(cond))) {
			if (BPF_SRC(in->code) == BPF_K)
				printf("\tK = 0x%xu;\n", in->k);
			printf("\tif (%s)\n\t\tgoto L%u;\n\tgoto L%u;\n", cond, i + 1 + in->jt,
			       i + 1 + in->jf);
		} else
			printf("\t%s\n", insn_c(in, stmt, sizeof(stmt)));
	}
	/* The last instruction is a return (the validator's rule); this
	 * keeps the compiler sure of it. */
	printf("\treturn 0;\n}\n\n");
	free(target);
	return true;
}

/* ---- per link type and byte order ---- */

static void put32(uint8_t *b, uint32_t v, bool big)
{
	for (int i = 0; i < 4; i++)
		b[i] = (uint8_t)(v >> (big ? 24 - 8 * i : 8 * i));
}

/* A savefile handle on an empty capture of link type dlt written in one
 * byte order: libpcap compiles for savefiles (pcap->rfile set) what it
 * does not for live or dead handles -- every BSD AF_INET6 value on
 * DLT_NULL/DLT_LOOP, and DLT_NULL's address family in the file's byte
 * order -- so the programs come from such a handle. */
static pcap_t *savefile(int dlt, bool big)
{
	static uint8_t hdr[2][24];
	uint8_t *h = hdr[big];
	char err[PCAP_ERRBUF_SIZE];
	FILE *fp;
	pcap_t *p;

	put32(h, 0xa1b2c3d4, big);
	put32(h + 4, big ? 0x00020004 : 0x00040002, big);	/* 2.4, two 16-bit fields */
	put32(h + 8, 0, big);
	put32(h + 12, 0, big);
	put32(h + 16, NET_FILTER_GEN_SNAPLEN, big);
	put32(h + 20, (uint32_t)dlt, big);
	fp = fmemopen(h, sizeof(hdr[0]), "rb");
	if (!fp)
		return NULL;
	p = pcap_fopen_offline(fp, err);
	if (!p)
		fclose(fp);
	return p;
}

struct gen_prog {
	struct bpf_program prog;
	int swapped;		/* pcap_is_swapped() of its handle */
	bool ok;
};

/* The program for one byte order; false if libpcap cannot compile the
 * filter for this link type. */
static bool compile_for(int dlt, bool big, const char *text, struct gen_prog *g)
{
	pcap_t *p = savefile(dlt, big);

	g->ok = false;
	if (!p)
		return false;
	if (pcap_compile(p, &g->prog, text, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		fprintf(stderr, "net_filter_gen: link type %d left out: %s\n", dlt, pcap_geterr(p));
		pcap_close(p);
		return false;
	}
	g->swapped = pcap_is_swapped(p);
	g->ok = true;
	pcap_close(p);
	return true;
}

static bool same_prog(const struct bpf_program *a, const struct bpf_program *b)
{
	return a->bf_len == b->bf_len &&
	       memcmp(a->bf_insns, b->bf_insns, a->bf_len * sizeof(*a->bf_insns)) == 0;
}

/* One table entry's program and function (when put_fn() can write it),
 * named after the link type and byte order; the entry is appended to
 * entries. */
static void put_entry(int dlt, int swapped, const struct bpf_program *prog, char *entries,
		      size_t elen)
{
	char name[32], fn[64] = "NULL";
	size_t o = strlen(entries);

	snprintf(name, sizeof(name), "%d_%s", dlt,
		 swapped < 0 ? "any" : swapped ? "swapped" : "host");
	printf("static const struct bpf_insn net_filter_insns_%s[%u] = {\n", name, prog->bf_len);
	for (unsigned i = 0; i < prog->bf_len; i++) {
		const struct bpf_insn *in = &prog->bf_insns[i];

		printf("\t{ 0x%x, %u, %u, 0x%x },\n", in->code, in->jt, in->jf, in->k);
	}
	printf("};\n\n");
	if (put_fn(name, prog))
		snprintf(fn, sizeof(fn), "net_filter_fn_%s", name);
	else
		fprintf(stderr, "net_filter_gen: %s: no C function, libpcap runs it\n", name);
	snprintf(entries + o, elen - o,
		 "\t{ %d, %d, net_filter_text_%d, net_filter_insns_%s,\n"
		 "\t  sizeof(net_filter_insns_%s) / sizeof(struct bpf_insn), %s },\n",
		 dlt, swapped, dlt, name, name, fn);
}

/* One link type: its text, and one entry for both byte orders when their
 * programs are the same, one per byte order otherwise.  1 if written, 0 if
 * libpcap cannot compile it for that link type, -1 on a broken text. */
static int put_dlt(int dlt, char *entries, size_t elen)
{
	char text[16384];
	struct gen_prog g[2];

	if (!pcap_datalink_val_to_name(dlt))
		return 0;	/* a link type this libpcap does not know (14 off OpenBSD) */
	if (!net_filter_text(dlt, text, sizeof(text)))
		return -1;
	if (!compile_for(dlt, false, text, &g[0]))
		return 0;
	if (!compile_for(dlt, true, text, &g[1])) {
		pcap_freecode(&g[0].prog);
		return 0;
	}
	printf("static const char net_filter_text_%d[] =\n", dlt);
	put_text(text);
	printf(";\n\n");
	if (same_prog(&g[0].prog, &g[1].prog)) {
		put_entry(dlt, -1, &g[0].prog, entries, elen);
	} else {
		put_entry(dlt, g[0].swapped, &g[0].prog, entries, elen);
		put_entry(dlt, g[1].swapped, &g[1].prog, entries, elen);
	}
	pcap_freecode(&g[0].prog);
	pcap_freecode(&g[1].prog);
	return 1;
}

int main(void)
{
	static char entries[8192];

	printf("/* Generated by collectors/net/gen/net_filter_gen.c at build time: do not edit. */\n\n"
	       "static inline uint32_t ld32(const u_char *b)\n{\n"
	       "\treturn (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];\n}\n\n"
	       "static inline uint32_t ld16(const u_char *b)\n{\n"
	       "\treturn (uint32_t)b[0] << 8 | b[1];\n}\n\n");
	for (size_t i = 0; i < sizeof(gen_dlts) / sizeof(gen_dlts[0]); i++)
		if (put_dlt(gen_dlts[i], entries, sizeof(entries)) < 0)
			return 1;
	printf("static const struct net_filter_prebuilt net_filter_prebuilt[] = {\n%s"
	       "\t{ -1, -1, NULL, NULL, 0, NULL },\n};\n", entries);
	return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
}
