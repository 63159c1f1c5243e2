/* format_text.c - STUB, being written. */
#include <errno.h>
#include "alert.h"
static ssize_t format_text(const struct alert *a, char *buf, size_t len)
{
	(void)a; (void)buf; (void)len;
	return -ENOSYS;
}
const struct alert_formatter alert_format_text = { "text", format_text };
