/* screen_check.c - `mailsetup check` on a terminal, and the wizard's
 * "check my existing setup": one row per server of the setup a person
 * already has (client, file and line, server, mode), filling in as each
 * test ends; Enter opens a row's steps, findings, certificate and
 * change; f applies that row's change to its file and tests it again.
 *
 * The screen runs on its own event loop: a watch on the terminal and the
 * spinner's timer next to the probes, so keys work while tests run.
 */
#include "config.h"

#include "check/check.h"
#include "clients/clients.h"
#include "tui/wizard.h"

#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

enum { LIST, DETAIL };

static struct {
	struct check_setup setup;
	struct check_run *run;
	struct loop *loop;
	int key_watch, timer_watch;
	unsigned tick;
	int mode;
	size_t sel;
	int scroll; /* DETAIL: first line shown */
	bool quit;
	char status[512];
	bool status_bad;
} C;

static const char *client_of(const struct check_row *row)
{
	const struct check_target *t = check_target_of(&C.setup, row->cfg);
	return t ? t->label : rd_client_name(row->cfg->client);
}

static const char *file_of(const struct check_row *row)
{
	const struct rd_server *s = check_row_server(row);
	return row->cfg->files[s->at.file].path;
}

/* ---- drawing ------------------------------------------------------------------ */

static void put_tone(int y, int x, int w, enum tui_tone tone, const char *s)
{
	attron(tui_tone(tone));
	tui_put(y, x, w, s);
	attroff(tui_tone(tone));
}

static void result_text(const struct check_row *row, char *out, size_t len, enum tui_tone *tone)
{
	*tone = TUI_BAD;
	if (!row->done) {
		snprintf(out, len, "%s %s", tui_spinner(C.tick), _("testing..."));
		*tone = TUI_BUSY;
	} else if (row->not_tested) {
		snprintf(out, len, "%s", _("not tested"));
	} else if (row->r->ok) {
		snprintf(out, len, "%s", _("works"));
		*tone = TUI_GOOD;
	} else if (row->change.n) {
		/* TRANSLATORS: a failing row whose fix was tested just now; %s is
		 * TLS or STARTTLS, then the finding's code. */
		snprintf(out, len, _("f: %s works  (%s)"), wiz_sec_label(row->alt_security),
		         diag_code_name(row->r->cause));
	} else {
		snprintf(out, len, "%s", diag_code_name(row->r->cause));
	}
}

static void draw_list(void)
{
	const char *keys = C.run->n ? _("Up/Down choose   Enter details   f fix   r re-test   "
	                                "? help   Esc quit")
	                            : _("? help   Esc quit");
	if (!tui_frame(_("mailsetup - check my existing setup"), 0, keys)) {
		refresh();
		return;
	}
	attron(A_BOLD);
	tui_put(2, 2, 8, _("client"));
	tui_put(2, 11, 20, _("file, line"));
	tui_put(2, 32, 30, _("server"));
	tui_put(2, 63, 16, _("result"));
	attroff(A_BOLD);
	int rows = LINES - 6;
	int first = (int)C.sel >= rows ? (int)C.sel - rows + 1 : 0;
	int y = 3;
	for (size_t i = (size_t)first; i < C.run->n && y < 3 + rows; i++, y++) {
		const struct check_row *row = &C.run->rows[i];
		const struct rd_server *s = check_row_server(row);
		if (i == C.sel)
			attron(A_REVERSE);
		mvhline(y, 0, ' ', COLS);
		if (row->done)
			tui_put_mark(y, 0, row->r && row->r->ok);
		tui_put(y, 2, 8, client_of(row));
		char *f = wiz_tilde(file_of(row));
		char *fe = escape_display_str(f);
		char where[160];
		snprintf(where, sizeof where, "%s:%d", fe, s->at.line);
		tui_put(y, 11, 20, where);
		free(f), free(fe);
		char *h = escape_display_str(s->host);
		char srv[200];
		snprintf(srv, sizeof srv, "%s %s:%u %s", proto_name(s->proto), h, (unsigned)s->port,
		         wiz_sec_label(s->security));
		free(h);
		tui_put(y, 32, 30, srv);
		char res[128];
		enum tui_tone tone;
		result_text(row, res, sizeof res, &tone);
		put_tone(y, 63, COLS - 63, tone, res);
		if (i == C.sel)
			attroff(A_REVERSE);
	}
	if (!C.run->n)
		tui_put(4, 2, 76, _("No mail server was found in the setup."));
	if (C.status[0])
		put_tone(LINES - 2, 2, COLS - 4, C.status_bad ? TUI_BAD : TUI_GOOD, C.status);
	refresh();
}

/* The detail page as lines (malloc'ed, escaped), so that it scrolls. */
struct lines {
	char **v;
	size_t n;
};

static void add(struct lines *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct lines *l, const char *fmt, ...)
{
	va_list ap;
	struct buf b = {0};
	va_start(ap, fmt);
	buf_vaddf(&b, fmt, ap);
	va_end(ap);
	/* Wrap to the screen. */
	char *s = buf_steal(&b);
	size_t w = 76;
	char *p = s;
	do {
		size_t n = strlen(p);
		if (n > w) {
			size_t cut = w;
			while (cut > w / 2 && p[cut] != ' ')
				cut--;
			if (p[cut] != ' ')
				cut = w;
			n = cut;
		}
		l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
		l->v[l->n++] = xstrndup(p, n);
		p += n;
		while (*p == ' ')
			p++;
	} while (*p);
	free(s);
}

static void detail_lines(const struct check_row *row, struct lines *l)
{
	const struct rd_server *s = check_row_server(row);
	char *h = escape_display_str(s->host);
	char *f = wiz_tilde(file_of(row));
	char *fe = escape_display_str(f);
	add(l, _("%s %s:%u %s   %s, %s line %d"), wiz_proto_label(s->proto), h, (unsigned)s->port,
	    wiz_sec_label(s->security), client_of(row), fe, s->at.line);
	free(h), free(f), free(fe);
	if (s->account[0]) {
		char *a = escape_display_str(s->account);
		add(l, _("account %s"), a);
		free(a);
	}
	if (!row->done) {
		add(l, "%s", _("testing..."));
		return;
	}
	if (row->not_tested) {
		add(l, _("not tested: %s"), row->not_tested);
		return;
	}
	const struct probe_result *r = row->r;
	add(l, "%s", "");
	add(l, "%s", _("Steps:"));
	for (size_t i = 0; i < r->nsteps; i++)
		add(l, "  %s %-11s %s (%d ms)", tui_mark(r->steps[i].ok), r->steps[i].name,
		    r->steps[i].detail, r->steps[i].ms);
	if (r->alternative) {
		const struct probe_result *a = r->alternative;
		add(l, _("The other way, tested just now: %s on port %u: %s"),
		    wiz_sec_label(a->security), (unsigned)a->port,
		    a->ok ? _("works") : diag_code_name(a->cause));
	}
	for (size_t i = 0; i < row->fnd.n; i++) {
		const struct finding *fd = &row->fnd.v[i];
		add(l, "%s", "");
		add(l, "%s %s: %s", diag_severity_name(fd->severity), diag_code_name(fd->code),
		    fd->message);
		if (fd->fix_text[0])
			add(l, _("Fix: %s"), fd->fix_text);
	}
	const struct probe_result *c = r->tls.sha256[0] ? r
	                               : r->alternative && r->alternative->tls.sha256[0]
	                                   ? r->alternative
	                                   : NULL;
	if (c) {
		char *sub = escape_display_str(c->tls.subject);
		char *iss = escape_display_str(c->tls.issuer);
		add(l, "%s", "");
		add(l, "%s", _("Certificate:"));
		add(l, _("  Subject  %s"), sub);
		add(l, _("  Issuer   %s"), iss);
		struct buf names = {0};
		for (size_t i = 0; i < c->tls.nsan; i++)
			buf_addf(&names, "%s%s", i ? ", " : "", c->tls.san[i]);
		char *ne = escape_display_str(names.data ? names.data : "");
		add(l, _("  Names    %s"), ne);
		free(ne);
		buf_free(&names);
		add(l, _("  Valid    %s to %s"), c->tls.not_before, c->tls.not_after);
		add(l, _("  SHA-256  %s"), c->tls.sha256);
		add(l, _("  Verified %s"), c->tls.verified ? _("yes") : c->tls.verify_error);
		free(sub), free(iss);
	}
	if (row->change.n) {
		add(l, "%s", "");
		add(l, "%s", _("Change (f applies it, the old file is kept):"));
		for (size_t i = 0; i < row->change.n; i++) {
			const struct rd_edit *e = &row->change.v[i];
			char *fp = wiz_tilde(row->cfg->files[e->file].path);
			char *fpe = escape_display_str(fp);
			add(l, _("  %s line %d:"), fpe, e->line);
			free(fp), free(fpe);
			char *o = escape_display_str(e->old_text);
			add(l, "  - %s", o);
			free(o);
			char *copy = xstrdup(e->new_text), *save = NULL;
			for (char *t = strtok_r(copy, "\n", &save); t;
			     t = strtok_r(NULL, "\n", &save)) {
				char *n = escape_display_str(t);
				add(l, "  + %s", n);
				free(n);
			}
			free(copy);
		}
	} else if (row->has_alternative && row->change_why) {
		add(l, _("The other way works, but the file cannot be changed automatically: %s"),
		    row->change_why);
	}
}

static void draw_detail(void)
{
	const struct check_row *row = &C.run->rows[C.sel];
	const char *keys = row->change.n ? _("f apply this change and re-test   Up/Down scroll   "
	                                     "Esc back")
	                                 : _("Up/Down scroll   r re-test   Esc back");
	if (!tui_frame(_("mailsetup - check: one server"), 0, keys)) {
		refresh();
		return;
	}
	struct lines l = {0};
	detail_lines(row, &l);
	int rows = LINES - 5;
	if (C.scroll > (int)l.n - rows)
		C.scroll = (int)l.n > rows ? (int)l.n - rows : 0;
	for (int i = 0; i < rows && (size_t)(C.scroll + i) < l.n; i++)
		tui_put(2 + i, 2, COLS - 4, l.v[C.scroll + i]);
	for (size_t i = 0; i < l.n; i++)
		free(l.v[i]);
	free(l.v);
	if (C.status[0])
		put_tone(LINES - 2, 2, COLS - 4, C.status_bad ? TUI_BAD : TUI_GOOD, C.status);
	refresh();
}

static void draw(void)
{
	if (C.mode == DETAIL && C.sel < C.run->n)
		draw_detail();
	else
		draw_list();
}

/* ---- actions ------------------------------------------------------------------ */

static void retest_target(struct check_target *t)
{
	for (size_t i = 0; i < C.run->n; i++)
		if (C.run->rows[i].cfg == t->cfg)
			check_start_row(&C.run->rows[i], C.loop);
}

static void fix_selected(void)
{
	struct check_row *row = &C.run->rows[C.sel];
	if (!row->done || !row->change.n) {
		snprintf(C.status, sizeof C.status, "%s",
		         _("This row has no change that was tested; nothing to apply."));
		C.status_bad = true;
		return;
	}
	const char *path = row->cfg->files[row->change.v[0].file].path;
	char *bak = NULL;
	size_t lines = 0, conflicts = 0;
	struct ms_err err;
	err_clear(&err);
	char *shown = wiz_tilde(path);
	if (check_fix_file(C.run, row, &C.setup, path, &bak, &lines, &conflicts, &err)) {
		char *b = wiz_tilde(bak ? bak : "-");
		snprintf(C.status, sizeof C.status,
		         _("Changed %s (lines changed: %zu); the old file is %s"), shown, lines, b);
		free(b);
		C.status_bad = false;
		struct check_target *t = check_target_of(&C.setup, row->cfg);
		if (t) {
			check_target_reread(&C.setup, t, C.run);
			retest_target(t);
		}
	} else {
		snprintf(C.status, sizeof C.status, _("%s was not changed: %s"), shown, err.msg);
		C.status_bad = true;
	}
	free(shown);
	free(bak);
}

static void retest_selected(void)
{
	struct check_row *row = &C.run->rows[C.sel];
	if (row->done)
		check_start_row(row, C.loop);
}

static void key(int rc, wint_t ch)
{
	bool fkey = rc == KEY_CODE_YES;
	if (!fkey && ch == 27) {
		if (C.mode == DETAIL)
			C.mode = LIST;
		else
			C.quit = true;
		C.status[0] = '\0';
		return;
	}
	if (!fkey && ch == 'q' && C.mode == LIST) {
		C.quit = true;
		return;
	}
	if (!C.run->n)
		return;
	bool up = (fkey && ch == KEY_UP) || (!fkey && ch == 'k');
	bool down = (fkey && ch == KEY_DOWN) || (!fkey && ch == 'j');
	if (C.mode == LIST) {
		if (up && C.sel > 0)
			C.sel--;
		else if (down && C.sel + 1 < C.run->n)
			C.sel++;
		else if ((!fkey && (ch == '\n' || ch == '\r')) || (fkey && ch == KEY_ENTER)) {
			C.mode = DETAIL;
			C.scroll = 0;
			C.status[0] = '\0';
		}
	} else {
		if (up && C.scroll > 0)
			C.scroll--;
		else if (down)
			C.scroll++;
	}
	if (!fkey && ch == 'f')
		fix_selected();
	else if (!fkey && ch == 'r')
		retest_selected();
}

static void stop_watching(void)
{
	if (C.key_watch)
		loop_del(C.loop, C.key_watch);
	if (C.timer_watch)
		loop_del(C.loop, C.timer_watch);
	C.key_watch = C.timer_watch = 0;
}

static void on_key(void *arg, int revents)
{
	(void)arg;
	(void)revents;
	tui_check_signal();
	wint_t ch;
	int rc;
	nodelay(stdscr, TRUE);
	while (!C.quit && (rc = get_wch(&ch)) != ERR) {
		if (rc == KEY_CODE_YES && ch == KEY_RESIZE)
			continue;
		if ((rc == KEY_CODE_YES && ch == KEY_F(1)) || (rc == OK && ch == '?')) {
			nodelay(stdscr, FALSE);
			wiz_help_show(WIZ_HELP_CHECK);
			nodelay(stdscr, TRUE);
			continue;
		}
		key(rc, ch);
	}
	timeout(TUI_TICK_MS);
	if (C.quit)
		stop_watching();
	else
		draw();
}

static void on_tick(void *arg, int revents)
{
	(void)arg;
	(void)revents;
	tui_check_signal();
	C.tick++;
	draw();
	loop_mod(C.loop, C.timer_watch, -1, 0, loop_now_ms() + TUI_TICK_MS);
}

static void on_row(void *arg, struct check_row *row)
{
	(void)arg;
	(void)row;
	if (!C.quit)
		draw();
}

int screen_check(const struct face_opts *o, char *const *paths, int npaths)
{
	/* Keys typed before the screen belong to the screen before. */
	memset(&C, 0, sizeof C);
	struct ms_err err;
	err_clear(&err);
	struct client_env env = {0};
	bool have_env = client_env_from_process(&env);
	if (!check_setup_args(&C.setup, paths, npaths, &err)) {
		snprintf(C.status, sizeof C.status, "%s", err.msg);
		C.status_bad = true;
	}
	if (!npaths && have_env)
		check_setup_find(&C.setup, &env);
	if (have_env)
		C.setup.home = xstrdup(env.home);
	check_setup_read(&C.setup);
	C.run = check_setup_prepare(&C.setup);
	C.loop = loop_new();
	wiz_help(WIZ_HELP_CHECK);
	struct check_opts co = {
	    .cafile = o->cafile,
	    .timeout_ms = o->timeout_s * 1000,
	    .allow_plaintext = o->allow_plaintext,
	    .row_done = on_row,
	};
	C.key_watch = loop_add(C.loop, STDIN_FILENO, POLLIN, LOOP_NO_DEADLINE, on_key, NULL);
	C.timer_watch = loop_add(C.loop, -1, 0, loop_now_ms() + TUI_TICK_MS, on_tick, NULL);
	draw();
	check_start(C.run, C.loop, &co);
	draw();
	loop_run(C.loop);
	loop_free(C.loop);
	int worst = EXIT_OK;
	for (size_t i = 0; i < C.run->n; i++)
		if (C.run->rows[i].done && C.run->rows[i].r && !C.run->rows[i].r->ok)
			worst = EXIT_CHECK_FAILED;
	check_run_free(C.run);
	check_setup_free(&C.setup);
	return worst;
}

int tui_check(const struct face_opts *o, char *const *paths, int npaths)
{
	tui_start();
	int rc = screen_check(o, paths, npaths);
	tui_end();
	return rc;
}
