/*
 * ruleset_load.c - rule files to a ruleset, with every error reported.
 *
 * Two passes.  The first reads every file (sorted by name, *.rules only)
 * through inifile.c into raw sections: the section's kind, id and line,
 * and each known key's text and line.  Unknown sections and keys, and
 * duplicated keys, are reported here.  The second pass builds the objects:
 * lists first, because a rule may name a list defined further down or in
 * another file, then rules and allows, whose expressions are compiled
 * against their source's field table.  Every problem becomes a diagnostic
 * "file:line: message" and loading goes on, so one run shows them all;
 * the ruleset is handed out only if there was none.
 *
 * Defaults, for keys a [rule] may leave out: name = the id, confidence =
 * medium, score = 0, cooldown = 0 (every match alerts; a cooldown is an
 * opt-in decision about a rule's noise, not something to guess).
 * description, advice and references are optional here: the shipped packs
 * must carry them (tests/integration/ruledoc.sh checks that, and the
 * README and farmhound.rules(5) reference is generated from them), but an
 * admin's own rule is not worse for leaving them out, so -t says nothing.
 *
 * Ids share a namespace per kind: two rules, two lists or two allows with
 * the same id are an error wherever they are, but a rule and an allow may
 * share one.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "inifile.h"
#include "lib/util.h"
#include "ruleset_int.h"

#define RULES_FILE_MAX (1024 * 1024)	/* bytes per file */
#define RULES_FILES_MAX 1024		/* files per directory */
#define RULES_SECTIONS_MAX 20000	/* sections in all */
#define RULES_ITEMS_MAX 10000		/* items per comma list */
#define RULES_ID_MAX 128
#define RULES_SCORE_MAX 1000

enum section_kind {
	SEC_RULE,
	SEC_LIST,
	SEC_ALLOW,
};

enum key_id {
	K_NAME, K_DESCRIPTION, K_ADVICE, K_SOURCE, K_WHEN, K_SEVERITY, K_CONFIDENCE,
	K_CATEGORY, K_SCORE, K_MITRE, K_REFERENCES, K_COOLDOWN,
	K_COUNT, K_WINDOW, K_DISTINCT, K_GROUP_BY, K_MATCH, K_ALERT,
	K_ITEMS, K_REASON, K_OWNER, K_EXPIRES,
	K__MAX,
};

#define R (1u << SEC_RULE)
#define L (1u << SEC_LIST)
#define A (1u << SEC_ALLOW)

static const struct {
	const char *name;
	unsigned kinds;
	bool reserved;			/* a key for a later version */
} keys[K__MAX] = {
	[K_NAME] = { "name", R },
	[K_DESCRIPTION] = { "description", R },
	[K_ADVICE] = { "advice", R },
	[K_SOURCE] = { "source", R | A },
	[K_WHEN] = { "when", R | A },
	[K_SEVERITY] = { "severity", R },
	[K_CONFIDENCE] = { "confidence", R },
	[K_CATEGORY] = { "category", R },
	[K_SCORE] = { "score", R },
	[K_MITRE] = { "mitre", R },
	[K_REFERENCES] = { "references", R },
	[K_COOLDOWN] = { "cooldown", R },
	[K_COUNT] = { "count", R },
	[K_WINDOW] = { "window", R },
	[K_DISTINCT] = { "distinct", R },
	[K_GROUP_BY] = { "group_by", R },
	[K_MATCH] = { "match", R },
	[K_ALERT] = { "alert", R },
	[K_ITEMS] = { "items", L },
	[K_REASON] = { "reason", A },
	[K_OWNER] = { "owner", A },
	[K_EXPIRES] = { "expires", A },
};

#undef R
#undef L
#undef A

static const char *const kind_names[] = {
	[SEC_RULE] = "rule", [SEC_LIST] = "list", [SEC_ALLOW] = "allow",
};

struct raw_section {
	enum section_kind kind;
	char *id;
	const char *file;		/* owned by the loader */
	int line;
	size_t order;			/* load order, for duplicate reports */
	char *val[K__MAX];
	int vline[K__MAX];
};

struct loader {
	const struct source_def *const *sources;	/* NULL: registry */
	struct diag_list *diags;
	time_t now;
	char **files;
	size_t nfiles;
	struct raw_section **secs;
	size_t nsecs, cap;
	struct raw_section *cur;	/* NULL: ignore keys */
	const char *file;
	bool oom;
	int io_error;			/* first -errno reading files */
	size_t from;			/* first diagnostic of this load */
	struct ruleset *rs;
};

static void lerr(struct loader *l, const char *file, int line, const char *fmt,
		 ...) __attribute__((format(printf, 4, 5)));

static void lerr(struct loader *l, const char *file, int line, const char *fmt,
		 ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (diag_add(l->diags, false, file, line, "%s", msg) < 0)
		l->oom = true;
}

/* ---- pass 1: files to raw sections ---- */

static bool id_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > RULES_ID_MAX)
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		      "0123456789_.-") == n;
}

static void on_section(void *opaque, const char *header, int line)
{
	struct loader *l = opaque;
	struct raw_section *sec;
	size_t tl;
	int kind = -1;
	const char *id;

	l->cur = NULL;
	if (!header)
		return;
	tl = strcspn(header, " \t");
	for (int k = SEC_RULE; k <= SEC_ALLOW; k++)
		if (strlen(kind_names[k]) == tl && strncmp(header, kind_names[k], tl) == 0)
			kind = k;
	if (kind < 0) {
		lerr(l, l->file, line, "unknown section type \"%.*s\" (expected rule, list or allow)",
		     (int)(tl > 40 ? 40 : tl), header);
		return;
	}
	id = header + tl + strspn(header + tl, " \t");
	if (!*id) {
		lerr(l, l->file, line, "section [%s] needs an id: [%s ID]",
		     kind_names[kind], kind_names[kind]);
		return;
	}
	if (!id_ok(id)) {
		lerr(l, l->file, line, "bad %s id \"%.40s\" (letters, digits, _ . - only, at most %d)",
		     kind_names[kind], id, RULES_ID_MAX);
		return;
	}
	if (l->nsecs >= RULES_SECTIONS_MAX) {
		lerr(l, l->file, line, "too many sections (more than %d)",
		     RULES_SECTIONS_MAX);
		return;
	}
	if (l->nsecs == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 64;
		struct raw_section **s = realloc(l->secs, ncap * sizeof(*s));

		if (!s)
			goto out_nomem;
		l->secs = s;
		l->cap = ncap;
	}
	sec = calloc(1, sizeof(*sec));
	if (!sec)
		goto out_nomem;
	sec->id = strdup(id);
	if (!sec->id) {
		free(sec);
		goto out_nomem;
	}
	sec->kind = (enum section_kind)kind;
	sec->file = l->file;
	sec->line = line;
	sec->order = l->nsecs;
	l->secs[l->nsecs++] = sec;
	l->cur = sec;
	return;
out_nomem:
	l->oom = true;
}

static void on_key(void *opaque, const char *name, const char *value, int line)
{
	struct loader *l = opaque;
	struct raw_section *sec = l->cur;
	int k;

	if (!sec)
		return;		/* the section header was already reported */
	for (k = 0; k < K__MAX; k++)
		if (strcmp(keys[k].name, name) == 0 &&
		    (keys[k].kinds & (1u << sec->kind)))
			break;
	if (k == K__MAX) {
		lerr(l, l->file, line, "unknown key \"%s\" in a [%s] section",
		     name, kind_names[sec->kind]);
		return;
	}
	if (keys[k].reserved) {
		lerr(l, l->file, line, "\"%s\" is not supported yet", name);
		return;
	}
	if (sec->val[k]) {
		lerr(l, l->file, line, "duplicate key \"%s\" (first set on line %d)",
		     name, sec->vline[k]);
		return;
	}
	sec->val[k] = strdup(value);
	if (!sec->val[k])
		l->oom = true;
	sec->vline[k] = line;
}

static void on_error(void *opaque, int line, const char *msg)
{
	struct loader *l = opaque;

	lerr(l, l->file, line, "%s", msg);
}

static const struct inifile_ops load_ops = {
	.section = on_section,
	.key = on_key,
	.error = on_error,
};

static int loader_add_file(struct loader *l, const char *path)
{
	char **f, *copy, *text = NULL;
	size_t len;
	int r;

	f = realloc(l->files, (l->nfiles + 1) * sizeof(*f));
	if (!f)
		return -ENOMEM;
	l->files = f;
	copy = strdup(path);
	if (!copy)
		return -ENOMEM;
	l->files[l->nfiles++] = copy;
	l->file = copy;
	l->cur = NULL;
	r = read_file_bounded(path, RULES_FILE_MAX + 1, &text, &len);
	if (r < 0) {
		lerr(l, copy, 0, "cannot read: %s", strerror(-r));
		if (!l->io_error)
			l->io_error = r;
		return 0;
	}
	if (len > RULES_FILE_MAX) {
		lerr(l, copy, 0, "file too large (more than %d bytes)", RULES_FILE_MAX);
	} else if (inifile_parse(text, len, &load_ops, l) < 0) {
		l->oom = true;
	}
	free(text);
	l->cur = NULL;
	return l->oom ? -ENOMEM : 0;
}

static bool is_rules_name(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && n > 6 && strcmp(name + n - 6, ".rules") == 0;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every *.rules regular file of dir, sorted. */
static int list_dir(struct loader *l, const char *dir, char ***out, size_t *n)
{
	char **names = NULL, **nn, *path;
	struct dirent *de;
	struct stat st;
	DIR *d;
	int r = 0;

	*n = 0;
	d = opendir(dir);
	if (!d) {
		r = -errno;
		lerr(l, dir, 0, "cannot open rules directory: %s", strerror(-r));
		return r;
	}
	while ((de = readdir(d))) {
		if (!is_rules_name(de->d_name))
			continue;
		if (*n >= RULES_FILES_MAX) {
			lerr(l, dir, 0, "too many rule files (more than %d)",
			     RULES_FILES_MAX);
			break;
		}
		if (asprintf(&path, "%s/%s", dir, de->d_name) < 0)
			goto out_nomem;
		if (stat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
			free(path);
			continue;
		}
		nn = realloc(names, (*n + 1) * sizeof(*nn));
		if (!nn) {
			free(path);
			goto out_nomem;
		}
		names = nn;
		names[(*n)++] = path;
	}
	closedir(d);
	if (names)
		qsort(names, *n, sizeof(*names), cmp_name);
	*out = names;
	return 0;
out_nomem:
	closedir(d);
	for (size_t i = 0; i < *n; i++)
		free(names[i]);
	free(names);
	*n = 0;
	return -ENOMEM;
}

/* ---- pass 2: raw sections to objects ---- */

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

/* "a, b, \"c, d\"": items split on commas outside double quotes, trimmed,
 * quotes removed (\" and \\ escapes).  0, -EINVAL (reported) or -ENOMEM. */
static int parse_items(struct loader *l, const struct raw_section *sec,
		       enum key_id k, char ***out, size_t *nout)
{
	const char *s = sec->val[k];
	char **v = NULL, **nv, *item;
	size_t n = 0;

	*out = NULL;
	*nout = 0;
	while (*s) {
		size_t cap = strlen(s) + 1, o = 0;
		bool quoted = false;

		s += strspn(s, " \t");
		item = malloc(cap);
		if (!item)
			goto out_nomem;
		if (*s == '"') {
			for (s++; *s && *s != '"'; s++) {
				if (*s == '\\' && (s[1] == '"' || s[1] == '\\'))
					s++;
				item[o++] = *s;
			}
			if (*s != '"') {
				free(item);
				lerr(l, sec->file, sec->vline[k], "%s: unclosed string",
				     keys[k].name);
				goto out_inval;
			}
			s++;
			quoted = true;
			s += strspn(s, " \t");
		} else {
			while (*s && *s != ',')
				item[o++] = *s++;
			while (o && (item[o - 1] == ' ' || item[o - 1] == '\t'))
				o--;
		}
		item[o] = '\0';
		if (*s && *s != ',') {
			free(item);
			lerr(l, sec->file, sec->vline[k], "%s: expected \",\" after a quoted item",
			     keys[k].name);
			goto out_inval;
		}
		if (!o && !quoted) {
			free(item);
			lerr(l, sec->file, sec->vline[k], "%s: empty item", keys[k].name);
			goto out_inval;
		}
		if (n >= RULES_ITEMS_MAX) {
			free(item);
			lerr(l, sec->file, sec->vline[k], "%s: too many items (more than %d)",
			     keys[k].name, RULES_ITEMS_MAX);
			goto out_inval;
		}
		nv = realloc(v, (n + 1) * sizeof(*nv));
		if (!nv) {
			free(item);
			goto out_nomem;
		}
		v = nv;
		v[n++] = item;
		if (*s == ',') {
			s++;
			if (!*(s + strspn(s, " \t"))) {
				lerr(l, sec->file, sec->vline[k], "%s: empty item",
				     keys[k].name);
				goto out_inval;
			}
		}
	}
	*out = v;
	*nout = n;
	return 0;
out_inval:
	strv_free(v, n);
	return -EINVAL;
out_nomem:
	strv_free(v, n);
	l->oom = true;
	return -ENOMEM;
}

static bool require(struct loader *l, const struct raw_section *sec,
		    const enum key_id *req, size_t n)
{
	bool ok = true;

	for (size_t i = 0; i < n; i++) {
		if (sec->val[req[i]] && *sec->val[req[i]])
			continue;
		if (sec->val[req[i]])
			lerr(l, sec->file, sec->vline[req[i]], "empty value for \"%s\"",
			     keys[req[i]].name);
		else
			lerr(l, sec->file, sec->line, "[%s %s]: missing required key \"%s\"",
			     kind_names[sec->kind], sec->id, keys[req[i]].name);
		ok = false;
	}
	return ok;
}

static int cmp_sec(const void *a, const void *b)
{
	const struct raw_section *x = *(struct raw_section *const *)a;
	const struct raw_section *y = *(struct raw_section *const *)b;
	int c = (int)x->kind - (int)y->kind;

	if (!c)
		c = strcmp(x->id, y->id);
	if (!c)
		c = x->order < y->order ? -1 : x->order > y->order;
	return c;
}

/* Report every id defined twice (per kind); mark the later ones. */
static void check_duplicates(struct loader *l, bool *dup)
{
	struct raw_section **v;

	if (!l->nsecs)
		return;
	v = malloc(l->nsecs * sizeof(*v));
	if (!v) {
		l->oom = true;
		return;
	}
	memcpy(v, l->secs, l->nsecs * sizeof(*v));
	qsort(v, l->nsecs, sizeof(*v), cmp_sec);
	for (size_t i = 1, first = 0; i < l->nsecs; i++) {
		if (v[i]->kind != v[first]->kind || strcmp(v[i]->id, v[first]->id)) {
			first = i;
			continue;
		}
		lerr(l, v[i]->file, v[i]->line, "duplicate %s id \"%s\" (first defined at %s:%d)",
		     kind_names[v[i]->kind], v[i]->id, v[first]->file, v[first]->line);
		dup[v[i]->order] = true;
	}
	free(v);
}

static const struct source_def *find_source(struct loader *l, const char *name)
{
	if (!l->sources)
		return source_by_name(name);
	for (size_t i = 0; l->sources[i]; i++)
		if (strcmp(l->sources[i]->name, name) == 0)
			return l->sources[i];
	return NULL;
}

/* The context of one expression's compilation: where its errors go. */
struct expr_ctx {
	struct loader *l;
	const char *file;
	int line;
};

static bool find_list(void *opaque, const char *name, char *const **items,
		      size_t *n)
{
	const struct ruleset *rs = ((struct expr_ctx *)opaque)->l->rs;

	for (size_t i = 0; i < rs->nlists; i++) {
		if (strcmp(rs->lists[i]->name, name) == 0) {
			*items = rs->lists[i]->items;
			*n = rs->lists[i]->n;
			return true;
		}
	}
	return false;
}

static void on_expr_error(void *opaque, const char *msg)
{
	struct expr_ctx *c = opaque;

	lerr(c->l, c->file, c->line, "%s", msg);
}

/* Resolve source and compile when (both present). */
static int compile_when(struct loader *l, const struct raw_section *sec,
			const struct source_def **src, struct expr **when)
{
	struct expr_ctx ec = { l, sec->file, sec->vline[K_WHEN] };
	struct expr_env env = {
		.find_list = find_list,
		.error = on_expr_error,
		.opaque = &ec,
	};
	int r;

	*src = find_source(l, sec->val[K_SOURCE]);
	if (!*src) {
		lerr(l, sec->file, sec->vline[K_SOURCE], "unknown source \"%.40s\"",
		     sec->val[K_SOURCE]);
		return -EINVAL;
	}
	env.source = *src;
	r = expr_compile(sec->val[K_WHEN], &env, when);
	if (r == -ENOMEM)
		l->oom = true;
	return r;
}

/* Append to a growable array of pointers: 0 or -ENOMEM. */
#define DEFINE_PUSH(fn, type)						\
	static int fn(type ***v, size_t *n, type *p)			\
	{								\
		type **nv = realloc(*v, (*n + 1) * sizeof(*nv));	\
									\
		if (!nv)						\
			return -ENOMEM;					\
		nv[(*n)++] = p;						\
		*v = nv;						\
		return 0;						\
	}

DEFINE_PUSH(push_rule, struct rule)
DEFINE_PUSH(push_list, struct rule_list)
DEFINE_PUSH(push_allow, struct allow)

static void build_list(struct loader *l, struct raw_section *sec)
{
	static const enum key_id req[] = { K_ITEMS };
	struct rule_list *list;

	if (!require(l, sec, req, 1))
		return;
	list = calloc(1, sizeof(*list));
	if (!list) {
		l->oom = true;
		return;
	}
	list->name = sec->id;
	sec->id = NULL;
	if (parse_items(l, sec, K_ITEMS, &list->items, &list->n) < 0 ||
	    push_list(&l->rs->lists, &l->rs->nlists, list) < 0) {
		strv_free(list->items, list->n);
		free(list->name);
		free(list);
		return;
	}
}

static int parse_score(const char *s, int *out)
{
	char *end;
	long v;

	if (!*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 6)
		return -EINVAL;
	v = strtol(s, &end, 10);
	if (*end || v > RULES_SCORE_MAX)
		return -EINVAL;
	*out = (int)v;
	return 0;
}

/* The optional metadata keys of a rule; false if one was bad. */
static bool rule_meta_keys(struct loader *l, struct raw_section *sec,
			   struct rule *r)
{
	struct rule_meta *m = &r->meta;
	bool ok = true;
	int v;

	m->confidence = CONFIDENCE_MEDIUM;
	if ((v = severity_from_name(sec->val[K_SEVERITY])) < 0) {
		lerr(l, sec->file, sec->vline[K_SEVERITY],
		     "unknown severity \"%.40s\" (debug, info, notice, warning, error, critical, alert, emergency)",
		     sec->val[K_SEVERITY]);
		ok = false;
	}
	m->severity = v;
	if (sec->val[K_CONFIDENCE]) {
		if ((v = confidence_from_name(sec->val[K_CONFIDENCE])) < 0) {
			lerr(l, sec->file, sec->vline[K_CONFIDENCE],
			     "unknown confidence \"%.40s\" (low, medium, high)",
			     sec->val[K_CONFIDENCE]);
			ok = false;
		} else {
			m->confidence = (enum confidence)v;
		}
	}
	if (sec->val[K_SCORE] && parse_score(sec->val[K_SCORE], &m->score) < 0) {
		lerr(l, sec->file, sec->vline[K_SCORE],
		     "bad score \"%.40s\" (an integer from 0 to %d)",
		     sec->val[K_SCORE], RULES_SCORE_MAX);
		ok = false;
	}
	if (sec->val[K_COOLDOWN] &&
	    duration_parse(sec->val[K_COOLDOWN], &r->cooldown_ms) < 0) {
		lerr(l, sec->file, sec->vline[K_COOLDOWN],
		     "bad duration \"%.40s\" for cooldown (e.g. 30s, 10m, 1h, 2d)",
		     sec->val[K_COOLDOWN]);
		ok = false;
	}
	if (sec->val[K_MITRE] &&
	    parse_items(l, sec, K_MITRE, &m->mitre, &m->nmitre) < 0)
		ok = false;
	if (sec->val[K_REFERENCES] &&
	    parse_items(l, sec, K_REFERENCES, &m->references, &m->nreferences) < 0)
		ok = false;
	/* Take the strings over from the raw section. */
	m->name = sec->val[K_NAME] && *sec->val[K_NAME] ? sec->val[K_NAME] : NULL;
	if (m->name)
		sec->val[K_NAME] = NULL;
	else if (!(m->name = strdup(m->id)))
		l->oom = true;
	if (sec->val[K_DESCRIPTION] && *sec->val[K_DESCRIPTION]) {
		m->description = sec->val[K_DESCRIPTION];
		sec->val[K_DESCRIPTION] = NULL;
	}
	if (sec->val[K_ADVICE] && *sec->val[K_ADVICE]) {
		m->advice = sec->val[K_ADVICE];
		sec->val[K_ADVICE] = NULL;
	}
	if (sec->val[K_CATEGORY] && *sec->val[K_CATEGORY]) {
		m->category = sec->val[K_CATEGORY];
		sec->val[K_CATEGORY] = NULL;
	}
	return ok;
}

void rule_free(struct rule *r)
{
	if (!r)
		return;
	free(r->meta.id);
	free(r->meta.name);
	free(r->meta.description);
	free(r->meta.advice);
	free(r->meta.category);
	strv_free(r->meta.mitre, r->meta.nmitre);
	strv_free(r->meta.references, r->meta.nreferences);
	expr_free(r->when);
	free(r->seq.refs);
	strv_free(r->seq.names, r->seq.nnames);
	free(r->dependents);
	free(r->file);
	free(r);
}

void allow_free(struct allow *a)
{
	if (!a)
		return;
	free(a->id);
	expr_free(a->when);
	free(a->reason);
	free(a->owner);
	free(a);
}

/* A field of src named by key k's value: its id, or -1 (reported). */
static int field_of(struct loader *l, const struct raw_section *sec,
		    enum key_id k, const struct source_def *src, const char *name)
{
	int f = source_field_index(src, name);

	if (f < 0)
		lerr(l, sec->file, sec->vline[k], "%s: unknown field \"%.40s\" for source %s",
		     keys[k].name, name, src->name);
	return f;
}

/* count, window, distinct, group_by.  src is NULL if source was bad. */
static bool threshold_keys(struct loader *l, struct raw_section *sec,
			   struct rule *r)
{
	struct rule_threshold *t = &r->threshold;
	const struct source_def *src = r->source;
	char **names = NULL;
	size_t n = 0;
	bool ok = true;
	int f;

	if (!sec->val[K_COUNT]) {
		static const enum key_id needs_count[] = { K_WINDOW, K_DISTINCT, K_GROUP_BY };

		for (size_t i = 0; i < 3; i++) {
			if (!sec->val[needs_count[i]])
				continue;
			lerr(l, sec->file, sec->vline[needs_count[i]],
			     "\"%s\" needs \"count\" (a threshold: count = N within window)",
			     keys[needs_count[i]].name);
			ok = false;
		}
		return ok;
	}
	if (parse_score(sec->val[K_COUNT], &f) < 0 || f < 2 || f > THRESHOLD_COUNT_MAX) {
		lerr(l, sec->file, sec->vline[K_COUNT], "bad count \"%.40s\" (an integer from 2 to %d)",
		     sec->val[K_COUNT], THRESHOLD_COUNT_MAX);
		ok = false;
	}
	t->count = f > 0 ? (uint64_t)f : 0;
	if (!sec->val[K_WINDOW]) {
		lerr(l, sec->file, sec->vline[K_COUNT], "\"count\" needs a \"window\" (e.g. window = 10m)");
		ok = false;
	} else if (duration_parse(sec->val[K_WINDOW], &t->window_ms) < 0 || !t->window_ms) {
		lerr(l, sec->file, sec->vline[K_WINDOW],
		     "bad duration \"%.40s\" for window (e.g. 30s, 10m, 1h, 2d)", sec->val[K_WINDOW]);
		ok = false;
	}
	if (sec->val[K_DISTINCT] && src &&
	    (t->distinct_field = field_of(l, sec, K_DISTINCT, src, sec->val[K_DISTINCT])) < 0)
		ok = false;
	if (sec->val[K_GROUP_BY] && parse_items(l, sec, K_GROUP_BY, &names, &n) == 0) {
		/* Too many fields: none is resolved, but all n are freed below. */
		size_t use = n;

		if (n > THRESHOLD_GROUP_BY_MAX) {
			lerr(l, sec->file, sec->vline[K_GROUP_BY], "group_by: at most %d fields",
			     THRESHOLD_GROUP_BY_MAX);
			ok = false;
			use = 0;
		}
		for (size_t i = 0; src && i < use; i++) {
			if ((f = field_of(l, sec, K_GROUP_BY, src, names[i])) < 0)
				ok = false;
			t->group_by[i] = f;
			t->group_by[i + 1] = -1;
		}
		strv_free(names, n);
	} else if (sec->val[K_GROUP_BY]) {
		ok = false;
	}
	if (!ok)
		t->count = 0;
	return ok;
}

/* match = all of (a, b) within 60s | N of (a, category:x) within 10m.
 * The names are kept and resolved once every rule is built. */
static bool parse_match(struct loader *l, struct raw_section *sec, struct rule *r)
{
	const char *s = sec->val[K_MATCH], *open, *close, *w;
	struct rule_match *m = &r->seq;
	struct raw_section tmp;
	char *inner;
	int need = 0;
	bool ok;

	m->line = sec->vline[K_MATCH];
	s += strspn(s, " \t");
	if (strncmp(s, "all", 3) == 0 && strchr(" \t", s[3])) {
		m->all = true;
		s += 3;
	} else if (strspn(s, "0123456789") > 0 && strspn(s, "0123456789") < 4) {
		need = atoi(s);
		s += strspn(s, "0123456789");
	} else {
		goto out_syntax;
	}
	s += strspn(s, " \t");
	if (strncmp(s, "of", 2) != 0)
		goto out_syntax;
	s += 2 + strspn(s + 2, " \t");
	open = s;
	close = strchr(s, ')');
	if (*open != '(' || !close)
		goto out_syntax;
	w = close + 1 + strspn(close + 1, " \t");
	if (strncmp(w, "within", 6) != 0 || !strchr(" \t", w[6]))
		goto out_syntax;
	w += 6 + strspn(w + 6, " \t");
	if (duration_parse(w, &m->window_ms) < 0 || !m->window_ms) {
		lerr(l, sec->file, m->line, "match: bad duration \"%.40s\" after \"within\"", w);
		return false;
	}
	inner = strndup(open + 1, (size_t)(close - open - 1));
	if (!inner) {
		l->oom = true;
		return false;
	}
	/* parse_items reads a key of a section: lend it the inner text. */
	tmp = *sec;
	tmp.val[K_MATCH] = inner;
	ok = parse_items(l, &tmp, K_MATCH, &m->names, &m->nnames) == 0;
	free(inner);
	if (!ok)
		return false;
	if (!m->nnames) {
		lerr(l, sec->file, m->line, "match: no rules listed");
		return false;
	}
	if (!m->all && (need < 1 || (size_t)need > m->nnames) &&
	    !(need >= 1 && m->nnames == 1 && strncmp(m->names[0], "category:", 9) == 0)) {
		lerr(l, sec->file, m->line, "match: %d of %zu rules can never happen",
		     need, m->nnames);
		return false;
	}
	m->need = m->all ? m->nnames : (size_t)need;
	return true;
out_syntax:
	lerr(l, sec->file, sec->vline[K_MATCH],
	     "match: expected \"all of (RULE, ...) within DURATION\" or \"N of (RULE, category:NAME, ...) within DURATION\"");
	return false;
}

static bool bool_key(struct loader *l, struct raw_section *sec, enum key_id k,
		     bool *out)
{
	if (bool_parse(sec->val[k], out) == 0)
		return true;
	lerr(l, sec->file, sec->vline[k], "bad %s \"%.40s\" (yes or no)", keys[k].name,
	     sec->val[k]);
	return false;
}

static void build_rule(struct loader *l, struct raw_section *sec)
{
	static const enum key_id req[] = { K_SOURCE, K_WHEN, K_SEVERITY };
	static const enum key_id req_seq[] = { K_MATCH, K_SEVERITY };
	static const enum key_id not_seq[] = {
		K_SOURCE, K_WHEN, K_COUNT, K_WINDOW, K_DISTINCT, K_GROUP_BY,
	};
	bool is_seq = sec->val[K_MATCH] != NULL;
	bool ok = is_seq ? require(l, sec, req_seq, 2) : require(l, sec, req, 3);
	struct rule *r;

	r = calloc(1, sizeof(*r));
	if (!r) {
		l->oom = true;
		return;
	}
	r->threshold.distinct_field = -1;
	r->threshold.group_by[0] = -1;
	r->line = sec->line;
	if (!(r->file = strdup(sec->file)))
		l->oom = true;
	r->meta.id = sec->id;
	sec->id = NULL;
	if (is_seq) {
		r->is_sequence = true;
		for (size_t i = 0; i < sizeof(not_seq) / sizeof(not_seq[0]); i++) {
			if (!sec->val[not_seq[i]])
				continue;
			lerr(l, sec->file, sec->vline[not_seq[i]],
			     "\"%s\" does not go with \"match\" (a sequence takes its events from the rules it names)",
			     keys[not_seq[i]].name);
			ok = false;
		}
		if (*sec->val[K_MATCH] && !parse_match(l, sec, r))
			ok = false;
	} else {
		if (sec->val[K_SOURCE] && *sec->val[K_SOURCE] && sec->val[K_WHEN] &&
		    *sec->val[K_WHEN] && compile_when(l, sec, &r->source, &r->when) < 0)
			ok = false;
		if (!r->source && sec->val[K_SOURCE] && *sec->val[K_SOURCE])
			r->source = find_source(l, sec->val[K_SOURCE]);
		if (!threshold_keys(l, sec, r))
			ok = false;
	}
	if (sec->val[K_ALERT]) {
		bool alert = true;

		if (!bool_key(l, sec, K_ALERT, &alert))
			ok = false;
		r->silent = !alert;
	}
	if (sec->val[K_SEVERITY] && *sec->val[K_SEVERITY] &&
	    !rule_meta_keys(l, sec, r))
		ok = false;
	r->tracked = r->meta.score > 0;
	if (!ok || l->oom || push_rule(&l->rs->rules, &l->rs->nrules, r) < 0) {
		rule_free(r);
		return;
	}
}

static struct rule *rule_named(struct ruleset *rs, const char *id)
{
	for (size_t i = 0; i < rs->nrules; i++)
		if (strcmp(rs->rules[i]->meta.id, id) == 0)
			return rs->rules[i];
	return NULL;
}

static bool has_ref(const struct rule_match *m, const struct rule *r)
{
	for (size_t i = 0; i < m->nrefs; i++)
		if (m->refs[i] == r)
			return true;
	return false;
}

/* A sequence's names to rules: ids, and category:NAME for every plain
 * rule of that category.  Each referenced rule learns its dependents. */
static void resolve_sequence(struct loader *l, struct rule *s)
{
	struct ruleset *rs = l->rs;
	struct rule_match *m = &s->seq;
	bool ok = true;

	for (size_t i = 0; i < m->nnames; i++) {
		const char *name = m->names[i];
		size_t before = m->nrefs;

		if (strncmp(name, "category:", 9) == 0) {
			if (m->all) {
				lerr(l, s->file, m->line,
				     "match: \"all of\" takes rule ids; use \"N of (%s)\"", name);
				ok = false;
				continue;
			}
			for (size_t k = 0; k < rs->nrules; k++) {
				struct rule *r = rs->rules[k];

				if (r->is_sequence || r == s || !r->meta.category ||
				    strcmp(r->meta.category, name + 9) || has_ref(m, r))
					continue;
				if (push_rule(&m->refs, &m->nrefs, r) < 0)
					l->oom = true;
			}
			if (m->nrefs == before &&
			    diag_add(l->diags, true, s->file, m->line,
				     "match: no rule has category \"%.40s\" (yet): this part never matches",
				     name + 9) < 0)
				l->oom = true;
			continue;
		}
		{
			struct rule *r = rule_named(rs, name);

			if (!r) {
				lerr(l, s->file, m->line, "match: unknown rule \"%.60s\"", name);
				ok = false;
			} else if (r->is_sequence) {
				lerr(l, s->file, m->line,
				     "match: \"%.60s\" is itself a sequence (sequences name plain rules)",
				     name);
				ok = false;
			} else if (r == s) {
				ok = false;
			} else if (has_ref(m, r)) {
				lerr(l, s->file, m->line, "match: \"%.60s\" listed twice", name);
				ok = false;
			} else if (push_rule(&m->refs, &m->nrefs, r) < 0) {
				l->oom = true;
			}
		}
	}
	if (ok && !m->all && m->need > m->nrefs && m->nrefs)
		lerr(l, s->file, m->line, "match: %zu of %zu rules can never happen",
		     m->need, m->nrefs);
	if (m->all)
		m->need = m->nrefs;
	for (size_t i = 0; i < m->nrefs && !l->oom; i++) {
		struct rule *r = m->refs[i];

		r->tracked = true;
		if (push_rule(&r->dependents, &r->ndependents, s) < 0)
			l->oom = true;
	}
	if (push_rule(&rs->sequences, &rs->nsequences, s) < 0)
		l->oom = true;
}

/* "2027-06-30": the end of that day, UTC.  0 or -EINVAL. */
static int parse_expiry(const char *s, time_t *out)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	struct tm tm = { 0 };
	int y, m, d, leap;
	char tail;

	if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 ||
	    s[4] != '-' || s[7] != '-' || strspn(s, "0123456789-") != 10)
		return -EINVAL;
	if (y < 1970 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return -EINVAL;
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (m == 2 && d == 29 && !leap)
		return -EINVAL;
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	*out = timegm(&tm) + 86400;
	return 0;
}

static void build_allow(struct loader *l, struct raw_section *sec)
{
	static const enum key_id req[] = { K_SOURCE, K_WHEN, K_REASON };
	bool ok = require(l, sec, req, 3), expired = false;
	struct allow *a;

	a = calloc(1, sizeof(*a));
	if (!a) {
		l->oom = true;
		return;
	}
	a->id = sec->id;
	sec->id = NULL;
	if (sec->val[K_SOURCE] && *sec->val[K_SOURCE] && sec->val[K_WHEN] &&
	    *sec->val[K_WHEN] && compile_when(l, sec, &a->source, &a->when) < 0)
		ok = false;
	if (sec->val[K_EXPIRES]) {
		if (parse_expiry(sec->val[K_EXPIRES], &a->expires) < 0) {
			lerr(l, sec->file, sec->vline[K_EXPIRES],
			     "bad expires date \"%.40s\" (YYYY-MM-DD)",
			     sec->val[K_EXPIRES]);
			ok = false;
		} else if (l->now >= a->expires) {
			expired = true;
			if (diag_add(l->diags, true, sec->file, sec->vline[K_EXPIRES],
				     "allow %s expired on %s and is not applied",
				     a->id, sec->val[K_EXPIRES]) < 0)
				l->oom = true;
		}
	}
	a->reason = sec->val[K_REASON];
	sec->val[K_REASON] = NULL;
	a->owner = sec->val[K_OWNER];
	sec->val[K_OWNER] = NULL;
	if (!ok || expired || l->oom ||
	    push_allow(&l->rs->allows, &l->rs->nallows, a) < 0) {
		allow_free(a);
		return;
	}
}

static int index_source(struct source_index *ix)
{
	const struct expr **whens;
	int r;

	if (!ix->nrules)
		return 0;
	whens = calloc(ix->nrules, sizeof(*whens));
	if (!whens)
		return -ENOMEM;
	for (size_t i = 0; i < ix->nrules; i++)
		whens[i] = ix->rules[i]->when;
	r = rule_index_build(whens, ix->nrules, &ix->index);
	free(whens);
	return r;
}

/* by_source: every rule and allow under its source's id. */
static int build_index(struct loader *l)
{
	struct ruleset *rs = l->rs;

	for (size_t i = 0; i < rs->nrules; i++) {
		const struct source_def *src = rs->rules[i]->source;
		struct source_index *ix;

		if (rs->rules[i]->is_sequence)
			continue;
		ix = &rs->by_source[src->id];

		if (ix->source && ix->source != src) {
			lerr(l, rs->rules[i]->file, rs->rules[i]->line,
			     "source %s: two field tables share its id", src->name);
			continue;
		}
		ix->source = src;
		if (push_rule(&ix->rules, &ix->nrules, rs->rules[i]) < 0)
			return -ENOMEM;
	}
	for (size_t i = 0; i < rs->nallows; i++) {
		const struct source_def *src = rs->allows[i]->source;
		struct source_index *ix = &rs->by_source[src->id];

		if (ix->source && ix->source != src)
			continue;
		ix->source = src;
		if (push_allow(&ix->allows, &ix->nallows, rs->allows[i]) < 0)
			return -ENOMEM;
	}
	for (size_t i = 0; i < SOURCE__MAX; i++)
		if (index_source(&rs->by_source[i]) < 0)
			return -ENOMEM;
	return 0;
}

static void raw_section_free(struct raw_section *sec)
{
	if (!sec)
		return;
	free(sec->id);
	for (int k = 0; k < K__MAX; k++)
		free(sec->val[k]);
	free(sec);
}

static void loader_done(struct loader *l)
{
	for (size_t i = 0; i < l->nsecs; i++)
		raw_section_free(l->secs[i]);
	free(l->secs);
	for (size_t i = 0; i < l->nfiles; i++)
		free(l->files[i]);
	free(l->files);
	ruleset_free(l->rs);
}

static int loader_build(struct loader *l, struct ruleset **out)
{
	bool *dup;

	l->rs = calloc(1, sizeof(*l->rs));
	dup = calloc(l->nsecs + 1, sizeof(*dup));
	if (!l->rs || !dup || !(l->rs->rt = expr_runtime_new())) {
		free(dup);
		return -ENOMEM;
	}
	check_duplicates(l, dup);
	for (size_t i = 0; i < l->nsecs && !l->oom; i++)
		if (l->secs[i]->kind == SEC_LIST && !dup[i])
			build_list(l, l->secs[i]);
	for (size_t i = 0; i < l->nsecs && !l->oom; i++) {
		if (dup[i])
			continue;
		if (l->secs[i]->kind == SEC_RULE)
			build_rule(l, l->secs[i]);
		else if (l->secs[i]->kind == SEC_ALLOW)
			build_allow(l, l->secs[i]);
	}
	free(dup);
	for (size_t i = 0; i < l->rs->nrules && !l->oom; i++)
		if (l->rs->rules[i]->is_sequence)
			resolve_sequence(l, l->rs->rules[i]);
	if (!l->oom && build_index(l) < 0)
		l->oom = true;
	if (l->oom)
		return -ENOMEM;
	if (l->io_error)
		return l->io_error;
	/* Errors already in the caller's list before this load are not ours. */
	for (size_t i = l->from; i < l->diags->n; i++)
		if (!l->diags->items[i].warning)
			return -EINVAL;
	*out = l->rs;
	l->rs = NULL;
	return 0;
}

static int load(const char *dir, const char *file, time_t now,
		const struct source_def *const *sources, struct ruleset **out,
		struct diag_list *diags)
{
	struct diag_list local = { 0 };
	struct loader l = { .sources = sources, .now = now };
	size_t from, nnames = 0;
	char **names = NULL;
	int r = 0;

	*out = NULL;
	l.diags = diags ? diags : &local;
	from = l.diags->n;
	l.from = from;
	if (dir) {
		r = list_dir(&l, dir, &names, &nnames);
		for (size_t i = 0; r == 0 && i < nnames; i++)
			r = loader_add_file(&l, names[i]);
		strv_free(names, nnames);
	} else {
		r = loader_add_file(&l, file);
	}
	if (r == 0)
		r = loader_build(&l, out);
	diag_sort(l.diags, from);
	loader_done(&l);
	diag_list_clear(&local);
	return r;
}

int ruleset_load_file_sources(const char *path, time_t now,
			      const struct source_def *const *sources,
			      struct ruleset **out, struct diag_list *diags)
{
	return load(NULL, path, now, sources, out, diags);
}

int ruleset_load_dir(const char *dir, time_t now, struct ruleset **out,
		     struct diag_list *diags)
{
	return load(dir, NULL, now, NULL, out, diags);
}

int ruleset_load_file(const char *path, time_t now, struct ruleset **out,
		      struct diag_list *diags)
{
	return load(NULL, path, now, NULL, out, diags);
}
