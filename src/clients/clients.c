/* clients.c - where mutt, neomutt, msmtp, mbsync, aerc and Thunderbird
 * keep their configuration on this machine (contract in clients.h).
 *
 * Search orders, and where they come from:
 *  - mutt 2.2 (init.c find_cfg(); `strings /usr/bin/mutt` shows
 *    "muttrc-2.2.12"; man mutt, FILES): for each of ~/.  ~/.mutt/  and
 *    $XDG_CONFIG_HOME/mutt/ in turn, "muttrc-VERSION" then "muttrc"
 *    (~/.muttrc-VERSION, ~/.muttrc, ~/.mutt/muttrc-VERSION, ...).  The
 *    VERSION files are matched by prefix "muttrc-" only when exactly
 *    that file exists for the installed version, which we cannot know
 *    here; mailsetup therefore looks at the plain names, which every
 *    mutt reads, and documents the gap.
 *  - neomutt 2022 (man neomutt, FILES, "user-specific" column, read in
 *    that order, first found wins): $XDG/neomutt/neomuttrc,
 *    $XDG/neomutt/muttrc, $XDG/mutt/neomuttrc, $XDG/mutt/muttrc,
 *    ~/.neomutt/neomuttrc, ~/.neomutt/muttrc, ~/.mutt/neomuttrc,
 *    ~/.mutt/muttrc, ~/.neomuttrc, ~/.muttrc.
 *  - msmtp 1.8 (man msmtp, FILES): ~/.msmtprc, else
 *    $XDG_CONFIG_HOME/msmtp/config.
 *  - mbsync 1.4 (man mbsync, -c): ~/.mbsyncrc, else
 *    $XDG_CONFIG_HOME/isyncrc.
 *  - aerc (man aerc-accounts): $XDG_CONFIG_HOME/aerc/accounts.conf.
 *  - Thunderbird: profiles.ini / installs.ini in its root directory
 *    (Mozilla's toolkit/profile/nsToolkitProfileService.cpp format).
 */
#include "config.h"

#include "clients/clients.h"

#include "base/alloc.h"
#include "base/buf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* profiles.ini is a few hundred bytes; a larger one is not Thunderbird's. */
#define CLIENTS_INI_MAX (1024u * 1024)
/* A profiles.ini listing more profiles than this is not a real one. */
#define CLIENTS_PROFILES_MAX 256

bool client_env_from_process(struct client_env *e)
{
	const char *h = getenv("HOME");
	const char *x = getenv("XDG_CONFIG_HOME");
	e->home = h && *h ? h : NULL;
	e->xdg_config_home = x && *x ? x : NULL;
	return e->home != NULL;
}

static char *xdg(const struct client_env *e)
{
	if (e->xdg_config_home && *e->xdg_config_home)
		return xstrdup(e->xdg_config_home);
	return xasprintf("%s/.config", e->home);
}

static bool file_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && !S_ISDIR(st.st_mode);
}

const char *clients_name(enum client_kind k)
{
	static const char *const names[] = {"mutt", "neomutt", "msmtp", "mbsync", "aerc"};
	return (unsigned)k < sizeof names / sizeof names[0] ? names[k] : "?";
}

/* One candidate: base directory ("H" home or "X" xdg) and a relative name. */
struct cand {
	char base;
	const char *rel;
};

static const struct cand mutt_order[] = {
    {'H', ".muttrc"}, {'H', ".mutt/muttrc"}, {'X', "mutt/muttrc"}, {0, NULL}};
static const struct cand neomutt_order[] = {{'X', "neomutt/neomuttrc"},
                                            {'X', "neomutt/muttrc"},
                                            {'X', "mutt/neomuttrc"},
                                            {'X', "mutt/muttrc"},
                                            {'H', ".neomutt/neomuttrc"},
                                            {'H', ".neomutt/muttrc"},
                                            {'H', ".mutt/neomuttrc"},
                                            {'H', ".mutt/muttrc"},
                                            {'H', ".neomuttrc"},
                                            {'H', ".muttrc"},
                                            {0, NULL}};
static const struct cand msmtp_order[] = {{'H', ".msmtprc"}, {'X', "msmtp/config"}, {0, NULL}};
static const struct cand mbsync_order[] = {{'H', ".mbsyncrc"}, {'X', "isyncrc"}, {0, NULL}};
static const struct cand aerc_order[] = {{'X', "aerc/accounts.conf"}, {0, NULL}};

/* What mailsetup creates when the client has no file yet: the name its
 * own documentation shows first. */
static const struct cand create_name[] = {
    [CLIENT_MUTT] = {'H', ".muttrc"},
    [CLIENT_NEOMUTT] = {'H', ".neomuttrc"},
    [CLIENT_MSMTP] = {'H', ".msmtprc"},
    [CLIENT_MBSYNC] = {'H', ".mbsyncrc"},
    [CLIENT_AERC] = {'X', "aerc/accounts.conf"},
};

static char *cand_path(const struct client_env *e, const struct cand *c)
{
	if (c->base == 'H')
		return xasprintf("%s/%s", e->home, c->rel);
	char *x = xdg(e);
	char *p = xasprintf("%s/%s", x, c->rel);
	free(x);
	return p;
}

char *clients_config_file(const struct client_env *e, enum client_kind k, bool *exists)
{
	const struct cand *order = k == CLIENT_MUTT      ? mutt_order
	                           : k == CLIENT_NEOMUTT ? neomutt_order
	                           : k == CLIENT_MSMTP   ? msmtp_order
	                           : k == CLIENT_MBSYNC  ? mbsync_order
	                                                 : aerc_order;
	for (const struct cand *c = order; c->rel; c++) {
		char *p = cand_path(e, c);
		if (file_exists(p)) {
			*exists = true;
			return p;
		}
		free(p);
	}
	*exists = false;
	return cand_path(e, &create_name[k]);
}

char *clients_config_dir(const struct client_env *e, enum client_kind k)
{
	static const char *const dirs[] = {"mutt", "neomutt", "msmtp", "isync", "aerc"};
	char *x = xdg(e);
	char *p = xasprintf("%s/%s", x, (unsigned)k < 5 ? dirs[k] : "mailsetup");
	free(x);
	return p;
}

char *clients_tilde(const struct client_env *e, const char *path)
{
	size_t n = e && e->home ? strlen(e->home) : 0;
	while (n > 1 && e->home[n - 1] == '/')
		n--;
	if (n > 1 && strncmp(path, e->home, n) == 0 && path[n] == '/')
		return xasprintf("~%s", path + n);
	return xstrdup(path);
}

char *clients_read_file(const char *path, size_t max, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return NULL;
	struct stat st;
	if (fstat(fd, &st) != 0) {
		int e = errno;
		close(fd);
		errno = e;
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		return NULL;
	}
	struct buf b = {0};
	char chunk[8192];
	for (;;) {
		ssize_t r = read(fd, chunk, sizeof chunk);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			close(fd);
			buf_free(&b);
			errno = e;
			return NULL;
		}
		if (r == 0)
			break;
		if (b.len + (size_t)r > max) {
			close(fd);
			buf_free(&b);
			errno = EFBIG;
			return NULL;
		}
		buf_add(&b, chunk, (size_t)r);
	}
	close(fd);
	if (len)
		*len = b.len;
	if (!b.data)
		return xstrdup("");
	return buf_steal(&b);
}

/* ---- Thunderbird ---------------------------------------------------- */

/* A parsed ini: sections of key=value, in file order. */
struct ini_entry {
	char *section, *key, *value;
};

static size_t ini_parse(const char *text, struct ini_entry **out)
{
	struct ini_entry *v = NULL;
	size_t n = 0;
	char *section = xstrdup("");
	for (const char *line = text; line && *line;) {
		const char *end = strchr(line, '\n');
		size_t l = end ? (size_t)(end - line) : strlen(line);
		while (l && (line[l - 1] == '\r' || line[l - 1] == ' '))
			l--;
		const char *s = line;
		line = end ? end + 1 : NULL;
		while (l && *s == ' ')
			s++, l--;
		if (l >= 2 && s[0] == '[' && s[l - 1] == ']') {
			free(section);
			section = xstrndup(s + 1, l - 2);
			continue;
		}
		const char *eq = memchr(s, '=', l);
		if (!eq || *s == ';' || *s == '#' || n >= CLIENTS_PROFILES_MAX * 8)
			continue;
		v = xrealloc(v, (n + 1) * sizeof *v);
		v[n].section = xstrdup(section);
		v[n].key = xstrndup(s, (size_t)(eq - s));
		v[n].value = xstrndup(eq + 1, l - (size_t)(eq + 1 - s));
		n++;
	}
	free(section);
	*out = v;
	return n;
}

static void ini_free(struct ini_entry *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].section);
		free(v[i].key);
		free(v[i].value);
	}
	free(v);
}

static const char *ini_get(const struct ini_entry *v, size_t n, const char *section,
                           const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].section, section) == 0 && strcmp(v[i].key, key) == 0)
			return v[i].value;
	return NULL;
}

/* install_default: the Default= the [Install...] sections agree on, or
 * NULL.  *conflict when they name different profiles. */
static void install_defaults(const struct ini_entry *v, size_t n, char **def, bool *conflict,
                             bool any_section)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(v[i].key, "Default") != 0)
			continue;
		if (!any_section && strncmp(v[i].section, "Install", 7) != 0)
			continue;
		if (!*def)
			*def = xstrdup(v[i].value);
		else if (strcmp(*def, v[i].value) != 0)
			*conflict = true;
	}
}

static void scan_root(const char *root, struct tb_profile_info **out, size_t *count)
{
	char *ini_path = xasprintf("%s/profiles.ini", root);
	char *text = clients_read_file(ini_path, CLIENTS_INI_MAX, NULL);
	free(ini_path);
	if (!text)
		return;
	struct ini_entry *v;
	size_t n = ini_parse(text, &v);
	free(text);

	char *def = NULL;
	bool conflict = false;
	char *inst_path = xasprintf("%s/installs.ini", root);
	char *inst = clients_read_file(inst_path, CLIENTS_INI_MAX, NULL);
	free(inst_path);
	if (inst) {
		struct ini_entry *iv;
		size_t in = ini_parse(inst, &iv);
		install_defaults(iv, in, &def, &conflict, true);
		ini_free(iv, in);
		free(inst);
	}
	install_defaults(v, n, &def, &conflict, false);
	if (conflict) {
		free(def);
		def = NULL;
	}

	bool found_default = false;
	for (size_t i = 0; i < n && *count < CLIENTS_PROFILES_MAX; i++) {
		const char *sec = v[i].section;
		if (strncmp(sec, "Profile", 7) != 0 || strcmp(v[i].key, "Path") != 0)
			continue;
		const char *path = v[i].value;
		if (!*path)
			continue;
		const char *rel = ini_get(v, n, sec, "IsRelative");
		const char *name = ini_get(v, n, sec, "Name");
		const char *d1 = ini_get(v, n, sec, "Default");
		/* IsRelative=0 with a relative path names nothing we can find. */
		if (path[0] != '/' && rel && strcmp(rel, "0") == 0)
			continue;
		struct tb_profile_info p = {0};
		p.name = xstrdup(name ? name : path);
		p.path = path[0] == '/' ? xstrdup(path) : xasprintf("%s/%s", root, path);
		p.root = xstrdup(root);
		p.is_default = def ? strcmp(def, path) == 0 : (d1 && strcmp(d1, "1") == 0);
		if (p.is_default && found_default)
			p.is_default = false;
		found_default = found_default || p.is_default;
		char *prefs = xasprintf("%s/prefs.js", p.path);
		p.has_prefs = file_exists(prefs);
		free(prefs);
		*out = xrealloc(*out, (*count + 1) * sizeof **out);
		(*out)[(*count)++] = p;
	}
	free(def);
	ini_free(v, n);
}

size_t clients_thunderbird_profiles(const struct client_env *e, struct tb_profile_info **out)
{
	static const char *const roots[] = {
	    ".thunderbird",
	    "snap/thunderbird/common/.thunderbird",
	    ".var/app/org.mozilla.Thunderbird/.thunderbird",
	};
	size_t count = 0;
	*out = NULL;
	if (!e->home)
		return 0;
	for (size_t i = 0; i < sizeof roots / sizeof roots[0]; i++) {
		char *root = xasprintf("%s/%s", e->home, roots[i]);
		scan_root(root, out, &count);
		free(root);
	}
	/* Default first: the first one marked moves to the front, the others
	 * keep their order. */
	for (size_t i = 0; i < count; i++) {
		if (!(*out)[i].is_default)
			continue;
		struct tb_profile_info d = (*out)[i];
		memmove(*out + 1, *out, i * sizeof **out);
		(*out)[0] = d;
		break;
	}
	return count;
}

void clients_thunderbird_profiles_free(struct tb_profile_info *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(p[i].name);
		free(p[i].path);
		free(p[i].root);
	}
	free(p);
}

/* local_address: the lock's IP is one of this host's (Thunderbird writes
 * the address its host name resolves to, often 127.0.1.1). */
static bool local_address(const char *ip)
{
	struct in_addr a4;
	struct in6_addr a6;
	bool v4 = inet_pton(AF_INET, ip, &a4) == 1;
	bool v6 = !v4 && inet_pton(AF_INET6, ip, &a6) == 1;
	if (!v4 && !v6)
		return false;
	if (v4 && (ntohl(a4.s_addr) >> 24) == 127)
		return true;
	if (v6 && IN6_IS_ADDR_LOOPBACK(&a6))
		return true;
	struct ifaddrs *ifs;
	if (getifaddrs(&ifs) != 0)
		return false;
	bool found = false;
	for (struct ifaddrs *i = ifs; i && !found; i = i->ifa_next) {
		if (!i->ifa_addr)
			continue;
		if (v4 && i->ifa_addr->sa_family == AF_INET)
			found = ((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr.s_addr ==
			        a4.s_addr;
		else if (v6 && i->ifa_addr->sa_family == AF_INET6)
			found = memcmp(&((struct sockaddr_in6 *)(void *)i->ifa_addr)->sin6_addr,
			               &a6, sizeof a6) == 0;
	}
	freeifaddrs(ifs);
	return found;
}

static bool symlink_lock_held(const char *dir)
{
	char *lock = xasprintf("%s/lock", dir);
	char target[256];
	ssize_t n = readlink(lock, target, sizeof target - 1);
	free(lock);
	if (n <= 0)
		return false;
	target[n] = '\0';
	/* "IP:+PID" */
	char *sep = strstr(target, ":+");
	if (!sep)
		return false;
	*sep = '\0';
	char *end;
	errno = 0;
	long pid = strtol(sep + 2, &end, 10);
	if (errno || *end || pid <= 0)
		return false;
	if (!local_address(target))
		return true; /* another host's process: cannot tell, assume held */
	return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

static bool parentlock_held(const char *dir)
{
	char *path = xasprintf("%s/.parentlock", dir);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	free(path);
	if (fd < 0)
		return false;
	struct flock fl = {0};
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	fl.l_start = 0;
	fl.l_len = 0;
	bool held = fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK;
	close(fd);
	return held;
}

bool clients_thunderbird_running(const char *profile_dir)
{
	return symlink_lock_held(profile_dir) || parentlock_held(profile_dir);
}
