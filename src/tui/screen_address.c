/* screen_address.c - step 1: the person's name and e-mail address. */
#include "config.h"

#include "tui/wizard.h"

#include <stdio.h>

static const char *check_address(void *arg, char **v, int *bad)
{
	static char msg[256];
	struct ms_err err;
	char *local, *domain;
	err_clear(&err);
	*bad = 1;
	if (!v[1][0])
		return _("Please type your e-mail address, like zoe@example.org.");
	if (!discover_address(v[1], &local, &domain, &err)) {
		snprintf(msg, sizeof msg, _("This is not a usable e-mail address: %s"), err.msg);
		return msg;
	}
	free(local), free(domain);
	return NULL;
}

enum tui_result screen_address(void)
{
	const struct tui_field f[] = {{_("Your name"), 44}, {_("E-mail address"), 44}};
	wiz_help(WIZ_HELP_ADDRESS);
	char *v[2] = {W.name ? xstrdup(W.name) : NULL, W.address ? xstrdup(W.address) : NULL};
	enum tui_result r = tui_form(
	    _("mailsetup - new account"), 1,
	    _("Enter next   Tab field   F3 check my existing setup   F1 help   Esc quit"),
	    _("mailsetup finds your provider's servers, tests them live over TLS and writes "
	      "settings for Thunderbird, mutt/neomutt, msmtp or plain text."),
	    f, 2, v, check_address, NULL, true);
	if (r == TUI_NEXT) {
		free(W.name), free(W.address);
		W.name = v[0];
		W.address = v[1];
	} else {
		free(v[0]), free(v[1]);
	}
	return r;
}
