/* SPDX-License-Identifier: Apache-2.0 */
/*
 * expr_lex.c - the lexer of rule expressions: text to tokens (parentheses,
 * commas, symbol operators, words, double-quoted strings, @list names),
 * and how a token or a piece of rule text is quoted in a message.  The
 * token rules (what a WORD is, the escapes of a STRING) are in the grammar
 * at the top of expr.c.
 *
 * Its own file because it is the one place that reads raw bytes of the
 * rule text: everything after it works on tokens.  A lexical error is a
 * syntax error (psyntax): compilation stops there.
 *
 * The tokens' texts live in one block (p->arena) sized from the text,
 * not one allocation each: they die together at the end of compilation,
 * and allocating and freeing each was a tenth of loading the rules.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr_int.h"

/* ---- lexer ---- */

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

/* Quote a piece of rule text for a message: bounded, printable. */
const char *expr_show(const char *s, char *buf, size_t len)
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

const char *expr_tok_show(const struct token *t, char *buf, size_t len)
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
		snprintf(buf, len, "\"@%s\"", expr_show(t->text, tmp, sizeof(tmp)));
		return buf;
	case TOK_WORD:
	case TOK_STRING:
		break;
	}
	snprintf(buf, len, "\"%s\"", expr_show(t->text, tmp, sizeof(tmp)));
	return buf;
}

/* Bytes that end a word besides blanks and controls (a table: the lexer
 * asks for every byte of every rule). */
static const bool word_stop[256] = {
	['('] = true, [')'] = true, ['"'] = true, [','] = true, ['\''] = true,
	['='] = true, ['<'] = true, ['>'] = true, ['!'] = true, ['~'] = true,
};

static bool word_char(unsigned char c)
{
	return c > ' ' && c != 0x7f && !word_stop[c];
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

char *expr_dup_range(struct parser *p, const char *s, size_t n)
{
	char *d = strndup(s, n);

	if (!d)
		p->oom = true;
	return d;
}

/* Room for n bytes and a NUL in the arena.  It was sized by expr_lex for
 * the whole text (a token's text is never longer than its span, and
 * there are fewer tokens than bytes), so this never fails. */
static char *arena_take(struct parser *p, size_t n)
{
	char *d = p->arena + p->arena_len;

	p->arena_len += n + 1;
	return d;
}

/* A copy of s[0..n) in the arena. */
static char *lex_copy(struct parser *p, const char *s, size_t n)
{
	char *d = arena_take(p, n);

	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

/* A double-quoted string starting at s (on the quote); *end gets the byte
 * after the closing quote.  NULL on error (reported). */
static char *lex_string(struct parser *p, const char *s, const char **end)
{
	const char *q = s + 1;
	char *out = p->arena + p->arena_len, *o = out;

	for (; *q && *q != '"'; q++) {
		if (*q == '\\' && (q[1] == '"' || q[1] == '\\'))
			q++;
		*o++ = *q;
	}
	if (*q != '"') {
		psyntax(p, "unclosed string");
		return NULL;
	}
	*o = '\0';
	p->arena_len += (size_t)(o - out) + 1;
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

int expr_lex(struct parser *p, const char *s)
{
	struct token *t;

	p->arena = malloc(2 * strlen(s) + 1);
	if (!p->arena) {
		p->oom = true;
		return -ENOMEM;
	}
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
				return -EINVAL;
			t = tok_push(p, TOK_STRING);
			if (!t)
				return -ENOMEM;
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
			if (!t)
				return -ENOMEM;
			t->text = lex_copy(p, start + 1, (size_t)(s - start - 1));
			continue;
		}
		/* "i==", "i!=", "i~" before words, since "i" is a word byte. */
		if (!(s[0] == 'i' && (s[1] == '~' || (s[1] && s[2] == '=' &&
						      (s[1] == '=' || s[1] == '!')))) &&
		    word_char((unsigned char)*s)) {
			while (word_char((unsigned char)*s))
				s++;
			t = tok_push(p, TOK_WORD);
			if (!t)
				return -ENOMEM;
			t->text = lex_copy(p, start, (size_t)(s - start));
			continue;
		}
		if (lex_symbol(p, &s) < 0)
			return p->oom ? -ENOMEM : -EINVAL;
	}
	return tok_push(p, TOK_END) ? 0 : -ENOMEM;
}
