/* SPDX-License-Identifier: Apache-2.0 */
/*
 * net_filter.c - which packets reach user space at all.
 *
 * The kernel runs this filter on every packet of the captured interfaces
 * (live capture), and --pcap runs the same one in libpcap, so a capture
 * file is judged exactly as the wire would be.  What it passes:
 *
 *   1. arp; the UDP service ports of the port table (ports.h): 53 (DNS),
 *      5353 (mDNS), 5355 (LLMNR), 137 (NetBIOS name service), 67/68 (DHCP).
 *   2. small UDP datagrams (frame < 400 bytes) to or from the table's UDP
 *      ports of remote-access tools (signals.md §5): AnyDesk discovery
 *      50001, RustDesk 21115-21119, ZeroTier 9993, TeamViewer 5938; and
 *      UDP 3389 datagrams whose MS-RDPEUDP uFlags (payload bytes 6-7) has
 *      RDPUDP_FLAG_SYN: RDP's UDP handshake, not its graphics stream.
 *   3. TCP segments with SYN, FIN or RST: handshakes, refusals, ends.
 *   4. TCP segments of any size, on any port, whose payload starts like
 *      something a dissector reads: a TLS handshake record (16 03), TPKT
 *      (03 00: RDP), "RFB ", "SSH-", an HTTP request ("GET ", "POST",
 *      "HEAD", "PUT ", "CONN", "OPTI"), and the remote-access tools' wire
 *      signatures (TeamViewer's header magic 17 24 and 11 30, RustDesk
 *      14 a2 01 02, Splashtop 00 01 00 08 and 01 00 34 12, ScreenConnect
 *      87 15 10 00, USB/IP requests 01 11 80 05 and 01 11 80 03).
 *   5. TCP segments *to* port 443 with 1..512 bytes of payload: the tail
 *      of a ClientHello split over two segments (post-quantum key shares
 *      make ClientHellos ~1.8 KB: 1448 + ~350 bytes).
 *   6. TCP segments to or from VNC's ports 5900-5999 with 1..64 bytes of
 *      payload: the RFB security handshake after the banners (security
 *      types, the client's choice, challenge and response, SecurityResult
 *      and its reason), which says whether a VNC login went through.  The
 *      cost: during a VNC session on those ports, its input events (6-
 *      and 8-byte messages) reach user space too.  VNC on another port
 *      shows its banners only, and is reported as an attempt.
 *
 * What gets through that is not needed, honestly: the small segments a
 * client sends to port 443 after its handshake (HTTP/2 frames, requests,
 * the tails of upload writes: an upload over HTTPS lets roughly one
 * segment per TLS record through), and any segment whose first bytes
 * happen to match (4): the two-byte patterns match about one random
 * segment in 16384.  What is lost: a handshake's later segments that do
 * not start like one and are not the small tail of (5) -- a ClientHello
 * over three segments, a server certificate flight longer than its first
 * segment (so AnyDesk's relay certificate is seen only when it fits), a
 * ClientHello to a port other than 443 split over segments.  Why not pass
 * small segments on every port: the last segment of every application
 * write is small, so a bulk transfer would wake the agent once per write
 * (iperf3 over loopback: ~3000 times a second).
 *
 * libpcap's tcp[] and tcp[tcpflags] only exist for IPv4, so the IPv6
 * half reads ip6[] directly and only for TCP right after the fixed header
 * (no extension headers).  IPv6 packets that start with a hop-by-hop,
 * routing or destination-options header pass whole (they are rare: MLD,
 * some tunnels) so the decoder walks the chain; bulk traffic never carries
 * them.  Offsets: ip6[6] next header, ip6[4:2] payload length, ip6[52]
 * TCP data offset, ip6[53] TCP flags, ip6[42:2] TCP destination port. *
 * Compiled at build time for --pcap: libpcap's optimizer spends ~30 ms of
 * CPU on the Ethernet program (731 instructions from three copies of the
 * expression), as long as farmhound takes to read a 30 MB capture, so a
 * --pcap run would pay it on every start.  The Makefile runs
 * collectors/net/gen/net_filter_gen.c, which compiles the same text with
 * the same libpcap on a savefile of every link type and byte order, and
 * passes the header it prints (the programs, each also as a C function)
 * as NET_FILTER_PREBUILT.  --pcap runs the function in its packet callback
 * (net_filter_offline_fn(): libpcap's interpreter was 38% of its
 * user-space instructions), or loads the program (net_filter_offline()).
 * Live handles still compile at start-up (once per daemon life, and
 * Linux's VLAN handling changes their code).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "net_decode.h"
#include "net_filter.h"
#include "ports.h"

#define STR_(x) #x
#define STR(x) STR_(x)

/* TCP payload length and first bytes, IPv4 (tcp[] is IPv4-only). */
#define V4_PLEN "(ip[2:2] - ((ip[0] & 0x0f) << 2) - ((tcp[12] & 0xf0) >> 2))"
#define V4_P "((tcp[12] & 0xf0) >> 2)"
#define V6_PLEN "(ip6[4:2] - ((ip6[52] & 0xf0) >> 2))"
#define V6_P "(40 + ((ip6[52] & 0xf0) >> 2))"

#define HEADS(pfx, off) \
	"(" pfx "[" off ":2] = 0x1603 or " pfx "[" off ":2] = 0x0300" \
	" or " pfx "[" off ":4] = 0x52464220 or " pfx "[" off ":4] = 0x5353482d" \
	" or " pfx "[" off ":4] = 0x47455420 or " pfx "[" off ":4] = 0x504f5354" \
	" or " pfx "[" off ":4] = 0x48454144 or " pfx "[" off ":4] = 0x50555420" \
	" or " pfx "[" off ":4] = 0x434f4e4e or " pfx "[" off ":4] = 0x4f505449" \
	" or " pfx "[" off ":2] = 0x1724 or " pfx "[" off ":2] = 0x1130" \
	" or " pfx "[" off ":4] = 0x14a20102" \
	" or " pfx "[" off ":4] = 0x00010008 or " pfx "[" off ":4] = 0x01003412" \
	" or " pfx "[" off ":4] = 0x87151000" \
	" or " pfx "[" off ":4] = 0x01118005 or " pfx "[" off ":4] = 0x01118003)"

#define VNC_SMALL 64		/* (6): the largest RFB handshake message we read */
#define V6_VNC_PORT(o) "(ip6[" o ":2] >= " STR(NET_TCP_PORT_VNC_FIRST) \
	" and ip6[" o ":2] <= " STR(NET_TCP_PORT_VNC_LAST) ")"

/* What follows the UDP ports (1, 2): RDP-UDP SYNs (2), TCP (3-6) and IPv6
 * extension headers.  ip6[54:2]: uFlags of a UDP payload after a fixed
 * IPv6 header (40 + 8 + 6). */
static const char net_filter_tcp[] =
	" or (ip and udp port " STR(NET_UDP_PORT_RDP) " and udp[14:2] & 0x0001 != 0)"
	" or (ip6 and ip6[6] = 17 and (ip6[40:2] = " STR(NET_UDP_PORT_RDP)
	" or ip6[42:2] = " STR(NET_UDP_PORT_RDP) ") and ip6[54:2] & 0x0001 != 0)"
	" or (ip and tcp and (tcp[tcpflags] & (tcp-syn|tcp-fin|tcp-rst) != 0"
	" or (tcp dst port " STR(NET_TCP_PORT_TLS) " and " V4_PLEN " > 0 and "
	V4_PLEN " <= " STR(NET_FILTER_SMALL_PAYLOAD) ")"
	" or (tcp portrange " STR(NET_TCP_PORT_VNC_FIRST) "-" STR(NET_TCP_PORT_VNC_LAST)
	" and " V4_PLEN " > 0 and " V4_PLEN " <= " STR(VNC_SMALL) ")"
	" or " HEADS("tcp", V4_P) "))"
	" or (ip6 and ip6[6] = 6 and (ip6[53] & 0x07 != 0"
	" or (ip6[42:2] = " STR(NET_TCP_PORT_TLS) " and " V6_PLEN " > 0 and "
	V6_PLEN " <= " STR(NET_FILTER_SMALL_PAYLOAD) ")"
	" or ((" V6_VNC_PORT("40") " or " V6_VNC_PORT("42") ") and " V6_PLEN " > 0 and "
	V6_PLEN " <= " STR(VNC_SMALL) ")"
	" or " HEADS("ip6", V6_P) "))"
	" or (ip6 and (ip6[6] = 0 or ip6[6] = 43 or ip6[6] = 60))";

/* "port 53 or port 5353 or ...": the UDP rows of the port table that are
 * signature ports (signature true) or services.  0 or -ENOSPC. */
static int udp_ports_text(char *buf, size_t len, bool signature)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < NET_UDP_PORTS_N; i++) {
		const struct net_port_range *r = &net_udp_ports[i];
		const char *sep = o ? " or " : "";
		int n;

		if ((r->use == NET_PORT_SIGNATURE) != signature || r->use == NET_PORT_RDPUDP)
			continue;	/* RDP-UDP has its own clause (net_filter_tcp) */
		if (r->first == r->last)
			n = snprintf(buf + o, len - o, "%sport %u", sep, (unsigned)r->first);
		else
			n = snprintf(buf + o, len - o, "%sportrange %u-%u", sep,
				     (unsigned)r->first, (unsigned)r->last);
		if (n < 0 || (size_t)n >= len - o)
			return -ENOSPC;
		o += (size_t)n;
	}
	return 0;
}

/* The filter for one packet, whatever the link type.  0 or -ENOSPC. */
static int net_filter_core(char *buf, size_t len)
{
	char services[256], signatures[256];
	int n;

	if (udp_ports_text(services, sizeof(services), false) < 0 ||
	    udp_ports_text(signatures, sizeof(signatures), true) < 0)
		return -ENOSPC;
	n = snprintf(buf, len, "arp or (udp and (%s)) or (udp and (%s) and less 400)%s",
		     services, signatures, net_filter_tcp);
	return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}

const char *net_filter_text(int dlt, char *buf, size_t len)
{
	char core[sizeof(net_filter_tcp) + 1024];
	int n;

	if (net_filter_core(core, sizeof(core)) < 0)
		return NULL;
	if (dlt == NET_DLT_EN10MB)
		n = snprintf(buf, len, "(%s) or (vlan and ((%s) or (vlan and (%s))))",
			     core, core, core);
	else
		n = snprintf(buf, len, "%s", core);
	return n < 0 || (size_t)n >= len ? NULL : buf;
}

/* ---- compiled at build time (--pcap) ---- */

struct net_filter_prebuilt {
	int dlt;
	int swapped;			/* the file's byte order against ours; -1 either */
	const char *text;		/* what it was compiled from */
	const struct bpf_insn *insns;
	size_t len;
	net_filter_fn fn;		/* the same as C, or NULL */
};

#ifdef NET_FILTER_PREBUILT
#include NET_FILTER_PREBUILT
#else
/* Built without the generated header (the fuzz build, a bare compile):
 * --pcap compiles at run time. */
static const struct net_filter_prebuilt net_filter_prebuilt[] = { { -1, -1, NULL, NULL, 0, NULL } };
#endif

/* The entry for a savefile handle and this text: its link type and byte
 * order (libpcap compiles DLT_NULL's address family in the file's order). */
static const struct net_filter_prebuilt *prebuilt_find(pcap_t *p, const char *text)
{
	int dlt = pcap_datalink(p), swapped = pcap_is_swapped(p);

	for (const struct net_filter_prebuilt *e = net_filter_prebuilt; e->text; e++)
		if (e->dlt == dlt && (e->swapped < 0 || e->swapped == swapped) &&
		    strcmp(e->text, text) == 0)
			return e;
	return NULL;
}

net_filter_fn net_filter_offline_fn(pcap_t *p, const char *text)
{
	const struct net_filter_prebuilt *e = prebuilt_find(p, text);

	return e ? e->fn : NULL;
}

int net_filter_offline(pcap_t *p, const char *text, struct bpf_program *prog)
{
	int snap = pcap_snapshot(p);
	const struct net_filter_prebuilt *e = prebuilt_find(p, text);

	memset(prog, 0, sizeof(*prog));
	if (!e || snap <= 0)
		return -ENOENT;	/* snap: pcap_compile() says what is wrong */
	prog->bf_insns = malloc(e->len * sizeof(*prog->bf_insns));
	if (!prog->bf_insns)
		return -ENOMEM;
	memcpy(prog->bf_insns, e->insns, e->len * sizeof(*prog->bf_insns));
	prog->bf_len = (u_int)e->len;
	/* The accepting returns carry the snapshot length the program was
	 * compiled for: pcap_compile() puts p's. */
	for (size_t i = 0; i < e->len; i++)
		if (prog->bf_insns[i].code == (BPF_RET | BPF_K) &&
		    prog->bf_insns[i].k == NET_FILTER_GEN_SNAPLEN)
			prog->bf_insns[i].k = (bpf_u_int32)snap;
	return 0;
}

/* ---- compiling it ---- */

/* More instructions than the kernel accepts (BPF_MAXINSNS is 4096). */
#define NET_FILTER_MAX_INSNS 65536

struct compiled_head {
	int32_t status;			/* 0, or the length of an error message */
	uint32_t len;			/* instructions that follow */
};

static bool write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

static bool read_all(int fd, void *buf, size_t n)
{
	char *p = buf;

	while (n) {
		ssize_t r = read(fd, p, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		p += r;
		n -= (size_t)r;
	}
	return true;
}

static void compile_child(int fd, pcap_t *p, const char *text)
{
	struct bpf_program prog;
	struct compiled_head h = { 0 };
	bool ok;

	if (pcap_compile(p, &prog, text, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		const char *msg = pcap_geterr(p);

		h.status = (int32_t)strlen(msg);
		ok = write_all(fd, &h, sizeof(h)) && write_all(fd, msg, (size_t)h.status);
	} else {
		h.len = prog.bf_len;
		ok = write_all(fd, &h, sizeof(h)) &&
		     write_all(fd, prog.bf_insns, prog.bf_len * sizeof(*prog.bf_insns));
	}
	_exit(ok ? 0 : 1);
}

static int compile_here(pcap_t *p, const char *text, struct bpf_program *prog,
			char *err, size_t errlen)
{
	if (pcap_compile(p, prog, text, 1, PCAP_NETMASK_UNKNOWN) == 0)
		return 0;
	snprintf(err, errlen, "%s", pcap_geterr(p));
	return -EINVAL;
}

/* The child's answer; -EIO if it died or said something malformed. */
static int compile_read(int fd, struct bpf_program *prog, char *err, size_t errlen)
{
	struct compiled_head h;
	char msg[PCAP_ERRBUF_SIZE];

	if (!read_all(fd, &h, sizeof(h)))
		return -EIO;
	if (h.status) {
		if (h.status < 0 || (size_t)h.status >= sizeof(msg) ||
		    !read_all(fd, msg, (size_t)h.status))
			return -EIO;
		msg[h.status] = '\0';
		snprintf(err, errlen, "%s", msg);
		return -EINVAL;
	}
	if (!h.len || h.len > NET_FILTER_MAX_INSNS)
		return -EIO;
	prog->bf_insns = calloc(h.len, sizeof(*prog->bf_insns));
	if (!prog->bf_insns)
		return -ENOMEM;
	prog->bf_len = h.len;
	if (!read_all(fd, prog->bf_insns, h.len * sizeof(*prog->bf_insns))) {
		pcap_freecode(prog);
		return -EIO;
	}
	return 0;
}

int net_filter_compile(pcap_t *p, const char *text, struct bpf_program *prog,
		       char *err, size_t errlen)
{
	int fds[2], r, status;
	pid_t pid;

	memset(prog, 0, sizeof(*prog));
	if (pipe2(fds, O_CLOEXEC) < 0)
		return compile_here(p, text, prog, err, errlen);
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return compile_here(p, text, prog, err, errlen);
	}
	if (pid == 0) {
		close(fds[0]);
		compile_child(fds[1], p, text);
	}
	close(fds[1]);
	r = compile_read(fds[0], prog, err, errlen);
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	/* A child that died (killed, out of memory): try here. */
	if (r == -EIO)
		return compile_here(p, text, prog, err, errlen);
	return r;
}
