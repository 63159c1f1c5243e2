/* SPDX-License-Identifier: Apache-2.0 */
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
 *
 * This file holds the keys each section takes, pass 1 (the directory walk
 * and each file through inifile.c), and the driver of pass 2, whose
 * builders are ruleset_build.c (what every section needs, [list], [allow],
 * the per-source index), ruleset_rule.c ([rule]) and ruleset_corr.c (a
 * rule's threshold and sequence keys); ruleset_load_int.h is what they
 * share.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "inifile.h"
#include "lib/util.h"
#include "ruleset_load_int.h"

#define R (1u << SEC_RULE)
#define L (1u << SEC_LIST)
#define A (1u << SEC_ALLOW)

const struct load_key load_keys[K__MAX] = {
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

const char *const load_kind_names[] = {
	[SEC_RULE] = "rule", [SEC_LIST] = "list", [SEC_ALLOW] = "allow",
};

void load_err(struct loader *l, const char *file, int line, const char *fmt,
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
		if (strlen(load_kind_names[k]) == tl && strncmp(header, load_kind_names[k], tl) == 0)
			kind = k;
	if (kind < 0) {
		load_err(l, l->file, line, "unknown section type \"%.*s\" (expected rule, list or allow)",
			 (int)(tl > 40 ? 40 : tl), header);
		return;
	}
	id = header + tl + strspn(header + tl, " \t");
	if (!*id) {
		load_err(l, l->file, line, "section [%s] needs an id: [%s ID]",
			 load_kind_names[kind], load_kind_names[kind]);
		return;
	}
	if (!id_ok(id)) {
		load_err(l, l->file, line, "bad %s id \"%.40s\" (letters, digits, _ . - only, at most %d)",
			 load_kind_names[kind], id, RULES_ID_MAX);
		return;
	}
	if (l->nsecs >= RULES_SECTIONS_MAX) {
		load_err(l, l->file, line, "too many sections (more than %d)",
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
		if (load_keys[k].name[0] == name[0] &&
		    strcmp(load_keys[k].name, name) == 0 &&
		    (load_keys[k].kinds & (1u << sec->kind)))
			break;
	if (k == K__MAX) {
		load_err(l, l->file, line, "unknown key \"%s\" in a [%s] section",
			 name, load_kind_names[sec->kind]);
		return;
	}
	if (load_keys[k].reserved) {
		load_err(l, l->file, line, "\"%s\" is not supported yet", name);
		return;
	}
	if (sec->val[k]) {
		load_err(l, l->file, line, "duplicate key \"%s\" (first set on line %d)",
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

	load_err(l, l->file, line, "%s", msg);
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
		load_err(l, copy, 0, "cannot read: %s", strerror(-r));
		if (!l->io_error)
			l->io_error = r;
		return 0;
	}
	if (len > RULES_FILE_MAX) {
		load_err(l, copy, 0, "file too large (more than %d bytes)", RULES_FILE_MAX);
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
		load_err(l, dir, 0, "cannot open rules directory: %s", strerror(-r));
		return r;
	}
	while ((de = readdir(d))) {
		if (!is_rules_name(de->d_name))
			continue;
		if (*n >= RULES_FILES_MAX) {
			load_err(l, dir, 0, "too many rule files (more than %d)",
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
	expr_regex_cache_free(l->regexes);
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
	load_check_duplicates(l, dup);
	for (size_t i = 0; i < l->nsecs && !l->oom; i++)
		if (l->secs[i]->kind == SEC_LIST && !dup[i])
			load_build_list(l, l->secs[i]);
	for (size_t i = 0; i < l->nsecs && !l->oom; i++) {
		if (dup[i])
			continue;
		if (l->secs[i]->kind == SEC_RULE)
			load_build_rule(l, l->secs[i]);
		else if (l->secs[i]->kind == SEC_ALLOW)
			load_build_allow(l, l->secs[i]);
	}
	free(dup);
	for (size_t i = 0; i < l->rs->nrules && !l->oom; i++)
		if (l->rs->rules[i]->is_sequence)
			load_resolve_sequence(l, l->rs->rules[i]);
	if (!l->oom && load_build_index(l) < 0)
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
	/* Without memory for it every regex is compiled for itself. */
	l.regexes = expr_regex_cache_new();
	l.diags = diags ? diags : &local;
	from = l.diags->n;
	l.from = from;
	if (dir) {
		r = list_dir(&l, dir, &names, &nnames);
		for (size_t i = 0; r == 0 && i < nnames; i++)
			r = loader_add_file(&l, names[i]);
		load_strv_free(names, nnames);
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
