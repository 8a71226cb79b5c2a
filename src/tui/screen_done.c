/* screen_done.c - step 6: every file created or changed, with its backup,
 * the clients set up and what is left to do (screen_output builds the
 * report; it says "set up" only for the clients actually installed). */
#include "config.h"

#include "tui/wizard.h"

void screen_done(const char *report)
{
	for (;;) {
		wiz_help(WIZ_HELP_DONE);
		if (tui_frame(_("mailsetup - done"), 6, _("Enter quit   ? help"))) {
			int y = 3;
			const char *p = report;
			while (*p && y < 22) {
				const char *e = strchr(p, '\n');
				size_t len = e ? (size_t)(e - p) : strlen(p);
				char *line = xstrndup(p, len);
				char *shown = wiz_tilde_all(line);
				y += *line ? tui_wrap(y, 2, 76, 22 - y < 2 ? 22 - y : 2, shown) : 1;
				free(shown), free(line);
				p += len + (e ? 1 : 0);
			}
			if (y == 3)
				tui_put(y++, 2, 76, _("Nothing was written."));
		}
		refresh();
		wint_t ch;
		int rc = tui_key(&ch);
		if (rc == KEY_CODE_YES && ch == KEY_RESIZE)
			continue;
		return;
	}
}
