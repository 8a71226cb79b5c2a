/* src/clients/clients.h - where each mail client keeps its configuration
 * on this machine.  Engine code: reads files only (open/read, no stdio to a
 * person), never writes.  Paths come from the environment given, so tests
 * use a scratch HOME. */
#ifndef MS_CLIENTS_H
#define MS_CLIENTS_H

#include <stdbool.h>
#include <stddef.h>

struct client_env {
	const char *home;            /* $HOME */
	const char *xdg_config_home; /* $XDG_CONFIG_HOME, or NULL: home/.config */
};
/* client_env_from_process: from getenv("HOME") / getenv("XDG_CONFIG_HOME")
 * (empty counts as unset); false when HOME is unset. */
bool client_env_from_process(struct client_env *e);

enum client_kind { CLIENT_MUTT, CLIENT_NEOMUTT, CLIENT_MSMTP, CLIENT_MBSYNC, CLIENT_AERC };

/* clients_config_file: the configuration file this client really reads:
 * the first existing file in its own search order (*exists = true), or,
 * when none exists, the file mailsetup should create for it
 * (*exists = false).  malloc'ed absolute path.
 *  mutt: ~/.muttrc, ~/.mutt/muttrc, $XDG/mutt/muttrc (create: ~/.muttrc)
 *  neomutt: its own files ($XDG/neomutt/neomuttrc, ~/.neomutt/neomuttrc,
 *    ~/.neomuttrc ...) then mutt's, in neomutt's real order
 *  msmtp: ~/.msmtprc, $XDG/msmtp/config
 *  mbsync: ~/.mbsyncrc ($XDG/isyncrc too)
 *  aerc: $XDG/aerc/accounts.conf
 * The exact orders, with their sources, are in clients.c. */
char *clients_config_file(const struct client_env *e, enum client_kind k, bool *exists);

/* clients_config_dir: the folder of the client's own files, where
 * mailsetup puts per-account files: $XDG/mutt, $XDG/neomutt, $XDG/msmtp,
 * $XDG/isync, $XDG/aerc (home/.config when XDG_CONFIG_HOME is unset).
 * malloc'ed. */
char *clients_config_dir(const struct client_env *e, enum client_kind k);

/* clients_name: "mutt", "neomutt", "msmtp", "mbsync", "aerc". */
const char *clients_name(enum client_kind k);

/* clients_tilde: path with the home directory shown as "~" (for display;
 * malloc'ed copy). */
char *clients_tilde(const struct client_env *e, const char *path);

struct tb_profile_info {
	char *name;      /* profiles.ini Name= */
	char *path;      /* absolute profile directory */
	char *root;      /* the .thunderbird directory it was listed in */
	bool is_default; /* installs.ini Default= of this installation, else Default=1 */
	bool has_prefs;  /* prefs.js exists */
};
/* clients_thunderbird_profiles: every profile listed in profiles.ini under
 * ~/.thunderbird, ~/snap/thunderbird/common/.thunderbird and
 * ~/.var/app/org.mozilla.Thunderbird/.thunderbird (IsRelative=1 and
 * absolute Path=), default first.  Returns the count; *out malloc'ed.
 *
 * "This installation": mailsetup cannot compute Thunderbird's install
 * hash, so the Default= of the [Install...] sections (installs.ini, and
 * profiles.ini's copies) is used when they all name the same profile;
 * when they disagree, or there are none, Default=1 of profiles.ini. */
size_t clients_thunderbird_profiles(const struct client_env *e, struct tb_profile_info **out);
void clients_thunderbird_profiles_free(struct tb_profile_info *p, size_t n);

/* clients_thunderbird_running: true when a Thunderbird holds the profile:
 * its `lock` symlink names a live process on this host, or `.parentlock`
 * is locked (fcntl F_GETLK).  A `lock` naming another host's address is
 * taken as held (that process cannot be checked from here). */
bool clients_thunderbird_running(const char *profile_dir);

/* clients_read_file: read a whole regular file of at most max bytes into
 * a malloc'ed NUL-terminated string (*len its length).  NULL with errno
 * set on failure (EFBIG when larger than max).  For engine code that must
 * not use stdio. */
char *clients_read_file(const char *path, size_t max, size_t *len);

#endif
