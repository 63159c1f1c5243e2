/* SPDX-License-Identifier: Apache-2.0 */
/*
 * main.c - the command line (DESIGN §6).  Parses options, then hands over
 * to the loop (daemon or --scan), the config/rules check (-t) or the field
 * listing (--fields).  Nothing here knows about collectors or rules beyond
 * what the registry tells it.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collectors/collector.h"
#include "config.h"
#include "format.h"
#include "log.h"
#include "loop.h"

enum main_mode {
	MAIN_DAEMON,
	MAIN_TEST,
	MAIN_SCAN,
	MAIN_PCAP,
	MAIN_INPUT,
	MAIN_FIELDS,
};

enum {
	OPT_SCAN = 0x100,
	OPT_EXPLAIN,
	OPT_FIELDS,
	OPT_ROOTFS,
	OPT_PROCFS,
	OPT_PCAP,
	OPT_INPUT,
};

static void main_usage(FILE *f)
{
	fputs("usage: farmhound [options]\n"
	      "Detect laptop-farm set-ups (IP-KVMs, remote access) and send alerts to syslog.\n"
	      "Without --scan, -t or --fields: run the agent in the foreground.\n"
	      "\n"
	      "  -c, --config FILE          configuration (default " CONFIG_DEFAULT_PATH ";\n"
	      "                             a missing file means built-in defaults)\n"
	      "  -r, --rules DIR            rule directory (default " CONFIG_DEFAULT_RULES ")\n"
	      "  -t, --test                 check configuration and rules, print\n"
	      "                             \"configuration OK\" or file:line errors; exit 0/1\n"
	      "      --scan                 inventory this machine now, print alerts on stdout;\n"
	      "                             exit 0: no finding, 1: alerts at notice or above, 2: error\n"
	      "      --pcap FILE            analyse a capture file (any link type libpcap reads),\n"
	      "                             print alerts on stdout; exit codes as --scan\n"
	      "      --input FILE           analyse an input recording (evemu-record) with its own\n"
	      "                             timestamps: jigglers, injected typing, pointer jumps;\n"
	      "                             print alerts on stdout; exit codes as --scan\n"
	      "      --explain              with --scan/--pcap/--input: also print each event and the\n"
	      "                             rules it matched, on lines starting with \"# \" (alert\n"
	      "                             lines stay parseable: filter with grep -v '^#')\n"
	      "      --fields [SOURCE]      list the fields rules may use (one source or all)\n"
	      "  -f, --format FORMAT        alert format: json (default), cef or text;\n"
	      "                             overrides [output] format\n"
	      "      --rootfs DIR           read host files below DIR (tests, forensics)\n"
	      "      --procfs DIR           read process information from DIR instead of /proc\n"
	      "  -d, --debug                log debugging detail (and each alert) on stderr\n"
	      "  -V, --version              print the version and exit\n"
	      "  -h, --help                 print this help and exit\n", f);
}

static void main_print_source(const struct source_def *src)
{
	printf("%s:\n", src->name);
	for (size_t i = 0; i < src->nfields; i++)
		printf("  %-24s %-7s %s\n", src->fields[i].name,
		       field_type_name(src->fields[i].type), src->fields[i].description);
}

static int main_fields(const char *source)
{
	const struct source_def *src;
	bool first = true;

	if (source) {
		src = source_by_name(source);
		if (!src) {
			fprintf(stderr, "farmhound: unknown source '%s'\n", source);
			return 2;
		}
		main_print_source(src);
		return 0;
	}
	for (int id = 0; id < SOURCE__MAX; id++) {
		src = source_by_id((enum event_source)id);
		if (!src)
			continue;
		if (!first)
			putchar('\n');
		first = false;
		main_print_source(src);
	}
	return 0;
}

static int main_test(const struct loop_options *o)
{
	struct diag_list diags = { 0 };
	struct ruleset *rs = NULL;
	struct config cfg;
	int r;

	r = config_init_defaults(&cfg);
	if (r < 0) {
		fprintf(stderr, "farmhound: %s\n", strerror(-r));
		return 1;
	}
	r = loop_load(o, &cfg, &rs, &diags);
	log_diags(&diags);
	diag_list_clear(&diags);
	if (r == 0) {
		printf("configuration OK\n");
		log_msg(LOG_DEBUG, "%zu rules, %zu lists, %zu allows",
			ruleset_rule_count(rs), ruleset_list_count(rs),
			ruleset_allow_count(rs));
	}
	ruleset_free(rs);
	config_free(&cfg);
	return r == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "rules", required_argument, NULL, 'r' },
		{ "test", no_argument, NULL, 't' },
		{ "scan", no_argument, NULL, OPT_SCAN },
		{ "pcap", required_argument, NULL, OPT_PCAP },
		{ "input", required_argument, NULL, OPT_INPUT },
		{ "explain", no_argument, NULL, OPT_EXPLAIN },
		{ "fields", optional_argument, NULL, OPT_FIELDS },
		{ "format", required_argument, NULL, 'f' },
		{ "rootfs", required_argument, NULL, OPT_ROOTFS },
		{ "procfs", required_argument, NULL, OPT_PROCFS },
		{ "debug", no_argument, NULL, 'd' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct loop_options o = {
		.config_path = CONFIG_DEFAULT_PATH,
		.rules_dir = CONFIG_DEFAULT_RULES,
	};
	enum main_mode mode = MAIN_DAEMON;
	const char *fields_source = NULL;
	bool debug = false;
	int c;

	while ((c = getopt_long(argc, argv, "c:r:tf:dVh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o.config_path = optarg;
			break;
		case 'r':
			o.rules_dir = optarg;
			break;
		case 't':
			mode = MAIN_TEST;
			break;
		case OPT_SCAN:
			mode = MAIN_SCAN;
			break;
		case OPT_PCAP:
			mode = MAIN_PCAP;
			o.pcap_file = optarg;
			break;
		case OPT_INPUT:
			mode = MAIN_INPUT;
			o.input_file = optarg;
			break;
		case OPT_EXPLAIN:
			o.explain = true;
			break;
		case OPT_FIELDS:
			mode = MAIN_FIELDS;
			/* "--fields usb" as well as "--fields=usb". */
			if (optarg)
				fields_source = optarg;
			else if (optind < argc && argv[optind][0] != '-')
				fields_source = argv[optind++];
			break;
		case 'f':
			if (!alert_formatter_by_name(optarg)) {
				fprintf(stderr, "farmhound: unknown format '%s' (json, cef, text)\n",
					optarg);
				return 2;
			}
			o.format = optarg;
			break;
		case OPT_ROOTFS:
			o.rootfs = optarg;
			break;
		case OPT_PROCFS:
			o.procfs = optarg;
			break;
		case 'd':
			debug = true;
			break;
		case 'V':
			printf("farmhound %s\n", FARMHOUND_VERSION);
			return 0;
		case 'h':
			main_usage(stdout);
			return 0;
		default:
			main_usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "farmhound: unexpected argument '%s'\n", argv[optind]);
		main_usage(stderr);
		return 2;
	}
	if (o.explain && mode != MAIN_SCAN && mode != MAIN_PCAP && mode != MAIN_INPUT) {
		fprintf(stderr, "farmhound: --explain needs --scan, --pcap or --input\n");
		return 2;
	}
	log_init(debug);
	o.strict = mode == MAIN_DAEMON || mode == MAIN_TEST;
	switch (mode) {
	case MAIN_TEST:
		return main_test(&o);
	case MAIN_SCAN:
		return loop_scan(&o);
	case MAIN_PCAP:
		return loop_pcap(&o);
	case MAIN_INPUT:
		return loop_input(&o);
	case MAIN_FIELDS:
		return main_fields(fields_source);
	case MAIN_DAEMON:
		break;
	}
	return loop_daemon(&o);
}
