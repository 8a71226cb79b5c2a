/* muttrc.c - a snippet for mutt 2.x and neomutt (formats "mutt" and
 * "neomutt": one text accepted by both).
 *
 * Only variables both programs know are used: realname, from, folder,
 * spoolfile, imap_user, imap_pass, pop_host, pop_user, pop_pass,
 * smtp_url, smtp_pass, ssl_force_tls, ssl_starttls,
 * ssl_ca_certificates_file and the *_authenticators.
 *
 * Every value is written inside double quotes, where mutt and neomutt
 * still expand backslash escapes, `commands` and $VARIABLES; so \ " ` $
 * are escaped, and control characters become \ooo octal escapes.
 * A password command is the one place a backtick is written on purpose.
 */
#include "config.h"

#include "writers/writers.h"

#include "base/alloc.h"
#include "base/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void muttrc_quote(struct buf *out, const char *s)
{
	buf_addc(out, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '\\' || *p == '"' || *p == '`' || *p == '$') {
			buf_addc(out, '\\');
			buf_addc(out, (char)*p);
		} else if (*p < 0x20 || *p == 0x7f) {
			buf_addf(out, "\\%03o", *p);
		} else {
			buf_addc(out, (char)*p);
		}
	}
	buf_addc(out, '"');
}

void url_userinfo(struct buf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p)) {
			buf_addc(out, (char)*p);
		} else {
			buf_addc(out, '%');
			buf_addc(out, hex[*p >> 4]);
			buf_addc(out, hex[*p & 15]);
		}
	}
}

/* comment: a muttrc comment of a (translated) text. */
static void comment(struct buf *out, const char *text)
{
	line_comment(out, "# ", text);
}

static void set_var(struct buf *out, const char *var, const char *value)
{
	buf_addf(out, "set %s = ", var);
	muttrc_quote(out, value);
	buf_addc(out, '\n');
}

/* server_url: scheme://user@host:port/ with the user name %-encoded and
 * an IPv6 address in brackets. */
static void server_url(struct buf *out, const char *scheme, const char *user,
                       const struct account_server *s)
{
	struct buf u = {0};
	buf_addf(&u, "%s://", scheme);
	url_userinfo(&u, user);
	if (strchr(s->host, ':'))
		buf_addf(&u, "@[%s]:%u/", s->host, (unsigned)account_port(s));
	else
		buf_addf(&u, "@%s:%u/", s->host, (unsigned)account_port(s));
	muttrc_quote(out, u.data);
	buf_free(&u);
}

static const char *security_words(enum ms_security s)
{
	switch (s) {
	case SEC_TLS:
		return _("TLS");
	case SEC_STARTTLS:
		return _("STARTTLS");
	default:
		return _("no encryption");
	}
}

/* folders: record, postponed and trash on the server's own folders ("+"
 * is relative to $folder, set above). */
static void folders(struct buf *out, const struct ms_folders *f)
{
	if (!ms_folders_any(f))
		return;
	comment(out, f->guessed ? _("Folders guessed from their names (the server marks none):")
	                        : _("The server's own folders for sent mail, drafts and trash:"));
	const char *vars[] = {"record", "postponed", "trash"};
	const char *vals[] = {f->sent, f->drafts, f->trash};
	for (int i = 0; i < 3; i++) {
		if (!vals[i])
			continue;
		char *v = xasprintf("+%s", vals[i]);
		set_var(out, vars[i], v);
		free(v);
	}
}

/* mailboxes: last of all, because neomutt connects to an IMAP mailbox
 * when it reads this command, so TLS, CA file and password must be set. */
static void mailboxes(struct buf *out, const struct ms_folders *f)
{
	if (!ms_folders_any(f))
		return;
	buf_adds(out, "\nmailboxes \"+INBOX\"");
	const char *all[] = {f->sent, f->drafts, f->trash, f->junk, f->archive};
	for (int i = 0; i < 5; i++) {
		if (!all[i])
			continue;
		char *v = xasprintf("+%s", all[i]);
		buf_addc(out, ' ');
		muttrc_quote(out, v);
		free(v);
	}
	buf_addc(out, '\n');
}

static void password_command(struct buf *out, const char *var, const char *cmd)
{
	/* Inside double quotes mutt and neomutt run `...` and insert the
	 * first line of its output as it is (no further expansion). */
	buf_addf(out, "set %s = \"`%s`\"\n", var, cmd);
}

static void authenticators(struct buf *out, const char *var, enum account_auth auth)
{
	if (auth == AUTH_PASSWORD_ENCRYPTED) {
		set_var(out, var, "cram-md5");
	} else if (auth == AUTH_OAUTH2) {
		set_var(out, var, "oauthbearer:xoauth2");
		comment(out,
		        _("OAuth2 also needs a token command: see imap_oauth_refresh_command,\n"
		          "pop_oauth_refresh_command and smtp_oauth_refresh_command."));
	}
}

bool write_muttrc(const struct account *a, const struct writer_opts *o, struct buf *out,
                  struct ms_err *err)
{
	const struct account_server *in = a->in.set ? &a->in : NULL;
	const struct account_server *sm = a->out.set ? &a->out : NULL;

	comment(out, _("mutt/neomutt settings written by mailsetup."));
	buf_adds(out, "\n");
	if (a->name && *a->name)
		set_var(out, "realname", a->name);
	set_var(out, "from", a->address);

	if (in) {
		const char *user = account_username(a, in);
		bool imap = in->proto == PROTO_IMAP;
		char *head =
		    xasprintf(_("Incoming mail: %s on %s, port %u, %s"), imap ? "IMAP" : "POP3",
		              in->host, (unsigned)account_port(in), security_words(in->security));
		buf_adds(out, "\n");
		comment(out, head);
		free(head);
		if (imap) {
			set_var(out, "imap_user", user);
			buf_adds(out, "set folder = ");
			server_url(out, in->security == SEC_TLS ? "imaps" : "imap", user, in);
			buf_adds(out, "\n");
			set_var(out, "spoolfile", "+INBOX");
			folders(out, &a->folders);
			authenticators(out, "imap_authenticators", in->auth);
			if (a->password_mode == PASSWORD_COMMAND)
				password_command(out, "imap_pass", a->password_command);
		} else {
			const char *scheme = in->security == SEC_TLS ? "pops" : "pop";
			set_var(out, "pop_user", user);
			buf_adds(out, "set pop_host = ");
			server_url(out, scheme, user, in);
			buf_adds(out, "\nset spoolfile = ");
			server_url(out, scheme, user, in);
			buf_adds(out, "\n");
			authenticators(out, "pop_authenticators", in->auth);
			if (a->password_mode == PASSWORD_COMMAND)
				password_command(out, "pop_pass", a->password_command);
		}
	}
	if (sm) {
		char *head = xasprintf(_("Outgoing mail: SMTP on %s, port %u, %s"), sm->host,
		                       (unsigned)account_port(sm), security_words(sm->security));
		buf_adds(out, "\n");
		comment(out, head);
		free(head);
		buf_adds(out, "set smtp_url = ");
		server_url(out, sm->security == SEC_TLS ? "smtps" : "smtp", account_username(a, sm),
		           sm);
		buf_adds(out, "\n");
		authenticators(out, "smtp_authenticators", sm->auth);
		if (a->password_mode == PASSWORD_COMMAND)
			password_command(out, "smtp_pass", a->password_command);
	}

	bool plain = (in && in->security == SEC_PLAIN) || (sm && sm->security == SEC_PLAIN);
	buf_adds(out, "\n");
	if (plain) {
		comment(out, _("WARNING: a server is set up without encryption; the password\n"
		               "travels in clear text."));
		buf_adds(out, "set ssl_force_tls = no\n");
		buf_adds(out, "set ssl_starttls = no\n");
	} else {
		comment(out, _("Never connect without TLS; use STARTTLS where the port needs it."));
		buf_adds(out, "set ssl_force_tls = yes\n");
		buf_adds(out, "set ssl_starttls = yes\n");
	}
	if (a->cafile && *a->cafile)
		set_var(out, "ssl_ca_certificates_file", a->cafile);
	const struct account_server *pinned[2] = {in, sm};
	for (int i = 0; i < 2; i++) {
		const struct account_server *s = pinned[i];
		if (!s || !s->trusted_sha256)
			continue;
		char *t =
		    xasprintf(a->trusted_certs_file && *a->trusted_certs_file
		                  ? _("The certificate of %s cannot be verified; you chose to "
		                      "trust exactly\nthe one with SHA-256 %s: it is in the "
		                      "certificate_file below.")
		                  : _("The certificate of %s cannot be verified: accept it "
		                      "only if its\nSHA-256 fingerprint is %s."),
		              s->host, s->trusted_sha256);
		comment(out, t);
		free(t);
	}
	if (a->trusted_certs_file && *a->trusted_certs_file) {
		comment(out,
		        _("certificate_file is one setting for all of mutt: mutt accepts exactly\n"
		          "the certificates in it, and adds those you accept always."));
		set_var(out, "certificate_file", a->trusted_certs_file);
	}
	if (a->password_mode == PASSWORD_STORED) {
		buf_adds(out, "\n");
		comment(out, _("The password is kept in a separate file that only you can read."));
		buf_adds(out, "source ");
		muttrc_quote(out, a->password_file);
		buf_adds(out, "\n");
	}
	if (in && in->proto == PROTO_IMAP)
		mailboxes(out, &a->folders);
	(void)o;
	(void)err;
	return true;
}

bool write_muttrc_secret(const struct account *a, struct buf *out, struct ms_err *err)
{
	comment(out, _("mailsetup: the password for the account above. Keep this file private."));
	if (a->in.set)
		set_var(out, a->in.proto == PROTO_POP3 ? "pop_pass" : "imap_pass", a->password);
	if (a->out.set)
		set_var(out, "smtp_pass", a->password);
	(void)err;
	return true;
}
