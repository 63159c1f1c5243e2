/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dissect_dns.c - DNS, mDNS and LLMNR messages (one wire format: RFC 1035
 * 4.1, RFC 6762, RFC 4795) and the NetBIOS name service (RFC 1002 4.2).
 *
 * The message is read in one pass: the header, the first
 * DNS_QUESTIONS_MAX questions (any further ones are skipped, so the
 * records after them are still found), then the first DNS_RRS_MAX
 * resource records of the answer, authority and additional sections.
 *
 * Names are the hostile part.  A name is at most 255 octets on the wire
 * (RFC 1035 3.1), a label at most 63 (the 0x40 and 0x80 label types are
 * reserved or obsolete: rejected), and a compression pointer must point
 * strictly before the start of the name segment that holds it.  That last
 * rule makes every chain of pointers strictly decreasing, so a loop (self
 * pointer, two pointers pointing at each other, a pointer to a later
 * label that points back) cannot be written; the hop limit is a second
 * bound on the work per name.
 *
 * Cost: a struct dns_message is about 9 KB.  The dissector does not clear
 * it: it sets the header fields and the two counts, and writes each entry
 * below the counts completely; entries at or above a count are never
 * touched, and the caller must not read them.  So a one-question query
 * costs one dns_question's worth of writes, not 9 KB.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "dissect.h"

#define DNS_HEADER_LEN 12
#define DNS_NAME_WIRE_MAX 255	/* RFC 1035 3.1, length octets included */
#define DNS_LABEL_MAX 63
#define DNS_HOPS_MAX 32		/* a valid name has at most 127 labels; 32 jumps is plenty */

#define DNS_TYPE_A 1
#define DNS_TYPE_NS 2
#define DNS_TYPE_CNAME 5
#define DNS_TYPE_PTR 12
#define DNS_TYPE_TXT 16
#define DNS_TYPE_AAAA 28
#define DNS_TYPE_SRV 33
#define DNS_TYPE_ANY 255

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A text buffer that cuts silently and stays NUL-terminated. */
struct textbuf {
	char *s;
	size_t size, n;
};

static void tb_putc(struct textbuf *tb, char c)
{
	if (tb->n + 1 < tb->size) {
		tb->s[tb->n++] = c;
		tb->s[tb->n] = '\0';
	}
}

/* A label byte: lower-cased; '.' and '\' (which would change the meaning
 * of the text form) and anything outside printable ASCII as \DDD. */
static void tb_put_label_byte(struct textbuf *tb, uint8_t c, bool lower)
{
	if (c >= 0x20 && c < 0x7f && c != '.' && c != '\\') {
		if (lower && c >= 'A' && c <= 'Z')
			c = (uint8_t)(c - 'A' + 'a');
		tb_putc(tb, (char)c);
		return;
	}
	/* \DDD is written whole or not at all, so a cut never leaves half an
	 * escape behind. */
	if (tb->n + 4 < tb->size) {
		tb_putc(tb, '\\');
		tb_putc(tb, (char)('0' + c / 100));
		tb_putc(tb, (char)('0' + c / 10 % 10));
		tb_putc(tb, (char)('0' + c % 10));
	} else {
		tb->size = tb->n + 1;	/* stop here: no later byte lands after a cut */
	}
}

/*
 * Read the name at p[off] into out (text form, no trailing dot, "" for the
 * root).  *next is set to the offset just after the name where it sits in
 * the message (after the first pointer if it was compressed).
 */
static int dns_read_name(const uint8_t *p, size_t len, size_t off, size_t *next,
			 char *out, size_t outsize)
{
	struct textbuf tb = { out, outsize, 0 };
	size_t pos = off, segment = off, wire = 0;
	unsigned hops = 0;
	bool jumped = false;

	out[0] = '\0';
	for (;;) {
		if (pos >= len)
			return -EINVAL;
		uint8_t b = p[pos];
		if ((b & 0xc0) == 0xc0) {
			if (pos + 1 >= len)
				return -EINVAL;
			size_t target = (size_t)(b & 0x3f) << 8 | p[pos + 1];
			/* Strictly before the segment holding this pointer:
			 * the chain decreases, so no loop can be built. */
			if (target >= segment || ++hops > DNS_HOPS_MAX)
				return -EINVAL;
			if (!jumped)
				*next = pos + 2;
			jumped = true;
			pos = segment = target;
			continue;
		}
		if (b & 0xc0)		/* 0x40 extended, 0x80 reserved: RFC 6891 5 */
			return -EINVAL;
		wire += (size_t)b + 1;
		if (wire > DNS_NAME_WIRE_MAX)
			return -EINVAL;
		if (b == 0) {
			if (!jumped)
				*next = pos + 1;
			return 0;
		}
		if (pos + 1 + b > len)
			return -EINVAL;
		if (tb.n > 0)
			tb_putc(&tb, '.');
		for (size_t i = 0; i < b; i++)
			tb_put_label_byte(&tb, p[pos + 1 + i], true);
		pos += 1 + (size_t)b;
	}
}

/* Skip a name that is either labels ending in the root or labels ending
 * in a pointer, without following the pointer: for the questions past
 * DNS_QUESTIONS_MAX and NetBIOS records, at a cost of their own bytes. */
static int dns_skip_name(const uint8_t *p, size_t len, size_t *off)
{
	size_t pos = *off;

	while (pos < len) {
		uint8_t b = p[pos];
		if ((b & 0xc0) == 0xc0) {
			if (pos + 2 > len)
				return -EINVAL;
			*off = pos + 2;
			return 0;
		}
		if (b & 0xc0)
			return -EINVAL;
		pos += 1 + (size_t)b;
		if (b == 0) {
			*off = pos;
			return 0;
		}
	}
	return -EINVAL;
}

/* One question; q NULL: past the ones kept, only skipped. */
static int dns_read_question(const uint8_t *p, size_t len, size_t *off,
			     struct dns_question *q)
{
	size_t next = *off;
	int r = q ? dns_read_name(p, len, *off, &next, q->name, sizeof(q->name))
		  : dns_skip_name(p, len, &next);

	if (r < 0)
		return r;
	if (next + 4 > len)
		return -EINVAL;
	if (q) {
		q->type = get16(p + next);
		q->qclass = get16(p + next + 2) & 0x7fff;	/* mDNS QU bit */
	}
	*off = next + 4;
	return 0;
}

/* TXT: the first character-string (RFC 1035 3.3.14), escaped. */
static void dns_txt_first(const uint8_t *rd, size_t rdlen, char *out, size_t size)
{
	struct textbuf tb = { out, size, 0 };

	out[0] = '\0';
	if (rdlen == 0)
		return;
	size_t n = rd[0];
	if (n > rdlen - 1)
		n = rdlen - 1;
	for (size_t i = 0; i < n; i++)
		tb_put_label_byte(&tb, rd[1 + i], false);
}

static int dns_read_rdata(const uint8_t *p, size_t len, size_t rd, size_t rdlen,
			  struct dns_rr *rr)
{
	size_t next, name_at = rd;

	rr->addr.family = 0;
	rr->target[0] = '\0';
	switch (rr->type) {
	case DNS_TYPE_A:
		if (rdlen != 4)
			return -EINVAL;
		rr->addr.family = AF_INET;
		memset(rr->addr.bytes, 0, sizeof(rr->addr.bytes));
		memcpy(rr->addr.bytes, p + rd, 4);
		return 0;
	case DNS_TYPE_AAAA:
		if (rdlen != 16)
			return -EINVAL;
		rr->addr.family = AF_INET6;
		memcpy(rr->addr.bytes, p + rd, 16);
		return 0;
	case DNS_TYPE_TXT:
		dns_txt_first(p + rd, rdlen, rr->target, sizeof(rr->target));
		return 0;
	case DNS_TYPE_SRV:
		if (rdlen < 7)
			return -EINVAL;
		name_at = rd + 6;	/* priority, weight, port */
		break;
	case DNS_TYPE_NS:
	case DNS_TYPE_CNAME:
	case DNS_TYPE_PTR:
		break;
	default:
		return 0;
	}
	/* The name may be compressed, but its own bytes lie in the rdata. */
	int r = dns_read_name(p, rd + rdlen, name_at, &next, rr->target,
			      sizeof(rr->target));
	if (r < 0 || next != rd + rdlen)
		return -EINVAL;
	(void)len;
	return 0;
}

static int dns_read_rr(const uint8_t *p, size_t len, size_t *off, struct dns_rr *rr)
{
	size_t next;
	int r = dns_read_name(p, len, *off, &next, rr->name, sizeof(rr->name));

	if (r < 0)
		return r;
	if (next + 10 > len)
		return -EINVAL;
	rr->type = get16(p + next);
	rr->rclass = get16(p + next + 2) & 0x7fff;	/* mDNS cache-flush bit */
	rr->ttl = get32(p + next + 4);
	size_t rdlen = get16(p + next + 8), rd = next + 10;
	if (rdlen > len - rd)
		return -EINVAL;
	r = dns_read_rdata(p, len, rd, rdlen, rr);
	if (r < 0)
		return r;
	*off = rd + rdlen;
	return 0;
}

int dissect_dns(const uint8_t *p, size_t len, struct dns_message *out)
{
	if (len < DNS_HEADER_LEN)
		return -EINVAL;
	uint16_t flags = get16(p + 2);
	out->id = get16(p);
	out->response = flags & 0x8000;
	out->opcode = (flags >> 11) & 0x0f;
	out->rcode = flags & 0x0f;
	out->nquestions = 0;
	out->nrrs = 0;

	size_t qd = get16(p + 4);
	size_t nrr = (size_t)get16(p + 6) + get16(p + 8) + get16(p + 10);
	size_t off = DNS_HEADER_LEN;

	/* Every question takes at least 5 bytes, so this loop ends with the
	 * buffer however large qd claims to be. */
	for (size_t i = 0; i < qd; i++) {
		struct dns_question *q = NULL;
		if (out->nquestions < DNS_QUESTIONS_MAX)
			q = &out->questions[out->nquestions];
		if (dns_read_question(p, len, &off, q) < 0)
			return -EINVAL;
		if (q)
			out->nquestions++;
	}
	for (size_t i = 0; i < nrr && i < DNS_RRS_MAX; i++) {
		if (dns_read_rr(p, len, &off, &out->rrs[i]) < 0)
			return -EINVAL;
		out->nrrs++;
	}
	return 0;
}

/* ---- mDNS summary ---- */

static bool str_in(char (*list)[DISSECT_NAME_MAX], size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], s) == 0)
			return true;
	return false;
}

static void add_item(char (*list)[DISSECT_NAME_MAX], size_t *n, const char *s)
{
	if (s[0] == '\0' || *n >= MDNS_ITEMS_MAX || str_in(list, *n, s))
		return;
	size_t l = strlen(s);
	if (l >= DISSECT_NAME_MAX)
		l = DISSECT_NAME_MAX - 1;
	memcpy(list[*n], s, l);
	list[*n][l] = '\0';
	(*n)++;
}

/*
 * The service type inside a DNS-SD name (RFC 6763 7): the label pair
 * "_name._tcp" or "_name._udp" and what follows ("_pikvm._tcp.local"),
 * from a type name, an instance name or a subtype name.  The DNS-SD
 * meta-query "_services._dns-sd._udp" is not a service.  NULL if none.
 */
static const char *service_of(const char *name)
{
	const char *label = name;

	while (label && *label) {
		const char *dot = strchr(label, '.');
		if (label[0] == '_' && dot &&
		    (strncmp(dot, "._tcp", 5) == 0 || strncmp(dot, "._udp", 5) == 0) &&
		    (dot[5] == '.' || dot[5] == '\0'))
			return strncmp(label, "_dns-sd.", 8) == 0 ? NULL : label;
		label = dot ? dot + 1 : NULL;
	}
	return NULL;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);
	return ls >= lx && strcmp(s + ls - lx, suffix) == 0;
}

static void summary_name(struct mdns_info *out, const char *name)
{
	const char *svc = service_of(name);
	if (svc)
		add_item(out->services, &out->nservices, svc);
}

void dissect_mdns_summary(const struct dns_message *m, struct mdns_info *out)
{
	out->nservices = 0;
	out->nhosts = 0;
	for (size_t i = 0; i < m->nquestions && i < DNS_QUESTIONS_MAX; i++) {
		const struct dns_question *q = &m->questions[i];
		summary_name(out, q->name);
		if (q->type == DNS_TYPE_A || q->type == DNS_TYPE_AAAA ||
		    q->type == DNS_TYPE_ANY)
			if (!service_of(q->name) && !ends_with(q->name, ".arpa"))
				add_item(out->hosts, &out->nhosts, q->name);
	}
	for (size_t i = 0; i < m->nrrs && i < DNS_RRS_MAX; i++) {
		const struct dns_rr *rr = &m->rrs[i];
		summary_name(out, rr->name);
		switch (rr->type) {
		case DNS_TYPE_A:
		case DNS_TYPE_AAAA:
			add_item(out->hosts, &out->nhosts, rr->name);
			break;
		case DNS_TYPE_SRV:	/* instance -> host */
			add_item(out->hosts, &out->nhosts, rr->target);
			break;
		case DNS_TYPE_PTR:	/* type -> instance, or reverse -> host */
			summary_name(out, rr->target);
			if (ends_with(rr->name, ".arpa"))
				add_item(out->hosts, &out->nhosts, rr->target);
			break;
		default:
			break;
		}
	}
}

/* ---- NetBIOS name service (RFC 1002 4.2.1) ---- */

#define NBNS_ENCODED_LEN 32
#define NBNS_TYPE_NB 0x0020

/*
 * First-level decoding (RFC 1001 14.1): 32 bytes 'A'..'P', two per name
 * byte, high nibble first; the 16th name byte is the suffix.  Trailing
 * blanks (and the NULs of the "*" wildcard) are removed.
 */
static int nbns_decode_name(const uint8_t *enc, struct netbios_ns *out)
{
	uint8_t raw[16];

	for (size_t i = 0; i < 16; i++) {
		uint8_t hi = enc[2 * i], lo = enc[2 * i + 1];
		if (hi < 'A' || hi > 'P' || lo < 'A' || lo > 'P')
			return -EINVAL;
		raw[i] = (uint8_t)((hi - 'A') << 4 | (lo - 'A'));
	}
	out->suffix = raw[15];
	size_t n = 15;
	while (n > 0 && (raw[n - 1] == ' ' || raw[n - 1] == '\0'))
		n--;
	struct textbuf tb = { out->name, sizeof(out->name), 0 };
	out->name[0] = '\0';
	for (size_t i = 0; i < n; i++)
		tb_put_label_byte(&tb, raw[i], false);
	return 0;
}

/* An NB resource record: NB_FLAGS then NB_ADDRESS (RFC 1002 4.2.1.3). */
static int nbns_read_rr(const uint8_t *p, size_t len, size_t off, struct netbios_ns *out)
{
	if (dns_skip_name(p, len, &off) < 0 || off + 10 > len)
		return -EINVAL;
	uint16_t type = get16(p + off);
	size_t rdlen = get16(p + off + 8), rd = off + 10;
	if (rdlen > len - rd)
		return -EINVAL;
	if (type == NBNS_TYPE_NB && rdlen >= 6) {
		out->addr.family = AF_INET;
		memset(out->addr.bytes, 0, sizeof(out->addr.bytes));
		memcpy(out->addr.bytes, p + rd + 2, 4);
	}
	return 0;
}

int dissect_netbios_ns(const uint8_t *p, size_t len, struct netbios_ns *out)
{
	/* Header (12) + length byte + 32 encoded bytes + at least the root. */
	if (len < DNS_HEADER_LEN + 1 + NBNS_ENCODED_LEN + 1)
		return -EINVAL;
	uint16_t qd = get16(p + 4), an = get16(p + 6), ar = get16(p + 10);
	if (qd + an == 0)
		return -EINVAL;
	out->response = p[2] & 0x80;
	out->addr.family = 0;
	/* The question, or the answer of a response, both start at 12. */
	if (p[DNS_HEADER_LEN] != NBNS_ENCODED_LEN ||
	    nbns_decode_name(p + DNS_HEADER_LEN + 1, out) < 0)
		return -EINVAL;

	size_t off = DNS_HEADER_LEN;
	if (qd > 0) {
		if (dns_skip_name(p, len, &off) < 0 || off + 4 > len)
			return -EINVAL;
		off += 4;
		if (an + ar == 0)
			return 0;	/* a plain query */
	}
	/* A response's answer, or a registration's additional record. */
	return nbns_read_rr(p, len, off, out);
}
