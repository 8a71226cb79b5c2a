/* text.c - the settings sheet a person copies into any mail client. */
#include "config.h"

#include "writers/writers.h"

#include "base/alloc.h"
#include "base/escape.h"
#include "base/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Values come from the user or a report: shown through escape_display
 * so that nothing in them can drive the terminal it is printed on. */
static void row(struct buf *out, const char *label, const char *value)
{
	char *v = escape_display_str(value);
	/* Pad by characters, not bytes: translated labels are not ASCII
	 * ("Sécurité :") and the values must still line up.  Counting code
	 * points is exact for the Latin, Greek and Cyrillic scripts labels
	 * are written in, and needs no locale (the sheet is a file). */
	int chars = 0;
	for (const char *p = label; *p; p++)
		chars += ((unsigned char)*p & 0xc0) != 0x80;
	buf_addf(out, "  %-*s %s\n", 16 + (int)strlen(label) - chars, label, v);
	free(v);
}

static const char *security_text(enum ms_security s)
{
	switch (s) {
	case SEC_TLS:
		return _("SSL/TLS (encrypted from the start)");
	case SEC_STARTTLS:
		return _("STARTTLS (encrypted after connecting)");
	default:
		return _("none (unencrypted!)");
	}
}

static const char *auth_text(enum account_auth a)
{
	switch (a) {
	case AUTH_PASSWORD_ENCRYPTED:
		return _("encrypted password");
	case AUTH_OAUTH2:
		return _("OAuth2 (sign-in in a browser)");
	case AUTH_CLIENT_IP:
		return _("none (the server trusts your network address)");
	case AUTH_NONE:
		return _("none");
	case AUTH_GSSAPI:
		return _("Kerberos (GSSAPI)");
	case AUTH_NTLM:
		return _("NTLM");
	case AUTH_TLS_CLIENT_CERT:
		return _("TLS client certificate");
	default:
		return _("normal password");
	}
}

/* auth_rows: every method the provider offers, in its order. */
static void auth_rows(struct buf *out, const struct account_server *s)
{
	if (s->nauth <= 1) {
		row(out, _("Authentication:"), auth_text(s->nauth ? s->methods[0] : s->auth));
		return;
	}
	for (size_t i = 0; i < s->nauth; i++) {
		char *t = xasprintf(i == 0 ? _("%s (the provider's first choice)") : "%s",
		                    auth_text(s->methods[i]));
		row(out, i == 0 ? _("Authentication:") : _("  or:"), t);
		free(t);
	}
}

static void server(struct buf *out, const char *title, const struct account *a,
                   const struct account_server *s)
{
	char port[8];
	snprintf(port, sizeof port, "%u", (unsigned)account_port(s));
	buf_addf(out, "\n%s (%s)\n", title,
	         s->proto == PROTO_IMAP   ? "IMAP"
	         : s->proto == PROTO_POP3 ? "POP3"
	                                  : "SMTP");
	row(out, _("Server:"), s->host);
	row(out, _("Port:"), port);
	row(out, _("Security:"), security_text(s->security));
	row(out, _("Username:"), account_username(a, s));
	auth_rows(out, s);
	if (s->doc_url) {
		row(out, _("Provider's page:"), s->doc_url);
		if (s->doc_text && *s->doc_text)
			row(out, "", s->doc_text);
	}
	char *note =
	    account_unverified_note(s, s->proto == PROTO_SMTP ? _("outgoing") : _("incoming"));
	if (note) {
		row(out, _("Verified:"), note);
		free(note);
	} else if (s->verified && s->verified_at && *s->verified_at) {
		char *when = escape_display_str(s->verified_at);
		char *v = xasprintf(_("yes, by mailsetup at %s"), when);
		row(out, _("Verified:"), v);
		free(v);
		free(when);
	} else {
		row(out, _("Verified:"), s->verified ? _("yes, by mailsetup") : _("not tested"));
	}
	if (s->trusted_sha256) {
		row(out, _("Certificate:"),
		    _("cannot be verified; you chose to trust exactly the one with this SHA-256 "
		      "fingerprint (accept it in your client only if it matches):"));
		row(out, "", s->trusted_sha256);
	}
}

bool write_text(const struct account *a, const struct writer_opts *o, struct buf *out,
                struct ms_err *err)
{
	char *addr = escape_display_str(a->address);
	buf_addf(out, _("Mail settings for %s"), addr);
	free(addr);
	buf_adds(out, "\n");
	if (a->name && *a->name)
		row(out, _("Name:"), a->name);
	row(out, _("Address:"), a->address);
	if (a->in.set)
		server(out, _("Incoming mail"), a, &a->in);
	if (a->out.set)
		server(out, _("Outgoing mail"), a, &a->out);
	if (a->in.set && a->in.proto == PROTO_IMAP && ms_folders_any(&a->folders)) {
		const struct ms_folders *f = &a->folders;
		buf_addf(out, "\n%s\n",
		         f->guessed ? _("Folders (guessed from their names: the server "
		                        "marks none)")
		                    : _("Folders (as the server marks them)"));
		const char *labels[] = {_("Sent:"), _("Drafts:"), _("Trash:"), _("Junk:"),
		                        _("Archive:")};
		const char *vals[] = {f->sent, f->drafts, f->trash, f->junk, f->archive};
		for (int i = 0; i < 5; i++)
			if (vals[i])
				row(out, labels[i], vals[i]);
	}
	buf_adds(out, "\n");
	switch (a->password_mode) {
	case PASSWORD_COMMAND:
		row(out, _("Password:"), _("from the command below"));
		row(out, "", a->password_command);
		break;
	case PASSWORD_STORED:
		row(out, _("Password:"), _("stored in the file below"));
		row(out, "", a->password_file);
		break;
	default:
		row(out, _("Password:"), _("your account password (not written here)"));
		break;
	}
	if (o && o->generated_at && *o->generated_at)
		row(out, _("Generated:"), o->generated_at);
	(void)err;
	return true;
}
