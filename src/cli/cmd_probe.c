/* cmd_probe.c - `mailsetup probe [OPTIONS] HOST[:PORT]`. */
#include "config.h"

#include "base/alloc.h"
#include "base/i18n.h"
#include "cli/cli.h"
#include "probe/modes.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

bool cli_split_host_port(const char *arg, char **host, uint16_t *port)
{
	const char *colon = NULL;
	*port = 0;
	if (arg[0] == '[') {
		const char *rb = strchr(arg, ']');
		if (!rb || rb == arg + 1)
			return false;
		*host = xstrndup(arg + 1, (size_t)(rb - arg - 1));
		if (rb[1] == ':')
			colon = rb + 1;
		else if (rb[1] != '\0')
			goto bad;
	} else {
		colon = strrchr(arg, ':');
		if (colon && strchr(arg, ':') != colon)
			colon = NULL; /* a bare IPv6 address */
		*host = colon ? xstrndup(arg, (size_t)(colon - arg)) : xstrdup(arg);
	}
	if ((*host)[0] == '\0')
		goto bad;
	if (colon) {
		char *end;
		errno = 0;
		long v = strtol(colon + 1, &end, 10);
		if (errno || end == colon + 1 || *end || v < 1 || v > 65535)
			goto bad;
		*port = (uint16_t)v;
	}
	return true;
bad:
	free(*host);
	*host = NULL;
	return false;
}

static void verbose_line(void *ctx, const struct probe_result *r, char dir, const char *text)
{
	fprintf(stderr, "%s:%u %c %s\n", r->host, (unsigned)r->port, dir == '>' ? '>' : '<', text);
}

const struct ms_observer cli_verbose_observer = {
    .ctx = NULL,
    .transcript = verbose_line,
};

int cmd_probe(int argc, char **argv)
{
	struct face_opts o;
	int first = face_parse("probe", argc, argv, &o);
	if (first < 0)
		return EXIT_USAGE;
	if (argc - first != 1) {
		face_usage_error("probe", "%s", _("expected exactly one HOST[:PORT]"));
		return EXIT_USAGE;
	}
	struct probe_request req = {0};
	req.proto = PROTO_IMAP;
	req.security = SEC_TLS;
	if (o.protocol && !proto_parse(o.protocol, &req.proto)) {
		face_usage_error("probe", _("unknown protocol '%s' (use imap, pop3 or smtp)"),
		                 o.protocol);
		return EXIT_USAGE;
	}
	if (o.security && !security_parse(o.security, &req.security)) {
		face_usage_error("probe", _("unknown security '%s' (use tls, starttls or plain)"),
		                 o.security);
		return EXIT_USAGE;
	}
	char *host;
	if (!cli_split_host_port(argv[first], &host, &req.port)) {
		face_usage_error("probe", _("'%s' is not HOST or HOST:PORT"), argv[first]);
		return EXIT_USAGE;
	}
	if (o.from && req.proto != PROTO_SMTP) {
		face_usage_error("probe", "%s", _("--from applies to --protocol smtp only"));
		free(host);
		return EXIT_USAGE;
	}
	req.host = host;
	/* --resolve / --connect-to reach probes as pre-resolved addresses. */
	const struct net_override *ov = net_override_find(
	    &o.overrides, host, req.port ? req.port : default_port(req.proto, req.security));
	if (ov) {
		req.addrs = ov->addr;
		req.naddrs = ov->naddr;
	}
	req.timeout_ms = o.timeout_s * 1000;
	req.allow_plaintext = o.allow_plaintext;
	req.pin_sha256 = o.trust_cert[0] ? o.trust_cert : NULL;
	req.mail_from = o.from;
	req.ehlo_name = o.ehlo;
	req.user = o.user;
	char *password = NULL;
	if (o.user && !o.no_login) {
		char where[300];
		snprintf(where, sizeof where, "%s:%u", host,
		         (unsigned)(req.port ? req.port : default_port(req.proto, req.security)));
		password = cli_read_password(&o, o.user, where);
		if (!password) {
			free(host);
			return EXIT_USAGE;
		}
		req.password = password;
		req.login = true;
	}
	struct ms_err err;
	err_clear(&err);
	req.tls_ctx = tls_ctx_new(o.cafile, &err);
	if (!req.tls_ctx) {
		face_error("probe", "%s", err.msg);
		secret_free(password);
		free(host);
		return EXIT_LOCAL;
	}
	struct probe_result *r = probe_checked(&req, o.verbose ? &cli_verbose_observer : NULL);
	secret_free(password);
	req.password = NULL;
	struct findings fnd = {0};
	diag_probe(r, &fnd);
	if (o.json)
		out_probe_json(stdout, r, &fnd);
	else
		out_probe_text(stdout, r, &fnd, o.quiet);
	int code = cli_exit_for(r);
	findings_free(&fnd);
	probe_result_free(r);
	tls_ctx_free(req.tls_ctx);
	free(host);
	net_overrides_free(&o.overrides);
	return code;
}
