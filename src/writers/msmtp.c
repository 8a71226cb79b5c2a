/* msmtp.c - an msmtprc account (mutt users often send through msmtp).
 *
 * msmtp's configuration has no escapes: an argument enclosed in double
 * quotes loses those two quotes and is otherwise taken as it is (checked
 * with msmtp 1.8.23 --pretend).  So every argument is written quoted,
 * which keeps leading/trailing blanks and inner quotes intact; a line
 * break cannot be represented at all and is refused.
 */
#include "config.h"

#include "writers/writers.h"

#include "base/i18n.h"

#include <stdlib.h>

#include <string.h>

void sh_quote(struct buf *out, const char *s)
{
	buf_addc(out, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			buf_adds(out, "'\\''");
		else
			buf_addc(out, *s);
	}
	buf_addc(out, '\'');
}

static bool has_line_end(const char *s)
{
	return s && strpbrk(s, "\r\n");
}

static void arg(struct buf *out, const char *cmd, const char *value)
{
	buf_addf(out, "%s \"%s\"\n", cmd, value);
}

bool write_msmtp(const struct account *a, const struct writer_opts *o, struct buf *out,
                 struct ms_err *err)
{
	const struct account_server *s = &a->out;
	if (!s->set) {
		err_set(err, ERR_USAGE, "%s",
		        _("the msmtp format needs an outgoing (SMTP) server"));
		return false;
	}
	const char *user = account_username(a, s);
	if (has_line_end(a->address) || has_line_end(s->host) || has_line_end(user) ||
	    has_line_end(a->cafile) || has_line_end(s->trusted_sha256) ||
	    has_line_end(a->password_command) || has_line_end(a->password_file)) {
		err_set(err, ERR_USAGE, "%s", _("msmtp cannot hold a line break inside a value"));
		return false;
	}
	buf_adds(out, "# ");
	buf_adds(out, _("msmtp account written by mailsetup; choose it with: msmtp -a ADDRESS"));
	buf_adds(out, "\n");
	char *note = account_unverified_note(s, _("outgoing"));
	if (note) {
		line_comment(out, "# ", note);
		free(note);
	}
	arg(out, "account", a->address);
	arg(out, "host", s->host);
	buf_addf(out, "port %u\n", (unsigned)account_port(s));
	buf_adds(out, s->security == SEC_PLAIN ? "tls off\n" : "tls on\n");
	buf_adds(out, s->security == SEC_STARTTLS ? "tls_starttls on\n" : "tls_starttls off\n");
	if (s->security != SEC_PLAIN && s->trusted_sha256) {
		line_comment(out, "# ",
		             _("The server's certificate cannot be verified; you chose to trust\n"
		               "exactly this one, by its SHA-256 fingerprint."));
		arg(out, "tls_fingerprint", s->trusted_sha256);
	} else if (s->security != SEC_PLAIN) {
		arg(out, "tls_trust_file", a->cafile && *a->cafile ? a->cafile : "system");
	}
	/* A password by default; OAuth2 only when the provider takes nothing
	 * else, and then with the token command (msmtp reads the token from
	 * passwordeval) and a comment naming what the person must supply. */
	bool oauth = account_oauth2_only(s);
	if (oauth) {
		bool own = a->password_mode == PASSWORD_COMMAND && a->password_command;
		if (own)
			line_comment(
			    out, "# ",
			    _("OAuth2 only: the provider takes no password on this server; "
			      "msmtp\nsends the access token printed by your command."));
		else
			line_comment(
			    out, "# ",
			    _("OAuth2 only: the provider takes no password on this server. msmtp\n"
			      "sends an access token that a program prints, and mailsetup writes "
			      "none:\n"
			      "YOU MUST SUPPLY THE TOKEN COMMAND in passwordeval below (for "
			      "example\n"
			      "mutt_oauth2.py from mutt's examples, registered once with "
			      "--authorize),\n"
			      "or generate again with --password-command \"YOUR TOKEN COMMAND\"."));
		if (s->doc_url && !has_line_end(s->doc_url)) {
			buf_adds(out, "# ");
			buf_addf(out, _("The provider's page: %s"), s->doc_url);
			buf_addc(out, '\n');
		}
		buf_adds(out, "auth oauthbearer\n");
	} else if (account_password_method(s) == AUTH_PASSWORD_ENCRYPTED) {
		buf_adds(out, "auth cram-md5\n");
	} else {
		if (account_offers(s, AUTH_OAUTH2)) {
			buf_adds(out, "# ");
			buf_adds(out,
			         _("The provider also offers OAuth2 (auth oauthbearer with a token "
			           "command in passwordeval)."));
			buf_addc(out, '\n');
			if (s->doc_url && !has_line_end(s->doc_url)) {
				buf_adds(out, "# ");
				buf_addf(out, _("If it refuses your password, see: %s"),
				         s->doc_url);
				buf_addc(out, '\n');
			}
		}
		buf_adds(out, "auth on\n");
	}
	arg(out, "user", user);
	arg(out, "from", a->address);
	if (oauth && a->password_mode != PASSWORD_COMMAND) {
		struct buf cmd = {0};
		buf_addf(&cmd, "mutt_oauth2.py ~/.config/msmtp/%s.tokens", a->address);
		arg(out, "passwordeval", cmd.data);
		buf_free(&cmd);
	} else if (a->password_mode == PASSWORD_COMMAND) {
		arg(out, "passwordeval", a->password_command);
	} else if (a->password_mode == PASSWORD_STORED) {
		/* The password stays in its own mode-0600 file; msmtp reads the
		 * first line of the command's output. */
		struct buf cmd = {0};
		buf_adds(&cmd, "cat ");
		sh_quote(&cmd, a->password_file);
		arg(out, "passwordeval", cmd.data);
		buf_free(&cmd);
	}
	(void)o;
	return true;
}

bool write_msmtp_secret(const struct account *a, struct buf *out, struct ms_err *err)
{
	if (has_line_end(a->password)) {
		err_set(err, ERR_USAGE, "%s", _("the password contains a line break"));
		return false;
	}
	buf_adds(out, a->password);
	buf_addc(out, '\n');
	return true;
}
