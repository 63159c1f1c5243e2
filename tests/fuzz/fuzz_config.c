/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_config.c - farmhound.conf (agent/config.c): defaults, then the file
 * from a memfd through config_load's real read path, then config_free.
 * Every collector's options table is reachable because the registry is the
 * real one.
 */
#include "agent/config.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag_list diags = { 0 };
	struct config cfg;
	char path[64];
	int fd;

	memset(&cfg, 0, sizeof(cfg));
	if (config_init_defaults(&cfg) < 0)
		return 0;
	fd = fuzz_memfd(data, size, path, sizeof(path));
	if (fd >= 0) {
		config_load(path, &cfg, &diags);
		close(fd);
		FUZZ_CHECK(cfg.ncollectors >= 0 && cfg.ncollectors <= CONFIG_MAX_COLLECTORS);
		for (int i = 0; i < cfg.ncollectors; i++)
			for (int o = 0; o < COLLECTOR_OPTIONS_MAX; o++)
				FUZZ_TERMINATED(cfg.collectors[i].options[o]);
	}
	config_free(&cfg);
	diag_list_clear(&diags);
	return 0;
}
