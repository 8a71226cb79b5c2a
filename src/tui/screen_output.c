/* screen_output.c - step 5: where the account goes.  First the mail
 * clients found on this machine (Thunderbird's default profile, the muttrc
 * mutt and neomutt read, the msmtp configuration: install targets, checked
 * when their configuration exists), then the file-only formats; a live
 * preview; Enter installs and writes (writers/ install_*, safe_write:
 * never a half-written file, every changed file backed up). */
#include "config.h"

#include "account.h"
#include "clients/clients.h"
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

/* ---- the clients on this machine ---------------------------------------- */

enum target_kind { TGT_THUNDERBIRD, TGT_MUTT, TGT_NEOMUTT, TGT_MSMTP };

struct target {
	enum target_kind kind;
	const char *writer; /* the format its preview shows */
	char *detail;       /* what the install does, for the row */
	char *profile;      /* Thunderbird: the profile directory */
	char *profile_name;
	bool want;
};

#define MAX_TARGETS 4
static struct target targets[MAX_TARGETS];
static size_t ntargets;
static bool targets_found;

static const char *target_label(enum target_kind k)
{
	switch (k) {
	case TGT_THUNDERBIRD:
		return "Thunderbird";
	case TGT_MUTT:
		return "mutt";
	case TGT_NEOMUTT:
		return "neomutt";
	default:
		return "msmtp";
	}
}

static void target_add(enum target_kind k, const char *writer, char *detail, bool want)
{
	struct target *t = &targets[ntargets++];
	memset(t, 0, sizeof *t);
	t->kind = k;
	t->writer = writer;
	t->detail = detail;
	t->want = want;
}

/* mutt_detail: "~/.muttrc sources ~/.config/mutt/accounts/ADDRESS.muttrc". */
static char *mutt_detail(const struct client_env *e, const char *rc, enum client_kind folder)
{
	char *dir = clients_config_dir(e, folder);
	char *acct = xasprintf("%s/accounts/%s.muttrc", dir, W.address);
	char *a = clients_tilde(e, acct), *r = clients_tilde(e, rc);
	/* TRANSLATORS: FILE1 sources FILE2 (muttrc's "source" command). */
	char *d = xasprintf(_("%s sources %s"), r, a);
	free(dir), free(acct), free(a), free(r);
	return d;
}

/* find_targets: once per wizard run, the clients whose configuration
 * exists here (a client without one is left to generate --install). */
static void find_targets(void)
{
	if (targets_found)
		return;
	targets_found = true;
	struct client_env e;
	if (!client_env_from_process(&e))
		return;
	struct tb_profile_info *p;
	size_t n = clients_thunderbird_profiles(&e, &p);
	if (n > 0 && (p[0].is_default || n == 1)) {
		/* TRANSLATORS: %s is the name of a Thunderbird profile. */
		target_add(TGT_THUNDERBIRD, "thunderbird",
		           xasprintf(_("profile %s (add the account to prefs.js)"), p[0].name),
		           true);
		targets[ntargets - 1].profile = xstrdup(p[0].path);
		targets[ntargets - 1].profile_name = xstrdup(p[0].name);
	}
	clients_thunderbird_profiles_free(p, n);
	bool exists;
	char *rc = clients_config_file(&e, CLIENT_MUTT, &exists);
	if (exists)
		target_add(TGT_MUTT, "mutt", mutt_detail(&e, rc, CLIENT_MUTT), true);
	free(rc);
	rc = clients_config_file(&e, CLIENT_NEOMUTT, &exists);
	if (exists) {
		const char *base = strrchr(rc, '/');
		bool own = base && strstr(base, "neomutt");
		char *r = clients_tilde(&e, rc);
		/* neomutt reading mutt's file is served by mutt's install. */
		target_add(TGT_NEOMUTT, "neomutt",
		           own ? mutt_detail(&e, rc, CLIENT_NEOMUTT)
		               : xasprintf(_("(reads %s too)"), r),
		           own);
		free(r);
	}
	free(rc);
	rc = clients_config_file(&e, CLIENT_MSMTP, &exists);
	if (exists) {
		char *r = clients_tilde(&e, rc);
		/* TRANSLATORS: FILE, account ADDRESS (an msmtp account). */
		target_add(TGT_MSMTP, "msmtp", xasprintf(_("%s, account %s"), r, W.address), true);
		free(r);
	}
	free(rc);
	/* With a client to set up, the settings sheet is not needed too. */
	for (size_t i = 0; i < ntargets; i++)
		if (targets[i].want)
			W.want[0] = false;
}

static size_t writer_index(const char *name)
{
	const struct writer *w = writer_find(name);
	return w ? (size_t)(w - writers) : 0;
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
		/* The provider's methods and page, when the server is the one
		 * discovery found (Thunderbird then gets OAuth2 where offered). */
		const struct disc_candidate *c = wiz_candidate(s);
		if (c) {
			enum account_auth m[AUTH_COUNT];
			size_t n = 0;
			for (size_t i = 0; i < c->nauth && n < AUTH_COUNT; i++)
				if (account_auth_parse(c->auth[i], &m[n]))
					n++;
			account_set_methods(t, m, n);
			account_set(&t->doc_url, c->doc_url);
			account_set(&t->doc_text, c->doc_url ? c->doc_text : NULL);
		}
		t->verified = W.res[d] && W.res[d]->ok;
		t->unverified = !t->verified && W.unverified[d];
		if (t->unverified)
			account_set(&t->unverified_reason, W.unverified_why[d]);
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
	/* The server's own Sent, Drafts and Trash, seen after the login. */
	if (W.in.proto == PROTO_IMAP && W.res[0] && W.res[0]->ok)
		ms_folders_copy(&a->folders, &W.res[0]->folders);
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

/* Rows: the targets first, then the writers; cur counts both. */
static size_t nwriters(void)
{
	return writers_count < 16 ? writers_count : 16;
}

/* row_writer: the writer a row previews. */
static size_t row_writer(size_t row)
{
	return row < ntargets ? writer_index(targets[row].writer) : row - ntargets;
}

/* folders_line: "Folders from the server: Sent, Drafts, Trash", or NULL. */
static char *folders_line(void)
{
	if (W.in.proto != PROTO_IMAP || !W.res[0] || !W.res[0]->ok)
		return NULL;
	const struct ms_folders *f = &W.res[0]->folders;
	if (!ms_folders_any(f))
		return NULL;
	struct buf b = {0};
	const char *v[] = {f->sent, f->drafts, f->trash, f->junk, f->archive};
	for (int i = 0; i < 5; i++)
		if (v[i])
			buf_addf(&b, "%s%s", b.len ? ", " : "", v[i]);
	char *names = escape_display_str(b.data);
	buf_free(&b);
	char *line = xasprintf(f->guessed ? _("Folders guessed from their names: %s")
	                                  : _("Folders from the server: %s"),
	                       names);
	free(names);
	return line;
}

static void draw_output(size_t cur, const char *message)
{
	if (!tui_frame(ntargets ? _("mailsetup - where the account goes")
	                        : _("mailsetup - write the settings"),
	               5,
	               ntargets ? _("Space choose   p path   s store password   Enter install   "
	                            "? help   Esc back")
	                        : _("Space choose   p path   s store password   Enter write   ? "
	                            "help   Esc back"))) {
		refresh();
		return;
	}
	size_t n = nwriters();
	int y = 3;
	for (size_t r = 0; r < ntargets + n; r++, y++) {
		bool is_target = r < ntargets;
		if (r == cur)
			attron(A_REVERSE);
		char line[64];
		if (is_target)
			snprintf(line, sizeof line, "[%s] %-14s", targets[r].want ? "x" : " ",
			         target_label(targets[r].kind));
		else
			snprintf(line, sizeof line, "[%s] %-14s", W.want[r - ntargets] ? "x" : " ",
			         writers[r - ntargets].name);
		tui_put(y, 2, 20, line);
		if (r == cur)
			attroff(A_REVERSE);
		char *t = is_target ? xstrdup(targets[r].detail) : wiz_tilde(W.path[r - ntargets]);
		char *p = escape_display_str(t);
		tui_put(y, 21, 57, p);
		free(p), free(t);
	}
	y++;
	char *fl = folders_line();
	if (fl && ntargets) {
		tui_put(y++, 2, 76, fl);
	}
	free(fl);
	tui_put(y++, 2, 76,
	        W.store_password
	            ? _("Password: stored in a separate mode-0600 file (mutt, neomutt, msmtp)")
	            : _("Password: not written; your mail client asks for it"));
	size_t wi = row_writer(cur);
	if (cur >= ntargets)
		tui_put(y++, 2, 76, _(writers[wi].description));
	mvhline(y, 0, ACS_HLINE, 80);
	tui_put(y++, 2, 30, _(" preview "));
	struct buf text = {0};
	struct ms_err err;
	err_clear(&err);
	int last = message ? 20 : 22;
	if (render(wi, &text, NULL, &err)) {
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
	             v, NULL, NULL, false) == TUI_NEXT &&
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

/* install: into each chosen client; the files and what is left to do
 * into report, the clients set up into set_up.  A failed client is
 * named with the reason and the others still go ahead. */
static void install(struct buf *report, struct buf *set_up, struct buf *todo)
{
	struct install_report r = {0};
	struct client_env e;
	if (!client_env_from_process(&e))
		return;
	for (size_t i = 0; i < ntargets; i++) {
		struct target *t = &targets[i];
		if (!t->want)
			continue;
		struct account a;
		fill_account(&a, writer_index(t->writer));
		if (W.store_password && W.password && *W.password && t->kind != TGT_THUNDERBIRD) {
			/* Each client's install puts it beside its own files. */
			a.password_mode = PASSWORD_STORED;
			account_set(&a.password, W.password);
			account_set(&a.password_file, "-");
		}
		struct ms_err err;
		err_clear(&err);
		bool ok = account_validate(&a, W.o.allow_plaintext, &err);
		if (ok && t->kind == TGT_THUNDERBIRD)
			ok = install_thunderbird(&a, t->profile, &r, &err);
		else if (ok && t->kind == TGT_MSMTP)
			ok = install_msmtp(&a, &e, &r, &err);
		else if (ok)
			ok = install_mutt(
			    &a, &e, t->kind == TGT_MUTT ? CLIENT_MUTT : CLIENT_NEOMUTT, &r, &err);
		account_free(&a);
		if (ok) {
			buf_addf(set_up, "%s%s", set_up->len ? ", " : "", target_label(t->kind));
			t->want = false;
		} else {
			/* TRANSLATORS: CLIENT: not set up: REASON */
			buf_addf(report, _("%s: not set up: %s\n"), target_label(t->kind), err.msg);
		}
	}
	for (size_t i = 0; i < r.nchanges; i++) {
		const struct install_change *c = &r.changes[i];
		char *f = wiz_tilde(c->file);
		buf_addf(report, "%s %s", install_action_word(c->action), f);
		if (c->backup) {
			char *b = wiz_tilde(c->backup);
			/* TRANSLATORS: the backup of the file just named. */
			buf_addf(report, _(" (old: %s)"), b);
			free(b);
		}
		buf_addc(report, '\n');
		free(f);
	}
	for (size_t i = 0; i < r.ntodo; i++)
		buf_addf(todo, "- %s\n", r.todo[i]);
	install_report_free(&r);
}

/* save: install into the chosen clients, write each chosen format; the
 * report of what went where, and what it means. */
static char *save(size_t cur)
{
	struct buf report = {0}, set_up = {0}, todo = {0};
	buf_adds(&report, "");
	write_certs_bundle(&report);
	install(&report, &set_up, &todo);
	bool wrote = false;
	size_t n = nwriters();
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
			wrote = true;
		} else {
			buf_addf(&report, "%s: %s\n", writers[i].name, err.msg);
		}
		free(shown);
	next:
		buf_free(&text);
		buf_cleanse(&secret);
	}
	/* Claim "set up" only for the clients installed into, and only for
	 * settings that were verified. */
	struct account shown_acct;
	fill_account(&shown_acct, 0);
	char *note_in = account_unverified_note(&shown_acct.in, _("incoming"));
	char *note_out = account_unverified_note(&shown_acct.out, _("outgoing"));
	account_free(&shown_acct);
	if (set_up.len && (note_in || note_out))
		buf_addf(&report,
		         _("\nYour account is added to: %s, with settings that are NOT "
		           "VERIFIED:\n"),
		         set_up.data);
	else if (set_up.len)
		buf_addf(&report, _("\nYour account is set up in: %s.\n"), set_up.data);
	if (!set_up.len && wrote)
		buf_addf(&report, "\n%s\n",
		         _("No mail client was set up: the files above take effect once you "
		           "add them to your client's configuration."));
	if ((set_up.len || wrote) && note_in)
		buf_addf(&report, "%s\n", note_in);
	if ((set_up.len || wrote) && note_out)
		buf_addf(&report, "%s\n", note_out);
	free(note_in), free(note_out);
	if (todo.len)
		buf_addf(&report, "%s\n%s", _("Left to do:"), todo.data);
	buf_free(&set_up);
	buf_free(&todo);
	return buf_steal(&report);
}

/* 0 back, 1 done */
int screen_output(void)
{
	size_t nw = nwriters();
	find_targets();
	size_t n = ntargets + nw;
	char *dir = wiz_config_dir();
	for (size_t i = 0; i < nw; i++) {
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
		if ((ch == ' ' || ch == 'x') && cur < ntargets)
			targets[cur].want = !targets[cur].want;
		else if (ch == ' ' || ch == 'x')
			W.want[cur - ntargets] = !W.want[cur - ntargets];
		else if (ch == 'k' && cur > 0)
			cur--;
		else if (ch == 'j' && cur + 1 < n)
			cur++;
		else if (ch == 'p' && cur >= ntargets)
			edit_path(cur - ntargets);
		else if (ch == 's')
			W.store_password = !W.store_password && W.password && *W.password;
		else if (ch == '\r' || ch == '\n')
			goto enter;
		continue;
	enter:;
		bool any = false;
		for (size_t i = 0; i < nw; i++)
			any |= W.want[i];
		for (size_t i = 0; i < ntargets; i++) {
			any |= targets[i].want;
			/* Thunderbird rewrites prefs.js when it exits: wait for it. */
			if (targets[i].want && targets[i].kind == TGT_THUNDERBIRD &&
			    clients_thunderbird_running(targets[i].profile)) {
				msg = _("Thunderbird is running: close Thunderbird and press Enter "
				        "again (or Space to leave it out).");
				any = false;
				cur = i;
				break;
			}
		}
		if (msg)
			continue;
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
