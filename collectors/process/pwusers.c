/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pwusers.c - uid -> user name from <rootfs>/etc/passwd (see pwusers.h
 * for why not NSS).  Shared by the process collector (the process's uid)
 * and the socket collector (the socket's uid, which /proc/net shows for
 * every socket, so a listener keeps a user even when the process owning it
 * cannot be found without ptrace access).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/util.h"
#include "procfs.h"
#include "pwusers.h"

#define PWUSERS_FILE_MAX	(1024 * 1024)
#define PWUSERS_MAX		8192
#define PWUSERS_NAME_MAX	64

struct pwuser {
	uint32_t uid;
	char name[PWUSERS_NAME_MAX];
};

int pwusers_init(struct pwusers *u, const char *root)
{
	memset(u, 0, sizeof(*u));
	if (!root || strcmp(root, "/") == 0)
		root = "";
	if (snprintf(u->passwd, sizeof(u->passwd), "%s/etc/passwd", root) >=
	    (int)sizeof(u->passwd))
		return -ENAMETOOLONG;
	return 0;
}

static int pwusers_cmp(const void *a, const void *b)
{
	const struct pwuser *x = a, *y = b;

	return (x->uid > y->uid) - (x->uid < y->uid);
}

static void pwusers_parse(struct pwusers *u, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;

	while (p < end && u->n < PWUSERS_MAX) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);
		struct pwuser *e = &u->users[u->n];

		if (procfs_parse_passwd_line(p, n, e->name, sizeof(e->name), &e->uid) == 0)
			u->n++;
		p = nl ? nl + 1 : end;
	}
	qsort(u->users, u->n, sizeof(*u->users), pwusers_cmp);
}

void pwusers_refresh(struct pwusers *u)
{
	struct stat sb;
	char *buf;
	size_t len;

	if (stat(u->passwd, &sb) < 0) {
		u->n = 0;
		u->loaded = false;
		return;
	}
	if (u->loaded && sb.st_size == u->size && sb.st_mtim.tv_sec == u->mtime.tv_sec &&
	    sb.st_mtim.tv_nsec == u->mtime.tv_nsec)
		return;
	u->n = 0;
	u->loaded = true;
	u->mtime = sb.st_mtim;
	u->size = sb.st_size;
	if (!u->users) {
		u->users = calloc(PWUSERS_MAX, sizeof(*u->users));
		if (!u->users)
			return;
	}
	if (read_file_bounded(u->passwd, PWUSERS_FILE_MAX, &buf, &len) < 0)
		return;
	pwusers_parse(u, buf, len);
	free(buf);
}

const char *pwusers_name(const struct pwusers *u, uint32_t uid)
{
	struct pwuser key = { .uid = uid }, *e;

	if (!u || u->n == 0)
		return NULL;
	e = bsearch(&key, u->users, u->n, sizeof(*u->users), pwusers_cmp);
	return e ? e->name : NULL;
}

void pwusers_free(struct pwusers *u)
{
	if (!u)
		return;
	free(u->users);
	u->users = NULL;
	u->n = 0;
	u->loaded = false;
}
