/*
 * expr.c - the rule expression language: lexer, parser/compiler, evaluator.
 *
 * Grammar (keywords are lower case; whitespace separates tokens):
 *
 *   expr      := or
 *   or        := and { "or" and }
 *   and       := unary { "and" unary }
 *   unary     := "not" unary | primary
 *   primary   := "(" expr ")" | predicate
 *   predicate := FIELD                              bare boolean field
 *              | FIELD "exists"
 *              | FIELD cmpop value
 *              | FIELD strop value
 *              | FIELD [ "not" ] ( "in" | "iin" ) set
 *   cmpop     := "==" | "!=" | "<" | "<=" | ">" | ">=" | "~"
 *              | "i==" | "i!=" | "i~"
 *   strop     := "contains" | "startswith" | "endswith" | "glob"
 *              | "icontains" | "istartswith" | "iendswith" | "iglob"
 *   set       := "(" value { "," value } ")" | "@" LISTNAME
 *   value     := STRING | WORD
 *
 * So "not" binds tighter than "and", which binds tighter than "or", and
 * "not serial exists" reads as "not (serial exists)".  A STRING is double
 * quoted; inside it \" and \\ are escapes and any other backslash is kept
 * as it is, so regular expressions need no doubling ("\d+").  A WORD is a
 * run of bytes other than blanks and ( ) , " ' = < > ! ~; vendor_id ==
 * 1d6b and vendor_id == "1d6b" are the same test.  The case-insensitive
 * operators are the plain ones with an "i" in front.
 *
 * Types are checked here, once: "<" only on integers, "contains" only on
 * strings and lists, "in" with CIDR blocks only on IP fields, and so on.
 * On a list field (usb interfaces) every operator means "some element":
 * interfaces contains "03:01:01" is true when one element equals it.
 *
 * Unset fields: every comparison on a field the event does not carry is
 * false, "!=" and "not in" included; only "exists" tests presence, and
 * "not" inverts the result, so "not serial == x" is true without a serial.
 * Why: a rule must never fire because a collector could not read a value.
 *
 * Errors are reported through the caller's callback; compilation continues
 * after a name or type error (so a file shows all of them) but stops at a
 * syntax error, after which nothing that follows can be trusted.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "expr.h"
#include "literal.h"

/* Bounds on a hostile subject: backtracking budget per match. */
#define EXPR_MATCH_LIMIT 100000
#define EXPR_DEPTH_LIMIT 1000

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
	pcre2_code *re;
	char **strs;			/* sorted (strcmp or strcasecmp) */
	int64_t *nums;
	struct ip_net *nets;
	size_t nset;
	char *text;			/* EX_CMP: the predicate as written, for --explain */
};

struct expr_runtime {
	pcre2_match_data *md;
	pcre2_match_context *mctx;
};

/* ---- lexer ---- */

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
	char *text;			/* WORD, STRING, LIST (name); else NULL */
	const char *spell;		/* OP: as written */
	enum cmp_op op;
	bool icase;
	bool negate;
};

static const struct {
	const char *spell;
	enum cmp_op op;
	bool icase;
	bool negate;
} sym_ops[] = {
	/* Longest first: "i==" before "==", "<=" before "<". */
	{ "i==", OP_EQ, true, false }, { "i!=", OP_EQ, true, true },
	{ "i~", OP_RE, true, false },  { "==", OP_EQ, false, false },
	{ "!=", OP_EQ, false, true },  { "<=", OP_LE, false, false },
	{ ">=", OP_GE, false, false }, { "<", OP_LT, false, false },
	{ ">", OP_GT, false, false },  { "~", OP_RE, false, false },
};

static const struct {
	const char *word;
	enum cmp_op op;
	bool icase;
} word_ops[] = {
	{ "contains", OP_CONTAINS, false }, { "icontains", OP_CONTAINS, true },
	{ "startswith", OP_STARTS, false }, { "istartswith", OP_STARTS, true },
	{ "endswith", OP_ENDS, false },     { "iendswith", OP_ENDS, true },
	{ "glob", OP_GLOB, false },         { "iglob", OP_GLOB, true },
};

static const char *const keywords[] = {
	"and", "or", "not", "in", "iin", "exists", "contains", "icontains",
	"startswith", "istartswith", "endswith", "iendswith", "glob", "iglob",
};

struct parser {
	const struct expr_env *env;
	struct token *toks;
	size_t ntoks, cap, pos;
	int depth;
	int errors;
	bool fatal;			/* syntax error: stop */
	bool oom;
};

static void perr(struct parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void perr(struct parser *p, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	p->errors++;
	if (p->env->error)
		p->env->error(p->env->opaque, msg);
}

#define psyntax(p, ...) do { perr(p, __VA_ARGS__); (p)->fatal = true; } while (0)

/* Quote a piece of rule text for a message: bounded, printable. */
static const char *show(const char *s, char *buf, size_t len)
{
	size_t i = 0;

	for (; *s && i + 4 < len; s++)
		buf[i++] = (*s >= ' ' && *s < 0x7f) ? *s : '?';
	if (*s && i + 4 >= len) {
		memcpy(buf + i, "...", 3);
		i += 3;
	}
	buf[i] = '\0';
	return buf;
}

static const char *tok_show(const struct token *t, char *buf, size_t len)
{
	char tmp[48];

	switch (t->kind) {
	case TOK_END:
		return "end of expression";
	case TOK_LPAREN:
		return "\"(\"";
	case TOK_RPAREN:
		return "\")\"";
	case TOK_COMMA:
		return "\",\"";
	case TOK_OP:
		snprintf(buf, len, "\"%s\"", t->spell);
		return buf;
	case TOK_LIST:
		snprintf(buf, len, "\"@%s\"", show(t->text, tmp, sizeof(tmp)));
		return buf;
	case TOK_WORD:
	case TOK_STRING:
		break;
	}
	snprintf(buf, len, "\"%s\"", show(t->text, tmp, sizeof(tmp)));
	return buf;
}

static bool word_char(unsigned char c)
{
	return c > ' ' && c != 0x7f && !strchr("()\",'=<>!~", c);
}

static bool list_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
}

static struct token *tok_push(struct parser *p, enum tok_kind kind)
{
	if (p->ntoks == p->cap) {
		size_t ncap = p->cap ? p->cap * 2 : 16;
		struct token *t = realloc(p->toks, ncap * sizeof(*t));

		if (!t) {
			p->oom = true;
			return NULL;
		}
		p->toks = t;
		p->cap = ncap;
	}
	memset(&p->toks[p->ntoks], 0, sizeof(struct token));
	p->toks[p->ntoks].kind = kind;
	return &p->toks[p->ntoks++];
}

static char *dup_range(struct parser *p, const char *s, size_t n)
{
	char *d = strndup(s, n);

	if (!d)
		p->oom = true;
	return d;
}

/* A double-quoted string starting at s (on the quote); *end gets the byte
 * after the closing quote.  NULL on error (reported) or OOM. */
static char *lex_string(struct parser *p, const char *s, const char **end)
{
	const char *q = s + 1;
	char *out, *o;

	out = malloc(strlen(s));
	if (!out) {
		p->oom = true;
		return NULL;
	}
	o = out;
	for (; *q && *q != '"'; q++) {
		if (*q == '\\' && (q[1] == '"' || q[1] == '\\'))
			q++;
		*o++ = *q;
	}
	if (*q != '"') {
		free(out);
		psyntax(p, "unclosed string");
		return NULL;
	}
	*o = '\0';
	*end = q + 1;
	return out;
}

static int lex_symbol(struct parser *p, const char **sp)
{
	const char *s = *sp;
	struct token *t;

	for (size_t i = 0; i < sizeof(sym_ops) / sizeof(sym_ops[0]); i++) {
		size_t n = strlen(sym_ops[i].spell);

		if (strncmp(s, sym_ops[i].spell, n) != 0)
			continue;
		t = tok_push(p, TOK_OP);
		if (!t)
			return -ENOMEM;
		t->spell = sym_ops[i].spell;
		t->op = sym_ops[i].op;
		t->icase = sym_ops[i].icase;
		t->negate = sym_ops[i].negate;
		*sp = s + n;
		return 0;
	}
	if (*s == '=')
		psyntax(p, "unexpected \"=\" (equality is ==)");
	else if (*s == '!')
		psyntax(p, "unexpected \"!\" (use not, or !=)");
	else if (*s == '\'')
		psyntax(p, "single quotes do not delimit strings; use double quotes");
	else
		psyntax(p, "unexpected character 0x%02x", (unsigned char)*s);
	return -EINVAL;
}

static int lex(struct parser *p, const char *s)
{
	struct token *t;

	while (*s) {
		const char *start = s;

		if (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n') {
			s++;
			continue;
		}
		if (*s == '(' || *s == ')' || *s == ',') {
			t = tok_push(p, *s == '(' ? TOK_LPAREN :
				     *s == ')' ? TOK_RPAREN : TOK_COMMA);
			if (!t)
				return -ENOMEM;
			s++;
			continue;
		}
		if (*s == '"') {
			char *str = lex_string(p, s, &s);

			if (!str)
				return p->oom ? -ENOMEM : -EINVAL;
			t = tok_push(p, TOK_STRING);
			if (!t) {
				free(str);
				return -ENOMEM;
			}
			t->text = str;
			continue;
		}
		if (*s == '@') {
			for (s++; list_char((unsigned char)*s); s++)
				;
			if (s == start + 1) {
				psyntax(p, "expected a list name after \"@\"");
				return -EINVAL;
			}
			t = tok_push(p, TOK_LIST);
			if (!t || !(t->text = dup_range(p, start + 1,
							(size_t)(s - start - 1))))
				return -ENOMEM;
			continue;
		}
		/* "i==", "i!=", "i~" before words, since "i" is a word byte. */
		if (!(s[0] == 'i' && (s[1] == '~' || (s[1] && s[2] == '=' &&
						      (s[1] == '=' || s[1] == '!')))) &&
		    word_char((unsigned char)*s)) {
			while (word_char((unsigned char)*s))
				s++;
			t = tok_push(p, TOK_WORD);
			if (!t || !(t->text = dup_range(p, start, (size_t)(s - start))))
				return -ENOMEM;
			continue;
		}
		if (lex_symbol(p, &s) < 0)
			return p->oom ? -ENOMEM : -EINVAL;
	}
	return tok_push(p, TOK_END) ? 0 : -ENOMEM;
}

/* ---- literal conversion ---- */

static int parse_int(const char *s, int64_t *out)
{
	bool neg = false;
	uint64_t v = 0, lim;
	int base = 10;

	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return -EINVAL;
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; *s; s++) {
		unsigned d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			return -EINVAL;
		if (v > (lim - d) / (unsigned)base)
			return -ERANGE;
		v = v * (unsigned)base + d;
	}
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 0;
}

/* "192.0.2.0/24", "fd00::/8" or a bare address (full-length prefix). */
static int parse_net(const char *s, struct ip_net *out, bool *is_cidr)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	unsigned max;
	int64_t pfx;

	if (alen >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	if (ip_addr_parse(buf, &out->addr) < 0)
		return -EINVAL;
	max = out->addr.family == AF_INET ? 32 : 128;
	*is_cidr = slash != NULL;
	if (!slash) {
		out->prefix = (uint8_t)max;
		return 0;
	}
	if (strlen(slash + 1) < 1 || strlen(slash + 1) > 3 ||
	    strspn(slash + 1, "0123456789") != strlen(slash + 1) ||
	    parse_int(slash + 1, &pfx) < 0 || pfx > max)
		return -EINVAL;
	out->prefix = (uint8_t)pfx;
	return 0;
}

/* ::ffff:a.b.c.d is a.b.c.d: dual-stack sockets report v4 peers so. */
static struct ip_addr ip_normalize(const struct ip_addr *a)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	struct ip_addr r = *a;

	if (a->family == AF_INET6 && memcmp(a->bytes, mapped, 12) == 0) {
		memset(&r, 0, sizeof(r));
		r.family = AF_INET;
		memcpy(r.bytes, a->bytes + 12, 4);
	}
	return r;
}

/* The same for a network written in the mapped form (::ffff:0:0/96...). */
static void net_normalize(struct ip_net *n)
{
	struct ip_addr a = ip_normalize(&n->addr);

	if (a.family == n->addr.family || n->prefix < 96)
		return;
	n->addr = a;
	n->prefix = (uint8_t)(n->prefix - 96);
}

static bool net_contains(const struct ip_net *n, const struct ip_addr *a)
{
	unsigned full, rest;

	if (n->addr.family != a->family)
		return false;
	full = n->prefix / 8;
	rest = n->prefix % 8;
	if (memcmp(n->addr.bytes, a->bytes, full) != 0)
		return false;
	if (rest) {
		uint8_t mask = (uint8_t)(0xff << (8 - rest));

		if ((n->addr.bytes[full] & mask) != (a->bytes[full] & mask))
			return false;
	}
	return true;
}

/* ---- compiler ---- */

static struct expr *node_new(struct parser *p, enum expr_kind kind)
{
	struct expr *e = calloc(1, sizeof(*e));

	if (!e) {
		p->oom = true;
		return NULL;
	}
	e->kind = kind;
	e->field = -1;
	return e;
}

void expr_free(struct expr *e)
{
	if (!e)
		return;
	expr_free(e->l);
	expr_free(e->r);
	free(e->str);
	pcre2_code_free(e->re);
	for (size_t i = 0; e->strs && i < e->nset; i++)
		free(e->strs[i]);
	free(e->strs);
	free(e->nums);
	free(e->nets);
	free(e->text);
	free(e);
}

static const struct token *peek(const struct parser *p)
{
	return &p->toks[p->pos];
}

static const struct token *next(struct parser *p)
{
	const struct token *t = &p->toks[p->pos];

	if (t->kind != TOK_END)
		p->pos++;
	return t;
}

static bool is_word(const struct token *t, const char *w)
{
	return t->kind == TOK_WORD && strcmp(t->text, w) == 0;
}

static bool is_keyword(const char *w)
{
	for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
		if (strcmp(keywords[i], w) == 0)
			return true;
	return false;
}

/* Which operators a field type admits.  Why a table: the error message
 * and the check must never disagree. */
static bool op_allowed(enum cmp_op op, bool icase, enum field_type t)
{
	switch (op) {
	case OP_EQ:
		return t == FIELD_STRING || (!icase && (t == FIELD_INT ||
			t == FIELD_BOOL || t == FIELD_IP));
	case OP_LT:
	case OP_LE:
	case OP_GT:
	case OP_GE:
		return t == FIELD_INT;
	case OP_RE:
	case OP_CONTAINS:
	case OP_STARTS:
	case OP_ENDS:
	case OP_GLOB:
		return t == FIELD_STRING || t == FIELD_LIST;
	case OP_IN:
		return t == FIELD_STRING || t == FIELD_LIST ||
		       (!icase && (t == FIELD_INT || t == FIELD_IP));
	case OP_EXISTS:
		return true;
	case OP_TRUTH:
		return t == FIELD_BOOL;
	}
	return false;
}

static const char *field_name(const struct parser *p, int field)
{
	return p->env->source->fields[field].name;
}

static void compile_regex(struct parser *p, struct expr *e, const char *pat)
{
	char show_buf[48];
	PCRE2_UCHAR msg[256];
	PCRE2_SIZE off;
	int err;

	/* Bytes, not UTF: device strings may be invalid UTF-8 and must still
	 * be matched rather than rejected. */
	e->re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED,
			      e->icase ? PCRE2_CASELESS : 0, &err, &off, NULL);
	if (!e->re) {
		pcre2_get_error_message(err, msg, sizeof(msg));
		perr(p, "bad regex \"%s\": %s at offset %zu",
		     show(pat, show_buf, sizeof(show_buf)), (const char *)msg,
		     (size_t)off);
		return;
	}
	/* JIT is an optimisation: without it (MemoryDenyWriteExecute=) the
	 * interpreter runs the same pattern. */
	(void)pcre2_jit_compile(e->re, PCRE2_JIT_COMPLETE);
}

/* A bare word that reads as a CIDR block, compared with a text field, is
 * almost certainly a mistake (DESIGN §4: CIDR only for IP fields). */
static bool looks_cidr(const char *s)
{
	struct ip_net n;
	bool cidr;

	return strchr(s, '/') && parse_net(s, &n, &cidr) == 0 && cidr;
}

/* Convert the operand of a scalar operator to the field's type. */
static void compile_value(struct parser *p, struct expr *e,
			  const struct token *v)
{
	char buf[48];
	const char *fname = field_name(p, e->field);
	bool cidr;

	switch (e->ftype) {
	case FIELD_INT:
		if (parse_int(v->text, &e->num) < 0)
			perr(p, "expected an integer for %s, got \"%s\"", fname,
			     show(v->text, buf, sizeof(buf)));
		return;
	case FIELD_BOOL:
		if (strcmp(v->text, "true") == 0)
			e->b = true;
		else if (strcmp(v->text, "false") == 0)
			e->b = false;
		else
			perr(p, "expected true or false for %s, got \"%s\"",
			     fname, show(v->text, buf, sizeof(buf)));
		return;
	case FIELD_IP:
		if (parse_net(v->text, &e->net, &cidr) < 0)
			perr(p, "expected an IP address for %s, got \"%s\"",
			     fname, show(v->text, buf, sizeof(buf)));
		else if (cidr)
			perr(p, "%s is a CIDR block: use \"%s in (...)\"",
			     show(v->text, buf, sizeof(buf)), fname);
		net_normalize(&e->net);
		return;
	case FIELD_STRING:
	case FIELD_LIST:
		break;
	}
	if (e->op == OP_EQ && v->kind == TOK_WORD && looks_cidr(v->text)) {
		perr(p, "%s is a CIDR block but %s is a %s field (quote it to compare text)",
		     show(v->text, buf, sizeof(buf)), fname,
		     field_type_name(e->ftype));
		return;
	}
	/* A regex keeps its text too: the rule index reads literals from
	 * it (literal.c). */
	if (e->op == OP_RE)
		compile_regex(p, e, v->text);
	e->str = strdup(v->text);
	if (!e->str) {
		p->oom = true;
		return;
	}
	e->len = strlen(e->str);
}

static int cmp_strcase(const void *a, const void *b)
{
	return strcasecmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Convert the members of a set (literal or @list) to the field's type. */
static void compile_set(struct parser *p, struct expr *e, char *const *items,
			const bool *quoted, size_t n, const char *list)
{
	char buf[48], where[96] = "";
	const char *fname = field_name(p, e->field);
	bool cidr;

	if (list)
		snprintf(where, sizeof(where), "list @%s: ", list);
	if (e->ftype == FIELD_INT)
		e->nums = calloc(n, sizeof(*e->nums));
	else if (e->ftype == FIELD_IP)
		e->nets = calloc(n, sizeof(*e->nets));
	else
		e->strs = calloc(n, sizeof(*e->strs));
	if (!e->nums && !e->nets && !e->strs) {
		p->oom = true;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const char *s = items[i];

		if (e->ftype == FIELD_INT) {
			if (parse_int(s, &e->nums[e->nset]) < 0) {
				perr(p, "%sexpected an integer for %s, got \"%s\"",
				     where, fname, show(s, buf, sizeof(buf)));
				continue;
			}
		} else if (e->ftype == FIELD_IP) {
			if (parse_net(s, &e->nets[e->nset], &cidr) < 0) {
				perr(p, "%sexpected an IP address or CIDR block for %s, got \"%s\"",
				     where, fname, show(s, buf, sizeof(buf)));
				continue;
			}
			net_normalize(&e->nets[e->nset]);
		} else {
			if (quoted && !quoted[i] && looks_cidr(s)) {
				perr(p, "%s is a CIDR block but %s is a %s field (quote it to compare text)",
				     show(s, buf, sizeof(buf)), fname,
				     field_type_name(e->ftype));
				continue;
			}
			if (!(e->strs[e->nset] = strdup(s))) {
				p->oom = true;
				return;
			}
		}
		e->nset++;
	}
	if (e->strs)
		qsort(e->strs, e->nset, sizeof(*e->strs),
		      e->icase ? cmp_strcase : cmp_str);
}

/* set := "(" value { "," value } ")" | "@" NAME */
static void parse_set(struct parser *p, struct expr *e, const char *opspell,
		      bool compile)
{
	const struct token *t = next(p);
	char buf[64];
	char **items = NULL;
	bool *quoted = NULL;
	size_t n = 0;

	if (t->kind == TOK_LIST) {
		char *const *litems;
		size_t ln;

		if (!p->env->find_list ||
		    !p->env->find_list(p->env->opaque, t->text, &litems, &ln)) {
			perr(p, "unknown list @%s", show(t->text, buf, sizeof(buf)));
			return;
		}
		if (compile)
			compile_set(p, e, litems, NULL, ln, t->text);
		return;
	}
	if (t->kind != TOK_LPAREN) {
		psyntax(p, "expected \"(\" or @list after \"%s\", got %s", opspell,
			tok_show(t, buf, sizeof(buf)));
		return;
	}
	/* Tokens live until the end of compilation: borrow their text. */
	items = calloc(p->ntoks, sizeof(*items));
	quoted = calloc(p->ntoks, sizeof(*quoted));
	if (!items || !quoted) {
		p->oom = true;
		goto out_free;
	}
	for (;;) {
		t = next(p);
		if (t->kind != TOK_WORD && t->kind != TOK_STRING) {
			if (t->kind == TOK_END)
				psyntax(p, "unclosed \"(\" in the list after \"%s\"",
					opspell);
			else
				psyntax(p, "expected a value in the list after \"%s\", got %s",
					opspell, tok_show(t, buf, sizeof(buf)));
			goto out_free;
		}
		quoted[n] = t->kind == TOK_STRING;
		items[n++] = t->text;
		t = next(p);
		if (t->kind == TOK_RPAREN)
			break;
		if (t->kind != TOK_COMMA) {
			if (t->kind == TOK_END)
				psyntax(p, "unclosed \"(\" in the list after \"%s\"",
					opspell);
			else
				psyntax(p, "expected \",\" or \")\" in the list, got %s",
					tok_show(t, buf, sizeof(buf)));
			goto out_free;
		}
	}
	if (compile)
		compile_set(p, e, items, quoted, n, NULL);
out_free:
	free(items);
	free(quoted);
}

/* The operator after a field name, or NULL-spell for a bare field. */
static bool parse_operator(struct parser *p, struct expr *e, const char **spell)
{
	const struct token *t = peek(p);

	*spell = NULL;
	if (t->kind == TOK_OP) {
		next(p);
		e->op = t->op;
		e->icase = t->icase;
		e->negate = t->negate;
		*spell = t->spell;
		return true;
	}
	if (t->kind != TOK_WORD)
		return false;
	for (size_t i = 0; i < sizeof(word_ops) / sizeof(word_ops[0]); i++) {
		if (strcmp(t->text, word_ops[i].word) == 0) {
			next(p);
			e->op = word_ops[i].op;
			e->icase = word_ops[i].icase;
			*spell = word_ops[i].word;
			return true;
		}
	}
	if (is_word(t, "in") || is_word(t, "iin")) {
		next(p);
		e->op = OP_IN;
		e->icase = t->text[0] == 'i' && t->text[1] == 'i';
		*spell = e->icase ? "iin" : "in";
		return true;
	}
	if (is_word(t, "not") && (is_word(&p->toks[p->pos + 1], "in") ||
				  is_word(&p->toks[p->pos + 1], "iin"))) {
		next(p);
		t = next(p);
		e->op = OP_IN;
		e->negate = true;
		e->icase = t->text[1] == 'i';
		*spell = e->icase ? "not iin" : "not in";
		return true;
	}
	if (is_word(t, "exists")) {
		next(p);
		e->op = OP_EXISTS;
		*spell = "exists";
		return true;
	}
	return false;
}

static struct expr *parse_predicate_inner(struct parser *p)
{
	const struct token *t = next(p), *v;
	char buf[64], buf2[64];
	const char *spell;
	struct expr *e;
	bool allowed;
	int field;

	if (t->kind != TOK_WORD || is_keyword(t->text)) {
		psyntax(p, "unexpected %s (expected a field name)",
			tok_show(t, buf, sizeof(buf)));
		return NULL;
	}
	e = node_new(p, EX_CMP);
	if (!e)
		return NULL;
	field = source_field_index(p->env->source, t->text);
	if (field < 0)
		perr(p, "unknown field \"%s\" for source %s",
		     show(t->text, buf, sizeof(buf)), p->env->source->name);
	else {
		e->field = field;
		e->ftype = p->env->source->fields[field].type;
	}
	if (!parse_operator(p, e, &spell)) {
		const struct token *n = peek(p);

		if (!(n->kind == TOK_END || n->kind == TOK_RPAREN ||
		      is_word(n, "and") || is_word(n, "or"))) {
			psyntax(p, "expected an operator after \"%s\", got %s",
				show(t->text, buf2, sizeof(buf2)),
				tok_show(n, buf, sizeof(buf)));
			return e;
		}
		e->op = OP_TRUTH;
		if (field >= 0 && e->ftype != FIELD_BOOL)
			perr(p, "%s is a %s field: compare it (==, contains, in, ...) or test it with \"exists\"",
			     t->text, field_type_name(e->ftype));
		return e;
	}
	allowed = field >= 0 && op_allowed(e->op, e->icase, e->ftype);
	if (field >= 0 && !allowed)
		perr(p, "operator \"%s\" does not apply to %s (%s)", spell,
		     t->text, field_type_name(e->ftype));
	if (e->op == OP_IN)
		parse_set(p, e, spell, allowed);
	if (!allowed)
		e->field = -1;	/* never evaluated with a half-built operand */
	if (e->op == OP_IN || e->op == OP_EXISTS || p->fatal)
		return e;
	v = next(p);
	if (v->kind != TOK_WORD && v->kind != TOK_STRING) {
		if (v->kind == TOK_LIST)
			psyntax(p, "a list needs \"in\": \"%s\" takes one value",
				spell);
		else
			psyntax(p, "expected a value after \"%s\", got %s", spell,
				tok_show(v, buf, sizeof(buf)));
		return e;
	}
	/* A list field's "contains" is element equality (DESIGN: interfaces
	 * contains "03:01:01"), so it shares the string set/equality path. */
	if (e->ftype == FIELD_LIST && e->op == OP_CONTAINS)
		e->op = OP_EQ;
	if (allowed) {
		e->field = field;
		compile_value(p, e, v);
	}
	return e;
}

/* The tokens [from, to) joined back into text, bounded: what --explain
 * shows for a predicate that failed.  Kept per predicate (a few dozen
 * bytes each) so evaluation never has to rebuild it. */
static char *pred_text(struct parser *p, size_t from, size_t to)
{
	char buf[256];
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = from; i < to && o < sizeof(buf) - 1; i++) {
		const struct token *t = &p->toks[i];
		const char *s = t->kind == TOK_OP ? t->spell : t->text;
		const char *pre = "", *post = "";
		int n;

		if (t->kind == TOK_LPAREN)
			s = "(";
		else if (t->kind == TOK_RPAREN)
			s = ")";
		else if (t->kind == TOK_COMMA)
			s = ",";
		else if (t->kind == TOK_STRING)
			pre = post = "\"";
		else if (t->kind == TOK_LIST)
			pre = "@";
		if (!s)
			continue;
		n = snprintf(buf + o, sizeof(buf) - o, "%s%s%s%s",
			     i > from && t->kind != TOK_COMMA && t->kind != TOK_RPAREN &&
			     p->toks[i - 1].kind != TOK_LPAREN ? " " : "",
			     pre, s, post);
		if (n < 0)
			break;
		o += (size_t)n;
		if (o >= sizeof(buf))
			o = sizeof(buf) - 1;
	}
	return dup_range(p, buf, strlen(buf));
}

static struct expr *parse_predicate(struct parser *p)
{
	size_t from = p->pos;
	struct expr *e = parse_predicate_inner(p);

	if (e && !p->fatal)
		e->text = pred_text(p, from, p->pos);
	return e;
}

static struct expr *parse_or(struct parser *p);

static struct expr *parse_unary(struct parser *p)
{
	const struct token *t = peek(p);
	char buf[64];
	struct expr *e, *inner;

	if (++p->depth > EXPR_DEPTH_MAX) {
		psyntax(p, "expression nested too deeply (more than %d levels)",
			EXPR_DEPTH_MAX);
		return NULL;
	}
	if (is_word(t, "not")) {
		next(p);
		inner = parse_unary(p);
		if (!inner)
			return NULL;
		e = node_new(p, EX_NOT);
		if (!e) {
			expr_free(inner);
			return NULL;
		}
		e->l = inner;
		p->depth--;
		return e;
	}
	if (t->kind == TOK_LPAREN) {
		next(p);
		e = parse_or(p);
		if (!e)
			return NULL;
		t = next(p);
		if (t->kind != TOK_RPAREN) {
			if (t->kind == TOK_END)
				psyntax(p, "unclosed \"(\"");
			else
				psyntax(p, "expected \")\", got %s",
					tok_show(t, buf, sizeof(buf)));
			expr_free(e);
			return NULL;
		}
		p->depth--;
		return e;
	}
	e = parse_predicate(p);
	if (e && p->fatal) {
		expr_free(e);
		return NULL;
	}
	p->depth--;
	return e;
}

static struct expr *parse_binary(struct parser *p, const char *word,
				 enum expr_kind kind,
				 struct expr *(*sub)(struct parser *))
{
	struct expr *l = sub(p), *r, *e;

	while (l && is_word(peek(p), word)) {
		next(p);
		r = sub(p);
		if (!r || !(e = node_new(p, kind))) {
			expr_free(l);
			expr_free(r);
			return NULL;
		}
		e->l = l;
		e->r = r;
		l = e;
	}
	return l;
}

static struct expr *parse_and(struct parser *p)
{
	return parse_binary(p, "and", EX_AND, parse_unary);
}

static struct expr *parse_or(struct parser *p)
{
	return parse_binary(p, "or", EX_OR, parse_and);
}

int expr_compile(const char *text, const struct expr_env *env,
		 struct expr **out)
{
	struct parser p = { .env = env };
	struct expr *e = NULL;
	char buf[64];
	int r;

	*out = NULL;
	if (strlen(text) > EXPR_TEXT_MAX) {
		perr(&p, "expression too long (more than %d bytes)", EXPR_TEXT_MAX);
		return -EINVAL;
	}
	r = lex(&p, text);
	if (r < 0)
		goto out_tokens;
	if (p.toks[0].kind == TOK_END) {
		perr(&p, "empty expression");
		r = -EINVAL;
		goto out_tokens;
	}
	e = parse_or(&p);
	if (e && peek(&p)->kind != TOK_END) {
		const struct token *t = peek(&p);

		if (t->kind == TOK_RPAREN)
			psyntax(&p, "unexpected \")\" (no matching \"(\")");
		else
			psyntax(&p, "unexpected %s (expected and, or, or the end)",
				tok_show(t, buf, sizeof(buf)));
	}
	r = p.oom ? -ENOMEM : p.errors ? -EINVAL : 0;
	if (r == 0)
		*out = e;
	else
		expr_free(e);
out_tokens:
	for (size_t i = 0; i < p.ntoks; i++)
		free(p.toks[i].text);
	free(p.toks);
	if (r == 0 && p.oom)
		r = -ENOMEM;
	return r;
}

/* ---- evaluation: no allocation, no lookups by name ---- */

struct expr_runtime *expr_runtime_new(void)
{
	struct expr_runtime *rt = calloc(1, sizeof(*rt));

	if (!rt)
		return NULL;
	/* One ovector pair: we only ask whether it matched. */
	rt->md = pcre2_match_data_create(1, NULL);
	rt->mctx = pcre2_match_context_create(NULL);
	if (!rt->md || !rt->mctx) {
		expr_runtime_free(rt);
		return NULL;
	}
	pcre2_set_match_limit(rt->mctx, EXPR_MATCH_LIMIT);
	pcre2_set_depth_limit(rt->mctx, EXPR_DEPTH_LIMIT);
	return rt;
}

void expr_runtime_free(struct expr_runtime *rt)
{
	if (!rt)
		return;
	pcre2_match_data_free(rt->md);
	pcre2_match_context_free(rt->mctx);
	free(rt);
}

static bool str_in(const struct expr *e, const char *s)
{
	return bsearch(&s, e->strs, e->nset, sizeof(*e->strs),
		       e->icase ? cmp_strcase : cmp_str) != NULL;
}

static bool ends_with(const struct expr *e, const char *s, size_t len)
{
	if (len < e->len)
		return false;
	s += len - e->len;
	return e->icase ? strcasecmp(s, e->str) == 0 : memcmp(s, e->str, e->len) == 0;
}

/* One string against a non-negated operator. */
static bool str_test(const struct expr *e, const char *s, size_t len,
		     struct expr_runtime *rt)
{
	switch (e->op) {
	case OP_EQ:
		return e->icase ? strcasecmp(s, e->str) == 0 :
			len == e->len && memcmp(s, e->str, len) == 0;
	case OP_CONTAINS:
		return e->icase ? strcasestr(s, e->str) != NULL :
			memmem(s, len, e->str, e->len) != NULL;
	case OP_STARTS:
		return e->icase ? strncasecmp(s, e->str, e->len) == 0 :
			strncmp(s, e->str, e->len) == 0;
	case OP_ENDS:
		return ends_with(e, s, len);
	case OP_GLOB:
		return fnmatch(e->str, s, e->icase ? FNM_CASEFOLD : 0) == 0;
	case OP_RE:
		/* A limit hit (hostile subject) counts as no match. */
		return pcre2_match(e->re, (PCRE2_SPTR)s, len, 0, 0, rt->md,
				   rt->mctx) >= 0;
	case OP_IN:
		return str_in(e, s);
	default:
		return false;
	}
}

static bool int_test(const struct expr *e, int64_t v)
{
	switch (e->op) {
	case OP_EQ:
		return v == e->num;
	case OP_LT:
		return v < e->num;
	case OP_LE:
		return v <= e->num;
	case OP_GT:
		return v > e->num;
	case OP_GE:
		return v >= e->num;
	case OP_IN:
		for (size_t i = 0; i < e->nset; i++)
			if (e->nums[i] == v)
				return true;
		return false;
	default:
		return false;
	}
}

static bool ip_test(const struct expr *e, const struct ip_addr *raw)
{
	struct ip_addr a = ip_normalize(raw);

	if (e->op == OP_EQ)
		return net_contains(&e->net, &a);
	for (size_t i = 0; i < e->nset; i++)
		if (net_contains(&e->nets[i], &a))
			return true;
	return false;
}

static bool cmp_eval(const struct expr *e, const struct event *ev,
		     struct expr_runtime *rt)
{
	const struct value *v;
	bool r = false;

	if (e->field < 0 || (size_t)e->field >= ev->source->nfields)
		return false;
	v = &ev->values[e->field];
	if (!v->set || v->type != e->ftype)
		return false;
	switch (e->op) {
	case OP_EXISTS:
		return true;
	case OP_TRUTH:
		return v->type == FIELD_BOOL && v->b;
	default:
		break;
	}
	switch (v->type) {
	case FIELD_STRING:
		r = str_test(e, v->str.ptr, v->str.len, rt);
		break;
	case FIELD_LIST:
		for (size_t i = 0; i < v->list.n && !r; i++)
			r = str_test(e, v->list.items[i],
				     strlen(v->list.items[i]), rt);
		break;
	case FIELD_INT:
		r = int_test(e, v->i);
		break;
	case FIELD_BOOL:
		r = e->op == OP_EQ && v->b == e->b;
		break;
	case FIELD_IP:
		r = ip_test(e, &v->ip);
		break;
	}
	return e->negate ? !r : r;
}

bool expr_eval(const struct expr *e, const struct event *ev,
	       struct expr_runtime *rt)
{
	switch (e->kind) {
	case EX_AND:
		return expr_eval(e->l, ev, rt) && expr_eval(e->r, ev, rt);
	case EX_OR:
		return expr_eval(e->l, ev, rt) || expr_eval(e->r, ev, rt);
	case EX_NOT:
		return !expr_eval(e->l, ev, rt);
	case EX_CMP:
		return cmp_eval(e, ev, rt);
	}
	return false;
}

/* Like expr_eval; when the result is false, *why points at the text of
 * the predicate that decided it (for "not", the predicate that was true),
 * and *negated says whether it failed by being true. */
static bool explain(const struct expr *e, const struct event *ev,
		    struct expr_runtime *rt, const struct expr **why, bool neg)
{
	bool v;

	switch (e->kind) {
	case EX_AND:
		return explain(e->l, ev, rt, why, neg) && explain(e->r, ev, rt, why, neg);
	case EX_OR:
		/* Both sides failed: the first one is reported. */
		if (explain(e->l, ev, rt, why, neg))
			return true;
		{
			const struct expr *first = *why;
			bool r = explain(e->r, ev, rt, why, neg);

			if (!r)
				*why = first;
			return r;
		}
	case EX_NOT:
		v = !explain(e->l, ev, rt, why, !neg);
		return v;
	case EX_CMP:
		v = cmp_eval(e, ev, rt);
		if (v == neg)
			*why = e;
		return v;
	}
	return false;
}

bool expr_explain(const struct expr *e, const struct event *ev,
		  struct expr_runtime *rt, char *buf, size_t len)
{
	const struct expr *why = NULL;
	bool v = explain(e, ev, rt, &why, false);

	if (len)
		buf[0] = '\0';
	if (!v && why && len) {
		const char *t = why->text ? why->text : "?";

		if (why->op != OP_EXISTS && why->field >= 0 && !ev->values[why->field].set)
			snprintf(buf, len, "%s (field not set)", t);
		else
			snprintf(buf, len, "%s", t);
	}
	return v;
}

/* A top-level conjunct "field == literal" (string, case-sensitive, not
 * negated) on a field other than skip_field: the rule can only match
 * events whose field holds exactly that text, which lets the ruleset
 * index rules by it. */
/* ---- for the rule index ---- */

/* The atoms of predicate e into fn, each an alternative (*all_of false:
 * an in-list, or the single atom of ==, contains...) or each required
 * on its own (*all_of true: the runs a regex or glob forces).  Stops
 * and returns false when e has none or fn refuses one. */
static bool pred_atoms(const struct expr *e, bool *all_of,
		       bool (*fn)(void *opaque, const struct expr_key *k),
		       void *opaque)
{
	struct literal_runs runs;
	struct expr_key k = {
		.kind = EXPR_KEY_SUBSTR, .field = e->field, .icase = e->icase,
		.lit = e->str,
	};

	*all_of = false;
	if (e->kind != EX_CMP || e->negate || e->field < 0 ||
	    e->ftype != FIELD_STRING)
		return false;
	switch (e->op) {
	case OP_IN:
		if (!e->strs || !e->nset)
			return false;
		k.kind = EXPR_KEY_EXACT;
		for (size_t i = 0; i < e->nset; i++) {
			k.lit = e->strs[i];
			if (!fn(opaque, &k))
				return false;
		}
		return true;
	case OP_EQ:
		k.kind = EXPR_KEY_EXACT;
		return e->str && fn(opaque, &k);
	case OP_CONTAINS:
	case OP_STARTS:
	case OP_ENDS:
		return e->str && e->len && fn(opaque, &k);
	case OP_GLOB:
	case OP_RE:
		if (!e->str || !(e->op == OP_RE ? literal_from_regex(e->str, &runs) :
				 literal_from_glob(e->str, &runs)))
			return false;
		*all_of = true;
		for (size_t i = 0; i < runs.n; i++) {
			k.lit = runs.run[i];
			if (!fn(opaque, &k))
				return false;
		}
		return true;
	default:
		return false;
	}
}

struct plan {
	uint64_t (*cost)(void *opaque, const struct expr_key *k);
	void (*emit)(void *opaque, const struct expr_key *k);
	void *opaque;
	uint64_t sum;
	bool all_of;			/* the predicate's atoms are runs */
	size_t n, pick;			/* runs seen, the cheapest one's place */
};

static uint64_t add_sat(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* Sums the atoms' costs, or (all_of) keeps the least and its place. */
static bool atom_cost(void *opaque, const struct expr_key *k)
{
	struct plan *p = opaque;
	uint64_t c = p->cost(p->opaque, k);

	if (p->all_of) {
		if (c < p->sum) {
			p->sum = c;
			p->pick = p->n;
		}
		p->n++;
		return true;
	}
	if (c == UINT64_MAX)
		return false;
	p->sum = add_sat(p->sum, c);
	return true;
}

static bool atom_emit(void *opaque, const struct expr_key *k)
{
	struct plan *p = opaque;

	if (!p->all_of || p->n++ == p->pick)
		p->emit(p->opaque, k);
	return true;
}

/* A predicate's cost; *q left ready for pred_emit(). */
static uint64_t pred_cost(const struct expr *e, const struct plan *p,
			  struct plan *q)
{
	bool all_of, ok;

	*q = *p;
	q->sum = 0;
	q->n = 0;
	q->pick = SIZE_MAX;
	/* A regex's runs: the cheapest one; the first pass learns that
	 * they are runs, the second takes their minimum. */
	ok = pred_atoms(e, &all_of, atom_cost, q);
	if (all_of) {
		q->all_of = true;
		q->sum = UINT64_MAX;
		q->n = 0;
		ok = pred_atoms(e, &all_of, atom_cost, q);
	}
	return ok ? q->sum : UINT64_MAX;
}

static uint64_t plan_cost(const struct expr *e, const struct plan *p)
{
	struct plan q;
	uint64_t l, r;

	switch (e->kind) {
	case EX_AND:
		l = plan_cost(e->l, p);
		r = plan_cost(e->r, p);
		return l < r ? l : r;
	case EX_OR:
		l = plan_cost(e->l, p);
		r = plan_cost(e->r, p);
		return l == UINT64_MAX || r == UINT64_MAX ? UINT64_MAX : add_sat(l, r);
	case EX_CMP:
		return pred_cost(e, p, &q);
	default:		/* what "not" excludes is no literal */
		return UINT64_MAX;
	}
}

/* Only called on an e whose plan_cost() is finite. */
static void plan_emit(const struct expr *e, struct plan *p)
{
	struct plan q;
	bool all_of;

	switch (e->kind) {
	case EX_AND:
		plan_emit(plan_cost(e->l, p) <= plan_cost(e->r, p) ? e->l : e->r, p);
		break;
	case EX_OR:
		plan_emit(e->l, p);
		plan_emit(e->r, p);
		break;
	case EX_CMP:
		if (pred_cost(e, p, &q) != UINT64_MAX) {
			q.n = 0;
			pred_atoms(e, &all_of, atom_emit, &q);
		}
		break;
	default:
		break;
	}
}

uint64_t expr_index_plan(const struct expr *e,
			 uint64_t (*cost)(void *opaque, const struct expr_key *k),
			 void (*emit)(void *opaque, const struct expr_key *k),
			 void *opaque)
{
	struct plan p = { .cost = cost, .emit = emit, .opaque = opaque };
	uint64_t c;

	if (!e)
		return UINT64_MAX;
	c = plan_cost(e, &p);
	if (c != UINT64_MAX)
		plan_emit(e, &p);
	return c;
}

void expr_index_atoms(const struct expr *e,
		      void (*fn)(void *opaque, const struct expr_key *k),
		      void *opaque)
{
	struct plan p = { .emit = fn, .opaque = opaque };
	bool all_of;

	if (!e)
		return;
	switch (e->kind) {
	case EX_AND:
	case EX_OR:
		expr_index_atoms(e->l, fn, opaque);
		expr_index_atoms(e->r, fn, opaque);
		break;
	case EX_CMP:
		pred_atoms(e, &all_of, atom_emit, &p);
		break;
	default:
		break;
	}
}
