/* screen_done.c - step 6: what was written where. */
#include "config.h"

#include "tui/wizard.h"

void screen_done(const char *report)
{
	for (;;) {
		wiz_help(WIZ_HELP_DONE);
		if (tui_frame(_("mailsetup - done"), 6, _("Enter quit   ? help"))) {
			int y = 3;
			const char *p = report;
			while (*p && y < 20) {
				const char *e = strchr(p, '\n');
				size_t len = e ? (size_t)(e - p) : strlen(p);
				char *line = xstrndup(p, len);
				char *shown = wiz_tilde_all(line);
				y += tui_wrap(y, 2, 76, 2, shown);
				free(shown), free(line);
				p += len + (e ? 1 : 0);
			}
			if (y == 3)
				tui_put(y++, 2, 76, _("Nothing was written."));
			tui_put(y + 1, 2, 76, _("Your account is set up. Enjoy your mail."));
		}
		refresh();
		wint_t ch;
		int rc = tui_key(&ch);
		if (rc == KEY_CODE_YES && ch == KEY_RESIZE)
			continue;
		return;
	}
}
