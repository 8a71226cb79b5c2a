/* screen_output.c - step 5: the formats to write, where, a live preview,
 * and writing them (safe_write: never a half-written file). */
#include "config.h"

#include "account.h"
#include "tui/wizard.h"
#include "writers/writers.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

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

/* The PEM of a certificate trusted on the certificate screen and in use
 * (the test with it worked), or NULL. */
static const char *trusted_pem(int d)
{
	const struct server *s = d ? &W.out : &W.in;
	if (!W.res[d] || !W.res[d]->ok || !W.res[d]->tls.pinned || !wiz_server_pin(s))
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
	char *dir = wiz_config_dir();
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
	char *shown = wiz_tilde(path);
	bool existed = face_read_file(path, CERTS_FILE_MAX, &pem);
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
	wiz_mkdirs(path);
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
	face_now_iso(when, sizeof when);
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
	face_now_iso(when, sizeof when);
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
	if (!tui_frame(
	        _("mailsetup - write the settings"), 5,
	        _("Space choose   p path   s store password   Enter write   ? help   Esc back"))) {
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
		char *t = wiz_tilde(W.path[i]);
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
		char *shown = wiz_tilde_all(err.msg);
		tui_wrap(y, 2, 76, 3, shown);
		free(shown);
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
		char *shown = wiz_tilde(W.path[i]);
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
		wiz_mkdirs(W.path[i]);
		if (stored && !safe_write(pwfile, secret.data, secret.len, force, true, &err)) {
			buf_addf(&report, "%s: %s\n", writers[i].name, err.msg);
			free(pwfile), free(shown);
			goto next;
		}
		if (stored) {
			char *t = wiz_tilde(pwfile);
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

/* 0 back, 1 done */
int screen_output(void)
{
	size_t n = writers_count < 16 ? writers_count : 16;
	char *dir = wiz_config_dir();
	for (size_t i = 0; i < n; i++) {
		if (!W.path[i])
			W.path[i] =
			    xasprintf("%s/%s%s", dir, W.address, suffix_of(writers[i].name));
	}
	free(dir);
	size_t cur = 0;
	const char *msg = NULL;
	for (;;) {
		wiz_help(WIZ_HELP_OUTPUT);
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
