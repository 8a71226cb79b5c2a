/* screen_discover.c - step 2: every discovery source at once, live, and
 * the servers they agree on. */
#include "config.h"

#include "tui/wizard.h"

#include <stdio.h>

static char *sources_text(unsigned bits)
{
	struct buf b = {0};
	buf_adds(&b, "");
	for (int s = 0; s < DSRC_COUNT; s++)
		if (bits & (1u << s))
			buf_addf(&b, "%s%s", b.len ? ", " : "",
			         disc_source_label((enum disc_source)s));
	return buf_steal(&b);
}

static const char *status_word(enum disc_status s)
{
	switch (s) {
	case DSTAT_WAITING:
		return _("waiting");
	case DSTAT_RUNNING:
		return _("asking...");
	case DSTAT_ANSWERED:
		return _("found");
	case DSTAT_NOTHING:
		return _("nothing");
	case DSTAT_ERROR:
		return _("error");
	case DSTAT_TIMEOUT:
		return _("no answer");
	case DSTAT_NOT_NEEDED:
		return _("not needed");
	}
	return "";
}

static void on_discover(void *ctx, const char *source, const char *label, enum ms_discover_event ev,
                        const char *detail)
{
	for (int s = 0; s < DSRC_COUNT; s++) {
		if (strcmp(source, disc_source_id((enum disc_source)s)) != 0)
			continue;
		static const enum disc_status map[] = {
		    [DISCOVER_STARTED] = DSTAT_RUNNING,       [DISCOVER_ANSWERED] = DSTAT_ANSWERED,
		    [DISCOVER_NOTHING] = DSTAT_NOTHING,       [DISCOVER_ERROR] = DSTAT_ERROR,
		    [DISCOVER_NOT_NEEDED] = DSTAT_NOT_NEEDED,
		};
		W.src[s] = map[ev];
		snprintf(W.src_detail[s], sizeof W.src_detail[s], "%s", detail ? detail : "");
	}
	W.redraw();
}

static void on_discovered(void *arg, struct disc_result *r)
{
	W.discovering = NULL;
	W.disc = r;
	for (int s = 0; s < DSRC_COUNT; s++) {
		W.src[s] = r->src[s].status;
		snprintf(W.src_detail[s], sizeof W.src_detail[s], "%s", r->src[s].detail);
	}
	wiz_busy_done();
}

static void draw_server_line(int y, const char *what, const struct server *s)
{
	char line[256];
	if (!s->host) {
		snprintf(line, sizeof line, "%-9s %s", what, _("none found - press e to enter it"));
	} else {
		char *h = escape_display_str(s->host);
		snprintf(line, sizeof line, "%-9s %-4s  %-24s %5u  %-9s %s%s%s", what,
		         wiz_proto_label(s->proto), h, (unsigned)s->port,
		         wiz_sec_label(s->security), *s->provenance ? "(" : "", s->provenance,
		         *s->provenance ? ")" : "");
		free(h);
	}
	tui_put(y, 2, 76, line);
}

static void draw_discovery(void)
{
	char title[160];
	const char *at = strrchr(W.address, '@');
	snprintf(title, sizeof title, _("mailsetup - finding servers for %s"),
	         at ? at + 1 : W.address);
	const char *keys =
	    W.busy ? (W.back_asked ? _("going back when the running lookups end...   Ctrl-C quit")
	                           : _("Esc back   Ctrl-C quit"))
	           : _("Enter use these   e edit   ? help   Esc back");
	if (!tui_frame(title, 2, keys)) {
		refresh();
		return;
	}
	for (int s = 0; s < DSRC_COUNT; s++) {
		const char *mark = W.src[s] == DSTAT_RUNNING    ? tui_spinner(W.tick)
		                   : W.src[s] == DSTAT_ANSWERED ? tui_mark(true)
		                   : W.src[s] == DSTAT_ERROR || W.src[s] == DSTAT_TIMEOUT
		                       ? tui_mark(false)
		                       : "\xc2\xb7";
		if (!face_utf8() && W.src[s] != DSTAT_RUNNING && W.src[s] != DSTAT_ANSWERED &&
		    W.src[s] != DSTAT_ERROR && W.src[s] != DSTAT_TIMEOUT)
			mark = ".";
		int tone = W.src[s] == DSTAT_RUNNING    ? tui_tone(TUI_BUSY)
		           : W.src[s] == DSTAT_ANSWERED ? tui_tone(TUI_GOOD)
		           : W.src[s] == DSTAT_ERROR || W.src[s] == DSTAT_TIMEOUT
		               ? tui_tone(TUI_BAD)
		               : (int)A_NORMAL;
		attron(tone);
		tui_put(3 + s, 2, 2, mark);
		attroff(tone);
		tui_put(3 + s, 4, 18, disc_source_label((enum disc_source)s));
		tui_put(3 + s, 23, 12, status_word(W.src[s]));
		char *detail = wiz_tilde_all(W.src_detail[s]);
		tui_put(3 + s, 36, 42, detail);
		free(detail);
	}
	int y = 4 + DSRC_COUNT;
	if (W.busy) {
		tui_put(y, 2, 76,
		        _("Asking every source at once; the servers found are tested live."));
	} else {
		draw_server_line(y, _("Incoming"), &W.in);
		draw_server_line(y + 1, _("Outgoing"), &W.out);
		if (!W.in.host || !W.out.host)
			tui_wrap(y + 3, 2, 76, 3,
			         _("Not every server could be found. Press e to type the settings "
			           "your "
			           "provider gives."));
	}
	refresh();
}

/* take: the recommendation for a direction, else its best candidate. */
static void take(struct server *s, int rec, bool outgoing)
{
	const struct disc_result *r = W.disc;
	const struct disc_candidate *c = NULL;
	if (rec >= 0)
		c = &r->v[rec];
	for (size_t i = 0; !c && i < r->n; i++)
		if ((r->v[i].proto == PROTO_SMTP) == outgoing)
			c = &r->v[i];
	if (!c)
		return;
	wiz_server_clear(s);
	s->proto = c->proto;
	s->host = xstrdup(c->host);
	s->port = c->port;
	s->security = c->security;
	s->user = xstrdup(W.o.user ? W.o.user : *c->username ? c->username : W.address);
	s->provenance = sources_text(c->sources);
}

static bool run_discovery(void)
{
	struct ms_err err;
	err_clear(&err);
	struct disc_options opt = {
	    .address = W.address,
	    .dns_server = W.o.dns_server,
	    .ispdb_url = W.o.ispdb_url,
	    .overrides = &W.o.overrides,
	    .cafile = W.o.cafile,
	    .tls_ctx = W.tls_ctx,
	    .allow_http = W.o.allow_http,
	    .allow_plaintext = W.o.allow_plaintext,
	    .user = W.o.user,
	    .probe_timeout_ms = W.o.timeout_s * 1000,
	};
	struct ms_observer obs = {.discover = on_discover};
	if (W.disc)
		disc_result_free(W.disc);
	W.disc = NULL;
	for (int s = 0; s < DSRC_COUNT; s++) {
		W.src[s] = DSTAT_WAITING;
		W.src_detail[s][0] = 0;
	}
	W.busy = true;
	W.redraw = draw_discovery;
	W.discovering = discover_start(W.loop, &opt, &obs, on_discovered, NULL, &err);
	if (!W.discovering) {
		W.busy = false;
		return false;
	}
	wiz_run_busy(draw_discovery);
	wiz_server_clear(&W.in);
	wiz_server_clear(&W.out);
	if (W.disc) {
		take(&W.in, W.disc->incoming, false);
		take(&W.out, W.disc->outgoing, true);
	}
	return true;
}

/* 0 back to the address, 1 go on */
int screen_discovery(void)
{
	if (!W.disc || !W.disc_for || strcmp(W.disc_for, W.address) != 0) {
		if (!run_discovery())
			return 0;
		free(W.disc_for);
		W.disc_for = NULL;
		if (W.back_asked) /* cancelled: the partial result is not kept */
			return 0;
		W.disc_for = xstrdup(W.address);
	}
	for (;;) {
		wiz_help(WIZ_HELP_DISCOVERY);
		draw_discovery();
		wint_t ch;
		int rc = tui_key(&ch);
		if (rc == KEY_CODE_YES && ch == KEY_RESIZE)
			continue;
		if (rc == OK && ch == 27)
			return 0;
		if ((rc == OK && (ch == '\r' || ch == '\n')) ||
		    (rc == KEY_CODE_YES && ch == KEY_ENTER)) {
			if (W.in.host && W.out.host)
				return 1;
			screen_edit();
		}
		if (rc == OK && ch == 'e')
			screen_edit();
	}
}
