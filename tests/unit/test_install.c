/* test_install.c - installing into the clients' own files (writers.h
 * install_*), in a scratch HOME: Thunderbird's prefs.js (new profile, a
 * second install, the person's own account, a running Thunderbird), the
 * muttrc mutt and neomutt read (created, symlinked, shared), the msmtp
 * configuration (a block in the middle replaced), backups never
 * overwritten, and a stored password. */
#include "config.h"

#include "writers/writers.h"

#include "base/alloc.h"
#include "slurp.h"
#include "tap.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char home[256];

static char *at(const char *rel)
{
	return xasprintf("%s/%s", home, rel);
}

static void put(const char *rel, const char *text)
{
	char *p = at(rel);
	for (char *s = p + strlen(home) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(p, 0700);
		*s = '/';
	}
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0 && write(fd, text, strlen(text)) < 0)
		perror(p);
	if (fd >= 0)
		close(fd);
	free(p);
}

static char *get(const char *rel)
{
	char *p = at(rel);
	char *t = slurp(p);
	free(p);
	return t;
}

static int count(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = hay; p && (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static void account(struct account *a, const char *name)
{
	account_init(a);
	account_set(&a->name, name);
	account_set(&a->address, "zoe@example.org");
	a->in.set = true;
	a->in.proto = PROTO_IMAP;
	account_set(&a->in.host, "imap.example.org");
	a->in.security = SEC_TLS;
	a->out.set = true;
	a->out.proto = PROTO_SMTP;
	account_set(&a->out.host, "smtp.example.org");
	a->out.security = SEC_STARTTLS;
	account_set(&a->folders.sent, "Sent Items");
}

static const char OLD_PREFS[] =
    "// Mozilla User Preferences\n"
    "user_pref(\"mail.account.account1.identities\", \"id1\");\n"
    "user_pref(\"mail.account.account1.server\", \"server1\");\n"
    "user_pref(\"mail.accountmanager.accounts\", \"account1\");\n"
    "user_pref(\"mail.identity.id1.smtpServer\", \"smtp1\");\n"
    "user_pref(\"mail.server.server1.hostname\", \"IMAP.example.org\");\n"
    "user_pref(\"mail.server.server1.type\", \"imap\");\n"
    "user_pref(\"mail.server.server1.userName\", \"zoe@example.org\");\n"
    "user_pref(\"mail.smtpservers\", \"smtp1\");\n"
    "user_pref(\"mail.smtpserver.smtp1.hostname\", \"smtp.example.org\");\n";

int main(void)
{
	plan(43);
	strcpy(home, "/tmp/test_install.XXXXXX");
	if (!mkdtemp(home))
		return 99;
	struct client_env e = {.home = home, .xdg_config_home = NULL};
	struct account a;
	struct install_report r = {0};
	struct ms_err err;
	err_clear(&err);

	/* ---- Thunderbird: a profile never started ---- */
	char *prof = at("tb/new");
	put("tb/new/times.json", "{}");
	account(&a, "Zoë");
	ok(install_thunderbird(&a, prof, &r, &err), "new profile: installed (%s)", err.msg);
	char *prefs = get("tb/new/prefs.js");
	ok(prefs && strncmp(prefs, "// Mozilla User Preferences\n", 28) == 0,
	   "new profile: prefs.js created with Mozilla's first line");
	ok(prefs && strstr(prefs, "user_pref(\"mail.accountmanager.accounts\", "
	                          "\"ms_account_zoe_example_org\");"),
	   "new profile: the account list is the new account");
	ok(prefs && strstr(prefs, "user_pref(\"mail.accountmanager.defaultaccount\", "
	                          "\"ms_account_zoe_example_org\");"),
	   "new profile: it is the default account");
	ok(r.nchanges == 1 && r.changes[0].action == INSTALL_CREATED && !r.changes[0].backup,
	   "new profile: reported as created, no backup");
	ok(r.ntodo >= 1 && strstr(r.todo[0], "password"),
	   "what is left: the password at first start");
	free(prefs);
	install_report_free(&r);

	/* Again, the same: nothing written; with another name: replaced. */
	ok(install_thunderbird(&a, prof, &r, &err) && r.changes[0].action == INSTALL_UNCHANGED,
	   "the same account again: unchanged");
	install_report_free(&r);
	account_free(&a);
	account(&a, "Zoë Renamed");
	ok(install_thunderbird(&a, prof, &r, &err) && r.changes[0].action == INSTALL_CHANGED,
	   "another name: changed");
	prefs = get("tb/new/prefs.js");
	ok(count(prefs, "fullName") == 1 && strstr(prefs, "Zoë Renamed"),
	   "the account was replaced, not added");
	ok(count(prefs, "ms_account_zoe_example_org_2") == 0, "with the same keys");
	char *bak = at("tb/new/prefs.js.mailsetup-bak");
	char *baktext = slurp(bak);
	ok(baktext && strstr(baktext, "\"Zoë\""), "the backup holds the first install");
	free(baktext);
	free(bak);
	free(prefs);
	install_report_free(&r);
	account_set(&a.name, "Third");
	ok(install_thunderbird(&a, prof, &r, &err) && r.changes[0].backup &&
	       strstr(r.changes[0].backup, "prefs.js.mailsetup-bak.2"),
	   "a later change keeps the first backup and makes .mailsetup-bak.2");
	install_report_free(&r);

	/* ---- Thunderbird: the person's own account for the same server ---- */
	put("tb/own/prefs.js", OLD_PREFS);
	char *own = at("tb/own");
	ok(install_thunderbird(&a, own, &r, &err), "own account: no error");
	ok(r.changes[0].action == INSTALL_UNCHANGED && strstr(r.changes[0].what, "account1"),
	   "own account: left alone, and the report names it");
	prefs = get("tb/own/prefs.js");
	is_str(prefs, OLD_PREFS, "own account: prefs.js unchanged");
	free(prefs);
	install_report_free(&r);

	/* An unrelated account: lists extended in place, lines kept. */
	put("tb/other/prefs.js", OLD_PREFS);
	char *other = at("tb/other");
	account_set(&a.in.host, "imap2.example.org");
	ok(install_thunderbird(&a, other, &r, &err) && r.changes[0].action == INSTALL_CHANGED,
	   "another server: installed");
	prefs = get("tb/other/prefs.js");
	ok(strstr(prefs, "user_pref(\"mail.accountmanager.accounts\", "
	                 "\"account1,ms_account_zoe_example_org\");\n"
	                 "user_pref(\"mail.identity.id1.smtpServer\", \"smtp1\");") != NULL,
	   "the account list is extended in its own line");
	ok(strstr(prefs, "user_pref(\"mail.smtpservers\", \"smtp1,ms_smtp_zoe_example_org\");") !=
	       NULL,
	   "the SMTP list too");
	ok(!strstr(prefs, "defaultaccount"),
	   "a profile without a default account is not given one");
	free(prefs);
	install_report_free(&r);

	/* Running: refused, nothing changed. */
	char *lock = at("tb/other/lock");
	char *target = xasprintf("127.0.0.1:+%ld", (long)getpid());
	if (symlink(target, lock) != 0)
		perror(lock);
	prefs = get("tb/other/prefs.js");
	account_set(&a.name, "Fourth");
	ok(!install_thunderbird(&a, other, &r, &err) && strstr(err.msg, "close Thunderbird"),
	   "Thunderbird running: refused (%s)", err.msg);
	char *after = get("tb/other/prefs.js");
	is_str(after, prefs, "Thunderbird running: prefs.js unchanged");
	ok(r.nchanges == 0, "Thunderbird running: nothing reported as changed");
	free(after), free(prefs), free(target), free(lock);
	install_report_free(&r);
	err_clear(&err);

	/* ---- mutt ---- */
	ok(install_mutt(&a, &e, CLIENT_MUTT, &r, &err), "mutt without a muttrc: installed");
	char *rc = get(".muttrc");
	ok(rc && count(rc, "source ") == 1, "~/.muttrc created with one source line");
	char *acct = get(".config/mutt/accounts/zoe@example.org.muttrc");
	ok(acct && strstr(acct, "set record = \"+Sent Items\""), "the account file has record");
	ok(r.nchanges == 2 && r.changes[0].action == INSTALL_CREATED &&
	       r.changes[1].action == INSTALL_CREATED,
	   "both reported as created");
	free(rc), free(acct);
	install_report_free(&r);
	/* neomutt reading ~/.muttrc: the same file, the same line. */
	ok(install_mutt(&a, &e, CLIENT_NEOMUTT, &r, &err) &&
	       r.changes[1].action == INSTALL_UNCHANGED,
	   "neomutt reading ~/.muttrc: nothing more");
	install_report_free(&r);
	/* neomutt with a file of its own */
	put(".neomuttrc", "set sort = threads\n");
	ok(install_mutt(&a, &e, CLIENT_NEOMUTT, &r, &err), "neomutt with ~/.neomuttrc: installed");
	rc = get(".neomuttrc");
	ok(rc && strstr(rc, "set sort = threads\n") == rc &&
	       strstr(rc, "/.config/neomutt/accounts/zoe@example.org.muttrc\""),
	   "~/.neomuttrc keeps its lines and sources neomutt's own account file");
	free(rc);
	install_report_free(&r);

	/* A symlinked muttrc (dotfile managers) is written through. */
	char *m = at(".muttrc"), *real = at("dotfiles/muttrc");
	put("dotfiles/muttrc", "set editor = vi\n");
	unlink(m);
	if (symlink(real, m) != 0)
		perror(m);
	ok(install_mutt(&a, &e, CLIENT_MUTT, &r, &err), "symlinked ~/.muttrc: installed");
	struct stat st;
	ok(lstat(m, &st) == 0 && S_ISLNK(st.st_mode), "the symlink is still a symlink");
	rc = get("dotfiles/muttrc");
	ok(rc && strstr(rc, "set editor = vi\n") && count(rc, "source ") == 1,
	   "its target got the source line");
	free(rc), free(m), free(real);
	install_report_free(&r);

	/* Stored password: a 0600 file beside the account file. */
	a.password_mode = PASSWORD_STORED;
	account_set(&a.password, "s3cret\"pw");
	account_set(&a.password_file, "-");
	ok(install_mutt(&a, &e, CLIENT_MUTT, &r, &err), "stored password: installed");
	char *pw = at(".config/mutt/accounts/zoe@example.org.muttrc.password");
	ok(stat(pw, &st) == 0 && (st.st_mode & 0777) == 0600, "the password file is mode 0600");
	acct = get(".config/mutt/accounts/zoe@example.org.muttrc");
	ok(acct && strstr(acct, "accounts/zoe@example.org.muttrc.password\"") &&
	       !strstr(acct, "s3cret"),
	   "the account file sources it and holds no password");
	free(acct), free(pw);
	install_report_free(&r);
	a.password_mode = PASSWORD_NONE;

	/* ---- msmtp ---- */
	put(".msmtprc", "defaults\ntls on\n\naccount first\nhost a\n\n"
	                "# msmtp account written by mailsetup\naccount \"zoe@example.org\"\n"
	                "host old.example.org\n\n# the last one\naccount last\nhost z\n\n"
	                "account default : first\n");
	char *msrc = at(".msmtprc");
	chmod(msrc, 0644);
	ok(install_msmtp(&a, &e, &r, &err), "msmtp: installed");
	rc = get(".msmtprc");
	ok(rc && count(rc, "account \"zoe@example.org\"") == 1 && !strstr(rc, "old.example.org") &&
	       strstr(rc, "host \"smtp.example.org\""),
	   "the block of the same name is replaced");
	ok(rc && strstr(rc, "defaults\ntls on\n\naccount first\nhost a\n\n") == rc &&
	       strstr(rc, "\n\n# the last one\naccount last\nhost z\n\naccount default : first\n"),
	   "the other accounts and their comments are untouched");
	ok(rc && count(rc, "mailsetup") == 1, "our old comment line went with the old block");
	ok(stat(msrc, &st) == 0 && (st.st_mode & 0777) == 0600, "~/.msmtprc is 0600 now");
	free(rc);
	install_report_free(&r);
	ok(install_msmtp(&a, &e, &r, &err) && r.changes[0].action == INSTALL_UNCHANGED,
	   "msmtp again: unchanged");
	install_report_free(&r);
	unlink(msrc);
	ok(install_msmtp(&a, &e, &r, &err) && r.changes[0].action == INSTALL_CREATED,
	   "no msmtp configuration: ~/.msmtprc created");
	install_report_free(&r);
	free(msrc);

	/* An unwritable folder: a clear error, nothing half-written. */
	if (geteuid() != 0) {
		char *d = at("ro");
		mkdir(d, 0500);
		struct client_env ro = {.home = d, .xdg_config_home = NULL};
		ok(!install_msmtp(&a, &ro, &r, &err) && strstr(err.msg, "ro/.msmtprc"),
		   "unwritable home: the error names the file (%s)", err.msg);
		free(d);
	} else {
		/* root writes anywhere: a path through a file instead. */
		put("file", "x");
		char *d = at("file");
		struct client_env bad = {.home = d, .xdg_config_home = NULL};
		ok(!install_msmtp(&a, &bad, &r, &err) && strstr(err.msg, "file/.msmtprc"),
		   "a home that is a file: the error names the path (%s)", err.msg);
		free(d);
	}
	install_report_free(&r);

	account_free(&a);
	free(prof), free(own), free(other);
	char *cmd = xasprintf("rm -rf '%s'", home);
	if (system(cmd) != 0)
		perror(cmd);
	free(cmd);
	return done_testing();
}
