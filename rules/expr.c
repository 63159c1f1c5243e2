/* SPDX-License-Identifier: Apache-2.0 */
/*
 * expr.c - the rule expression language: the parser/compiler.  The lexer
 * is expr_lex.c, the conversion of operands to their field's type
 * expr_value.c, the evaluator expr_eval.c and what the rule index reads
 * from a compiled condition expr_index.c; they share expr_int.h.  This
 * file holds the grammar, below, and builds the tree the others walk.
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
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr_int.h"

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

void expr_perr(struct parser *p, const char *fmt, ...)
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
	expr_regex_unref(e->re);
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

/* The first bytes are compared before strcmp: the parser asks these for
 * every token of every rule, and most differ at once. */
static bool is_word(const struct token *t, const char *w)
{
	return t->kind == TOK_WORD && t->text[0] == w[0] && strcmp(t->text, w) == 0;
}

static bool is_keyword(const char *w)
{
	for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
		if (keywords[i][0] == w[0] && strcmp(keywords[i], w) == 0)
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
			expr_perr(p, "unknown list @%s", expr_show(t->text, buf, sizeof(buf)));
			return;
		}
		if (compile)
			expr_compile_set(p, e, litems, NULL, ln, t->text);
		return;
	}
	if (t->kind != TOK_LPAREN) {
		psyntax(p, "expected \"(\" or @list after \"%s\", got %s", opspell,
			expr_tok_show(t, buf, sizeof(buf)));
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
					opspell, expr_tok_show(t, buf, sizeof(buf)));
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
					expr_tok_show(t, buf, sizeof(buf)));
			goto out_free;
		}
	}
	if (compile)
		expr_compile_set(p, e, items, quoted, n, NULL);
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
			expr_tok_show(t, buf, sizeof(buf)));
		return NULL;
	}
	e = node_new(p, EX_CMP);
	if (!e)
		return NULL;
	field = source_field_index(p->env->source, t->text);
	if (field < 0)
		expr_perr(p, "unknown field \"%s\" for source %s",
			  expr_show(t->text, buf, sizeof(buf)), p->env->source->name);
	else {
		e->field = field;
		e->ftype = p->env->source->fields[field].type;
	}
	if (!parse_operator(p, e, &spell)) {
		const struct token *n = peek(p);

		if (!(n->kind == TOK_END || n->kind == TOK_RPAREN ||
		      is_word(n, "and") || is_word(n, "or"))) {
			psyntax(p, "expected an operator after \"%s\", got %s",
				expr_show(t->text, buf2, sizeof(buf2)),
				expr_tok_show(n, buf, sizeof(buf)));
			return e;
		}
		e->op = OP_TRUTH;
		if (field >= 0 && e->ftype != FIELD_BOOL)
			expr_perr(p, "%s is a %s field: compare it (==, contains, in, ...) or test it with \"exists\"",
				  t->text, field_type_name(e->ftype));
		return e;
	}
	allowed = field >= 0 && op_allowed(e->op, e->icase, e->ftype);
	if (field >= 0 && !allowed)
		expr_perr(p, "operator \"%s\" does not apply to %s (%s)", spell,
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
				expr_tok_show(v, buf, sizeof(buf)));
		return e;
	}
	/* A list field's "contains" is element equality (DESIGN: interfaces
	 * contains "03:01:01"), so it shares the string set/equality path. */
	if (e->ftype == FIELD_LIST && e->op == OP_CONTAINS)
		e->op = OP_EQ;
	if (allowed) {
		e->field = field;
		expr_compile_value(p, e, v);
	}
	return e;
}

/* Append s to buf[0..*o), bounded by len: cut to fit, as snprintf would,
 * and *o never past len - 1. */
static void put_text(char *buf, size_t len, size_t *o, const char *s)
{
	size_t n = strlen(s);

	if (n > len - 1 - *o)
		n = len - 1 - *o;
	memcpy(buf + *o, s, n);
	*o += n;
	buf[*o] = '\0';
}

/* The tokens [from, to) joined back into text, bounded: what --explain
 * shows for a predicate that failed.  Kept per predicate (a few dozen
 * bytes each) so evaluation never has to rebuild it.  Built with plain
 * copies, not snprintf: this runs for every predicate of every rule at
 * start-up, where formatting was a seventh of the rule loading. */
static char *pred_text(struct parser *p, size_t from, size_t to)
{
	char buf[256];
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = from; i < to && o < sizeof(buf) - 1; i++) {
		const struct token *t = &p->toks[i];
		const char *s = t->kind == TOK_OP ? t->spell : t->text;
		const char *pre = "", *post = "";

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
		if (i > from && t->kind != TOK_COMMA && t->kind != TOK_RPAREN &&
		    p->toks[i - 1].kind != TOK_LPAREN)
			put_text(buf, sizeof(buf), &o, " ");
		put_text(buf, sizeof(buf), &o, pre);
		put_text(buf, sizeof(buf), &o, s);
		put_text(buf, sizeof(buf), &o, post);
	}
	return expr_dup_range(p, buf, o);
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
					expr_tok_show(t, buf, sizeof(buf)));
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
		expr_perr(&p, "expression too long (more than %d bytes)", EXPR_TEXT_MAX);
		return -EINVAL;
	}
	r = expr_lex(&p, text);
	if (r < 0)
		goto out_tokens;
	if (p.toks[0].kind == TOK_END) {
		expr_perr(&p, "empty expression");
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
				expr_tok_show(t, buf, sizeof(buf)));
	}
	r = p.oom ? -ENOMEM : p.errors ? -EINVAL : 0;
	if (r == 0)
		*out = e;
	else
		expr_free(e);
out_tokens:
	free(p.arena);
	free(p.toks);
	if (r == 0 && p.oom)
		r = -ENOMEM;
	return r;
}
