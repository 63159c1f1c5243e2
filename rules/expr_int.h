/* SPDX-License-Identifier: Apache-2.0 */
/*
 * expr_int.h - the inside of rule expressions, shared by the files of the
 * expression language (expr.c the parser, expr_lex.c the lexer,
 * expr_value.c the operands, expr_eval.c the evaluator, expr_index.c the
 * rule index's view of a condition): the compiled tree, the tokens and the
 * parser's state.  Nothing outside rules/ includes it; the language's
 * public face stays expr.h.
 */
#ifndef FARMHOUND_EXPR_INT_H
#define FARMHOUND_EXPR_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "expr.h"

enum expr_kind {
	EX_AND,
	EX_OR,
	EX_NOT,
	EX_CMP,		/* a predicate; field -1 after a name error */
};

enum cmp_op {
	OP_EQ,		/* != is OP_EQ negated */
	OP_LT,
	OP_LE,
	OP_GT,
	OP_GE,
	OP_RE,
	OP_CONTAINS,
	OP_STARTS,
	OP_ENDS,
	OP_GLOB,
	OP_IN,		/* not in is OP_IN negated */
	OP_EXISTS,
	OP_TRUTH,	/* bare boolean field */
};

struct ip_net {
	struct ip_addr addr;
	uint8_t prefix;
};

/* A regex operand: compiled at load (so a bad pattern is a file:line
 * error of the rule, -t included), JIT-compiled on its first match
 * (expr_eval.c).  Why lazily: the JIT is most of a regex's cost and most
 * rules never see an event of their source in a run (--pcap feeds net
 * events only), so start-up pays only for the syntax check.  Its own
 * allocation so the evaluator, which holds the tree const, may mark it. */
struct expr_regex {
	pcre2_code *code;
	bool jit_tried;			/* JIT attempted (it may have failed) */
	unsigned refs;			/* expressions and cache holding it */
	bool icase;
	char *pattern;			/* the cache's key, with icase */
};

/* Drop one reference (expr_value.c); the last frees it.  NULL is fine. */
void expr_regex_unref(struct expr_regex *re);

struct expr {
	enum expr_kind kind;
	struct expr *l, *r;
	/* EX_CMP */
	int field;
	enum field_type ftype;
	enum cmp_op op;
	bool icase;
	bool negate;
	char *str;			/* string operand, glob pattern */
	size_t len;
	int64_t num;
	bool b;
	struct ip_net net;
	struct expr_regex *re;		/* OP_RE */
	char **strs;			/* sorted (strcmp or strcasecmp) */
	int64_t *nums;
	struct ip_net *nets;
	size_t nset;
	char *text;			/* EX_CMP: the predicate as written, for --explain */
};

/* ---- tokens and the parser (expr_lex.c, expr.c) ---- */

enum tok_kind {
	TOK_END,
	TOK_LPAREN,
	TOK_RPAREN,
	TOK_COMMA,
	TOK_OP,
	TOK_WORD,
	TOK_STRING,
	TOK_LIST,
};

struct token {
	enum tok_kind kind;
	char *text;			/* WORD, STRING, LIST (name), in
					 * parser.arena; else NULL */
	const char *spell;		/* OP: as written */
	enum cmp_op op;
	bool icase;
	bool negate;
};

struct parser {
	const struct expr_env *env;
	struct token *toks;
	size_t ntoks, cap, pos;
	char *arena;			/* the tokens' texts (expr_lex.c) */
	size_t arena_len;
	int depth;
	int errors;
	bool fatal;			/* syntax error: stop */
	bool oom;
};

/* Report one problem through env->error (expr.c). */
void expr_perr(struct parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define psyntax(p, ...) do { expr_perr(p, __VA_ARGS__); (p)->fatal = true; } while (0)

/* ---- expr_lex.c ---- */

/* Split s into p->toks, ending with TOK_END: 0, -EINVAL (reported) or
 * -ENOMEM.  The texts are in p->arena, which the caller frees (also on
 * error). */
int expr_lex(struct parser *p, const char *s);
/* Quote a piece of rule text for a message: bounded, printable. */
const char *expr_show(const char *s, char *buf, size_t len);
/* A token as a message names it: "(", "@list", "word", end of expression. */
const char *expr_tok_show(const struct token *t, char *buf, size_t len);
/* strndup that marks the parser out of memory on failure. */
char *expr_dup_range(struct parser *p, const char *s, size_t n);

/* ---- expr_value.c: operands in the field's type ---- */

/* ::ffff:a.b.c.d is a.b.c.d: dual-stack sockets report v4 peers so. */
struct ip_addr expr_ip_normalize(const struct ip_addr *a);
/* The operand of a scalar operator, converted to e's field type. */
void expr_compile_value(struct parser *p, struct expr *e, const struct token *v);
/* The members of a set (literal or @list), converted and sorted. */
void expr_compile_set(struct parser *p, struct expr *e, char *const *items,
		      const bool *quoted, size_t n, const char *list);
/* qsort/bsearch comparators of a string set (icase: strcasecmp). */
int expr_cmp_strcase(const void *a, const void *b);
int expr_cmp_str(const void *a, const void *b);

#endif
