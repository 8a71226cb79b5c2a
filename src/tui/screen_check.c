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
#include "diag/diagnose.h"
#include "tui/wizard.h"

#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

enum { LIST, DETAIL };

/* step_pad: spaces after a step's label so that the details line up. */
static int step_pad(const char *id)
{
	int w = face_width(face_step_label(id));
	return w < 14 ? 14 - w : 0;
}

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
		add(l, "  %s %s%*s %s (%d ms)", tui_mark(r->steps[i].ok),
		    face_step_label(r->steps[i].name), step_pad(r->steps[i].name), "",
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
		add(l, "%s %s: %s", diag_severity_label(fd->severity), diag_code_name(fd->code),
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

/* ---- diagnose HOST: the port x mode matrix ---------------------------------------- */

static struct {
	struct diagnose_report *d;
	struct loop *loop;
	int key_watch, timer_watch;
	unsigned tick;
	int mode;
	size_t sel;
	int scroll;
	bool quit, finished;
	size_t ndone;
} D;

static void cell(const struct probe_result *r, bool pending, char *out, size_t len,
                 enum tui_tone *tone)
{
	*tone = TUI_BAD;
	if (pending) {
		snprintf(out, len, "%s", tui_spinner(D.tick));
		*tone = TUI_BUSY;
	} else if (!r) {
		snprintf(out, len, "-");
		*tone = TUI_BUSY;
	} else if (r->ok) {
		snprintf(out, len, "%s %s", tui_mark(true), r->tls.version);
		*tone = TUI_GOOD;
	} else {
		snprintf(out, len, "%s %s", tui_mark(false), diag_code_name(r->cause));
	}
}

static void draw_setting(int y, const char *label, const struct probe_result *r)
{
	char line[256];
	if (!r) {
		snprintf(line, sizeof line, "%-9s %s", label, _("nothing usable found"));
		put_tone(y, 2, 76, TUI_BAD, line);
		return;
	}
	char *h = escape_display_str(r->host);
	snprintf(line, sizeof line, _("%-9s %s %s port %u %s"), label, proto_name(r->proto), h,
	         (unsigned)r->port, wiz_sec_label(r->security));
	free(h);
	put_tone(y, 2, 76, TUI_GOOD, line);
}

static void draw_matrix(void)
{
	char title[160];
	char *h = escape_display_str(D.d->host);
	snprintf(title, sizeof title, _("mailsetup - diagnose %s"), h);
	free(h);
	if (!tui_frame(title, 0, _("Up/Down choose   Enter details   ? help   Esc quit"))) {
		refresh();
		return;
	}
	attron(A_BOLD);
	tui_put(2, 2, 6, _("port"));
	tui_put(2, 9, 6, _("proto"));
	tui_put(2, 16, 16, _("speaks"));
	tui_put(2, 33, 22, _("implicit TLS"));
	tui_put(2, 56, 22, _("STARTTLS"));
	attroff(A_BOLD);
	int y = 3;
	for (size_t i = 0; i < D.d->n && y < LINES - 5; i++, y++) {
		const struct port_check *pc = D.d->checks[i];
		const struct probe_request *q = &D.d->reqs[i];
		if (i == D.sel)
			attron(A_REVERSE);
		mvhline(y, 0, ' ', COLS);
		char port[16];
		snprintf(port, sizeof port, "%u", (unsigned)q->port);
		tui_put(y, 2, 6, port);
		tui_put(y, 9, 6, proto_name(pc ? pc->proto : q->proto));
		char c[96];
		enum tui_tone tone;
		if (!pc) {
			snprintf(c, sizeof c, "%s %s", tui_spinner(D.tick), _("testing..."));
			put_tone(y, 16, 16, TUI_BUSY, c);
		} else {
			tui_put(y, 16, 16, port_kind_name(pc->kind));
			cell(pc->tls, false, c, sizeof c, &tone);
			put_tone(y, 33, 22, tone, c);
			cell(pc->starttls, false, c, sizeof c, &tone);
			put_tone(y, 56, 22, tone, c);
		}
		if (i == D.sel)
			attroff(A_REVERSE);
	}
	if (D.finished) {
		y++;
		attron(A_BOLD);
		tui_put(y++, 2, 76, _("Recommended settings:"));
		attroff(A_BOLD);
		draw_setting(y++, _("incoming"), D.d->incoming);
		draw_setting(y++, _("outgoing"), D.d->outgoing);
	}
	refresh();
}

static void probe_lines(struct lines *l, const char *label, const struct probe_result *r)
{
	add(l, "%s", "");
	if (!r) {
		add(l, _("%s: not tried (another answer made it needless)"), label);
		return;
	}
	add(l, "%s: %s", label, r->ok ? _("works") : diag_code_name(r->cause));
	for (size_t i = 0; i < r->nsteps; i++)
		add(l, "  %s %s%*s %s (%d ms)", tui_mark(r->steps[i].ok),
		    face_step_label(r->steps[i].name), step_pad(r->steps[i].name), "",
		    r->steps[i].detail, r->steps[i].ms);
	struct findings fnd = {0};
	diag_probe(r, &fnd);
	for (size_t i = 0; i < fnd.n; i++) {
		add(l, "  %s %s: %s", diag_severity_label(fnd.v[i].severity),
		    diag_code_name(fnd.v[i].code), fnd.v[i].message);
		if (fnd.v[i].fix_text[0])
			add(l, _("  Fix: %s"), fnd.v[i].fix_text);
	}
	findings_free(&fnd);
	if (r->tls.sha256[0]) {
		char *sub = escape_display_str(r->tls.subject);
		char *iss = escape_display_str(r->tls.issuer);
		add(l, _("  Certificate: %s, issued by %s"), sub, iss);
		add(l, _("  Valid %s to %s; verified: %s"), r->tls.not_before, r->tls.not_after,
		    r->tls.verified ? _("yes") : r->tls.verify_error);
		add(l, _("  SHA-256 %s"), r->tls.sha256);
		free(sub), free(iss);
	}
}

static void draw_port(void)
{
	const struct port_check *pc = D.d->checks[D.sel];
	if (!tui_frame(_("mailsetup - diagnose: one port"), 0, _("Up/Down scroll   Esc back"))) {
		refresh();
		return;
	}
	struct lines l = {0};
	char *h = escape_display_str(D.d->host);
	add(&l, _("%s port %u (%s)"), h, (unsigned)D.d->reqs[D.sel].port,
	    pc ? port_kind_name(pc->kind) : _("testing..."));
	free(h);
	if (pc) {
		probe_lines(&l, _("implicit TLS"), pc->tls);
		probe_lines(&l, _("STARTTLS"), pc->starttls);
	}
	int rows = LINES - 4;
	if (D.scroll > (int)l.n - rows)
		D.scroll = (int)l.n > rows ? (int)l.n - rows : 0;
	for (int i = 0; i < rows && (size_t)(D.scroll + i) < l.n; i++)
		tui_put(2 + i, 2, COLS - 4, l.v[D.scroll + i]);
	for (size_t i = 0; i < l.n; i++)
		free(l.v[i]);
	free(l.v);
	refresh();
}

static void draw_d(void)
{
	if (D.mode == DETAIL)
		draw_port();
	else
		draw_matrix();
}

static void d_stop(void)
{
	if (D.key_watch)
		loop_del(D.loop, D.key_watch);
	if (D.timer_watch)
		loop_del(D.loop, D.timer_watch);
	D.key_watch = D.timer_watch = 0;
}

static void d_key(void *arg, int revents)
{
	(void)arg;
	(void)revents;
	tui_check_signal();
	wint_t ch;
	int rc;
	nodelay(stdscr, TRUE);
	while (!D.quit && (rc = get_wch(&ch)) != ERR) {
		bool fkey = rc == KEY_CODE_YES;
		if (fkey && ch == KEY_RESIZE)
			continue;
		if ((fkey && ch == KEY_F(1)) || (!fkey && ch == '?')) {
			nodelay(stdscr, FALSE);
			wiz_help_show(WIZ_HELP_DIAGNOSE);
			nodelay(stdscr, TRUE);
			continue;
		}
		bool up = (fkey && ch == KEY_UP) || (!fkey && ch == 'k');
		bool down = (fkey && ch == KEY_DOWN) || (!fkey && ch == 'j');
		if (!fkey && (ch == 27 || ch == 'q')) {
			if (D.mode == DETAIL)
				D.mode = LIST;
			else
				D.quit = true;
		} else if (D.mode == LIST) {
			if (up && D.sel > 0)
				D.sel--;
			else if (down && D.sel + 1 < D.d->n)
				D.sel++;
			else if ((!fkey && (ch == '\n' || ch == '\r')) ||
			         (fkey && ch == KEY_ENTER)) {
				D.mode = DETAIL;
				D.scroll = 0;
			}
		} else if (up && D.scroll > 0) {
			D.scroll--;
		} else if (down) {
			D.scroll++;
		}
	}
	timeout(TUI_TICK_MS);
	if (D.quit)
		d_stop();
	else
		draw_d();
}

static void d_tick(void *arg, int revents)
{
	(void)arg;
	(void)revents;
	tui_check_signal();
	D.tick++;
	draw_d();
	loop_mod(D.loop, D.timer_watch, -1, 0, loop_now_ms() + TUI_TICK_MS);
}

static void d_port(void *arg, struct diagnose_report *d, size_t index)
{
	(void)arg;
	(void)index;
	D.ndone++;
	if (D.ndone == d->n) {
		/* Every port answered: name the settings (the reqs are kept
		 * until the screen ends, for the port numbers). */
		struct probe_request *reqs = d->reqs;
		struct conn_addr *addrs = d->addrs;
		d->reqs = NULL;
		d->addrs = NULL;
		diagnose_finish(d);
		d->reqs = reqs;
		d->addrs = addrs;
		D.finished = true;
	}
	if (!D.quit)
		draw_d();
}

int tui_diagnose(const struct probe_request *base, const struct diagnose_port *ports, size_t nports,
                 const struct ms_observer *obs)
{
	memset(&D, 0, sizeof D);
	tui_start();
	D.loop = loop_new();
	D.key_watch = loop_add(D.loop, STDIN_FILENO, POLLIN, LOOP_NO_DEADLINE, d_key, NULL);
	D.timer_watch = loop_add(D.loop, -1, 0, loop_now_ms() + TUI_TICK_MS, d_tick, NULL);
	D.d = diagnose_start(D.loop, base, ports, nports, obs, d_port, NULL);
	draw_d();
	loop_run(D.loop);
	loop_free(D.loop);
	tui_end();
	int code = EXIT_OK;
	if (!D.d->incoming && !D.d->outgoing) {
		bool answered = false;
		for (size_t i = 0; i < D.d->n; i++)
			if (D.d->checks[i] && D.d->checks[i]->kind != PORT_REFUSED &&
			    D.d->checks[i]->kind != PORT_FILTERED &&
			    D.d->checks[i]->kind != PORT_UNRESOLVED)
				answered = true;
		code = answered ? EXIT_CHECK_FAILED : EXIT_NETWORK;
	}
	diagnose_report_free(D.d);
	return code;
}
