/* face.h - what both faces (cli/ and tui/) share, and nothing the engine
 * needs: the options and their parser, usage errors on stderr, the exit
 * status numbers, and small terminal and file services.
 *
 * Only a face maps engine results to exit codes (STYLE.md habit 3); the
 * numbers are a contract documented in doc/mailsetup.1.
 */
#ifndef MS_FACE_H
#define MS_FACE_H

#include "base/buf.h"
#include "net/override.h"
#include "probe/probe.h"

#include <stdbool.h>
#include <stddef.h>

enum exit_code {
	EXIT_OK = 0,
	EXIT_CHECK_FAILED = 1, /* reachable, but something is wrong */
	EXIT_USAGE = 2,
	EXIT_NETWORK = 3, /* DNS, refused, timeout */
	EXIT_TLS = 4,     /* TLS or certificate */
	EXIT_AUTH = 5,    /* credentials refused */
	EXIT_LOCAL = 6,   /* our side: a file could not be read or written */
};

struct face_opts {
	const char *protocol;
	const char *security;
	const char *user;
	const char *password_file;
	int password_fd; /* -1: none */
	bool no_login;
	const char *cafile;
	char trust_cert[TLS_FPR_LEN]; /* --trust-cert, tls_pin_parse form; "" if none */
	int timeout_s;
	bool json;
	bool quiet;
	bool verbose;
	bool allow_plaintext;
	const char *from;
	const char *ehlo;
	const char *format;
	const char *output;
	bool force;
	const char *ports; /* diagnose --ports */
	/* discover (and every network layer): where names and URLs lead */
	const char *dns_server;
	const char *ispdb_url;
	bool allow_http;
	struct net_overrides overrides; /* --resolve, --connect-to */
	/* generate */
	const char *address;
	const char *name;
	const char *imap; /* HOST[:PORT] */
	const char *pop3; /* HOST[:PORT] */
	const char *smtp; /* HOST[:PORT] */
	const char *incoming_security;
	const char *outgoing_security;
	const char *from_json; /* FILE or "-" */
	const char *password_command;
	bool store_password;
	const char *thunderbird_profile;
	bool install; /* generate --install: into the clients' own files */
	/* check */
	bool fix;   /* apply the tested changes */
	bool yes;   /* without asking */
	bool login; /* log in where a file names the user */
};

/* face_parse: common GNU-style options for subcommand cmd; returns the
 * index of the first operand, or -1 after printing a usage error.  The
 * caller frees o->overrides (net_overrides_free). */
int face_parse(const char *cmd, int argc, char **argv, struct face_opts *o);
/* face_error: "mailsetup CMD: message" on stderr; face_usage_error adds
 * the pointer to --help. */
void face_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void face_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* face_read_file: append all of path ("-": standard input) to out, at
 * most max bytes; false with errno set (EFBIG when longer). */
bool face_read_file(const char *path, size_t max, struct buf *out);
/* face_now_iso: the current UTC time as 2026-11-23T08:00:00Z. */
void face_now_iso(char *buf, size_t len);
/* face_utf8: the terminal's character set (LC_CTYPE) is UTF-8. */
bool face_utf8(void);
/* face_width: the terminal columns s takes in this locale (wide
 * characters 2, combining 0; bytes that do not decode 1 each). */
int face_width(const char *s);
/* face_step_label: a probe step's name for a person ("tls" -> "TLS
 * handshake"), translated; an unknown id as it is. */
const char *face_step_label(const char *id);

/* cmd_wizard: the ncurses face (tui/wizard.c); main() starts it when no
 * command is given. */
int cmd_wizard(int argc, char **argv);
/* tui_check: `mailsetup check` on a terminal (tui/screen_check.c): the
 * files named (or every one found) tested live; an exit status. */
int tui_check(const struct face_opts *o, char *const *paths, int npaths);
/* tui_diagnose: `mailsetup diagnose HOST` on a terminal: the port x mode
 * matrix filling in live; the exit status diagnose gives. */
struct diagnose_port;
struct ms_observer;
int tui_diagnose(const struct probe_request *base, const struct diagnose_port *ports, size_t nports,
                 const struct ms_observer *obs);

#endif
