/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_rules.c - a whole rule file (rules/ruleset_load.c over inifile.c and
 * expr.c), loaded the way `farmhound -t FILE` loads it: through the file
 * read path, here from a memfd.  Field names resolve against the real
 * collector registry, so the shipped sources' fields are reachable.  A
 * file that loads is then given one event of every source, with every
 * field set, so the compiled rules, @lists and allows are evaluated too.
 */
#include <errno.h>
#include <sys/socket.h>

#include "collectors/event.h"
#include "fuzz.h"
#include "rules/rules.h"

static const char *const source_names[] = {
	"usb", "display", "process", "socket", "host", "net", "input", "agent", NULL,
};

/* An event of source with every field holding a plausible value. */
static struct event *full_event(const struct source_def *s)
{
	struct event *ev = event_new(s);
	struct ip_addr ip = { .family = AF_INET, .bytes = { 192, 0, 2, 7 } };

	if (!ev)
		return NULL;
	for (size_t f = 0; f < s->nfields; f++) {
		switch (s->fields[f].type) {
		case FIELD_STRING:
			event_set_str(ev, (int)f, f == 0 ? "add" : "PiKVM");
			break;
		case FIELD_INT:
			event_set_int(ev, (int)f, 1);
			break;
		case FIELD_BOOL:
			event_set_bool(ev, (int)f, true);
			break;
		case FIELD_IP:
			event_set_ip(ev, (int)f, &ip);
			break;
		case FIELD_LIST:
			event_list_add(ev, (int)f, "anydesk");
			break;
		}
	}
	return ev;
}

static void on_alert(void *opaque, const struct alert *a)
{
	(void)a;
	(*(int *)opaque)++;
}

static void eval_all(const struct ruleset *rs)
{
	struct rule_state *st = rule_state_new();
	int alerts = 0;

	if (!st)
		return;
	for (size_t i = 0; source_names[i]; i++) {
		const struct source_def *s = source_by_name(source_names[i]);
		struct event *ev = s ? full_event(s) : NULL;

		if (ev) {
			int n = ruleset_eval(rs, st, ev, 1000, "fuzzhost", on_alert, NULL, &alerts);

			FUZZ_CHECK(n >= 0);
			event_free(ev);
		}
	}
	rule_state_free(st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag_list diags = { 0 };
	struct ruleset *rs = NULL;
	char path[64];
	int fd = fuzz_memfd(data, size, path, sizeof(path));
	int r;

	if (fd < 0)
		return 0;
	/* A fixed "now": allow-list expiry must not depend on the day. */
	r = ruleset_load_file(path, 1767225600, &rs, &diags);
	close(fd);
	FUZZ_CHECK((r == 0) == (rs != NULL));
	if (r != 0)
		FUZZ_CHECK(diags.n > 0 || r == -ENOMEM);
	for (size_t i = 0; i < diags.n; i++)
		FUZZ_CHECK(diags.items[i].message != NULL);
	if (rs) {
		eval_all(rs);
		ruleset_free(rs);
	}
	diag_list_clear(&diags);
	return 0;
}
