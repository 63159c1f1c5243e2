/* SPDX-License-Identifier: Apache-2.0 */
/*
 * net_flow.c - bounded LRU flow table (see net_flow.h).
 *
 * Layout: one array of entries, a bucket array of chain heads (a power of
 * two at least the capacity), chains and the LRU list linked by index.
 * Everything is allocated in net_flow_table_new(); lookups hash the
 * 5-tuple symmetrically so both directions land in one bucket.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "net_flow.h"

struct net_flow_buf {
	size_t len;
	bool used;
	uint8_t *bytes;
};

struct net_flow_table {
	size_t capacity, count, nbuckets;
	struct net_flow *flows;
	uint32_t *buckets;
	uint32_t head, tail;	/* head: most recent */
	uint32_t free_head;	/* freed entries chained through next */
	size_t never_used;	/* entries [never_used, capacity) untouched */
	size_t nbufs, bufsize;
	struct net_flow_buf *bufs;
	uint8_t *bufmem;
};

static uint64_t flow_mix(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

/* Hash of one endpoint; the two are combined with + so order does not
 * matter. */
static uint64_t flow_endpoint_hash(const struct ip_addr *a, uint16_t port)
{
	uint64_t h = 0xcbf29ce484222325ull;
	size_t n = a->family == 2 ? 4 : 16;	/* AF_INET */

	h = flow_mix(h, a->bytes, n);
	h = flow_mix(h, &port, sizeof(port));
	return h * 0x9e3779b97f4a7c15ull;
}

static size_t flow_bucket(const struct net_flow_table *t, const struct ip_addr *a,
			  uint16_t pa, const struct ip_addr *b, uint16_t pb)
{
	uint64_t h = flow_endpoint_hash(a, pa) + flow_endpoint_hash(b, pb);

	return (size_t)((h ^ (h >> 29)) & (t->nbuckets - 1));
}

static bool addr_eq(const struct ip_addr *a, const struct ip_addr *b)
{
	return a->family == b->family &&
	       memcmp(a->bytes, b->bytes, a->family == 2 ? 4 : 16) == 0;
}

int net_flow_table_new(size_t capacity, size_t nbufs, size_t bufsize,
		       struct net_flow_table **out)
{
	struct net_flow_table *t;

	*out = NULL;
	if (capacity < 2 || capacity > (1u << 24))
		return -EINVAL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->capacity = capacity;
	t->nbuckets = 1;
	while (t->nbuckets < capacity)
		t->nbuckets <<= 1;
	t->flows = calloc(capacity, sizeof(*t->flows));
	t->buckets = malloc(t->nbuckets * sizeof(*t->buckets));
	t->nbufs = nbufs;
	t->bufsize = bufsize;
	t->bufs = calloc(nbufs ? nbufs : 1, sizeof(*t->bufs));
	t->bufmem = malloc(nbufs > 0 && bufsize > 0 ? nbufs * bufsize : 1);
	if (!t->flows || !t->buckets || !t->bufs || !t->bufmem) {
		net_flow_table_free(t);
		return -ENOMEM;
	}
	for (size_t i = 0; i < t->nbuckets; i++)
		t->buckets[i] = NET_FLOW_NONE;
	/* Entries are handed out from the never-touched end before any is
	 * recycled: calloc() gives zero pages that only become resident when
	 * a flow lands on them, so an idle laptop does not pay for a table
	 * sized for a busy one. */
	t->never_used = 0;
	for (size_t i = 0; i < nbufs; i++)
		t->bufs[i].bytes = t->bufmem + i * bufsize;
	t->free_head = NET_FLOW_NONE;
	t->head = t->tail = NET_FLOW_NONE;
	*out = t;
	return 0;
}

void net_flow_table_free(struct net_flow_table *t)
{
	if (!t)
		return;
	free(t->flows);
	free(t->buckets);
	free(t->bufs);
	free(t->bufmem);
	free(t);
}

static uint32_t flow_index(const struct net_flow_table *t, const struct net_flow *f)
{
	return (uint32_t)(f - t->flows);
}

static void lru_unlink(struct net_flow_table *t, struct net_flow *f)
{
	if (f->prev != NET_FLOW_NONE)
		t->flows[f->prev].next = f->next;
	else
		t->head = f->next;
	if (f->next != NET_FLOW_NONE)
		t->flows[f->next].prev = f->prev;
	else
		t->tail = f->prev;
	f->prev = f->next = NET_FLOW_NONE;
}

static void lru_push_front(struct net_flow_table *t, struct net_flow *f)
{
	uint32_t i = flow_index(t, f);

	f->prev = NET_FLOW_NONE;
	f->next = t->head;
	if (t->head != NET_FLOW_NONE)
		t->flows[t->head].prev = i;
	t->head = i;
	if (t->tail == NET_FLOW_NONE)
		t->tail = i;
}

struct net_flow *net_flow_find(struct net_flow_table *t, const struct ip_addr *src,
			       uint16_t sport, const struct ip_addr *dst, uint16_t dport,
			       int *side)
{
	size_t b = flow_bucket(t, src, sport, dst, dport);
	int hops = 0;

	for (uint32_t i = t->buckets[b]; i != NET_FLOW_NONE && hops < (int)t->capacity;
	     i = t->flows[i].hnext, hops++) {
		struct net_flow *f = &t->flows[i];

		if (f->key.port[0] == sport && f->key.port[1] == dport &&
		    addr_eq(&f->key.addr[0], src) && addr_eq(&f->key.addr[1], dst)) {
			*side = 0;
			return f;
		}
		if (f->key.port[0] == dport && f->key.port[1] == sport &&
		    addr_eq(&f->key.addr[0], dst) && addr_eq(&f->key.addr[1], src)) {
			*side = 1;
			return f;
		}
	}
	return NULL;
}

static void flow_release_bufs(struct net_flow_table *t, struct net_flow *f)
{
	net_flow_buffer_release(t, &f->dir[0]);
	net_flow_buffer_release(t, &f->dir[1]);
}

void net_flow_remove(struct net_flow_table *t, struct net_flow *f)
{
	uint32_t i = flow_index(t, f);
	size_t b;
	uint32_t *pp;

	if (!f->used)
		return;
	b = flow_bucket(t, &f->key.addr[0], f->key.port[0], &f->key.addr[1], f->key.port[1]);
	for (pp = &t->buckets[b]; *pp != NET_FLOW_NONE; pp = &t->flows[*pp].hnext) {
		if (*pp == i) {
			*pp = f->hnext;
			break;
		}
	}
	lru_unlink(t, f);
	flow_release_bufs(t, f);
	memset(f, 0, sizeof(*f));
	f->next = t->free_head;
	f->prev = f->hnext = NET_FLOW_NONE;
	t->free_head = i;
	t->count--;
}

struct net_flow *net_flow_add(struct net_flow_table *t, const struct ip_addr *src,
			      uint16_t sport, const struct ip_addr *dst, uint16_t dport,
			      uint64_t now_ms, struct net_flow *evicted)
{
	struct net_flow *f;
	uint32_t i;
	size_t b;

	if (evicted)
		evicted->used = false;
	if (t->free_head == NET_FLOW_NONE && t->never_used < t->capacity) {
		i = (uint32_t)t->never_used++;
		f = &t->flows[i];
	} else {
		if (t->free_head == NET_FLOW_NONE) {
			struct net_flow *old = &t->flows[t->tail];

			if (evicted)
				*evicted = *old;
			net_flow_remove(t, old);
		}
		i = t->free_head;
		f = &t->flows[i];
		t->free_head = f->next;
	}
	memset(f, 0, sizeof(*f));
	f->used = true;
	f->key.addr[0] = *src;
	f->key.addr[1] = *dst;
	f->key.port[0] = sport;
	f->key.port[1] = dport;
	f->dir[0].buf = f->dir[1].buf = NET_FLOW_NONE;
	f->last_ms = now_ms;
	b = flow_bucket(t, src, sport, dst, dport);
	f->hnext = t->buckets[b];
	t->buckets[b] = i;
	f->prev = f->next = NET_FLOW_NONE;
	lru_push_front(t, f);
	t->count++;
	return f;
}

void net_flow_touch(struct net_flow_table *t, struct net_flow *f, uint64_t now_ms)
{
	f->last_ms = now_ms;
	if (t->head == flow_index(t, f))
		return;
	lru_unlink(t, f);
	lru_push_front(t, f);
}

/* The bucket is symmetric in the two endpoints, so swapping the key
 * leaves the chains valid. */
void net_flow_swap(struct net_flow *f)
{
	struct ip_addr a = f->key.addr[0];
	uint16_t p = f->key.port[0];
	struct net_flow_dir d = f->dir[0];

	f->key.addr[0] = f->key.addr[1];
	f->key.port[0] = f->key.port[1];
	f->key.addr[1] = a;
	f->key.port[1] = p;
	f->dir[0] = f->dir[1];
	f->dir[1] = d;
}

struct net_flow *net_flow_oldest(struct net_flow_table *t)
{
	return t->tail == NET_FLOW_NONE ? NULL : &t->flows[t->tail];
}

size_t net_flow_count(const struct net_flow_table *t)
{
	return t ? t->count : 0;
}

size_t net_flow_memory(const struct net_flow_table *t)
{
	return sizeof(*t) + t->capacity * sizeof(*t->flows) +
	       t->nbuckets * sizeof(*t->buckets) + t->nbufs * (sizeof(*t->bufs) + t->bufsize);
}

int net_flow_buffer_append(struct net_flow_table *t, struct net_flow_dir *d,
			   const uint8_t *p, size_t len,
			   const uint8_t **data, size_t *dlen)
{
	struct net_flow_buf *b;

	if (d->buf == NET_FLOW_NONE) {
		for (size_t i = 0; i < t->nbufs; i++) {
			if (!t->bufs[i].used) {
				t->bufs[i].used = true;
				t->bufs[i].len = 0;
				d->buf = (uint32_t)i;
				break;
			}
		}
		if (d->buf == NET_FLOW_NONE)
			return -ENOBUFS;
	}
	b = &t->bufs[d->buf];
	if (len > t->bufsize - b->len)
		return -E2BIG;
	memcpy(b->bytes + b->len, p, len);
	b->len += len;
	*data = b->bytes;
	*dlen = b->len;
	return 0;
}

void net_flow_buffer_release(struct net_flow_table *t, struct net_flow_dir *d)
{
	if (d->buf == NET_FLOW_NONE || d->buf >= t->nbufs) {
		d->buf = NET_FLOW_NONE;
		return;
	}
	t->bufs[d->buf].used = false;
	t->bufs[d->buf].len = 0;
	d->buf = NET_FLOW_NONE;
}

void net_flow_buffer_peek(const struct net_flow_table *t, const struct net_flow_dir *d,
			  const uint8_t **data, size_t *dlen)
{
	if (d->buf == NET_FLOW_NONE || d->buf >= t->nbufs) {
		*data = NULL;
		*dlen = 0;
		return;
	}
	*data = t->bufs[d->buf].bytes;
	*dlen = t->bufs[d->buf].len;
}

size_t net_flow_buffers_free(const struct net_flow_table *t)
{
	size_t n = 0;

	for (size_t i = 0; i < t->nbufs; i++)
		n += !t->bufs[i].used;
	return n;
}
