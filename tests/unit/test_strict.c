/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_strict.c - StrictModes (agent/strict.c): who counts as privileged,
 * the per-file judgement on hand-made stats, and the path walk on real
 * temporary files changed with chmod/chown.  The chown cases need root
 * (make test runs as root); elsewhere they are skipped, not faked.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "agent/strict.h"

#define NOBODY 65534

static struct stat mkstat(mode_t mode, uid_t uid)
{
	struct stat st;

	memset(&st, 0, sizeof(st));
	st.st_mode = mode;
	st.st_uid = uid;
	return st;
}

static void test_privileged(void **unused)
{
	(void)unused;
	assert_true(strict_privileged(0, 0, 0));
	assert_false(strict_privileged(1000, 0, 0));
	/* The systemd unit's case: a service user with CAP_NET_RAW. */
	assert_true(strict_privileged(999, 1ULL << CAP_NET_RAW, 1ULL << CAP_NET_RAW));
	/* Permitted but not effective still counts: it can be raised. */
	assert_true(strict_privileged(999, 1ULL << CAP_SYS_PTRACE, 0));
	assert_true(strict_privileged(999, 0, 1ULL << 40));
}

static void test_file_good(void **unused)
{
	struct stat st;
	char why[256] = "untouched";

	(void)unused;
	st = mkstat(S_IFREG | 0644, 0);
	assert_int_equal(strict_check_file("/etc/farmhound/farmhound.conf", &st, 999,
					   why, sizeof(why)), 0);
	assert_string_equal(why, "untouched");
	st = mkstat(S_IFREG | 0600, 0);
	assert_int_equal(strict_check_file("x", &st, 0, why, sizeof(why)), 0);
	st = mkstat(S_IFDIR | 0755, 0);
	assert_int_equal(strict_check_file("/etc/farmhound", &st, 0, why, sizeof(why)), 0);
	/* Group root without the write bit is fine; the bit is what matters. */
	st = mkstat(S_IFREG | 0640, 0);
	st.st_gid = 4;
	assert_int_equal(strict_check_file("x", &st, 0, why, sizeof(why)), 0);
}

static void expect_refused(mode_t mode, uid_t uid, uid_t euid, const char *needle)
{
	struct stat st = mkstat(mode, uid);
	char why[256] = "";

	assert_int_equal(strict_check_file("/etc/farmhound/rules.d/a.rules", &st, euid,
					   why, sizeof(why)), -EPERM);
	assert_non_null(strstr(why, "/etc/farmhound/rules.d/a.rules: "));
	if (!strstr(why, needle))
		fail_msg("reason \"%s\" lacks \"%s\"", why, needle);
}

static void test_file_refused(void **unused)
{
	(void)unused;
	expect_refused(S_IFREG | 0644, 1000, 0, "owned by uid 1000; it must be owned by root");
	expect_refused(S_IFREG | 0644, 999, 999, "the agent's own user");
	expect_refused(S_IFREG | 0664, 0, 0, "writable by its group (mode 0664); run chmod g-w");
	expect_refused(S_IFREG | 0646, 0, 0, "writable by others (mode 0646); run chmod o-w");
	expect_refused(S_IFREG | 0666, 0, 0, "writable by others");
	expect_refused(S_IFDIR | 01777, 0, 0, "writable by others (mode 1777)");
	expect_refused(S_IFDIR | 0775, 0, 0, "writable by its group");
	expect_refused(S_IFIFO | 0644, 0, 0, "not a regular file or directory");
	expect_refused(S_IFCHR | 0644, 0, 0, "not a regular file or directory");
	/* Ownership is judged before the mode bits. */
	expect_refused(S_IFREG | 0666, 1000, 0, "owned by uid 1000");
}

static void test_file_why_optional_and_bounded(void **unused)
{
	struct stat st = mkstat(S_IFREG | 0666, 0);
	char why[8];

	(void)unused;
	assert_int_equal(strict_check_file("/a/long/path/name", &st, 0, NULL, 0), -EPERM);
	memset(why, 'x', sizeof(why));
	assert_int_equal(strict_check_file("/a/long/path/name", &st, 0, why, sizeof(why)),
			 -EPERM);
	assert_int_equal(strlen(why), sizeof(why) - 1);
	assert_int_equal(strict_check_file("/a/long/path/name", &st, 0, why, 0), -EPERM);
}

/* ---- real files ---- */

struct tree {
	char top[64];		/* mkdtemp, 0755 */
	char dir[96];		/* top/rules.d, 0755 */
	char file[128];		/* top/rules.d/a.rules, 0644 */
};

static int tree_setup(void **state)
{
	struct tree *t = calloc(1, sizeof(*t));
	int fd;

	assert_non_null(t);
	strcpy(t->top, "/tmp/test_strict.XXXXXX");
	assert_non_null(mkdtemp(t->top));
	assert_int_equal(chmod(t->top, 0755), 0);
	snprintf(t->dir, sizeof(t->dir), "%s/rules.d", t->top);
	assert_int_equal(mkdir(t->dir, 0755), 0);
	assert_int_equal(chmod(t->dir, 0755), 0);
	snprintf(t->file, sizeof(t->file), "%s/a.rules", t->dir);
	fd = open(t->file, O_WRONLY | O_CREAT | O_EXCL, 0644);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(chmod(t->file, 0644), 0);
	*state = t;
	return 0;
}

static int tree_teardown(void **state)
{
	struct tree *t = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->top);
	if (system(cmd) != 0)
		return -1;
	free(t);
	return 0;
}

static void need_root(void)
{
	if (geteuid() != 0)
		skip();
}

static void expect_path(const struct tree *t, const char *path, int want, const char *needle)
{
	char why[512] = "";
	int r = strict_check_path_below(path, t->top, 0, why, sizeof(why));

	if (r != want)
		fail_msg("%s: got %d (%s), want %d", path, r, why, want);
	if (needle && !strstr(why, needle))
		fail_msg("reason \"%s\" lacks \"%s\"", why, needle);
}

static void test_path_good(void **state)
{
	struct tree *t = *state;

	need_root();
	expect_path(t, t->file, 0, NULL);
	expect_path(t, t->dir, 0, NULL);
}

static void test_path_file_mode(void **state)
{
	struct tree *t = *state;

	need_root();
	assert_int_equal(chmod(t->file, 0664), 0);
	expect_path(t, t->file, -EPERM, "a.rules: writable by its group");
	assert_int_equal(chmod(t->file, 0602), 0);
	expect_path(t, t->file, -EPERM, "a.rules: writable by others");
}

static void test_path_file_owner(void **state)
{
	struct tree *t = *state;
	char why[512] = "";

	need_root();
	assert_int_equal(chown(t->file, NOBODY, -1), 0);
	expect_path(t, t->file, -EPERM, "owned by uid 65534; it must be owned by root");
	/* Judged as the service user itself: the other message. */
	assert_int_equal(strict_check_path_below(t->file, t->top, NOBODY, why, sizeof(why)),
			 -EPERM);
	assert_non_null(strstr(why, "the agent's own user"));
}

static void test_path_directory_above(void **state)
{
	struct tree *t = *state;

	need_root();
	/* A good file in a directory others may write: they could replace it. */
	assert_int_equal(chmod(t->dir, 0777), 0);
	expect_path(t, t->file, -EPERM, "rules.d: writable by others");
	assert_int_equal(chmod(t->dir, 0755), 0);
	assert_int_equal(chown(t->top, NOBODY, -1), 0);
	expect_path(t, t->file, -EPERM, "owned by uid 65534");
	/* Nothing above top is judged. */
	assert_int_equal(chown(t->top, 0, -1), 0);
	expect_path(t, t->file, 0, NULL);
}

static void test_path_symlink_followed(void **state)
{
	struct tree *t = *state;
	char link[160], target[160];
	int fd;

	need_root();
	/* A link in a good directory to a bad file: the target is judged. */
	snprintf(target, sizeof(target), "%s/target.rules", t->top);
	fd = open(target, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(chmod(target, 0666), 0);
	snprintf(link, sizeof(link), "%s/link.rules", t->dir);
	assert_int_equal(symlink(target, link), 0);
	expect_path(t, link, -EPERM, "target.rules: writable by others");
	/* A link out of the tree is refused, whatever it points at. */
	assert_int_equal(unlink(link), 0);
	assert_int_equal(symlink("/", link), 0);
	expect_path(t, link, -EPERM, "outside");
}

static void test_path_missing(void **state)
{
	struct tree *t = *state;
	char path[160], why[512] = "";

	snprintf(path, sizeof(path), "%s/nosuch.rules", t->dir);
	assert_int_equal(strict_check_path_below(path, t->top, 0, why, sizeof(why)), -ENOENT);
	assert_non_null(strstr(why, "nosuch.rules: cannot resolve"));
}

static void test_path_walks_to_root(void **state)
{
	struct tree *t = *state;
	struct stat st;
	char why[512] = "";

	/* The full walk reaches /: with /tmp root-owned and sticky (as it is
	 * everywhere), a good tree below it passes; a non-sticky
	 * world-writable top on the way is refused. */
	assert_int_equal(stat("/tmp", &st), 0);
	if (st.st_uid != 0 || !(st.st_mode & S_ISVTX))
		skip();
	need_root();
	assert_int_equal(strict_check_path(t->file, 0, why, sizeof(why)), 0);
	assert_int_equal(chmod(t->top, 0777), 0);
	assert_int_equal(strict_check_path(t->file, 0, why, sizeof(why)), -EPERM);
	assert_non_null(strstr(why, "writable by others"));
}

static void test_path_sticky_ancestor(void **state)
{
	struct tree *t = *state;

	need_root();
	/* Above the judged path, root's sticky directory is fine... */
	assert_int_equal(chmod(t->top, 01777), 0);
	expect_path(t, t->file, 0, NULL);
	expect_path(t, t->dir, 0, NULL);
	/* ...but not someone else's: they could swap root's entries. */
	assert_int_equal(chown(t->top, NOBODY, -1), 0);
	expect_path(t, t->file, -EPERM, "owned by uid 65534");
	assert_int_equal(chown(t->top, 0, -1), 0);
	/* The judged directory itself gets no pass: anyone could add a rule
	 * file to a sticky rules directory. */
	assert_int_equal(chmod(t->dir, 01777), 0);
	expect_path(t, t->dir, -EPERM, "rules.d: writable by others (mode 1777)");
	expect_path(t, t->file, 0, NULL);
}

/* ---- the calling process's capabilities ---- */

static int capset_only(uint64_t caps)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	d[0].permitted = d[0].effective = (uint32_t)caps;
	d[1].permitted = d[1].effective = (uint32_t)(caps >> 32);
	return (int)syscall(SYS_capset, &hdr, d);
}

/* Run body in a child (it changes uids and capabilities for good); its
 * exit status is the number of the failed check, 0 when all held. */
static int in_child(int (*body)(void))
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(body());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static int child_nobody(void)
{
	uint64_t prm = 1, eff = 1;

	/* Leaving uid 0 for good clears the capability sets. */
	if (setresgid(NOBODY, NOBODY, NOBODY) < 0 || setresuid(NOBODY, NOBODY, NOBODY) < 0)
		return 1;
	if (strict_current_caps(&prm, &eff) < 0)
		return 2;
	if (prm != 0 || eff != 0)
		return 3;
	if (strict_self_privileged())
		return 4;
	return 0;
}

static int child_nobody_net_raw(void)
{
	uint64_t prm = 0, eff = 0;

	/* What the unit gives the agent: its own user plus CAP_NET_RAW. */
	if (prctl(PR_SET_KEEPCAPS, 1L, 0L, 0L, 0L) < 0)
		return 1;
	if (setresgid(NOBODY, NOBODY, NOBODY) < 0 || setresuid(NOBODY, NOBODY, NOBODY) < 0)
		return 2;
	if (capset_only(1ULL << CAP_NET_RAW) < 0)
		return 3;
	if (strict_current_caps(&prm, &eff) < 0)
		return 4;
	if (prm != 1ULL << CAP_NET_RAW || eff != 1ULL << CAP_NET_RAW)
		return 5;
	if (!strict_self_privileged())
		return 6;
	return 0;
}

static void test_self_caps(void **unused)
{
	uint64_t prm, eff;

	(void)unused;
	assert_int_equal(strict_current_caps(&prm, &eff), 0);
	assert_int_equal(strict_self_privileged(),
			 strict_privileged(geteuid(), prm, eff));
	need_root();
	assert_true(strict_self_privileged());
	assert_int_equal(in_child(child_nobody), 0);
	assert_int_equal(in_child(child_nobody_net_raw), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_privileged),
		cmocka_unit_test(test_file_good),
		cmocka_unit_test(test_file_refused),
		cmocka_unit_test(test_file_why_optional_and_bounded),
		cmocka_unit_test_setup_teardown(test_path_good, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_path_file_mode, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_path_file_owner, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_path_directory_above, tree_setup,
						tree_teardown),
		cmocka_unit_test_setup_teardown(test_path_symlink_followed, tree_setup,
						tree_teardown),
		cmocka_unit_test_setup_teardown(test_path_missing, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(test_path_walks_to_root, tree_setup,
						tree_teardown),
		cmocka_unit_test_setup_teardown(test_path_sticky_ancestor, tree_setup,
						tree_teardown),
		cmocka_unit_test(test_self_caps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
