#include "config.h"

#include "base/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void err_clear(struct ms_err *e)
{
	e->cat = ERR_NONE;
	e->msg[0] = '\0';
	e->reply[0] = '\0';
}

void err_vset(struct ms_err *e, enum err_category cat, const char *fmt, va_list ap)
{
	char tmp[ERR_MSG_MAX];
	/* Format into a copy: an argument may be e->msg itself. */
	vsnprintf(tmp, sizeof tmp, fmt, ap);
	memcpy(e->msg, tmp, sizeof tmp);
	e->cat = cat;
}

void err_set(struct ms_err *e, enum err_category cat, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	err_vset(e, cat, fmt, ap);
	va_end(ap);
}

void err_set_reply(struct ms_err *e, const char *reply, unsigned long len)
{
	if (len >= sizeof e->reply)
		len = sizeof e->reply - 1;
	memcpy(e->reply, reply, len);
	e->reply[len] = '\0';
}

const char *err_category_name(enum err_category cat)
{
	static const char *const names[] = {
	    [ERR_NONE] = "none",         [ERR_LOCAL] = "local",     [ERR_USAGE] = "usage",
	    [ERR_DNS] = "dns",           [ERR_REFUSED] = "refused", [ERR_TIMEOUT] = "timeout",
	    [ERR_NETWORK] = "network",   [ERR_TLS] = "tls",         [ERR_CERT] = "certificate",
	    [ERR_PROTOCOL] = "protocol", [ERR_FEATURE] = "feature", [ERR_DENIED] = "denied",
	    [ERR_AUTH] = "auth",
	};
	if ((unsigned)cat < sizeof names / sizeof names[0] && names[cat])
		return names[cat];
	return "unknown";
}
