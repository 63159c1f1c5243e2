/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_net_flow.c - the bounded LRU flow table (collectors/net/net_flow.c):
 * lookups in both directions, least-recently-used eviction, the memory
 * ceiling under a flood of new flows, and the reassembly buffer pool.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "collectors/net/net_flow.h"

static struct ip_addr v4(uint32_t x)
{
	struct ip_addr a = { .family = AF_INET };

	a.bytes[0] = (uint8_t)(x >> 24);
	a.bytes[1] = (uint8_t)(x >> 16);
	a.bytes[2] = (uint8_t)(x >> 8);
	a.bytes[3] = (uint8_t)x;
	return a;
}

static void test_find_both_directions(void **unused)
{
	struct net_flow_table *t;
	struct ip_addr c = v4(0xc0a8010a), s = v4(0xc6336407), other = v4(0xc6336408);
	struct net_flow *f, *g;
	int side = -1;

	(void)unused;
	assert_int_equal(net_flow_table_new(8, 2, 64, &t), 0);
	f = net_flow_add(t, &c, 50000, &s, 3389, 1, NULL);
	assert_non_null(f);
	assert_int_equal(net_flow_count(t), 1);
	g = net_flow_find(t, &c, 50000, &s, 3389, &side);
	assert_ptr_equal(f, g);
	assert_int_equal(side, 0);
	g = net_flow_find(t, &s, 3389, &c, 50000, &side);
	assert_ptr_equal(f, g);
	assert_int_equal(side, 1);
	assert_null(net_flow_find(t, &c, 50001, &s, 3389, &side));
	assert_null(net_flow_find(t, &c, 50000, &other, 3389, &side));
	/* IPv4 and IPv6 with the same leading bytes are different flows */
	{
		struct ip_addr c6 = c, s6 = s;

		c6.family = s6.family = AF_INET6;
		assert_null(net_flow_find(t, &c6, 50000, &s6, 3389, &side));
	}
	/* swapping keeps the flow findable, with sides exchanged */
	f->dir[0].next_seq = 111;
	net_flow_swap(f);
	g = net_flow_find(t, &c, 50000, &s, 3389, &side);
	assert_ptr_equal(f, g);
	assert_int_equal(side, 1);
	assert_int_equal(f->dir[1].next_seq, 111);
	net_flow_remove(t, f);
	assert_int_equal(net_flow_count(t), 0);
	assert_null(net_flow_find(t, &c, 50000, &s, 3389, &side));
	net_flow_table_free(t);
	net_flow_table_free(NULL);
}

static void test_lru_eviction(void **unused)
{
	struct net_flow_table *t;
	struct ip_addr s = v4(0x0a000001);
	struct net_flow evicted;
	int side;

	(void)unused;
	assert_int_equal(net_flow_table_new(4, 0, 0, &t), 0);
	for (uint32_t i = 0; i < 4; i++) {
		struct ip_addr c = v4(0x0a000100 + i);

		net_flow_add(t, &c, 40000, &s, 443, i, &evicted);
		assert_false(evicted.used);
	}
	/* touch the oldest (i = 0): i = 1 becomes the least recently used */
	{
		struct ip_addr c0 = v4(0x0a000100), c1 = v4(0x0a000101);
		struct net_flow *f0 = net_flow_find(t, &c0, 40000, &s, 443, &side);

		assert_non_null(f0);
		net_flow_touch(t, f0, 10);
		(void)c1;
	}
	{
		struct ip_addr c = v4(0x0a000199), c1 = v4(0x0a000101), c0 = v4(0x0a000100);

		net_flow_add(t, &c, 40000, &s, 443, 11, &evicted);
		assert_true(evicted.used);
		assert_memory_equal(evicted.key.addr[0].bytes, c1.bytes, 4);
		assert_null(net_flow_find(t, &c1, 40000, &s, 443, &side));
		assert_non_null(net_flow_find(t, &c0, 40000, &s, 443, &side));
		assert_non_null(net_flow_find(t, &c, 40000, &s, 443, &side));
	}
	assert_int_equal(net_flow_count(t), 4);
	assert_memory_equal(net_flow_oldest(t)->key.addr[0].bytes, "\x0a\x00\x01\x02", 4);
	net_flow_table_free(t);
	assert_int_equal(net_flow_table_new(1, 0, 0, &t), -EINVAL);
}

/* A SYN flood / port scan: a million new flows through a table of 4096.
 * Memory is fixed at creation, the count never passes the capacity, and
 * every lookup still works. */
static void test_memory_ceiling_under_flood(void **unused)
{
	struct net_flow_table *t;
	struct ip_addr s = v4(0xc0a8010a);
	size_t mem;
	int side;

	(void)unused;
	assert_int_equal(net_flow_table_new(4096, 16, 16384, &t), 0);
	mem = net_flow_memory(t);
	assert_true(mem < 4 * 1024 * 1024);
	for (uint32_t i = 0; i < 1000000; i++) {
		struct ip_addr c = v4(0xc6000000 + i);

		assert_non_null(net_flow_add(t, &c, (uint16_t)(1024 + i % 60000), &s,
					     (uint16_t)(i % 65536), i, NULL));
		assert_true(net_flow_count(t) <= 4096);
	}
	assert_int_equal(net_flow_count(t), 4096);
	assert_int_equal(net_flow_memory(t), mem);
	/* the last 4096 are there, the one before them is not */
	for (uint32_t i = 1000000 - 4096; i < 1000000; i++) {
		struct ip_addr c = v4(0xc6000000 + i);

		assert_non_null(net_flow_find(t, &c, (uint16_t)(1024 + i % 60000), &s,
					      (uint16_t)(i % 65536), &side));
	}
	{
		uint32_t i = 1000000 - 4097;
		struct ip_addr c = v4(0xc6000000 + i);

		assert_null(net_flow_find(t, &c, (uint16_t)(1024 + i % 60000), &s,
					  (uint16_t)(i % 65536), &side));
	}
	net_flow_table_free(t);
}

static void test_reassembly_pool(void **unused)
{
	struct net_flow_table *t;
	struct ip_addr a = v4(1), b = v4(2), c = v4(3);
	struct net_flow *f, *g, *h;
	const uint8_t *data;
	size_t dlen;
	uint8_t chunk[40];

	(void)unused;
	memset(chunk, 0x16, sizeof(chunk));
	assert_int_equal(net_flow_table_new(8, 2, 100, &t), 0);
	f = net_flow_add(t, &a, 1, &b, 443, 0, NULL);
	g = net_flow_add(t, &a, 2, &b, 443, 0, NULL);
	h = net_flow_add(t, &c, 3, &b, 443, 0, NULL);
	assert_int_equal(net_flow_buffer_append(t, &f->dir[0], chunk, 40, &data, &dlen), 0);
	assert_int_equal(dlen, 40);
	assert_int_equal(net_flow_buffer_append(t, &f->dir[0], chunk, 40, &data, &dlen), 0);
	assert_int_equal(dlen, 80);
	assert_memory_equal(data, chunk, 40);
	/* the bound: 80 + 40 > 100 */
	assert_int_equal(net_flow_buffer_append(t, &f->dir[0], chunk, 40, &data, &dlen), -E2BIG);
	assert_int_equal(net_flow_buffer_append(t, &g->dir[1], chunk, 10, &data, &dlen), 0);
	assert_int_equal(net_flow_buffers_free(t), 0);
	/* peek: a direction's bytes without adding any; none for no buffer */
	net_flow_buffer_peek(t, &f->dir[0], &data, &dlen);
	assert_int_equal(dlen, 80);
	assert_memory_equal(data, chunk, 40);
	net_flow_buffer_peek(t, &f->dir[1], &data, &dlen);
	assert_int_equal(dlen, 0);
	assert_null(data);
	/* the pool is empty: a third flow gets none */
	assert_int_equal(net_flow_buffer_append(t, &h->dir[0], chunk, 10, &data, &dlen), -ENOBUFS);
	/* removing a flow returns its buffer */
	net_flow_remove(t, f);
	assert_int_equal(net_flow_buffers_free(t), 1);
	assert_int_equal(net_flow_buffer_append(t, &h->dir[0], chunk, 10, &data, &dlen), 0);
	assert_int_equal(dlen, 10);		/* a fresh buffer, not the old bytes */
	net_flow_buffer_release(t, &g->dir[1]);
	net_flow_buffer_release(t, &g->dir[1]);	/* twice is harmless */
	assert_int_equal(net_flow_buffers_free(t), 1);
	net_flow_table_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find_both_directions),
		cmocka_unit_test(test_lru_eviction),
		cmocka_unit_test(test_memory_ceiling_under_flood),
		cmocka_unit_test(test_reassembly_pool),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
