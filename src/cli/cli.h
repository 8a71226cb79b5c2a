/* cli.h - the scripted face: shared option state and command entry points.
 *
 * Only the CLI maps engine results to exit codes (STYLE.md habit 3); the
 * numbers are a contract documented in doc/mailsetup.1.
 */
#ifndef MS_CLI_H
#define MS_CLI_H

#include "base/buf.h"
#include "net/override.h"
#include "probe/probe.h"

#include <stdbool.h>
#include <stdio.h>

enum exit_code {
	EXIT_OK = 0,
	EXIT_CHECK_FAILED = 1, /* reachable, but something is wrong */
	EXIT_USAGE = 2,
	EXIT_NETWORK = 3, /* DNS, refused, timeout */
	EXIT_TLS = 4,     /* TLS or certificate */
	EXIT_AUTH = 5,    /* credentials refused */
	EXIT_LOCAL = 6,   /* our side: a file could not be read or written */
};

struct cli_opts {
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
};

/* cmd_generate_install: generate --install (cmd_install.c), after the
 * account was built and validated: install into each client of formats
 * (comma-separated; NULL: every client whose configuration exists). */
struct account;
int cmd_generate_install(const struct cli_opts *o, const char *formats, struct account *a);

/* cli_parse: common GNU-style options for subcommand cmd; returns the
 * index of the first operand, or -1 after printing a usage error.  The
 * caller frees o->overrides (net_overrides_free). */
int cli_parse(const char *cmd, int argc, char **argv, struct cli_opts *o);
/* cli_error: "mailsetup CMD: message" on stderr; cli_usage_error adds
 * the pointer to --help. */
void cli_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* cli_read_password: from --password-fd, --password-file,
 * MAILSETUP_PASSWORD or a prompt with echo off on the terminal, in that
 * order.  Returns a malloc'ed secret (secret_free it) or NULL with a
 * message printed. */
char *cli_read_password(const struct cli_opts *o, const char *user, const char *where);

/* Output helpers. */
/* cli_read_file: append all of path ("-": standard input) to out, at most
 * max bytes; false with errno set (EFBIG when longer). */
bool cli_read_file(const char *path, size_t max, struct buf *out);
/* cli_now_iso: the current UTC time as 2026-11-23T08:00:00Z. */
void cli_now_iso(char *buf, size_t len);
bool cli_utf8(void);
const char *cli_mark(bool ok);
enum exit_code cli_exit_for(const struct probe_result *r);
/* out_findings_text: "error CODE: message" and "  Fix: ..." lines. */
void out_findings_text(FILE *f, const struct findings *fnd);
void out_probe_text(FILE *f, const struct probe_result *r, const struct findings *fnd, bool quiet);
void out_probe_json(FILE *f, const struct probe_result *r, const struct findings *fnd);
/* probe_to_json: the JSON object of one probe (a jansson json_t *). */
struct json_t;
struct json_t *probe_to_json(const struct probe_result *r, const struct findings *fnd);
/* folders_to_json: {sent, drafts, trash, junk, archive, guessed}. */
struct json_t *folders_to_json(const struct ms_folders *f);
/* findings_to_json: the "findings" array. */
struct json_t *findings_to_json(const struct findings *fnd);
/* cli_split_host_port: "host", "host:port", "[v6]:port". */
bool cli_split_host_port(const char *arg, char **host, uint16_t *port);
/* observer that prints the transcript (--verbose) to stderr */
extern const struct ms_observer cli_verbose_observer;

int cmd_probe(int argc, char **argv);
int cmd_diagnose(int argc, char **argv);
int cmd_discover(int argc, char **argv);
int cmd_generate(int argc, char **argv);
int cmd_wizard(int argc, char **argv);

#endif
