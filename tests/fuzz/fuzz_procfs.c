/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_procfs.c - the /proc parsers (collectors/process/procfs.c):
 * /proc/PID/stat (comm is chosen by the process), status, cmdline (chosen
 * by the process), /proc/stat's btime, /etc/passwd lines, fd link text and
 * /proc/net/{tcp,udp}{,6} lines.  Every parser sees the whole input;
 * inputs are small, so running all of them costs little and each seed
 * feeds all.
 */
#include <errno.h>
#include <sys/socket.h>

#include "collectors/process/procfs.h"
#include "fuzz.h"

static void check_comm(const struct procfs_stat *st)
{
	size_t n = strnlen(st->comm, sizeof(st->comm));

	FUZZ_CHECK(n < sizeof(st->comm));
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK((unsigned char)st->comm[i] >= 0x20);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct procfs_stat st;
	struct procfs_sock sk;
	char out[256], name[33];
	uint32_t uid;
	uint64_t u64;

	if (procfs_parse_stat(text, size, &st) == 0)
		check_comm(&st);
	procfs_parse_status_uid(text, size, &uid);
	procfs_parse_btime(text, size, &u64);
	procfs_cmdline(text, size, out, sizeof(out));
	FUZZ_CHECK(strlen(out) < sizeof(out));
	for (size_t i = 0; out[i]; i++)
		FUZZ_CHECK((unsigned char)out[i] >= 0x20 && out[i] != 0x7f);
	/* A tiny output buffer: the cut must still terminate. */
	procfs_cmdline(text, size, out, 2);
	FUZZ_CHECK(strlen(out) < 2);
	/* argv[0]: whole and clean, or nothing */
	if (procfs_argv0(text, size, out, sizeof(out))) {
		FUZZ_CHECK(out[0] && strlen(out) < sizeof(out));
		for (size_t i = 0; out[i]; i++)
			FUZZ_CHECK((unsigned char)out[i] >= 0x20 && out[i] != 0x7f);
	} else {
		FUZZ_CHECK(out[0] == '\0');
	}
	if (procfs_parse_passwd_line(text, size, name, sizeof(name), &uid) == 0)
		FUZZ_CHECK(strlen(name) < sizeof(name));
	procfs_socket_inode(text, size, &u64);
	for (int fam = 0; fam < 2; fam++) {
		int r = procfs_parse_net_line(text, size, fam ? AF_INET6 : AF_INET, &sk);

		FUZZ_CHECK(r == 0 || r == -ENOENT || r == -EINVAL);
		if (r == 0) {
			FUZZ_CHECK(procfs_tcp_state_name(sk.state) != NULL);
			procfs_ip_unmap(&sk.local);
			procfs_ip_is_loopback(&sk.local);
			procfs_ip_is_any(&sk.remote);
		}
	}
	return 0;
}
