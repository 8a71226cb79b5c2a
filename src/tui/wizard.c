/* wizard.c - the ncurses face: from an address to saved settings.
 *
 * Screens, each doing one thing (DESIGN.md "The wizard, screen by
 * screen"): address -> finding servers (-> edit) -> password -> testing
 * (-> certificate) -> output -> done.  Discovery and the tests run on the
 * engine's event loop; the wizard adds a watch on the terminal and a
 * timer to that loop, so the screen animates and follows resizes while
 * the network works, without threads.
 *
 * Everything a server or certificate says goes through escape_display
 * before it reaches the screen.  The password lives in one cleansed
 * buffer and is written to disk only when the person asks for it.
 */
#include "config.h"

#include "account.h"
#include "base/alloc.h"
#include "base/buf.h"
#include "base/escape.h"
#include "base/i18n.h"
#include "cli/cli.h"
#include "discover/discover.h"
#include "tui/tui.h"
#include "writers/writers.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* One server as the person will use it. */
struct server {
	enum ms_proto proto;
	char *host;
	uint16_t port;
	enum ms_security security;
	char *user;
	char *provenance; /* translated source labels, or "" */
	/* A certificate the person chose to trust on the certificate screen,
	 * for pin_host:pin_port only (rule 8): its fingerprint and PEM. */
	char *pin_host;
	uint16_t pin_port;
	char pin[TLS_FPR_LEN];
	char *pin_pem;
};

struct step_line {
	bool ok;
	int ms;
	char name[24];
	char detail[80]; /* escaped by the engine */
};

#define MAX_STEPS 16

struct wiz {
	struct cli_opts o;
	char *name, *address;
	struct server in, out;
	char *password;
	SSL_CTX *tls_ctx;
	struct loop *loop;
	unsigned tick;
	int key_watch, timer_watch;
	/* discovery */
	struct disc_result *disc;
	enum disc_status src[DSRC_COUNT];
	char src_detail[DSRC_COUNT][128];
	char *disc_for;               /* the address W.disc is for */
	struct discover *discovering; /* while discovery runs */
	bool busy;
	bool back_asked;
	/* tests: [0] incoming, [1] outgoing */
	struct probe_result *res[2];
	struct step_line steps[2][MAX_STEPS];
	int nsteps[2];
	bool cert_shown[2];
	/* output */
	bool want[16];
	char *path[16];
	bool store_password;
};

/* Static, so that an exit on Ctrl-C leaves nothing unreachable. */
static struct wiz W;

static const char *sec_label(enum ms_security s)
{
	return s == SEC_TLS ? _("TLS") : s == SEC_STARTTLS ? _("STARTTLS") : _("plaintext");
}

static const char *proto_label(enum ms_proto p)
{
	return p == PROTO_IMAP ? "IMAP" : p == PROTO_POP3 ? "POP3" : "SMTP";
}

static void server_clear(struct server *s)
{
	free(s->host), free(s->user), free(s->provenance);
	free(s->pin_host), free(s->pin_pem);
	memset(s, 0, sizeof *s);
}

/* server_pin: the trusted fingerprint if it is for the server's current
 * host and port, else NULL. */
static const char *server_pin(const struct server *s)
{
	if (!s->pin[0] || !s->host || !s->pin_host || s->pin_port != s->port ||
	    strcmp(s->pin_host, s->host) != 0)
		return NULL;
	return s->pin;
}

/* ---- the event loop: terminal and timer ----------------------------------- */

static void (*redraw_fn)(void);

static void drain_keys(void)
{
	wint_t ch;
	nodelay(stdscr, TRUE);
	int rc;
	while ((rc = get_wch(&ch)) != ERR) {
		if (rc == KEY_CODE_YES && ch == KEY_RESIZE)
			continue; /* redrawn below */
		if (rc == OK && ch == 27)
			W.back_asked = true;
	}
	timeout(TUI_TICK_MS);
	/* Esc during discovery stops it now: on_discovered runs before this
	 * returns, and nothing is left on the loop. */
	if (W.back_asked && W.discovering)
		discover_cancel(W.discovering);
}

static void on_key(void *arg, int revents)
{
	tui_check_signal();
	drain_keys();
	redraw_fn();
}

static void on_tick(void *arg, int revents)
{
	tui_check_signal();
	W.tick++;
	drain_keys();
	redraw_fn();
	loop_mod(W.loop, W.timer_watch, -1, 0, loop_now_ms() + TUI_TICK_MS);
}

/* run_busy: run the loop until the engine's work is done (W.busy false),
 * with the screen following along. */
static void run_busy(void (*draw)(void))
{
	redraw_fn = draw;
	W.back_asked = false;
	W.key_watch = loop_add(W.loop, STDIN_FILENO, POLLIN, LOOP_NO_DEADLINE, on_key, NULL);
	W.timer_watch = loop_add(W.loop, -1, 0, loop_now_ms() + TUI_TICK_MS, on_tick, NULL);
	draw();
	loop_run(W.loop);
}

static void busy_done(void)
{
	W.busy = false;
	loop_del(W.loop, W.key_watch);
	loop_del(W.loop, W.timer_watch);
}

/* ---- screen 1: who ------------------------------------------------------- */

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

static enum tui_result screen_address(void)
{
	const struct tui_field f[] = {{_("Your name"), 44}, {_("E-mail address"), 44}};
	char *v[2] = {W.name ? xstrdup(W.name) : NULL, W.address ? xstrdup(W.address) : NULL};
	enum tui_result r = tui_form(
	    _("mailsetup - new account"), 1, _("Enter next   Tab field   Esc quit"),
	    _("mailsetup finds your provider's servers, tests them live over TLS and writes "
	      "settings for Thunderbird, mutt/neomutt, msmtp or plain text."),
	    f, 2, v, check_address, NULL);
	if (r == TUI_NEXT) {
		free(W.name), free(W.address);
		W.name = v[0];
		W.address = v[1];
	} else {
		free(v[0]), free(v[1]);
	}
	return r;
}

/* ---- screen 2: finding servers ------------------------------------------- */

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
	redraw_fn();
}

static void on_discovered(void *arg, struct disc_result *r)
{
	W.discovering = NULL;
	W.disc = r;
	for (int s = 0; s < DSRC_COUNT; s++) {
		W.src[s] = r->src[s].status;
		snprintf(W.src_detail[s], sizeof W.src_detail[s], "%s", r->src[s].detail);
	}
	busy_done();
}

static void draw_server_line(int y, const char *what, const struct server *s)
{
	char line[256];
	if (!s->host) {
		snprintf(line, sizeof line, "%-9s %s", what, _("none found - press e to enter it"));
	} else {
		char *h = escape_display_str(s->host);
		snprintf(line, sizeof line, "%-9s %-4s  %-24s %5u  %-9s %s%s%s", what,
		         proto_label(s->proto), h, (unsigned)s->port, sec_label(s->security),
		         *s->provenance ? "(" : "", s->provenance, *s->provenance ? ")" : "");
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
	           : _("Enter use these   e edit   Esc back");
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
		if (!cli_utf8() && W.src[s] != DSTAT_RUNNING && W.src[s] != DSTAT_ANSWERED &&
		    W.src[s] != DSTAT_ERROR && W.src[s] != DSTAT_TIMEOUT)
			mark = ".";
		tui_put(3 + s, 2, 2, mark);
		tui_put(3 + s, 4, 18, disc_source_label((enum disc_source)s));
		tui_put(3 + s, 23, 12, status_word(W.src[s]));
		tui_put(3 + s, 36, 42, W.src_detail[s]);
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
	server_clear(s);
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
	redraw_fn = draw_discovery;
	W.discovering = discover_start(W.loop, &opt, &obs, on_discovered, NULL, &err);
	if (!W.discovering) {
		W.busy = false;
		return false;
	}
	run_busy(draw_discovery);
	server_clear(&W.in);
	server_clear(&W.out);
	if (W.disc) {
		take(&W.in, W.disc->incoming, false);
		take(&W.out, W.disc->outgoing, true);
	}
	return true;
}

/* ---- editing the servers ------------------------------------------------- */

static const char *check_servers(void *arg, char **v, int *bad)
{
	static char msg[256];
	enum ms_proto p;
	enum ms_security sec;
	for (int i = 0; i < 7; i++) {
		*bad = i;
		bool empty = !v[i][0];
		if ((i == 0 && (!proto_parse(v[0], &p) || p == PROTO_SMTP)))
			return _("The incoming protocol is imap or pop3.");
		if ((i == 1 || i == 4) && empty)
			return _("Please type a server name.");
		if ((i == 2 || i == 5) && (empty || strspn(v[i], "0123456789") != strlen(v[i]) ||
		                           atoi(v[i]) < 1 || atoi(v[i]) > 65535)) {
			snprintf(msg, sizeof msg, _("'%s' is not a port number (1 to 65535)."),
			         v[i]);
			return msg;
		}
		if ((i == 3 || i == 6) && !security_parse(v[i], &sec))
			return _("Security is tls, starttls or plain.");
		if (i == 3 || i == 6) {
			if (sec == SEC_PLAIN && !W.o.allow_plaintext)
				return _("Plaintext would send your password unprotected; it needs "
				         "--allow-plaintext.");
		}
	}
	*bad = 7;
	if (!v[7][0])
		return _("Please type the user name (often your e-mail address).");
	return NULL;
}

static void fill_server(struct server *s, enum ms_proto p, const char *host, const char *port,
                        const char *sec, const char *user)
{
	char *prov = s->provenance && s->host && strcmp(s->host, host) == 0 ? xstrdup(s->provenance)
	                                                                    : xstrdup(_("typed"));
	/* A trusted certificate stays with its host and port (server_pin). */
	char *pin_host = s->pin_host, *pin_pem = s->pin_pem, pin[TLS_FPR_LEN];
	uint16_t pin_port = s->pin_port;
	memcpy(pin, s->pin, sizeof pin);
	s->pin_host = s->pin_pem = NULL;
	server_clear(s);
	s->pin_host = pin_host, s->pin_pem = pin_pem, s->pin_port = pin_port;
	memcpy(s->pin, pin, sizeof pin);
	s->proto = p;
	s->host = xstrdup(host);
	s->port = (uint16_t)atoi(port);
	security_parse(sec, &s->security);
	s->user = xstrdup(user);
	s->provenance = prov;
}

static void screen_edit(void)
{
	const struct tui_field f[] = {
	    {_("Incoming protocol"), 6},  {_("Incoming server"), 44}, {_("Incoming port"), 6},
	    {_("Incoming security"), 10}, {_("Outgoing server"), 44}, {_("Outgoing port"), 6},
	    {_("Outgoing security"), 10}, {_("User name"), 44},
	};
	char *v[8];
	v[0] = xstrdup(proto_name(W.in.host ? W.in.proto : PROTO_IMAP));
	v[1] = xstrdup(W.in.host ? W.in.host : "");
	v[2] = W.in.host ? xasprintf("%u", (unsigned)W.in.port) : xstrdup("993");
	v[3] = xstrdup(security_name(W.in.host ? W.in.security : SEC_TLS));
	v[4] = xstrdup(W.out.host ? W.out.host : "");
	v[5] = W.out.host ? xasprintf("%u", (unsigned)W.out.port) : xstrdup("465");
	v[6] = xstrdup(security_name(W.out.host ? W.out.security : SEC_TLS));
	v[7] = xstrdup(W.in.user ? W.in.user : W.address);
	if (tui_form(_("mailsetup - edit the servers"), 2,
	             _("Enter use these   Tab field   Esc cancel"),
	             _("Protocol imap or pop3; security tls (implicit TLS, ports 993/995/465), "
	               "starttls (143/110/587) or plain."),
	             f, 8, v, check_servers, NULL) == TUI_NEXT) {
		enum ms_proto p = PROTO_IMAP;
		proto_parse(v[0], &p);
		fill_server(&W.in, p, v[1], v[2], v[3], v[7]);
		fill_server(&W.out, PROTO_SMTP, v[4], v[5], v[6], v[7]);
	}
	for (int i = 0; i < 8; i++)
		free(v[i]);
}

/* 0 back to the address, 1 go on */
static int screen_discovery(void)
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

/* ---- screens 3 and 4: password and tests ----------------------------------- */

static int password_screen(void)
{
	char prompt[256];
	char *u = escape_display_str(W.in.user);
	snprintf(prompt, sizeof prompt, _("The password of %s"), u);
	free(u);
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
	redraw_fn();
}

static void on_tested(void *arg, struct probe_result *r)
{
	int d = (int)(intptr_t)arg;
	W.res[d] = r;
	if (W.res[0] && W.res[1])
		busy_done();
}

/* The first failing direction and its first finding with a message. */
static int failing(struct findings *fnd)
{
	for (int d = 0; d < 2; d++) {
		if (!W.res[d] || W.res[d]->ok)
			continue;
		diag_probe(W.res[d], fnd);
		return d;
	}
	return -1;
}

static bool is_cert_cause(enum diag_code c)
{
	return c >= DIAG_CERT_HOSTNAME_MISMATCH && c <= DIAG_CERT_CHANGED;
}

static int draw_probe_block(int y, int d, int maxsteps)
{
	const struct server *s = d ? &W.out : &W.in;
	char line[256];
	char *h = escape_display_str(s->host);
	char *u = escape_display_str(s->user);
	snprintf(line, sizeof line, _("%s  %s  port %u  %s   user %s"), proto_label(s->proto), h,
	         (unsigned)s->port, sec_label(s->security), u);
	free(h), free(u);
	attron(A_BOLD);
	tui_put(y++, 2, 76, line);
	attroff(A_BOLD);
	int first = W.nsteps[d] > maxsteps ? W.nsteps[d] - maxsteps : 0;
	for (int i = first; i < W.nsteps[d]; i++, y++) {
		const struct step_line *l = &W.steps[d][i];
		char ms[32];
		snprintf(ms, sizeof ms, _("%d ms"), l->ms);
		tui_put(y, 2, 2, tui_mark(l->ok));
		tui_put(y, 4, 14, l->name);
		tui_put(y, 19, 48, l->detail);
		tui_put(y, 78 - (int)strlen(ms), 12, ms);
	}
	if (!W.res[d]) {
		char busy[64];
		snprintf(busy, sizeof busy, "%s %s", tui_spinner(W.tick), _("testing..."));
		tui_put(y++, 2, 40, busy);
	} else if (W.res[d]->ok) {
		tui_put(y++, 4, 70,
		        W.res[d]->tls.pinned ? _("works, with the certificate you trusted")
		                             : _("works"));
	}
	return y;
}

static void draw_tests(void)
{
	struct findings fnd = {0};
	int d = W.busy ? -1 : failing(&fnd);
	const char *keys;
	if (W.busy)
		keys = _("testing...   Ctrl-C quit");
	else if (d < 0)
		keys = _("Enter next   e edit   p password   Esc back");
	else if (W.res[d]->tls.sha256[0] && !W.res[d]->tls.verified)
		keys = _("c certificate   r re-test   e edit   p password   Esc back");
	else if (fnd.n && fnd.v[0].fix.n)
		keys = _("f apply fix and re-test   e edit   p password   Esc back");
	else
		keys = _("r re-test   e edit   p password   Esc back");
	if (!tui_frame(_("mailsetup - testing the servers"), 4, keys)) {
		findings_free(&fnd);
		refresh();
		return;
	}
	int y = draw_probe_block(3, 0, 6);
	y = draw_probe_block(y + 1, 1, 6);
	if (d >= 0 && fnd.n) {
		y++;
		char head[96];
		snprintf(head, sizeof head, " %s ", _("finding"));
		mvhline(y, 0, ACS_HLINE, 80);
		tui_put(y++, 2, 70, head);
		char *msg = xasprintf("%s: %s", diag_code_name(fnd.v[0].code), fnd.v[0].message);
		y += tui_wrap(y, 2, 76, 22 - y - (fnd.v[0].fix_text[0] ? 1 : 0), msg);
		free(msg);
		if (fnd.v[0].fix_text[0] && y < 23) {
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

static void clear_tests(void)
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
	clear_tests();
	W.busy = true;
	redraw_fn = draw_tests;
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
		q->pin_sha256 = server_pin(s);
		q->tls_ctx = W.tls_ctx;
		const struct net_override *ov = net_override_find(&W.o.overrides, s->host, s->port);
		if (ov) {
			q->addrs = ov->addr;
			q->naddrs = ov->naddr;
		}
	}
	redraw_fn = draw_tests;
	W.key_watch = W.timer_watch = 0;
	/* Both at once; done may run inside probe_start on an immediate
	 * failure, so the watches are added first. */
	W.key_watch = loop_add(W.loop, STDIN_FILENO, POLLIN, LOOP_NO_DEADLINE, on_key, NULL);
	W.timer_watch = loop_add(W.loop, -1, 0, loop_now_ms() + TUI_TICK_MS, on_tick, NULL);
	probe_start(W.loop, &reqs[0], &obs, on_tested, (void *)(intptr_t)0);
	probe_start(W.loop, &reqs[1], &obs, on_tested, (void *)(intptr_t)1);
	draw_tests();
	loop_run(W.loop);
}

/* apply_fix: set the fields a finding names; false if none applied. */
static bool apply_fix(struct server *s, const struct diag_fix *fix)
{
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

/* ---- the certificate ------------------------------------------------------- */

/* Trust by fingerprint is offered only where no authority can vouch for the
 * certificate (self-signed, or an issuer this computer does not know):
 * not for a wrong name, wrong dates, a missing intermediate or a
 * certificate that changed, where trusting it would hide the problem. */
static bool trust_offered(const struct probe_result *r)
{
	return (r->cause == DIAG_CERT_SELF_SIGNED || r->cause == DIAG_CERT_UNTRUSTED) &&
	       r->tls.problems == TLS_PROBLEM_ISSUER;
}

/* screen_certificate: the facts of a certificate that failed verification;
 * true when the person chose to trust it (t, then y). */
static bool screen_certificate(int d)
{
	const struct probe_result *r = W.res[d];
	const struct tls_facts *t = &r->tls;
	bool offer = trust_offered(r), asking = false;
	for (;;) {
		char title[160];
		char *h = escape_display_str(r->host);
		snprintf(title, sizeof title, _("mailsetup - certificate of %s:%u"), h,
		         (unsigned)r->port);
		const char *keys =
		    asking  ? _("y trust it   any other key: back")
		    : offer ? _("r reject (default)   Enter reject   t trust this certificate")
		            : _("r reject (default)   Enter reject");
		if (tui_frame(title, 4, keys)) {
			struct buf san = {0};
			buf_adds(&san, "");
			for (size_t i = 0; i < t->nsan; i++)
				buf_addf(&san, "%s%s", i ? ", " : "", t->san[i]);
			char *subject = escape_display_str(t->subject),
			     *issuer = escape_display_str(t->issuer),
			     *sans = escape_display_str(san.data),
			     *why = escape_display_str(t->verify_error);
			char valid[96];
			snprintf(valid, sizeof valid, _("%s to %s"), t->not_before, t->not_after);
			const char *label[] = {_("Subject"), _("Names (SAN)"), _("Issuer"),
			                       _("Valid"),   _("SHA-256"),     _("Problem")};
			const char *val[] = {subject, sans, issuer, valid, t->sha256, why};
			int y = 3;
			for (int i = 0; i < 6; i++) {
				tui_put(y, 2, 14, label[i]);
				y += i == 4 ? tui_wrap(y, 16, 62, 2, val[i])
				            : tui_wrap(y, 16, 62, 3, val[i]);
			}
			struct findings fnd = {0};
			diag_probe(r, &fnd);
			if (fnd.n)
				y += 1 + tui_wrap(y + 1, 2, 76, 4, fnd.v[0].message);
			findings_free(&fnd);
			if (asking) {
				char *q = xasprintf(
				    _("Trust exactly this certificate for %s port %u? Do it only "
				      "if "
				      "you have compared its SHA-256 fingerprint with the one your "
				      "provider gives you. mailsetup will then log in to this "
				      "server "
				      "and nowhere else with it."),
				    h, (unsigned)r->port);
				attron(A_BOLD);
				tui_wrap(y + 1, 2, 76, 4, q);
				attroff(A_BOLD);
				free(q);
			} else {
				tui_wrap(
				    y + 1, 2, 76, 4,
				    offer
				        ? _("mailsetup does not log in to a server whose "
				            "certificate it cannot verify, unless you trust this "
				            "exact certificate (t) after checking its fingerprint.")
				        : _("mailsetup does not log in to a server whose "
				            "certificate it cannot verify. Ask your provider, or "
				            "give their CA with --cafile."));
			}
			free(subject), free(issuer), free(sans), free(why);
			buf_free(&san);
		}
		free(h);
		refresh();
		wint_t ch;
		int rc = tui_key(&ch);
		if (rc == KEY_CODE_YES && ch == KEY_RESIZE)
			continue;
		if (asking) {
			if (rc == OK && (ch == 'y' || ch == 'Y')) {
				struct server *s = d ? &W.out : &W.in;
				free(s->pin_host), free(s->pin_pem);
				s->pin_host = xstrdup(s->host);
				s->pin_port = s->port;
				snprintf(s->pin, sizeof s->pin, "%s", t->sha256);
				s->pin_pem = t->pem ? xstrdup(t->pem) : NULL;
				return true;
			}
			asking = false;
			continue;
		}
		if (rc == OK && offer && (ch == 't' || ch == 'T')) {
			asking = true;
			continue;
		}
		if (rc == OK && (ch == 'r' || ch == '\r' || ch == '\n' || ch == 27))
			return false;
		if (rc == KEY_CODE_YES && ch == KEY_ENTER)
			return false;
	}
}

/* 0 back, 1 go on */
static int screen_tests(void)
{
	run_tests();
	W.cert_shown[0] = W.cert_shown[1] = false;
	for (;;) {
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
		if (rc == OK && ch == 'f' && d >= 0 && fnd.n && fnd.v[0].fix.n &&
		    apply_fix(d ? &W.out : &W.in, &fnd.v[0].fix)) {
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
		if (rc == OK && ch == 'e') {
			screen_edit();
			findings_free(&fnd);
			run_tests();
			continue;
		}
		if (rc == OK && ch == 'p' && password_screen()) {
			findings_free(&fnd);
			run_tests();
			continue;
		}
		findings_free(&fnd);
	}
}

/* ---- screen 5: output ------------------------------------------------------ */

static const char *suffix_of(const char *format)
{
	static const struct {
		const char *format, *suffix;
	} t[] = {
	    {"text", ".txt"},
	    {"mutt", ".muttrc"},
	    {"neomutt", ".neomuttrc"},
	    {"thunderbird", ".user.js"},
	    {"autoconfig", ".config-v1.1.xml"},
	    {"msmtp", ".msmtprc"},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (strcmp(t[i].format, format) == 0)
			return t[i].suffix;
	return ".conf";
}

static char *config_dir(void)
{
	const char *x = getenv("XDG_CONFIG_HOME");
	if (x && *x == '/')
		return xasprintf("%s/mailsetup", x);
	const char *home = getenv("HOME");
	return xasprintf("%s/.config/mailsetup", home && *home ? home : ".");
}

/* tilde: path for display, with the home directory as "~" (caller frees). */
static char *tilde(const char *path)
{
	const char *home = getenv("HOME");
	size_t n = home ? strlen(home) : 0;
	if (n > 1 && strncmp(path, home, n) == 0 && path[n] == '/')
		return xasprintf("~%s", path + n);
	return xstrdup(path);
}

/* mkdirs: make path's parent directories (mode 0700 for new ones). */
static void mkdirs(const char *path)
{
	char *p = xstrdup(path);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		mkdir(p, 0700);
		*s = '/';
	}
	free(p);
}

/* The PEM of a certificate trusted on the certificate screen and in use
 * (the test with it worked), or NULL. */
static const char *trusted_pem(int d)
{
	const struct server *s = d ? &W.out : &W.in;
	if (!W.res[d] || !W.res[d]->ok || !W.res[d]->tls.pinned || !server_pin(s))
		return NULL;
	return s->pin_pem;
}

/* A certificate file is a few kilobytes per certificate; one this large
 * is not ours to extend. */
#define CERTS_FILE_MAX (4u * 1024 * 1024)

/* certs_bundle_path: where the certificates the person trusted go, so that
 * the clients trust exactly them too: ADDRESS.certs.pem in the
 * configuration directory; NULL when none was trusted.  Caller frees. */
static char *certs_bundle_path(void)
{
	if (!trusted_pem(0) && !trusted_pem(1))
		return NULL;
	char *dir = config_dir();
	char *p = xasprintf("%s/%s.certs.pem", dir, W.address);
	free(dir);
	return p;
}

/* write_certs_bundle: the trusted certificates in one PEM file, added to
 * what it holds already (mutt adds the certificates accepted "always"
 * there too); a line for the report. */
static void write_certs_bundle(struct buf *report)
{
	char *path = certs_bundle_path();
	if (!path)
		return;
	struct buf pem = {0};
	buf_adds(&pem, "");
	struct ms_err err;
	err_clear(&err);
	char *shown = tilde(path);
	bool existed = cli_read_file(path, CERTS_FILE_MAX, &pem);
	if (!existed && errno != ENOENT) {
		/* Never replace a file that could not be read: mutt keeps the
		 * certificates accepted "always" in it. */
		buf_addf(report, _("%s: not written: cannot read it: %s\n"), shown,
		         strerror(errno));
		free(shown);
		buf_free(&pem);
		free(path);
		return;
	}
	if (pem.len && pem.data[pem.len - 1] != '\n')
		buf_addc(&pem, '\n');
	size_t before = pem.len;
	for (int d = 0; d < 2; d++)
		if (trusted_pem(d) && !strstr(pem.data, trusted_pem(d)))
			buf_adds(&pem, trusted_pem(d));
	mkdirs(path);
	if (existed && pem.len == before)
		buf_addf(report, _("%s already holds the certificates you trusted\n"), shown);
	else if (safe_write(path, pem.data, pem.len, true, false, &err))
		buf_addf(report, _("Wrote %s (the certificates you trusted)\n"), shown);
	else
		buf_addf(report, "%s\n", err.msg);
	free(shown);
	buf_free(&pem);
	free(path);
}

static void fill_account(struct account *a, size_t wi)
{
	account_init(a);
	account_set(&a->name, W.name && *W.name ? W.name : NULL);
	account_set(&a->address, W.address);
	char when[32];
	cli_now_iso(when, sizeof when);
	struct account_server *side[2] = {&a->in, &a->out};
	for (int d = 0; d < 2; d++) {
		const struct server *s = d ? &W.out : &W.in;
		struct account_server *t = side[d];
		t->set = true;
		t->proto = s->proto;
		account_set(&t->host, s->host);
		t->port = s->port;
		t->security = s->security;
		account_set(&t->username, s->user);
		t->auth = AUTH_PASSWORD_CLEARTEXT;
		t->verified = W.res[d] && W.res[d]->ok;
		if (t->verified)
			account_set(&t->verified_at, when);
		if (t->verified && W.res[d]->tls.pinned)
			account_set(&t->trusted_sha256, W.res[d]->tls.sha256);
	}
	/* The certificates chosen on the certificate screen, for mutt's
	 * certificate_file (save() writes it). */
	char *bundle = certs_bundle_path();
	account_set(&a->trusted_certs_file, bundle);
	free(bundle);
	if (W.o.cafile) {
		char *abs = realpath(W.o.cafile, NULL);
		account_set(&a->cafile, abs ? abs : W.o.cafile);
		free(abs);
	}
	if (W.store_password && writers[wi].password_capable && W.password && *W.password) {
		a->password_mode = PASSWORD_STORED;
		account_set(&a->password, W.password);
		char *pf = xasprintf("%s.password", W.path[wi]);
		account_set(&a->password_file, pf);
		free(pf);
	}
}

static bool render(size_t wi, struct buf *text, struct buf *secret, struct ms_err *err)
{
	struct account a;
	fill_account(&a, wi);
	char when[32];
	cli_now_iso(when, sizeof when);
	struct writer_opts wo = {.generated_at = when};
	bool ok =
	    account_validate(&a, W.o.allow_plaintext, err) && writers[wi].write(&a, &wo, text, err);
	if (ok && secret && a.password_mode == PASSWORD_STORED && writers[wi].write_secret)
		ok = writers[wi].write_secret(&a, secret, err);
	account_free(&a);
	return ok;
}

static void draw_output(size_t cur, const char *message)
{
	if (!tui_frame(_("mailsetup - write the settings"), 5,
	               _("Space choose   p path   s store password   Enter write   Esc back"))) {
		refresh();
		return;
	}
	size_t n = writers_count < 16 ? writers_count : 16;
	for (size_t i = 0; i < n; i++) {
		int y = 3 + (int)i;
		if (i == cur)
			attron(A_REVERSE);
		char line[64];
		snprintf(line, sizeof line, "[%s] %-12s", W.want[i] ? "x" : " ", writers[i].name);
		tui_put(y, 2, 20, line);
		if (i == cur)
			attroff(A_REVERSE);
		char *t = tilde(W.path[i]);
		char *p = escape_display_str(t);
		tui_put(y, 21, 57, p);
		free(p), free(t);
	}
	int y = 4 + (int)n;
	tui_put(y, 2, 76,
	        W.store_password
	            ? _("Password: stored in a separate mode-0600 file (mutt, neomutt, msmtp)")
	            : _("Password: not written; your mail client asks for it"));
	y += 1;
	tui_put(y, 2, 76, _(writers[cur].description));
	y += 1;
	mvhline(y, 0, ACS_HLINE, 80);
	tui_put(y++, 2, 30, _(" preview "));
	struct buf text = {0};
	struct ms_err err;
	err_clear(&err);
	int last = message ? 20 : 22;
	if (render(cur, &text, NULL, &err)) {
		const char *p = text.data ? text.data : "";
		while (*p && y <= last) {
			const char *e = strchr(p, '\n');
			size_t len = e ? (size_t)(e - p) : strlen(p);
			char *line = xstrndup(p, len);
			char *safe = escape_display_str(line);
			tui_put(y++, 2, 76, safe);
			free(safe), free(line);
			p += len + (e ? 1 : 0);
		}
	} else {
		tui_wrap(y, 2, 76, 3, err.msg);
	}
	buf_free(&text);
	if (message) {
		attron(A_BOLD);
		tui_wrap(21, 2, 76, 2, message);
		attroff(A_BOLD);
	}
	refresh();
}

static void edit_path(size_t cur)
{
	const struct tui_field f[] = {{_("Write to"), 56}};
	char *v[1] = {xstrdup(W.path[cur])};
	if (tui_form(_("mailsetup - where to write"), 5, _("Enter keep   Esc cancel"), NULL, f, 1,
	             v, NULL, NULL) == TUI_NEXT &&
	    v[0][0]) {
		free(W.path[cur]);
		W.path[cur] = v[0][0] == '/'
		                  ? xstrdup(v[0])
		                  : xasprintf("%s/%s", getenv("PWD") ? getenv("PWD") : ".", v[0]);
	}
	free(v[0]);
}

/* confirm: a yes/no question on the output screen; true for 'o'. */
static bool confirm(size_t cur, const char *question)
{
	for (;;) {
		draw_output(cur, question);
		wint_t ch;
		int rc = tui_key(&ch);
		if (rc == KEY_CODE_YES)
			continue;
		if (ch == 'o' || ch == 'O')
			return true;
		if (ch == 27 || ch == 'n' || ch == 'N')
			return false;
	}
}

/* save: write each chosen format; the report of what went where. */
static char *save(size_t cur)
{
	struct buf report = {0};
	buf_adds(&report, "");
	write_certs_bundle(&report);
	size_t n = writers_count < 16 ? writers_count : 16;
	for (size_t i = 0; i < n; i++) {
		if (!W.want[i])
			continue;
		struct buf text = {0}, secret = {0};
		struct ms_err err;
		err_clear(&err);
		bool stored = false;
		if (!render(i, &text, &secret, &err)) {
			buf_addf(&report, _("%s: not written: %s\n"), writers[i].name, err.msg);
			goto next;
		}
		stored = secret.len > 0;
		char *pwfile = xasprintf("%s.password", W.path[i]);
		char *shown = tilde(W.path[i]);
		bool force = false;
		bool exists = access(W.path[i], F_OK) == 0 || (stored && access(pwfile, F_OK) == 0);
		if (exists) {
			char q[PATH_MAX + 128];
			snprintf(q, sizeof q,
			         _("%s exists. o overwrite (the old one is kept as .bak)   n skip"),
			         shown);
			force = confirm(cur, q);
			if (!force) {
				buf_addf(&report, _("%s: skipped, %s exists\n"), writers[i].name,
				         shown);
				free(pwfile), free(shown);
				goto next;
			}
		}
		mkdirs(W.path[i]);
		if (stored && !safe_write(pwfile, secret.data, secret.len, force, true, &err)) {
			buf_addf(&report, "%s: %s\n", writers[i].name, err.msg);
			free(pwfile), free(shown);
			goto next;
		}
		if (stored) {
			char *t = tilde(pwfile);
			buf_addf(&report, _("Wrote %s (the password, mode 0600)\n"), t);
			free(t);
		}
		free(pwfile);
		if (safe_write(W.path[i], text.data, text.len, force, false, &err)) {
			buf_addf(&report, _("Wrote %s (%s)\n"), shown, writers[i].name);
			W.want[i] = false;
		} else {
			buf_addf(&report, "%s: %s\n", writers[i].name, err.msg);
		}
		free(shown);
	next:
		buf_free(&text);
		buf_cleanse(&secret);
	}
	return buf_steal(&report);
}

static void screen_done(const char *report)
{
	for (;;) {
		if (tui_frame(_("mailsetup - done"), 6, _("Enter quit"))) {
			int y = 3;
			const char *p = report;
			while (*p && y < 20) {
				const char *e = strchr(p, '\n');
				size_t len = e ? (size_t)(e - p) : strlen(p);
				char *line = xstrndup(p, len);
				y += tui_wrap(y, 2, 76, 2, line);
				free(line);
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

/* 0 back, 1 done */
static int screen_output(void)
{
	size_t n = writers_count < 16 ? writers_count : 16;
	char *dir = config_dir();
	for (size_t i = 0; i < n; i++) {
		if (!W.path[i])
			W.path[i] =
			    xasprintf("%s/%s%s", dir, W.address, suffix_of(writers[i].name));
	}
	free(dir);
	size_t cur = 0;
	const char *msg = NULL;
	for (;;) {
		draw_output(cur, msg);
		msg = NULL;
		wint_t ch;
		int rc = tui_key(&ch);
		if (rc == KEY_CODE_YES) {
			if (ch == KEY_UP && cur > 0)
				cur--;
			else if (ch == KEY_DOWN && cur + 1 < n)
				cur++;
			else if (ch == KEY_ENTER)
				goto enter;
			continue;
		}
		if (ch == 27)
			return 0;
		if (ch == ' ' || ch == 'x')
			W.want[cur] = !W.want[cur];
		else if (ch == 'k' && cur > 0)
			cur--;
		else if (ch == 'j' && cur + 1 < n)
			cur++;
		else if (ch == 'p')
			edit_path(cur);
		else if (ch == 's')
			W.store_password = !W.store_password && W.password && *W.password;
		else if (ch == '\r' || ch == '\n')
			goto enter;
		continue;
	enter:;
		bool any = false;
		for (size_t i = 0; i < n; i++)
			any |= W.want[i];
		if (!any) {
			msg = _("Choose at least one format with Space.");
			continue;
		}
		char *report = save(cur);
		screen_done(report);
		free(report);
		return 1;
	}
}

/* ---- the flow ---------------------------------------------------------------- */

int cmd_wizard(int argc, char **argv)
{
	int first = cli_parse("wizard", argc, argv, &W.o);
	if (first < 0)
		return EXIT_USAGE;
	if (argc - first > 1) {
		cli_usage_error("wizard", "%s", _("expected at most one ADDRESS"));
		return EXIT_USAGE;
	}
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, _("mailsetup: the wizard needs a terminal; for scripts use "
		                  "'mailsetup probe', 'diagnose' or 'generate' (see --help)\n"));
		return EXIT_USAGE;
	}
	if (first < argc)
		W.address = xstrdup(argv[first]);
	struct ms_err err;
	err_clear(&err);
	W.tls_ctx = tls_ctx_new(W.o.cafile, &err);
	if (!W.tls_ctx) {
		cli_error("wizard", "%s", err.msg);
		return EXIT_LOCAL;
	}
	W.want[0] = true; /* the settings sheet, unless the person says otherwise */
	W.loop = loop_new();
	tui_start();
	int step = 1;
	while (step) {
		switch (step) {
		case 1:
			step = screen_address() == TUI_NEXT ? 2 : 0;
			break;
		case 2:
			step = screen_discovery() ? 3 : 1;
			break;
		case 3:
			step = password_screen() ? 4 : 2;
			break;
		case 4:
			step = screen_tests() ? 5 : 3;
			break;
		case 5:
			step = screen_output() ? 0 : 4;
			break;
		}
	}
	tui_end();
	clear_tests();
	if (W.disc)
		disc_result_free(W.disc);
	server_clear(&W.in);
	server_clear(&W.out);
	for (size_t i = 0; i < 16; i++)
		free(W.path[i]);
	secret_free(W.password);
	free(W.name), free(W.address), free(W.disc_for);
	loop_free(W.loop);
	tls_ctx_free(W.tls_ctx);
	net_overrides_free(&W.o.overrides);
	return EXIT_OK;
}
