/* SPDX-License-Identifier: Apache-2.0 */
/*
 * strict.c - StrictModes: refuse config and rule files others could edit
 * (see strict.h for the policy and why).
 *
 * Two layers: strict_check_file() judges one stat (owner root, no group or
 * other write bit, right type), strict_check_path*() resolves a path and
 * walks it up, judging each directory, because whoever can write a
 * directory can replace the file in it.  Reasons are written for the
 * operator who has to fix it: they name the path and the chown/chmod to run.
 */
#include <errno.h>
#include <limits.h>
#include <linux/capability.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/util.h"
#include "strict.h"

bool strict_privileged(uid_t euid, uint64_t cap_permitted, uint64_t cap_effective)
{
	/* Permitted counts too: a process may raise a permitted capability
	 * into its effective set at any time. */
	return euid == 0 || cap_permitted != 0 || cap_effective != 0;
}

int strict_current_caps(uint64_t *permitted, uint64_t *effective)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
		.pid = 0,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	memset(data, 0, sizeof(data));
	/* Raw syscall: glibc has no wrapper and libcap is not worth a
	 * dependency for two 64-bit masks. */
	if (syscall(SYS_capget, &hdr, data) < 0)
		return -errno;
	*permitted = (uint64_t)data[1].permitted << 32 | data[0].permitted;
	*effective = (uint64_t)data[1].effective << 32 | data[0].effective;
	return 0;
}

bool strict_self_privileged(void)
{
	uint64_t prm, eff;

	if (strict_current_caps(&prm, &eff) < 0)
		return true;
	return strict_privileged(geteuid(), prm, eff);
}

__attribute__((format(printf, 3, 4)))
static int strict_refuse(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (why && len) {
		va_start(ap, fmt);
		vsnprintf(why, len, fmt, ap);
		va_end(ap);
	}
	return -EPERM;
}

int strict_check_file(const char *path, const struct stat *st, uid_t euid,
		      char *why, size_t len)
{
	if (!S_ISREG(st->st_mode) && !S_ISDIR(st->st_mode))
		return strict_refuse(why, len,
				     "%s: not a regular file or directory (mode %06lo)",
				     path, (unsigned long)st->st_mode);
	if (st->st_uid != 0 && st->st_uid == euid)
		/* Said separately: a file owned by the agent's own user looks
		 * harmless, but a compromised agent could then rewrite its
		 * own rules. */
		return strict_refuse(why, len,
				     "%s: owned by uid %lu, the agent's own user; it must be "
				     "owned by root (chown root)",
				     path, (unsigned long)st->st_uid);
	if (st->st_uid != 0)
		return strict_refuse(why, len,
				     "%s: owned by uid %lu; it must be owned by root (chown root)",
				     path, (unsigned long)st->st_uid);
	if (st->st_mode & S_IWOTH)
		return strict_refuse(why, len,
				     "%s: writable by others (mode %04lo); run chmod o-w",
				     path, (unsigned long)(st->st_mode & 07777));
	if (st->st_mode & S_IWGRP)
		return strict_refuse(why, len,
				     "%s: writable by its group (mode %04lo); run chmod g-w",
				     path, (unsigned long)(st->st_mode & 07777));
	return 0;
}

static int strict_fail(char *why, size_t len, const char *path, const char *what, int err)
{
	if (why && len)
		snprintf(why, len, "%s: %s: %s", path, what, strerror(err));
	return -err;
}

/* A directory above the judged path may be a root-owned sticky one such as
 * /tmp: others may add entries there but not rename or remove root's, so
 * the path through it cannot be swapped.  The judged path itself gets no
 * such pass: a sticky rules directory would still let anyone add a rule
 * file. */
static bool strict_sticky_root_dir(const struct stat *st)
{
	return S_ISDIR(st->st_mode) && st->st_uid == 0 && (st->st_mode & S_ISVTX);
}

/* resolved is under top (both canonical): equal, or top is "/" or a whole
 * leading component sequence of resolved. */
static bool strict_is_under(const char *resolved, const char *top)
{
	size_t n = strlen(top);

	if (strcmp(top, "/") == 0)
		return resolved[0] == '/';
	return strncmp(resolved, top, n) == 0 && (resolved[n] == '\0' || resolved[n] == '/');
}

/* Cut the last component of a canonical absolute path in place ("/a/b" ->
 * "/a", "/a" -> "/"). */
static void strict_parent(char *p)
{
	char *slash = strrchr(p, '/');

	if (slash == p)
		p[1] = '\0';
	else if (slash)
		*slash = '\0';
}

int strict_check_path_below(const char *path, const char *top, uid_t euid,
			    char *why, size_t len)
{
	char cur[PATH_MAX], rtop[PATH_MAX];
	bool first = true;
	struct stat st;
	int r;

	if (!realpath(path, cur))
		return strict_fail(why, len, path, "cannot resolve", errno);
	if (!realpath(top, rtop))
		return strict_fail(why, len, top, "cannot resolve", errno);
	if (!strict_is_under(cur, rtop))
		return strict_refuse(why, len, "%s: resolves to %s, outside %s", path, cur, rtop);
	for (;;) {
		if (lstat(cur, &st) < 0)
			return strict_fail(why, len, cur, "cannot examine", errno);
		/* realpath() left no links; one now means the tree changed
		 * under us. */
		if (S_ISLNK(st.st_mode))
			return strict_refuse(why, len, "%s: became a symbolic link while checked",
					     cur);
		if (first || !strict_sticky_root_dir(&st)) {
			r = strict_check_file(cur, &st, euid, why, len);
			if (r < 0)
				return r;
		}
		if (strcmp(cur, rtop) == 0 || strcmp(cur, "/") == 0)
			return 0;
		strict_parent(cur);
		first = false;
	}
}

int strict_check_path(const char *path, uid_t euid, char *why, size_t len)
{
	return strict_check_path_below(path, "/", euid, why, len);
}
