/* test_writers.c - every writer renders known accounts exactly as the
 * golden files in tests/golden/ say, and hostile values stay inert.
 *
 * MS_UPDATE_GOLDEN=1 rewrites the golden files from the current output
 * (then review the diff before committing it).
 */
#include "config.h"

#include "account.h"
#include "base/alloc.h"
#include "base/buf.h"
#include "slurp.h"
#include "tap.h"
#include "writers/writers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void golden(const char *name, const char *got)
{
	const char *top = getenv("top_srcdir");
	char path[4096];
	snprintf(path, sizeof path, "%s/tests/golden/%s", top ? top : "..", name);
	if (getenv("MS_UPDATE_GOLDEN")) {
		FILE *f = fopen(path, "wb");
		if (f) {
			fputs(got, f);
			fclose(f);
		}
	}
	char *want = slurp(path);
	if (!want) {
		ok(0, "golden %s: cannot read %s", name, path);
		return;
	}
	is_str(got, want, "golden %s", name);
	free(want);
}

/* The account most tests start from: IMAP TLS + SMTP TLS. */
static void base_account(struct account *a)
{
	account_init(a);
	account_set(&a->name, "Zo\xc3\xab \xc3\x85ngstr\xc3\xb6m");
	account_set(&a->address, "zoe@example.org");
	a->in.set = true;
	a->in.proto = PROTO_IMAP;
	account_set(&a->in.host, "imap.example.org");
	a->in.security = SEC_TLS;
	a->out.set = true;
	a->out.proto = PROTO_SMTP;
	account_set(&a->out.host, "smtp.example.org");
	a->out.security = SEC_TLS;
}

static char *render(const char *format, const struct account *a, const struct writer_opts *o)
{
	struct buf b = {0};
	struct ms_err e;
	err_clear(&e);
	const struct writer *w = writer_find(format);
	if (!w || !w->write(a, o, &b, &e)) {
		buf_free(&b);
		return xasprintf("ERROR: %s", e.msg);
	}
	return buf_steal(&b);
}

/* like_err: s is a writer's refusal mentioning needle; frees s. */
static void like_err(char *s, const char *needle, const char *what)
{
	int good = s && strncmp(s, "ERROR: ", 7) == 0 && strstr(s, needle);
	ok(good, "%s", what);
	if (!good)
		printf("#   got: %s\n", s ? s : "(null)");
	free(s);
}

int main(void)
{
	plan(51);
	struct account a;
	struct writer_opts wo = {.profile = NULL, .generated_at = "2024-05-01T12:00:00Z"};
	char *s;

	/* ---- mutt/neomutt ---- */
	base_account(&a);
	a.password_mode = PASSWORD_COMMAND;
	account_set(&a.password_command, "pass show mail/zoe");
	account_set(&a.cafile, "/etc/ssl/my ca.pem");
	s = render("mutt", &a, &wo);
	golden("imap-tls.muttrc", s);
	char *s2 = render("neomutt", &a, &wo);
	is_str(s2, s, "neomutt and mutt get the same snippet");
	free(s2);
	free(s);
	account_free(&a);

	base_account(&a);
	a.in.proto = PROTO_POP3;
	a.in.security = SEC_STARTTLS;
	a.out.security = SEC_STARTTLS;
	account_set(&a.in.username, "zoe");
	a.out.auth = AUTH_PASSWORD_ENCRYPTED;
	a.password_mode = PASSWORD_STORED;
	account_set(&a.password, "se\"cr`et$");
	account_set(&a.password_file, "/home/zoe/.config/mutt/zoe.muttrc.password");
	s = render("mutt", &a, &wo);
	golden("pop3-starttls.muttrc", s);
	free(s);
	struct buf sec = {0};
	struct ms_err e;
	ok(write_muttrc_secret(&a, &sec, &e), "the muttrc password file renders");
	golden("pop3-starttls.muttrc.password", sec.data);
	buf_free(&sec);
	account_free(&a);

	/* ---- Thunderbird prefs: new profile, then one with accounts ---- */
	base_account(&a);
	a.out.security = SEC_STARTTLS;
	a.out.port = 587;
	s = render("thunderbird", &a, &wo);
	golden("new-profile.user.js", s);
	free(s);

	struct tb_profile p;
	thunderbird_profile_scan(
	    "// Mozilla User Preferences\n"
	    "user_pref(\"mail.accountmanager.accounts\", \"account1,account2\");\n"
	    "user_pref(\"mail.accountmanager.defaultaccount\", \"account1\");\n"
	    "user_pref(\"mail.accountmanager.localfoldersserver\", \"server2\");\n"
	    "user_pref(\"mail.account.account1.server\", \"server1\");\n"
	    "user_pref(\"mail.server.ms_server_zoe_example_org.hostname\", \"x\");\n"
	    "user_pref(\"mail.smtpservers\", \"smtp1\");\n"
	    "user_pref(\"mail.smtpserver.smtp1.hostname\", \"smtp.old.example\");\n",
	    &p);
	is_str(p.accounts, "account1,account2", "profile scan: the account list");
	is_str(p.smtpservers, "smtp1", "profile scan: the SMTP server list");
	is_str(p.default_account, "account1", "profile scan: the default account");
	wo.profile = &p;
	s = render("thunderbird", &a, &wo);
	wo.profile = NULL;
	golden("existing-profile.user.js", s);
	ok(s && strstr(s, "\"mail.accountmanager.accounts\", "
	                  "\"account1,account2,ms_account_zoe_example_org_2\""),
	   "existing accounts (and Local Folders) stay in the list, the new one is appended");
	ok(s && !strstr(s, "mail.server.ms_server_zoe_example_org."),
	   "a key the profile already uses is not reused (suffix _2)");
	ok(s && !strstr(s, "defaultaccount"), "the profile's default account is left alone");
	free(s);
	thunderbird_profile_free(&p);

	/* ---- autoconfig, text, msmtp ---- */
	s = render("autoconfig", &a, &wo);
	golden("example.org.config-v1.1.xml", s);
	free(s);
	account_free(&a);

	base_account(&a);
	a.in.verified = true;
	account_set(&a.in.verified_at, "2024-05-01T11:59:00Z");
	s = render("text", &a, &wo);
	golden("settings.txt", s);
	free(s);

	a.out.security = SEC_STARTTLS;
	a.password_mode = PASSWORD_COMMAND;
	account_set(&a.password_command, "secret-tool lookup mail \"zoe's\"");
	account_set(&a.cafile, "/etc/ssl/ca.pem");
	s = render("msmtp", &a, &wo);
	golden("starttls.msmtprc", s);
	free(s);
	a.password_mode = PASSWORD_STORED;
	account_set(&a.password, "pw");
	account_set(&a.password_file, "/home/zoe/it's.password");
	s = render("msmtp", &a, &wo);
	ok(s && strstr(s, "passwordeval \"cat '/home/zoe/it'\\''s.password'\"\n"),
	   "msmtp: a stored password is read with cat and a shell-quoted path");
	free(s);
	account_free(&a);

	/* ---- writers refuse what their format cannot express ---- */
	base_account(&a);
	a.out.set = false;
	s = render("msmtp", &a, &wo);
	like_err(s, "outgoing", "msmtp without an SMTP server is refused");
	s = render("autoconfig", &a, &wo);
	like_err(s, "both", "autoconfig without an SMTP server is refused");
	a.out.set = true;
	a.in.set = false;
	s = render("thunderbird", &a, &wo);
	like_err(s, "incoming", "a Thunderbird account without an incoming server is refused");
	account_free(&a);

	/* ---- escapers ---- */
	struct buf b = {0};
	muttrc_quote(&b, "a\"b\\c`d$e\nf\x1b");
	is_str(b.data, "\"a\\\"b\\\\c\\`d\\$e\\012f\\033\"",
	       "muttrc: \" \\ ` $ escaped, controls octal");
	buf_reset(&b);
	url_userinfo(&b, "zoe@x.org:/ %?#");
	is_str(b.data, "zoe%40x.org%3A%2F%20%25%3F%23",
	       "URL user: @ is %%40, reserved bytes encoded");
	buf_reset(&b);
	xml_escape(&b, "<a href='x'>&\"\n\x01\xff");
	is_str(b.data, "&lt;a href=&apos;x&apos;&gt;&amp;&quot;&#10;\xef\xbf\xbd\xef\xbf\xbd",
	       "XML: entities, newline as &#10;, C0 and invalid UTF-8 as U+FFFD");
	buf_reset(&b);
	js_escape(&b, "a\"b\\c'd\n\xe2\x80\xa8z\xc3\xab");
	is_str(b.data, "a\\\"b\\\\c\\'d\\u000a\\u2028z\xc3\xab",
	       "JS: quotes and backslash escaped, newline and U+2028 as \\u, UTF-8 kept");
	buf_reset(&b);
	sh_quote(&b, "it's $(x)");
	is_str(b.data, "'it'\\''s $(x)'", "shell: single-quoted, ' as '\\''");
	buf_free(&b);

	/* ---- hostile values reach no writer as code ---- */
	const char *evil_name =
	    "Eve\" `touch /tmp/pwned` $HOME\nset imap_pass=\"x\" </clientConfig>";
	base_account(&a);
	char *plain_prefs = render("thunderbird", &a, &wo);
	account_set(&a.name, evil_name);
	account_set(&a.in.username, "u\"ser`id`$x\n@evil");
	account_set(&a.out.username, "u\"ser`id`$x\n@evil");
	s = render("mutt", &a, &wo);
	ok(s && !strstr(s, "\nset imap_pass"), "muttrc: a newline in the name starts no command");
	ok(s && strstr(s, "set realname = \"Eve\\\" \\`touch /tmp/pwned\\` \\$HOME\\012set "
	                  "imap_pass=\\\"x\\\""),
	   "muttrc: the hostile name is one escaped string");
	ok(s && strstr(s, "imaps://u%22ser%60id%60%24x%0A%40evil@imap.example.org:993/"),
	   "muttrc: the hostile user name is %%-encoded in the URL");
	free(s);
	s = render("thunderbird", &a, &wo);
	ok(s && strstr(s, "\"Eve\\\" `touch /tmp/pwned` $HOME\\u000aset imap_pass=\\\"x\\\" "
	                  "</clientConfig>\");\n"),
	   "prefs: the hostile name stays inside its string");
	int lines = 0, plain_lines = 0;
	for (const char *c = s; c && *c; c++)
		lines += *c == '\n';
	for (const char *c = plain_prefs; c && *c; c++)
		plain_lines += *c == '\n';
	is_int(lines, plain_lines, "prefs: the hostile values add no line");
	free(s);
	free(plain_prefs);
	s = render("autoconfig", &a, &wo);
	ok(s && strstr(s, "<username>u&quot;ser`id`$x&#10;@evil</username>"),
	   "autoconfig: the hostile user name is entity-escaped");
	ok(s && !strstr(s, "</clientConfig>\" "), "autoconfig: no markup from a value");
	free(s);
	s = render("msmtp", &a, &wo);
	like_err(s, "line break", "msmtp: a line break in a value is refused");
	account_free(&a);

	/* ---- a certificate trusted by its fingerprint ---- */
	const char *fp = "6E:47:50:AC:10:2B:CC:F2:99:C1:E5:A1:99:30:0D:5E:"
	                 "98:57:00:9D:02:7E:5E:A5:C5:8A:A7:4F:71:38:A8:1A";
	base_account(&a);
	account_set(&a.out.trusted_sha256, fp);
	account_set(&a.in.trusted_sha256, fp);
	s = render("msmtp", &a, &wo);
	ok(s && strstr(s, "tls_fingerprint \"6E:47:") && !strstr(s, "tls_trust_file"),
	   "msmtp: a trusted certificate is pinned with tls_fingerprint");
	free(s);
	s = render("mutt", &a, &wo);
	ok(s && strstr(s, "# The certificate of imap.example.org cannot be verified: accept it") &&
	       strstr(s, fp),
	   "mutt: without a CA file the comment says which fingerprint to accept");
	free(s);
	account_set(&a.trusted_certs_file, "/home/zoe/.config/mailsetup/certs.pem");
	s = render("mutt", &a, &wo);
	ok(s && strstr(s, "set certificate_file = ") && strstr(s, "mailsetup/certs.pem") &&
	       strstr(s, "it is in the certificate_file below"),
	   "mutt: the trusted certificates are its certificate_file, and the comment says so");
	free(s);
	s = render("text", &a, &wo);
	ok(s && strstr(s, "Certificate:") && strstr(s, fp),
	   "text: the fingerprint is on the sheet");
	free(s);
	s = render("thunderbird", &a, &wo);
	ok(s && strstr(s, "// Thunderbird will warn that the certificate of smtp.example.org:") &&
	       strstr(s, fp),
	   "thunderbird: a comment says which exception to accept");
	free(s);
	account_free(&a);

	/* ---- sign-in methods and unverified settings (issue 11) ---- */
	base_account(&a);
	enum account_auth both[] = {AUTH_OAUTH2, AUTH_PASSWORD_CLEARTEXT};
	account_set_methods(&a.in, both, 2);
	account_set_methods(&a.out, both, 2);
	account_set(&a.in.doc_url, "https://help.example.org/app-passwords");
	s = render("thunderbird", &a, &wo);
	ok(s && strstr(s, "mail.server.ms_server_zoe_example_org.authMethod\", 10)") &&
	       strstr(s, "mail.smtpserver.ms_smtp_zoe_example_org.authMethod\", 10)"),
	   "thunderbird: OAuth2 offered next to a password: authMethod 10 both ways");
	free(s);
	s = render("mutt", &a, &wo);
	ok(s && !strstr(s, "\nset imap_authenticators") &&
	       !strstr(s, "\nset imap_oauth_refresh_command") &&
	       strstr(s, "The provider also offers OAuth2") &&
	       strstr(s, "https://help.example.org/app-passwords"),
	   "mutt: a password by default, OAuth2 and the provider's page in a comment");
	free(s);
	s = render("autoconfig", &a, &wo);
	ok(s &&
	       strstr(s, "<authentication>OAuth2</authentication>\n      "
	                 "<authentication>password-cleartext</authentication>") &&
	       strstr(s, "<documentation url=\"https://help.example.org/app-passwords\">"),
	   "autoconfig: every method in order, and the provider's page");
	free(s);
	s = render("text", &a, &wo);
	ok(s && strstr(s, "OAuth2 (sign-in in a browser) (the provider's first choice)") &&
	       strstr(s, "or:") && strstr(s, "Provider's page:"),
	   "text: every method and the provider's page");
	free(s);
	enum account_auth only[] = {AUTH_OAUTH2};
	account_set_methods(&a.in, only, 1);
	account_set_methods(&a.out, only, 1);
	s = render("mutt", &a, &wo);
	ok(s && strstr(s, "set imap_authenticators = \"oauthbearer:xoauth2\"") &&
	       strstr(s, "set imap_oauth_refresh_command = \"mutt_oauth2.py "
	                 "~/.config/mutt/zoe@example.org.tokens\"") &&
	       strstr(s, "set smtp_oauth_refresh_command = ") &&
	       strstr(s, "YOU MUST SUPPLY THE TOKEN COMMAND"),
	   "mutt, OAuth2 only: authenticators, token commands and the comment saying so");
	free(s);
	s = render("msmtp", &a, &wo);
	ok(s && strstr(s, "auth oauthbearer\n") &&
	       strstr(s,
	              "passwordeval \"mutt_oauth2.py ~/.config/msmtp/zoe@example.org.tokens\"") &&
	       strstr(s, "YOU MUST SUPPLY THE TOKEN COMMAND"),
	   "msmtp, OAuth2 only: auth oauthbearer, passwordeval and the comment");
	free(s);
	a.password_mode = PASSWORD_COMMAND;
	account_set(&a.password_command, "oama access zoe@example.org");
	s = render("mutt", &a, &wo);
	ok(s && strstr(s, "set imap_oauth_refresh_command = \"oama access zoe@example.org\"") &&
	       !strstr(s, "imap_pass") && !strstr(s, "YOU MUST SUPPLY"),
	   "mutt, OAuth2 only, with a command: it is the token command, no imap_pass");
	free(s);
	a.in.unverified = true;
	account_set(&a.in.unverified_reason, "unreachable");
	a.out.unverified = true;
	account_set(&a.out.unverified_reason, "auth-failed");
	int notes = 0;
	const char *fmts[] = {"mutt", "msmtp", "thunderbird", "autoconfig", "text"};
	for (size_t i = 0; i < 5; i++) {
		s = render(fmts[i], &a, &wo);
		if (s &&
		    strstr(s, "NOT VERIFIED: the outgoing server smtp.example.org did not pass "
		              "the test from here (auth-failed)."))
			notes++;
		free(s);
	}
	is_int(notes, 5, "every format says NOT VERIFIED and why");
	s = render("mutt", &a, &wo);
	ok(s && strstr(s, "# NOT VERIFIED: the incoming server imap.example.org was found in the "
	                  "provider's configuration, not tested from here (unreachable)."),
	   "an untested server is called not tested, with the reason");
	free(s);
	s = render("autoconfig", &a, &wo);
	ok(s && strstr(s, "<!-- NOT VERIFIED: the incoming server") &&
	       strstr(s, "(unreachable). -->\n"),
	   "autoconfig: the note is an XML comment");
	free(s);
	account_free(&a);

	/* ---- the table ---- */
	ok(writer_find("mutt") && writer_find("neomutt") && writer_find("thunderbird") &&
	       writer_find("autoconfig") && writer_find("text") && writer_find("msmtp"),
	   "every documented format has a writer");
	ok(!writer_find("outlook"), "an unknown format has none");
	ok(writer_find("mutt")->password_capable && !writer_find("thunderbird")->password_capable,
	   "only formats with a password form accept password options");
	return done_testing();
}
