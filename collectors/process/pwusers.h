/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pwusers.h - user names for uids, from <rootfs>/etc/passwd, for the
 * process and socket collectors.
 *
 * Not getpwuid_r(): NSS may go to LDAP/sssd and block the event loop, and
 * --rootfs must be able to point at a fixture.  The file is read bounded
 * (1 MiB, 8192 users) and again only when its size or mtime changed.
 * Users known only to a directory service have no name here.
 */
#ifndef FARMHOUND_PWUSERS_H
#define FARMHOUND_PWUSERS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

struct pwuser;

struct pwusers {
	char passwd[PATH_MAX];
	struct pwuser *users;		/* sorted by uid */
	size_t n;
	struct timespec mtime;
	off_t size;
	bool loaded;
};

/* Set up for <root>/etc/passwd (root "" or "/" for the system's).
 * 0 or -ENAMETOOLONG. */
int pwusers_init(struct pwusers *u, const char *root);
/* (Re)load the file when it changed since the last call. */
void pwusers_refresh(struct pwusers *u);
/* The name of uid, or NULL. */
const char *pwusers_name(const struct pwusers *u, uint32_t uid);
/* Accepts NULL; u can be initialised again afterwards. */
void pwusers_free(struct pwusers *u);

#endif
