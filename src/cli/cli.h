/* cli.h - the scripted face: command entry points and output helpers.
 * The options, usage errors and exit status numbers both faces share are
 * in face/face.h. */
#ifndef MS_CLI_H
#define MS_CLI_H

#include "base/buf.h"
#include "face/face.h"
#include "probe/probe.h"

#include <stdbool.h>
#include <stdio.h>

/* cli_read_password: from --password-fd, --password-file,
 * MAILSETUP_PASSWORD or a prompt with echo off on the terminal, in that
 * order.  Returns a malloc'ed secret (secret_free it) or NULL with a
 * message printed. */
char *cli_read_password(const struct face_opts *o, const char *user, const char *where);

/* Output helpers. */
/* cli_mark: a check mark or cross (ok / FAIL without UTF-8). */
const char *cli_mark(bool ok);
enum exit_code cli_exit_for(const struct probe_result *r);
/* out_findings_text: "error CODE: message" and "  Fix: ..." lines. */
void out_findings_text(FILE *f, const struct findings *fnd);
void out_probe_text(FILE *f, const struct probe_result *r, const struct findings *fnd, bool quiet);
void out_probe_json(FILE *f, const struct probe_result *r, const struct findings *fnd);
/* probe_to_json: the JSON object of one probe (a jansson json_t *). */
struct json_t;
struct json_t *probe_to_json(const struct probe_result *r, const struct findings *fnd);
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

#endif
