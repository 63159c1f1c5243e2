/* SPDX-License-Identifier: Apache-2.0 */
/*
 * strict.h - StrictModes for the agent's own inputs (config and rule files).
 *
 * Anyone who can edit farmhound.conf or a rule file can switch detection
 * off, so when the agent runs privileged (euid 0, or any capability, e.g.
 * the CAP_NET_RAW the systemd unit grants) it refuses files, and the
 * directories above them, that are not owned by root or that group or
 * others may write -- the rule sshd applies to its own files (sshd_config(5)
 * StrictModes).  Unprivileged runs (a developer's `farmhound -t`, the test
 * suites) are not checked: nothing is gained by trusting their files less
 * than the user running them.
 *
 * The checks are pure functions of a struct stat plus a path walk, so they
 * can be unit-tested with temporary files; the caller decides when to apply
 * them (strict_privileged()) and reports the reason once.
 */
#ifndef FARMHOUND_STRICT_H
#define FARMHOUND_STRICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

/* True when a process with this effective uid and these permitted or
 * effective capability sets must apply the checks. */
bool strict_privileged(uid_t euid, uint64_t cap_permitted, uint64_t cap_effective);

/* The calling process's permitted and effective capability sets (capget(2)).
 * 0 or -errno. */
int strict_current_caps(uint64_t *permitted, uint64_t *effective);

/* strict_privileged() for the calling process; on a capget failure it
 * assumes privileged (the safe side). */
bool strict_self_privileged(void);

/* Judge one file or directory from its stat (from fstat() on the open
 * descriptor, so what is judged is what is read).  It must be owned by root
 * and not writable by group or others; a rule or config file must be a
 * regular file, a directory a directory.  euid is the agent's effective
 * uid, used only to say why a file it owns is refused.  0, or -EPERM with
 * a one-line reason naming path in why (may be NULL). */
int strict_check_file(const char *path, const struct stat *st, uid_t euid,
		      char *why, size_t len);

/* Resolve path (symlinks included) and judge it and every directory above
 * it up to "/".  A directory above path may also be a root-owned sticky
 * directory such as /tmp (nobody else can swap root's entries in it); path
 * itself may not.  0, -EPERM with the reason in why, or -errno when the
 * path cannot be resolved or examined (also described in why). */
int strict_check_path(const char *path, uid_t euid, char *why, size_t len);

/* As strict_check_path(), but stop after judging the directory top (which
 * the resolved path must be under); for trees whose upper part is judged
 * elsewhere, and for the unit tests. */
int strict_check_path_below(const char *path, const char *top, uid_t euid,
			    char *why, size_t len);

#endif
