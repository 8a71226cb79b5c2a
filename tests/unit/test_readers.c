/* test_readers.c - the readers find every server of an existing setup
 * with its file and line, run nothing, and their fixes change exactly
 * the lines that must change. */
#include "config.h"

#include "base/alloc.h"
#include "readers/readers.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

/* An in-memory file system for `source`. */
static const char *const fs[][2] = {
    {"/home/z/.mutt/account", "set smtp_url = \"smtps://zoe@smtp.example.org/\"\n"
                              "set imap_user = zoe@example.org\n"},
    {"/home/z/.muttrc.d/loop", "source /home/z/.muttrc.d/loop\n"},
    {"/home/z/deep", "source /home/z/deep2\n"},
    {"/home/z/deep2", "source /home/z/deep\n"},
};
static int loads;

static bool load(void *ctx, const char *path, char **text, size_t *len, struct ms_err *err)
{
	(void)ctx;
	loads++;
	for (size_t i = 0; i < sizeof fs / sizeof fs[0]; i++)
		if (strcmp(fs[i][0], path) == 0) {
			*text = xstrdup(fs[i][1]);
			*len = strlen(*text);
			return true;
		}
	err_set(err, ERR_LOCAL, "No such file");
	return false;
}

static const struct rd_env env = {"/home/z", load, NULL};

static struct rd_config *rd(enum rd_client k, const char *path, const char *text)
{
	return rd_read(k, path, text, strlen(text), &env);
}

static const char *note_with(const struct rd_config *c, const char *needle)
{
	for (size_t i = 0; i < c->nnotes; i++)
		if (strstr(c->notes[i].text, needle))
			return c->notes[i].text;
	return NULL;
}

/* fixed: the text of file 0 after the fix of server i. */
static char *fixed(const struct rd_config *c, size_t i, enum ms_security sec, uint16_t port)
{
	struct rd_edits e = {0};
	const char *why = NULL;
	if (!rd_fix(c, &c->servers[i], sec, port, &e, &why))
		return xstrdup(why ? why : "(no reason)");
	size_t n;
	struct ms_err err;
	char *t = rd_apply(c->files[0].text, c->files[0].len, 0, &e, &n, &err);
	rd_edits_free(&e);
	return t ? t : xstrdup(err.msg);
}

static void test_muttrc(void)
{
	const char *text = "# my mutt\n"
	                   "set folder = \"imaps://zoe%40example.org@imap.example.org:143/\" # x\n"
	                   "set spoolfile = +INBOX\n"
	                   "set smtp_url=\"smtp://zoe@example.org@smtp.example.org:465/\"; set "
	                   "ssl_starttls=yes\n"
	                   "source ~/.mutt/account\n"
	                   "set pop_host = `touch PWNED`\n"
	                   "account-hook imaps://work 'set imap_user=w@work.example; set "
	                   "folder=imaps://imap.work.example/'\n"
	                   "source \"gpg -d secrets |\"\n"
	                   "source ~/.muttrc.d/loop\n"
	                   "source ~/missing\n";
	struct rd_config *c = rd(RD_MUTT, "/home/z/.muttrc", text);
	is_int((int)c->nservers, 3,
	       "muttrc: three servers (folder, smtp_url as the sourced file "
	       "sets it, the hook's folder)");
	const struct rd_server *s = &c->servers[0];
	is_str(s->host, "imap.example.org", "folder host");
	is_int(s->port, 143, "folder port");
	is_int(s->security, SEC_TLS, "imaps:// is implicit TLS");
	is_str(s->user, "zoe@example.org", "user from the URL, %%40 decoded");
	is_int(s->at.line, 2, "folder is on line 2");
	s = &c->servers[1];
	is_str(s->host, "smtp.example.org", "the sourced smtp_url (read last) wins");
	is_int(s->at.file, 1, "...and comes from the sourced file");
	is_str(c->files[1].path, "/home/z/.mutt/account", "~ expanded for source");
	is_int(s->security, SEC_TLS, "smtps://");
	s = &c->servers[2];
	is_str(s->host, "imap.work.example", "the account-hook's folder");
	is_str(s->account, "imaps://work", "its account is the hook's pattern");
	is_str(s->user, "w@work.example", "imap_user inside the hook");
	is_int(s->at.line, 7, "the hook's server is placed on the hook's line");
	ok(note_with(c, "computed by a command") != NULL, "backtick value: noted as a command");
	ok(note_with(c, "output of a command") != NULL, "source of a command: noted");
	ok(note_with(c, "loop") != NULL, "a file sourcing itself: noted");
	ok(note_with(c, "cannot be read") != NULL, "a missing sourced file: noted");
	rd_config_free(c);

	/* smtp:// on the implicit-TLS port: switch to smtps://, the line's
	 * comment and everything else stays. */
	text = "set folder=\"imaps://imap.example.org:2143/\"  # keep me\n"
	       "set smtp_url = \"smtp://zoe@smtp.example.org:2465/\"\n"
	       "set ssl_force_tls = yes\n";
	c = rd(RD_MUTT, "/home/z/.muttrc", text);
	is_int((int)c->nservers, 2, "two servers");
	char *t = fixed(c, 0, SEC_STARTTLS, 2143);
	is_str(t,
	       "set folder=\"imap://imap.example.org:2143/\"  # keep me\n"
	       "set smtp_url = \"smtp://zoe@smtp.example.org:2465/\"\n"
	       "set ssl_force_tls = yes\n",
	       "imaps:// on a STARTTLS port becomes imap://, nothing else changes");
	free(t);
	t = fixed(c, 1, SEC_TLS, 2465);
	is_str(t,
	       "set folder=\"imaps://imap.example.org:2143/\"  # keep me\n"
	       "set smtp_url = \"smtps://zoe@smtp.example.org:2465/\"\n"
	       "set ssl_force_tls = yes\n",
	       "smtp:// on an implicit-TLS port becomes smtps://");
	free(t);
	rd_config_free(c);

	c = rd(RD_MUTT, "/r", "set folder=imaps://h:143\r\nset from=x\r\n");
	t = fixed(c, 0, SEC_STARTTLS, 143);
	is_str(t, "set folder=imap://h:143\r\nset ssl_force_tls = yes\r\nset from=x\r\n",
	       "STARTTLS without ssl_force_tls: the fix requires it; CRLF kept");
	free(t);
	rd_config_free(c);

	loads = 0;
	c = rd(RD_MUTT, "/home/z/x", "source ~/deep\n");
	ok(loads <= RD_MAX_DEPTH + 1, "mutually sourcing files: bounded (%d loads)", loads);
	ok(note_with(c, "loop") != NULL, "...and noted as a loop");
	rd_config_free(c);

	c = rd(RD_MUTT, "/x",
	       "set folder = \"imaps://`cat host`:993/\"\nset smtp_url=`pass smtp`\n");
	is_int((int)c->nservers, 0, "URLs with backticks are not used");
	ok(note_with(c, "computed by a command") != NULL, "...and noted");
	rd_config_free(c);
}

static void test_msmtprc(void)
{
	const char *text = "defaults\n"
	                   "tls on\n"
	                   "tls_trust_file /etc/ca.pem\n"
	                   "\n"
	                   "account base\n"
	                   "host smtp.example.org\n"
	                   "port 465\n"
	                   "tls_starttls on\n"
	                   "user zoe\n"
	                   "\n"
	                   "account child : base\n"
	                   "user kid\n"
	                   "\n"
	                   "account plain\n"
	                   "host smtp.plain.example\n"
	                   "tls off\n";
	struct rd_config *c = rd(RD_MSMTP, "/home/z/.msmtprc", text);
	is_int((int)c->nservers, 3, "msmtprc: three accounts with a host");
	const struct rd_server *s = &c->servers[0];
	is_str(s->account, "base", "account name");
	is_int(s->security, SEC_STARTTLS, "tls on + tls_starttls on: STARTTLS");
	is_int(s->port, 465, "port");
	is_str(s->cafile, "/etc/ca.pem", "tls_trust_file from defaults");
	ok(s->cafile_only, "msmtp trusts only its trust file");
	s = &c->servers[1];
	is_str(s->host, "smtp.example.org", "child inherits host from base");
	is_str(s->user, "kid", "child's own user");
	is_int(c->servers[2].security, SEC_PLAIN, "tls off: plaintext");
	char *t = fixed(c, 0, SEC_TLS, 465);
	ok(strstr(t, "port 465\ntls_starttls off\nuser zoe\n") != NULL,
	   "base: its own tls_starttls line becomes off");
	is_int((int)strlen(t), (int)strlen(text) + 1, "...and only that line changed");
	free(t);
	t = fixed(c, 1, SEC_TLS, 465);
	ok(strstr(t, "account child : base\ntls_starttls off\nuser kid\n") != NULL,
	   "child: an inherited value is overridden by a line in its own block");
	ok(strstr(t, "port 465\ntls_starttls on\n") != NULL, "...and base's block is untouched");
	free(t);
	rd_config_free(c);
}

static void test_prefs_js(void)
{
	const char *text = "// Mozilla User Preferences\n"
	                   "user_pref(\"mail.server.server1.hostname\", \"imap.example.org\");\n"
	                   "user_pref(\"mail.server.server1.name\", \"zoe@example.org\");\n"
	                   "user_pref(\"mail.server.server1.port\", 993);\n"
	                   "user_pref(\"mail.server.server1.socketType\", 2);\n"
	                   "user_pref(\"mail.server.server1.type\", \"imap\");\n"
	                   "user_pref(\"mail.server.server1.userName\", \"zoe@example.org\");\n"
	                   "user_pref(\"mail.server.server2.hostname\", \"Local Folders\");\n"
	                   "user_pref(\"mail.server.server2.type\", \"none\");\n"
	                   "user_pref(\"mail.smtpserver.smtp1.hostname\", \"smtp.example.org\");\n"
	                   "user_pref(\"mail.smtpserver.smtp1.username\", \"zoe@example.org\");\n";
	struct rd_config *c = rd(RD_THUNDERBIRD, "/p/prefs.js", text);
	is_int((int)c->nservers, 2, "prefs.js: the IMAP and the SMTP server, not Local Folders");
	const struct rd_server *s = &c->servers[0];
	is_int(s->security, SEC_STARTTLS, "socketType 2: STARTTLS");
	is_int(s->port, 993, "port");
	is_str(s->account, "zoe@example.org", "account: the server's name");
	is_int(s->sec_at.line, 5, "socketType on line 5");
	is_int(c->servers[1].security, SEC_PLAIN, "SMTP without try_ssl: plain");
	is_int(c->servers[1].port, 587, "...default port");
	char *t = fixed(c, 0, SEC_TLS, 993);
	ok(strstr(t, "\"mail.server.server1.socketType\", 3);\n") != NULL,
	   "socketType 2 becomes 3");
	is_int((int)strlen(t), (int)strlen(text), "...one byte changed");
	free(t);
	t = fixed(c, 1, SEC_TLS, 465);
	ok(strstr(t, "smtp.example.org\");\nuser_pref(\"mail.smtpserver.smtp1.try_ssl\", 3);\n"
	             "user_pref(\"mail.smtpserver.smtp1.port\", 465);\n") != NULL,
	   "missing try_ssl and port are inserted after the hostname");
	free(t);
	rd_config_free(c);
}

static void test_mbsync(void)
{
	const char *text = "IMAPAccount work\n"
	                   "Host imap.work.example\n"
	                   "Port 993\n"
	                   "User zoe\n"
	                   "SSLType STARTTLS\n"
	                   "\n"
	                   "IMAPStore work-remote\n"
	                   "Account work\n"
	                   "\n"
	                   "IMAPAccount tunnel\n"
	                   "Tunnel \"ssh host imapd\"\n";
	struct rd_config *c = rd(RD_MBSYNC, "/home/z/.mbsyncrc", text);
	is_int((int)c->nservers, 1, "mbsyncrc: one account (a Tunnel is not a server)");
	ok(note_with(c, "Tunnel") != NULL, "the tunnel is noted, not run");
	is_int(c->servers[0].security, SEC_STARTTLS, "SSLType STARTTLS");
	char *t = fixed(c, 0, SEC_TLS, 993);
	ok(strstr(t, "User zoe\nSSLType IMAPS\n") != NULL, "SSLType STARTTLS becomes IMAPS");
	free(t);
	rd_config_free(c);
}

static void test_aerc(void)
{
	const char *text = "[Work]\n"
	                   "source = imaps+oauthbearer://zoe%40work@imap.work.example:143\n"
	                   "outgoing = smtp+insecure://smtp.work.example:587\n"
	                   "[Home]\n"
	                   "source = maildir://~/Mail\n"
	                   "outgoing = /usr/bin/msmtp -a home\n";
	struct rd_config *c = rd(RD_AERC, "/x/accounts.conf", text);
	is_int((int)c->nservers, 2, "aerc: the Work account's two servers");
	is_int(c->servers[0].security, SEC_TLS, "imaps+oauthbearer: TLS");
	is_str(c->servers[0].user, "zoe@work", "user decoded");
	is_int(c->servers[1].security, SEC_PLAIN, "smtp+insecure: plaintext");
	ok(note_with(c, "program") != NULL, "an outgoing program is noted, not run");
	char *t = fixed(c, 0, SEC_STARTTLS, 143);
	ok(strstr(t, "source = imap+oauthbearer://zoe%40work@imap.work.example:143\n") != NULL,
	   "imaps -> imap, the auth suffix kept");
	free(t);
	t = fixed(c, 1, SEC_TLS, 465);
	ok(strstr(t, "outgoing = smtps://smtp.work.example:465\n") != NULL,
	   "smtp+insecure on 587 -> smtps on 465");
	free(t);
	rd_config_free(c);
}

static void test_apply(void)
{
	struct rd_config *c = rd(RD_MBSYNC, "/m", "IMAPAccount a\nHost h\nSSLType IMAPS\n");
	struct rd_edits e = {0};
	const char *why;
	ok(rd_fix(c, &c->servers[0], SEC_STARTTLS, 143, &e, &why), "a fix");
	size_t n;
	struct ms_err err;
	const char *changed = "IMAPAccount a\nHost h\nSSLType None\n";
	char *t = rd_apply(changed, strlen(changed), 0, &e, &n, &err);
	ok(t == NULL && strstr(err.msg, "changed since"), "a line changed since reading: refused");
	ok(!rd_fix(c, &c->servers[0], SEC_PLAIN, 143, &e, &why), "never a fix to plaintext");
	rd_edits_free(&e);
	rd_config_free(c);
	is_int(rd_sniff("/h/.msmtprc", "", 0), RD_MSMTP, "sniff .msmtprc");
	is_int(rd_sniff("/p/prefs.js", "", 0), RD_THUNDERBIRD, "sniff prefs.js");
	is_int(rd_sniff("/x/conf", "IMAPAccount x\n", 14), RD_MBSYNC, "sniff mbsync by content");
}

int main(void)
{
	plan(66);
	test_muttrc();
	test_msmtprc();
	test_prefs_js();
	test_mbsync();
	test_aerc();
	test_apply();
	return done_testing();
}
