/* screen_password.c - step 3: the password, kept in one cleansed buffer
 * and written to disk only when the person asks for it. */
#include "config.h"

#include "tui/wizard.h"

#include <stdio.h>

int screen_password(void)
{
	char prompt[256];
	char *u = escape_display_str(W.in.user);
	snprintf(prompt, sizeof prompt, _("The password of %s"), u);
	free(u);
	wiz_help(WIZ_HELP_PASSWORD);
	char *pw = tui_password(
	    _("mailsetup - password"), 3, prompt,
	    _("It is used to test the login now and is not saved unless you ask "
	      "for it on the last screen. Leave it empty to test without logging in."));
	if (!pw)
		return 0;
	secret_free(W.password);
	W.password = pw;
	return 1;
}
