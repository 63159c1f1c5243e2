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
 * Compiled on a dead handle with optimization on, as net_filter_compile()
 * compiles on a savefile handle: the same code (a savefile has no
 * kernel VLAN handling), except the snapshot length in the accepting
 * `ret`, which net_filter_offline() sets to the file's.  A link type
 * libpcap cannot compile the filter for is left out (--pcap compiles it
 * at run time, and says why if it cannot).
 *
 * Each program is also printed as a C function, one statement per BPF
 * instruction, which --pcap runs instead of libpcap's interpreter (that
 * interpreter was 38% of --pcap's user-space instructions on a real mix:
 * every packet of a capture file goes through the 731-instruction
 * Ethernet program).  The translation follows libpcap 1.10's
 * pcap_filter_with_aux_data() (bpf_filter.c) instruction by instruction:
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
	const char *rhs = BPF_SRC(in->code) == BPF_X ? "X" : NULL;
	char kbuf[16];

	if (BPF_CLASS(in->code) != BPF_JMP || BPF_OP(in->code) == BPF_JA)
		return NULL;
	if (!rhs) {
		snprintf(kbuf, sizeof(kbuf), "0x%xu", in->k);
		rhs = kbuf;
	}
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

/* The program as `static u_int net_filter_fn_DLT(p, wirelen, buflen)`;
 * false (nothing printed) if some instruction has no translation. */
static bool put_fn(int dlt, const struct bpf_program *prog)
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
	printf("static u_int net_filter_fn_%d(const u_char *p, u_int wirelen, u_int buflen)\n{\n"
	       "\tuint32_t A = 0, X = 0, K = 0, M[BPF_MEMWORDS] = { 0 };\n\n"
	       "\t(void)p; (void)wirelen; (void)buflen; (void)A; (void)X; (void)K; (void)M;\n",
	       dlt);
	for (unsigned i = 0; i < prog->bf_len; i++) {
		const struct bpf_insn *in = &prog->bf_insns[i];

		if (target[i])
			printf("L%u:\n", i);
		if (BPF_CLASS(in->code) == BPF_JMP && BPF_OP(in->code) == BPF_JA)
			printf("\tgoto L%ld;\n", (long)i + 1 + (int32_t)in->k);
		else if (jump_cond(in, cond, sizeof(cond)))
			printf("\tif (%s)\n\t\tgoto L%u;\n\tgoto L%u;\n", cond, i + 1 + in->jt,
			       i + 1 + in->jf);
		else
			printf("\t%s\n", insn_c(in, stmt, sizeof(stmt)));
	}
	/* The last instruction is a return (the validator's rule); this
	 * keeps the compiler sure of it. */
	printf("\treturn 0;\n}\n\n");
	free(target);
	return true;
}

/* ---- per link type ---- */

/* One link type's text, program and function; 2 if all were written, 1
 * without a function, 0 if libpcap cannot
 * compile it for that link type, -1 on a broken filter text. */
static int put_dlt(int dlt)
{
	char text[16384];
	struct bpf_program prog;
	pcap_t *p = pcap_open_dead(dlt, NET_FILTER_GEN_SNAPLEN);
	int r;

	if (!p || !pcap_datalink_val_to_name(dlt))
		return 0;	/* a link type this libpcap does not know (14 off OpenBSD) */
	if (!net_filter_text(dlt, text, sizeof(text))) {
		pcap_close(p);
		return -1;
	}
	if (pcap_compile(p, &prog, text, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		fprintf(stderr, "net_filter_gen: link type %d left out: %s\n", dlt, pcap_geterr(p));
		pcap_close(p);
		return 0;
	}
	printf("static const char net_filter_text_%d[] =\n", dlt);
	put_text(text);
	printf(";\nstatic const struct bpf_insn net_filter_insns_%d[%u] = {\n", dlt, prog.bf_len);
	for (unsigned i = 0; i < prog.bf_len; i++) {
		const struct bpf_insn *in = &prog.bf_insns[i];

		printf("\t{ 0x%x, %u, %u, 0x%x },\n", in->code, in->jt, in->jf, in->k);
	}
	printf("};\n\n");
	r = put_fn(dlt, &prog) ? 2 : 1;
	if (r == 1)
		fprintf(stderr, "net_filter_gen: link type %d: no C function, libpcap runs it\n", dlt);
	pcap_freecode(&prog);
	pcap_close(p);
	return r;
}

int main(void)
{
	int done[sizeof(gen_dlts) / sizeof(gen_dlts[0])];
	size_t n = sizeof(gen_dlts) / sizeof(gen_dlts[0]);

	printf("/* Generated by collectors/net/gen/net_filter_gen.c at build time: do not edit. */\n\n"
	       "static inline uint32_t ld32(const u_char *b)\n{\n"
	       "\treturn (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];\n}\n\n"
	       "static inline uint32_t ld16(const u_char *b)\n{\n"
	       "\treturn (uint32_t)b[0] << 8 | b[1];\n}\n\n");
	for (size_t i = 0; i < n; i++) {
		done[i] = put_dlt(gen_dlts[i]);
		if (done[i] < 0)
			return 1;
	}
	printf("static const struct net_filter_prebuilt net_filter_prebuilt[] = {\n");
	for (size_t i = 0; i < n; i++)
		if (done[i])
		{
			int d = gen_dlts[i];

			printf("\t{ %d, net_filter_text_%d, net_filter_insns_%d,\n"
			       "\t  sizeof(net_filter_insns_%d) / sizeof(struct bpf_insn), ",
			       d, d, d, d);
			if (done[i] == 2)
				printf("net_filter_fn_%d },\n", d);
			else
				printf("NULL },\n");
		}
	printf("\t{ -1, NULL, NULL, 0, NULL },\n};\n");
	return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
}
