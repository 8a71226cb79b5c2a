/* wizard.c - the ncurses face: from an address to saved settings.
 *
 * Screens, each doing one thing in a file of its own (DESIGN.md "The
 * wizard, screen by screen"): address -> finding servers (-> edit) ->
 * password -> testing (-> certificate) -> output -> done.  This file
 * holds what they share and their order.  Discovery and the tests run on
 * the engine's event loop; the wizard adds a watch on the terminal and a
 * timer to that loop, so the screen animates and follows resizes while
 * the network works, without threads.
 *
 * Everything a server or certificate says goes through escape_display
 * before it reaches the screen.  The password lives in one cleansed
 * buffer and is written to disk only when the person asks for it.
 */
#include "config.h"

#include "tui/wizard.h"

#include <poll.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

struct wiz W;

const char *wiz_sec_label(enum ms_security s)
{
	return s == SEC_TLS ? _("TLS") : s == SEC_STARTTLS ? _("STARTTLS") : _("plaintext");
}

const char *wiz_proto_label(enum ms_proto p)
{
	return p == PROTO_IMAP ? "IMAP" : p == PROTO_POP3 ? "POP3" : "SMTP";
}

void wiz_server_clear(struct server *s)
{
	free(s->host), free(s->user), free(s->provenance);
	free(s->pin_host), free(s->pin_pem);
	memset(s, 0, sizeof *s);
}

const char *wiz_server_pin(const struct server *s)
{
	if (!s->pin[0] || !s->host || !s->pin_host || s->pin_port != s->port ||
	    strcmp(s->pin_host, s->host) != 0)
		return NULL;
	return s->pin;
}

/* ---- the event loop: terminal and timer ----------------------------------- */

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
	W.redraw();
}

static void on_tick(void *arg, int revents)
{
	tui_check_signal();
	W.tick++;
	drain_keys();
	W.redraw();
	loop_mod(W.loop, W.timer_watch, -1, 0, loop_now_ms() + TUI_TICK_MS);
}

void wiz_watch_terminal(void (*draw)(void))
{
	W.redraw = draw;
	W.back_asked = false;
	W.key_watch = loop_add(W.loop, STDIN_FILENO, POLLIN, LOOP_NO_DEADLINE, on_key, NULL);
	W.timer_watch = loop_add(W.loop, -1, 0, loop_now_ms() + TUI_TICK_MS, on_tick, NULL);
}

void wiz_run_busy(void (*draw)(void))
{
	wiz_watch_terminal(draw);
	draw();
	loop_run(W.loop);
}

void wiz_busy_done(void)
{
	W.busy = false;
	loop_del(W.loop, W.key_watch);
	loop_del(W.loop, W.timer_watch);
}

/* ---- paths ------------------------------------------------------------------ */

char *wiz_config_dir(void)
{
	const char *x = getenv("XDG_CONFIG_HOME");
	if (x && *x == '/')
		return xasprintf("%s/mailsetup", x);
	const char *home = getenv("HOME");
	return xasprintf("%s/.config/mailsetup", home && *home ? home : ".");
}

char *wiz_tilde(const char *path)
{
	const char *home = getenv("HOME");
	size_t n = home ? strlen(home) : 0;
	if (n > 1 && strncmp(path, home, n) == 0 && path[n] == '/')
		return xasprintf("~%s", path + n);
	return xstrdup(path);
}

char *wiz_tilde_all(const char *text)
{
	const char *home = getenv("HOME");
	size_t n = home ? strlen(home) : 0;
	struct buf b = {0};
	buf_adds(&b, "");
	const char *p = text, *hit;
	while (n > 1 && (hit = strstr(p, home)) != NULL) {
		/* only a whole path component: "/home/zoe/x", not "/home/zoey" */
		bool starts = hit == text || hit[-1] == ' ' || hit[-1] == '"' || hit[-1] == '\'' ||
		              hit[-1] == '(' || hit[-1] == '=';
		buf_add(&b, p, (size_t)(hit - p));
		if (starts && hit[n] == '/')
			buf_adds(&b, "~");
		else
			buf_add(&b, hit, n);
		p = hit + n;
	}
	buf_adds(&b, p);
	return buf_steal(&b);
}

void wiz_mkdirs(const char *path)
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

/* ---- the flow ---------------------------------------------------------------- */

int cmd_wizard(int argc, char **argv)
{
	int first = face_parse("wizard", argc, argv, &W.o);
	if (first < 0)
		return EXIT_USAGE;
	if (argc - first > 1) {
		face_usage_error("wizard", "%s", _("expected at most one ADDRESS"));
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
		face_error("wizard", "%s", err.msg);
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
			step = screen_password() ? 4 : 2;
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
	screen_tests_clear();
	if (W.disc)
		disc_result_free(W.disc);
	wiz_server_clear(&W.in);
	wiz_server_clear(&W.out);
	for (size_t i = 0; i < 16; i++)
		free(W.path[i]);
	secret_free(W.password);
	free(W.name), free(W.address), free(W.disc_for);
	loop_free(W.loop);
	tls_ctx_free(W.tls_ctx);
	net_overrides_free(&W.o.overrides);
	return EXIT_OK;
}
