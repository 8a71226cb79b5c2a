/* screen_test.c - step 4: both servers tested live at once, each step as
 * it ends, the first finding with its fix ("f" applies it and tests
 * again), and the way to the certificate screen. */
#include "config.h"

#include "probe/modes.h"
#include "tui/wizard.h"

#include <poll.h>
#include <stdio.h>

static void on_step(void *ctx, const struct probe_result *r, const struct probe_step *s)
{
	int d = r->proto == PROTO_SMTP;
	if (W.nsteps[d] >= MAX_STEPS)
		return;
	struct step_line *l = &W.steps[d][W.nsteps[d]++];
	l->ok = s->ok;
	l->ms = s->ms;
	snprintf(l->name, sizeof l->name, "%s", s->name);
	snprintf(l->detail, sizeof l->detail, "%s", s->detail ? s->detail : "");
	W.redraw();
}

static void on_tested(void *arg, struct probe_result *r)
{
	int d = (int)(intptr_t)arg;
	W.res[d] = r;
	if (W.res[0] && W.res[1])
		wiz_busy_done();
}

/* findings_for: direction d's findings, explained for its provider when
 * the server is the one discovery found (app passwords, OAuth2, the
 * provider's page). */
static void findings_for(int d, struct findings *fnd)
{
	struct diag_provider prov;
	const struct disc_candidate *c = wiz_candidate(d ? &W.out : &W.in);
	diag_probe_provider(W.res[d], c && disc_provider(c, &prov) ? &prov : NULL, fnd);
}

/* The first failing direction and its first finding with a message. */
static int failing(struct findings *fnd)
{
	for (int d = 0; d < 2; d++) {
		if (!W.res[d] || W.res[d]->ok)
			continue;
		findings_for(d, fnd);
		return d;
	}
	return -1;
}

/* login_refused: the server turned the password down (the fix is another
 * password: p goes back to its field). */
static bool login_refused(const struct probe_result *r)
{
	return r->cause == DIAG_AUTH_FAILED || r->cause == DIAG_OAUTH_ONLY;
}

/* confirm_unverified: write settings whose test failed or could not run,
 * only after y on a screen that names what failed for each server. */
static bool confirm_unverified(void)
{
	for (;;) {
		if (tui_frame(_("mailsetup - write settings that did not pass the test?"), 4,
		              _("y write them, marked NOT VERIFIED   any other key: back"))) {
			int y = 3;
			for (int d = 0; d < 2; d++) {
				if (!W.res[d] || W.res[d]->ok)
					continue;
				const struct server *s = d ? &W.out : &W.in;
				struct findings fnd = {0};
				findings_for(d, &fnd);
				char *h = escape_display_str(s->host);
				/* TRANSLATORS: %1$s incoming/outgoing, %2$s host, %3$u
				 * port, %4$s the finding code, %5$s its sentence. */
				char *t = xasprintf(
				    _("The test of the %1$s server %2$s port %3$u failed: "
				      "%4$s: %5$s"),
				    d ? _("outgoing") : _("incoming"), h, (unsigned)s->port,
				    fnd.n ? diag_code_name(fnd.v[0].code)
				          : diag_code_name(W.res[d]->cause),
				    fnd.n ? fnd.v[0].message : W.res[d]->err.msg);
				y += tui_wrap(y, 2, 76, 8, t) + 1;
				free(t), free(h);
				findings_free(&fnd);
			}
			tui_wrap(
			    y, 2, 76, 22 - y,
			    _("Write these settings anyway? Every file written says NOT "
			      "VERIFIED and why, so that nobody mistakes them for tested ones. "
			      "Press y to write them; any other key goes back to the test."));
			refresh();
		}
		wint_t ch;
		int rc = tui_key(&ch);
		if (rc == KEY_CODE_YES && ch == KEY_RESIZE)
			continue;
		return rc == OK && (ch == 'y' || ch == 'Y');
	}
}

static bool is_cert_cause(enum diag_code c)
{
	return c >= DIAG_CERT_HOSTNAME_MISMATCH && c <= DIAG_CERT_CHANGED;
}

/* tested_alternative: the other way to the server that was tried just now
 * and works (without a login), or NULL. */
static const struct probe_result *tested_alternative(const struct probe_result *r)
{
	const struct probe_result *a = r ? r->alternative : NULL;
	return a && a->ok && a->proto == r->proto ? a : NULL;
}

static int draw_probe_block(int y, int d, int maxsteps)
{
	const struct server *s = d ? &W.out : &W.in;
	char line[256];
	char *h = escape_display_str(s->host);
	char *u = escape_display_str(s->user);
	snprintf(line, sizeof line, _("%s  %s  port %u  %s   user %s"), wiz_proto_label(s->proto),
	         h, (unsigned)s->port, wiz_sec_label(s->security), u);
	free(h), free(u);
	attron(A_BOLD);
	tui_put(y++, 2, 76, line);
	attroff(A_BOLD);
	int first = W.nsteps[d] > maxsteps ? W.nsteps[d] - maxsteps : 0;
	for (int i = first; i < W.nsteps[d]; i++, y++) {
		const struct step_line *l = &W.steps[d][i];
		char ms[32];
		snprintf(ms, sizeof ms, _("%d ms"), l->ms);
		tui_put_mark(y, 2, l->ok);
		tui_put(y, 4, 15, face_step_label(l->name));
		tui_put(y, 20, 47, l->detail);
		tui_put(y, 78 - face_width(ms), 12, ms);
	}
	if (!W.res[d]) {
		char busy[64];
		snprintf(busy, sizeof busy, "%s %s", tui_spinner(W.tick), _("testing..."));
		attron(tui_tone(TUI_BUSY));
		tui_put(y++, 2, 40, busy);
		attroff(tui_tone(TUI_BUSY));
	} else if (W.res[d]->ok) {
		attron(tui_tone(TUI_GOOD));
		tui_put(y++, 4, 70,
		        W.res[d]->tls.pinned ? _("works, with the certificate you trusted")
		                             : _("works"));
		attroff(tui_tone(TUI_GOOD));
	}
	return y;
}

static void draw_tests(void)
{
	struct findings fnd = {0};
	int d = W.busy ? -1 : failing(&fnd);
	const char *keys;
	char keybuf[160];
	const struct probe_result *alt = d >= 0 ? tested_alternative(W.res[d]) : NULL;
	if (W.busy)
		keys = _("testing...   Ctrl-C quit");
	else if (d < 0)
		keys = _("Enter next   e edit   p password   ? help   Esc back");
	else if (login_refused(W.res[d]))
		/* TRANSLATORS: the key bar after a refused login; p goes back
		 * to the password field (for an app password, say). */
		keys =
		    _("p password again   w write anyway   r re-test   e edit   ? help   Esc back");
	else if (W.res[d]->tls.sha256[0] && !W.res[d]->tls.verified)
		keys =
		    _("c certificate   r re-test   e edit   p password   w write anyway   ? help");
	else if (alt) {
		/* TRANSLATORS: the key bar of the test screen when the other TLS
		 * mode was tested and works; %s is TLS or STARTTLS, %u a port. */
		snprintf(keybuf, sizeof keybuf,
		         _("f use %s on port %u (tested)   e edit   w write anyway   ? help"),
		         wiz_sec_label(alt->security), (unsigned)alt->port);
		keys = keybuf;
	} else if (fnd.n && fnd.v[0].fix.n)
		keys = _("f apply fix and re-test   e edit   p password   w write anyway   ? help");
	else
		keys = _("r re-test   e edit   p password   w write anyway   ? help   Esc back");
	if (!tui_frame(_("mailsetup - testing the servers"), 4, keys)) {
		findings_free(&fnd);
		refresh();
		return;
	}
	/* After a refused login, fewer steps: the server's own words and
	 * the provider's ways in must fit. */
	int steps = d >= 0 && fnd.n && login_refused(W.res[d]) ? 2 : 6;
	int y = draw_probe_block(3, 0, steps);
	y = draw_probe_block(y + 1, 1, steps);
	if (d >= 0 && fnd.n) {
		y++;
		char head[96];
		snprintf(head, sizeof head, " %s ", _("finding"));
		mvhline(y, 0, ACS_HLINE, 80);
		attron(tui_tone(TUI_BAD) | A_BOLD);
		tui_put(y++, 2, 70, head);
		attroff(tui_tone(TUI_BAD) | A_BOLD);
		char *msg = xasprintf("%s: %s", diag_code_name(fnd.v[0].code), fnd.v[0].message);
		y += tui_wrap(y, 2, 76, 22 - y - (fnd.v[0].fix_text[0] ? 1 : 0), msg);
		free(msg);
		if (alt && y < 23) {
			char *fix =
			    xasprintf(_("Fix: use %s on port %u; it was tested just now and "
			                "works. Press f to use it."),
			              wiz_sec_label(alt->security), (unsigned)alt->port);
			tui_wrap(y, 2, 76, 23 - y, fix);
			free(fix);
		} else if (fnd.v[0].fix_text[0] && y < 23) {
			char *fix = xasprintf(_("Fix: %s"), fnd.v[0].fix_text);
			tui_wrap(y, 2, 76, 23 - y, fix);
			free(fix);
		}
	} else if (d < 0 && !W.busy) {
		tui_put(y + 1, 2, 76, _("Both servers work. Press Enter to choose what to write."));
	}
	findings_free(&fnd);
	refresh();
}

void screen_tests_clear(void)
{
	for (int d = 0; d < 2; d++) {
		if (W.res[d])
			probe_result_free(W.res[d]);
		W.res[d] = NULL;
		W.nsteps[d] = 0;
	}
}

static struct probe_request reqs[2];

static void run_tests(void)
{
	static const struct ms_observer obs = {.step = on_step};
	screen_tests_clear();
	W.busy = true;
	W.redraw = draw_tests;
	bool login = W.password && *W.password;
	for (int d = 0; d < 2; d++) {
		const struct server *s = d ? &W.out : &W.in;
		struct probe_request *q = &reqs[d];
		memset(q, 0, sizeof *q);
		q->host = s->host;
		q->port = s->port;
		q->proto = s->proto;
		q->security = s->security;
		q->user = login ? s->user : NULL;
		q->password = login ? W.password : NULL;
		q->login = login;
		q->timeout_ms = W.o.timeout_s * 1000;
		q->allow_plaintext = W.o.allow_plaintext;
		q->pin_sha256 = wiz_server_pin(s);
		q->tls_ctx = W.tls_ctx;
		const struct net_override *ov = net_override_find(&W.o.overrides, s->host, s->port);
		if (ov) {
			q->addrs = ov->addr;
			q->naddrs = ov->naddr;
		}
	}
	/* Both at once, each with the other TLS mode tried where it would
	 * explain a failure (probe_checked_start), so that the finding can
	 * name what works and f can apply exactly that.  done may run inside
	 * the start on an immediate failure, so the watches are added first. */
	wiz_watch_terminal(draw_tests);
	probe_checked_start(W.loop, &reqs[0], &obs, on_tested, (void *)(intptr_t)0);
	probe_checked_start(W.loop, &reqs[1], &obs, on_tested, (void *)(intptr_t)1);
	draw_tests();
	loop_run(W.loop);
}

/* apply_fix: the alternative that was tested and works, exactly; else
 * the fields the finding names.  False if nothing changed. */
static bool apply_fix(struct server *s, const struct probe_result *r, const struct diag_fix *fix)
{
	const struct probe_result *a = tested_alternative(r);
	if (a) {
		bool changed = s->port != a->port || s->security != a->security;
		s->port = a->port;
		s->security = a->security;
		return changed;
	}
	bool any = false;
	for (int i = 0; i < fix->n; i++) {
		const char *f = fix->change[i].field, *v = fix->change[i].value;
		if (strcmp(f, "security") == 0)
			any |= security_parse(v, &s->security);
		else if (strcmp(f, "port") == 0 && atoi(v) > 0 && atoi(v) < 65536)
			s->port = (uint16_t)atoi(v), any = true;
		else if (strcmp(f, "host") == 0 && *v)
			free(s->host), s->host = xstrdup(v), any = true;
		else if (strcmp(f, "user") == 0 && *v)
			free(s->user), s->user = xstrdup(v), any = true;
		else if (strcmp(f, "protocol") == 0) {
			enum ms_proto p;
			if (proto_parse(v, &p) && (p == PROTO_SMTP) == (s->proto == PROTO_SMTP))
				s->proto = p, any = true;
		}
	}
	return any;
}

/* 0 back, 1 go on */
int screen_tests(void)
{
	W.unverified[0] = W.unverified[1] = false;
	run_tests();
	W.cert_shown[0] = W.cert_shown[1] = false;
	for (;;) {
		wiz_help(WIZ_HELP_TESTS);
		struct findings fnd = {0};
		int d = failing(&fnd);
		if (d >= 0 && is_cert_cause(W.res[d]->cause) && !W.cert_shown[d] &&
		    W.res[d]->tls.sha256[0]) {
			W.cert_shown[d] = true;
			if (screen_certificate(d)) {
				findings_free(&fnd);
				run_tests();
				continue;
			}
		}
		draw_tests();
		wint_t ch;
		int rc = tui_key(&ch);
		if (rc == KEY_CODE_YES && ch == KEY_RESIZE) {
			findings_free(&fnd);
			continue;
		}
		bool enter = (rc == OK && (ch == '\r' || ch == '\n')) ||
		             (rc == KEY_CODE_YES && ch == KEY_ENTER);
		if (rc == OK && ch == 27) {
			findings_free(&fnd);
			return 0;
		}
		if (enter && d < 0) {
			findings_free(&fnd);
			return 1;
		}
		if (rc == OK && ch == 'f' && d >= 0 && fnd.n &&
		    (fnd.v[0].fix.n || tested_alternative(W.res[d])) &&
		    apply_fix(d ? &W.out : &W.in, W.res[d], &fnd.v[0].fix)) {
			findings_free(&fnd);
			run_tests();
			continue;
		}
		if (rc == OK && ch == 'c' && d >= 0 && W.res[d]->tls.sha256[0] &&
		    screen_certificate(d)) {
			findings_free(&fnd);
			run_tests();
			continue;
		}
		if (rc == OK && ch == 'r') {
			findings_free(&fnd);
			run_tests();
			continue;
		}
		if (rc == OK && ch == 'w' && d >= 0) {
			findings_free(&fnd);
			if (!confirm_unverified())
				continue;
			for (int k = 0; k < 2; k++) {
				W.unverified[k] = W.res[k] && !W.res[k]->ok;
				if (!W.unverified[k])
					continue;
				struct findings f2 = {0};
				findings_for(k, &f2);
				snprintf(W.unverified_why[k], sizeof W.unverified_why[k], "%s",
				         diag_code_name(f2.n ? f2.v[0].code : W.res[k]->cause));
				findings_free(&f2);
			}
			return 1;
		}
		if (rc == OK && ch == 'e') {
			screen_edit();
			findings_free(&fnd);
			run_tests();
			continue;
		}
		if (rc == OK && ch == 'p' && screen_password()) {
			findings_free(&fnd);
			run_tests();
			continue;
		}
		findings_free(&fnd);
	}
}
