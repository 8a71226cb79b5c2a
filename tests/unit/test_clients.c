/* test_clients.c - where clients keep their configuration, in a scratch
 * HOME: mutt's and neomutt's search orders, msmtp's two paths, Thunderbird
 * profiles (relative, absolute, snap, installs.ini default) and the two
 * signs of a running Thunderbird. */
#include "config.h"

#include "clients/clients.h"

#include "base/alloc.h"
#include "tap.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char home[256];

static void put(const char *rel, const char *text)
{
	char *p = xasprintf("%s/%s", home, rel);
	/* mkdir -p of the parents */
	for (char *s = p + strlen(home) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(p, 0700);
		*s = '/';
	}
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd >= 0) {
		if (write(fd, text, strlen(text)) < 0)
			perror(p);
		close(fd);
	}
	free(p);
}

static void rm(const char *rel)
{
	char *p = xasprintf("%s/%s", home, rel);
	unlink(p);
	free(p);
}

static void is_file(const struct client_env *e, enum client_kind k, const char *rel, bool exists,
                    const char *what)
{
	bool ex = !exists;
	char *got = clients_config_file(e, k, &ex);
	char *want = xasprintf("%s/%s", home, rel);
	is_str(got, want, "%s: %s", clients_name(k), what);
	ok(ex == exists, "%s: exists is %s", clients_name(k), exists ? "true" : "false");
	free(got);
	free(want);
}

int main(void)
{
	plan(47);
	strcpy(home, "/tmp/test_clients.XXXXXX");
	if (!mkdtemp(home))
		return 99;
	struct client_env e = {.home = home, .xdg_config_home = NULL};

	/* mutt */
	is_file(&e, CLIENT_MUTT, ".muttrc", false, "nothing yet: create ~/.muttrc");
	put(".config/mutt/muttrc", "");
	is_file(&e, CLIENT_MUTT, ".config/mutt/muttrc", true, "$XDG/mutt/muttrc when alone");
	put(".mutt/muttrc", "");
	is_file(&e, CLIENT_MUTT, ".mutt/muttrc", true, "~/.mutt/muttrc before $XDG");
	put(".muttrc", "");
	is_file(&e, CLIENT_MUTT, ".muttrc", true, "~/.muttrc first");

	/* neomutt reads its own files before mutt's, XDG before home */
	is_file(&e, CLIENT_NEOMUTT, ".config/mutt/muttrc", true,
	        "$XDG/mutt/muttrc before ~/.mutt/muttrc and ~/.muttrc");
	put(".neomuttrc", "");
	is_file(&e, CLIENT_NEOMUTT, ".config/mutt/muttrc", true,
	        "$XDG/mutt/muttrc before ~/.neomuttrc");
	put(".config/neomutt/neomuttrc", "");
	is_file(&e, CLIENT_NEOMUTT, ".config/neomutt/neomuttrc", true,
	        "$XDG/neomutt/neomuttrc first");
	rm(".config/neomutt/neomuttrc");
	rm(".config/mutt/muttrc");
	rm(".mutt/muttrc");
	is_file(&e, CLIENT_NEOMUTT, ".neomuttrc", true, "~/.neomuttrc before ~/.muttrc");
	rm(".neomuttrc");
	is_file(&e, CLIENT_NEOMUTT, ".muttrc", true, "falls back to mutt's ~/.muttrc");
	rm(".muttrc");
	is_file(&e, CLIENT_NEOMUTT, ".neomuttrc", false, "nothing: create ~/.neomuttrc");

	/* XDG_CONFIG_HOME is honoured */
	char *x = xasprintf("%s/xdg", home);
	struct client_env ex = {.home = home, .xdg_config_home = x};
	put("xdg/msmtp/config", "");
	is_file(&e, CLIENT_MSMTP, ".msmtprc", false, "$XDG elsewhere: create ~/.msmtprc");
	is_file(&ex, CLIENT_MSMTP, "xdg/msmtp/config", true, "$XDG_CONFIG_HOME/msmtp/config");
	put(".msmtprc", "");
	is_file(&ex, CLIENT_MSMTP, ".msmtprc", true, "~/.msmtprc first");
	is_file(&ex, CLIENT_AERC, "xdg/aerc/accounts.conf", false, "aerc under $XDG");
	free(x);

	/* Thunderbird */
	put(".thunderbird/profiles.ini",
	    "[Profile1]\nName=old\nIsRelative=1\nPath=abc.old\nDefault=1\n\n"
	    "[Profile0]\nName=default-release\nIsRelative=1\nPath=xyz.default-release\n\n"
	    "[Install4F96D1932A9F858E]\nDefault=xyz.default-release\nLocked=1\n\n"
	    "[General]\nStartWithLastProfile=1\nVersion=2\n");
	put(".thunderbird/installs.ini", "[4F96D1932A9F858E]\nDefault=xyz.default-release\n");
	put(".thunderbird/xyz.default-release/prefs.js", "// prefs\n");
	put(".thunderbird/abc.old/.keep", "");
	put("snap/thunderbird/common/.thunderbird/profiles.ini",
	    "[Profile0]\r\nName=abs\r\nIsRelative=0\r\nPath=/elsewhere/abs\r\n");
	struct tb_profile_info *p;
	size_t n = clients_thunderbird_profiles(&e, &p);
	ok(n == 3, "three profiles listed (%zu)", n);
	if (n == 3) {
		is_str(p[0].name, "default-release", "installs.ini's default comes first");
		ok(p[0].is_default && !p[1].is_default && !p[2].is_default,
		   "only it is the default (Default=1 of another loses to installs.ini)");
		char *want = xasprintf("%s/.thunderbird/xyz.default-release", home);
		is_str(p[0].path, want, "relative Path= made absolute");
		free(want);
		ok(p[0].has_prefs && !p[1].has_prefs, "has_prefs follows prefs.js");
		is_str(p[1].name, "old", "the others keep their order");
		is_str(p[2].path, "/elsewhere/abs", "absolute Path= from the snap's profiles.ini");
		want = xasprintf("%s/snap/thunderbird/common/.thunderbird", home);
		is_str(p[2].root, want, "root names the snap directory");
		free(want);
	} else {
		for (int i = 0; i < 7; i++)
			ok(0, "skipped: wrong count");
	}
	clients_thunderbird_profiles_free(p, n);

	/* Without installs.ini, Default=1 decides. */
	rm(".thunderbird/installs.ini");
	put(".thunderbird/profiles.ini",
	    "[Profile1]\nName=old\nIsRelative=1\nPath=abc.old\nDefault=1\n\n"
	    "[Profile0]\nName=default-release\nIsRelative=1\nPath=xyz.default-release\n");
	n = clients_thunderbird_profiles(&e, &p);
	ok(n == 3 && strcmp(p[0].name, "old") == 0 && p[0].is_default,
	   "no installs.ini: Default=1 comes first");
	clients_thunderbird_profiles_free(p, n);

	/* Running or not */
	char *dir = xasprintf("%s/.thunderbird/xyz.default-release", home);
	ok(!clients_thunderbird_running(dir), "no lock: not running");
	char *lock = xasprintf("%s/lock", dir);
	char *target = xasprintf("127.0.1.1:+%ld", (long)getpid());
	ok(symlink(target, lock) == 0, "lock symlink made");
	ok(clients_thunderbird_running(dir), "lock naming a live process: running");
	unlink(lock);
	pid_t dead = fork();
	if (dead == 0)
		_exit(0);
	waitpid(dead, NULL, 0);
	free(target);
	target = xasprintf("127.0.1.1:+%ld", (long)dead);
	if (symlink(target, lock) != 0)
		perror("symlink");
	ok(!clients_thunderbird_running(dir), "stale lock of a dead process: not running");
	unlink(lock);
	free(target);
	if (symlink("192.0.2.77:+1", lock) != 0)
		perror("symlink");
	ok(clients_thunderbird_running(dir), "lock of another host: taken as held");
	unlink(lock);

	char *pl = xasprintf("%s/.parentlock", dir);
	int fd = open(pl, O_WRONLY | O_CREAT, 0600);
	close(fd);
	ok(!clients_thunderbird_running(dir), ".parentlock not locked: not running");
	int pipefd[2];
	if (pipe(pipefd) != 0)
		return 99;
	pid_t holder = fork();
	if (holder == 0) {
		int f = open(pl, O_WRONLY);
		struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
		fcntl(f, F_SETLK, &fl);
		if (write(pipefd[1], "x", 1) < 0)
			_exit(1);
		pause();
		_exit(0);
	}
	char c;
	if (read(pipefd[0], &c, 1) != 1)
		return 99;
	ok(clients_thunderbird_running(dir), ".parentlock locked by another process: running");
	kill(holder, SIGTERM);
	waitpid(holder, NULL, 0);
	ok(!clients_thunderbird_running(dir), "lock released: not running");

	/* clients_tilde */
	char *full = xasprintf("%s/.muttrc", home);
	char *t = clients_tilde(&e, full);
	is_str(t, "~/.muttrc", "home shown as ~");
	free(t);
	free(full);
	t = clients_tilde(&e, "/etc/x");
	is_str(t, "/etc/x", "other paths as they are");
	free(t);

	char *cmd = xasprintf("rm -rf '%s'", home);
	if (system(cmd) != 0)
		perror(cmd);
	free(cmd);
	free(dir);
	free(lock);
	free(pl);
	return done_testing();
}
