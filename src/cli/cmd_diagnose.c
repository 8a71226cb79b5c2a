/* cmd_diagnose.c - `mailsetup diagnose [OPTIONS] HOST`: the port x mode
 * matrix, the findings, and the settings to use. */
#include "config.h"

#include "base/alloc.h"
#include "base/escape.h"
#include "base/i18n.h"
#include "cli/cli.h"
#include "diag/diagnose.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

static const char *kind_label(enum port_kind k)
{
	switch (k) {
	case PORT_IMPLICIT_TLS:
		return _("implicit TLS");
	case PORT_STARTTLS:
		return _("STARTTLS");
	case PORT_PLAINTEXT_ONLY:
		return _("plaintext only");
	case PORT_OTHER_PROTOCOL:
		return _("other protocol");
	case PORT_SILENT:
		return _("silent");
	case PORT_REFUSED:
		return _("refused");
	case PORT_FILTERED:
		return _("no answer");
	case PORT_UNRESOLVED:
		return _("unresolved");
	case PORT_BROKEN:
		return _("broken");
	}
	return "?";
}

/* One cell of the matrix: how one mode fared. */
static void cell(char *out, size_t len, const struct probe_result *r)
{
	if (!r) {
		snprintf(out, len, "-");
	} else if (r->ok) {
		snprintf(out, len, "%s %s%s", cli_mark(true), r->tls.version,
		         r->login == LOGIN_OK ? _(", login ok") : "");
	} else {
		snprintf(out, len, "%s %s", cli_mark(false), diag_code_name(r->cause));
	}
}

/* pad: print s and fill to width terminal columns. */
static void pad(const char *s, int width)
{
	fputs(s, stdout);
	for (int cols = face_width(s); cols < width; cols++)
		putchar(' ');
}

static void print_setting(const char *label, const struct probe_result *r)
{
	if (!r) {
		printf("  %-9s %s\n", label, _("nothing usable found"));
		return;
	}
	char *h = escape_display_str(r->host);
	printf("  %-9s %-5s %s  %s %u  %s %s\n", label, proto_name(r->proto), h, _("port"),
	       (unsigned)r->port, _("security"),
	       r->security == SEC_TLS ? _("TLS (SSL)") : _("STARTTLS"));
	free(h);
}

static void out_text(const struct diagnose_report *d, bool quiet)
{
	char *h = escape_display_str(d->host);
	if (!quiet) {
		printf(_("Mail ports of %s, both TLS modes (%d ms)\n"), h, d->total_ms);
		printf("  ");
		pad(_("port"), 7);
		pad(_("proto"), 7);
		pad(_("speaks"), 16);
		pad(_("implicit TLS"), 27);
		printf("%s\n", _("STARTTLS"));
		for (size_t i = 0; i < d->n; i++) {
			const struct port_check *pc = d->checks[i];
			char a[80], b[80];
			cell(a, sizeof a, pc->tls);
			cell(b, sizeof b, pc->starttls);
			printf("  %-6u %-6s ", (unsigned)pc->port, proto_name(pc->proto));
			pad(kind_label(pc->kind), 16);
			pad(a, 27);
			printf("%s\n", b);
		}
	}
	out_findings_text(stdout, &d->findings);
	printf("%s\n", _("Recommended settings:"));
	print_setting(_("incoming"), d->incoming);
	print_setting(_("outgoing"), d->outgoing);
	free(h);
}

static json_t *setting_json(const struct probe_result *r, const char *user)
{
	if (!r)
		return json_null();
	json_t *o = json_object();
	json_object_set_new(o, "protocol", json_string(proto_name(r->proto)));
	json_object_set_new(o, "host", json_string(r->host));
	json_object_set_new(o, "port", json_integer(r->port));
	json_object_set_new(o, "security", json_string(security_name(r->security)));
	json_object_set_new(o, "username", user ? json_string(user) : json_null());
	json_object_set_new(o, "login", json_string(r->login == LOGIN_OK ? "ok" : "skipped"));
	/* Only verified settings are recommended; generate reports when. */
	char when[32];
	face_now_iso(when, sizeof when);
	json_object_set_new(o, "verified", json_true());
	json_object_set_new(o, "verified_at", json_string(when));
	return o;
}

static void out_json(const struct diagnose_report *d, const char *user)
{
	json_t *o = json_object();
	json_object_set_new(o, "host", json_string(d->host));
	json_object_set_new(o, "ms", json_integer(d->total_ms));
	json_t *ports = json_array();
	struct findings none = {0};
	for (size_t i = 0; i < d->n; i++) {
		const struct port_check *pc = d->checks[i];
		const struct probe_result *rs[2] = {pc->tls, pc->starttls};
		for (int k = 0; k < 2; k++) {
			if (!rs[k])
				continue;
			json_t *p = probe_to_json(rs[k], &none);
			json_object_set_new(p, "kind", json_string(port_kind_name(pc->kind)));
			json_array_append_new(ports, p);
		}
	}
	json_object_set_new(o, "ports", ports);
	json_object_set_new(o, "findings", findings_to_json(&d->findings));
	json_t *rec = json_object();
	json_object_set_new(rec, "incoming", setting_json(d->incoming, user));
	json_object_set_new(rec, "outgoing", setting_json(d->outgoing, user));
	json_object_set_new(o, "recommended", rec);
	json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	putchar('\n');
	json_decref(o);
}

int cmd_diagnose(int argc, char **argv)
{
	struct face_opts o;
	int first = face_parse("diagnose", argc, argv, &o);
	if (first < 0)
		return EXIT_USAGE;
	if (argc - first != 1) {
		face_usage_error("diagnose", "%s", _("expected exactly one HOST"));
		return EXIT_USAGE;
	}
	struct diagnose_port *ports = NULL;
	size_t nports = diagnose_default_nports;
	if (o.ports) {
		nports = diagnose_parse_ports(o.ports, &ports);
		if (!nports) {
			face_usage_error("diagnose",
			                 _("'%s' is not a list of ports such as 993,587,2525/smtp"),
			                 o.ports);
			return EXIT_USAGE;
		}
	}
	struct probe_request base = {0};
	base.host = argv[first];
	base.timeout_ms = o.timeout_s * 1000;
	base.allow_plaintext = o.allow_plaintext;
	base.mail_from = o.from;
	base.ehlo_name = o.ehlo;
	base.user = o.user;
	char *password = NULL;
	if (o.user && !o.no_login) {
		password = cli_read_password(&o, o.user, base.host);
		if (!password) {
			free(ports);
			return EXIT_USAGE;
		}
		base.password = password;
		base.login = true;
	}
	struct ms_err err;
	err_clear(&err);
	/* Resolve once for all probes. */
	struct conn_addr *addrs = NULL;
	base.naddrs = conn_resolve(base.host, 1, &addrs, &err);
	if (!base.naddrs) {
		face_error("diagnose", "%s", err.msg);
		secret_free(password);
		free(ports);
		return EXIT_NETWORK;
	}
	base.addrs = addrs;
	base.tls_ctx = tls_ctx_new(o.cafile, &err);
	if (!base.tls_ctx) {
		face_error("diagnose", "%s", err.msg);
		secret_free(password);
		free(addrs);
		free(ports);
		return EXIT_LOCAL;
	}
	struct diagnose_report *d = diagnose_run(&base, ports ? ports : diagnose_default_ports,
	                                         nports, o.verbose ? &cli_verbose_observer : NULL);
	secret_free(password);
	if (o.json)
		out_json(d, o.user);
	else
		out_text(d, o.quiet);
	int code = EXIT_OK;
	if (!d->incoming && !d->outgoing) {
		bool answered = false;
		for (size_t i = 0; i < d->n; i++)
			if (d->checks[i]->kind != PORT_REFUSED &&
			    d->checks[i]->kind != PORT_FILTERED &&
			    d->checks[i]->kind != PORT_UNRESOLVED)
				answered = true;
		code = answered ? EXIT_CHECK_FAILED : EXIT_NETWORK;
	}
	diagnose_report_free(d);
	tls_ctx_free(base.tls_ctx);
	free(addrs);
	free(ports);
	return code;
}
