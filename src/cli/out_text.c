/* out_text.c - probe results for people: steps, TLS facts, findings. */
#include "config.h"

#include "base/escape.h"
#include "base/i18n.h"
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

/* Step ids are stable English words; people read translated labels. */
static const char *step_label(const char *id)
{
	static const struct {
		const char *id, *label;
	} t[] = {
	    {"connect", N_("connect")},   {"tls", N_("TLS handshake")},
	    {"greeting", N_("greeting")}, {"capability", N_("capabilities")},
	    {"ehlo", N_("EHLO")},         {"starttls", N_("STARTTLS")},
	    {"login", N_("login")},       {"mail-from", N_("MAIL FROM")},
	    {"rcpt-to", N_("RCPT TO")},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (strcmp(t[i].id, id) == 0)
			return _(t[i].label);
	return id;
}

static const char *security_label(enum ms_security s)
{
	return s == SEC_TLS ? _("TLS") : s == SEC_STARTTLS ? _("STARTTLS") : _("plaintext");
}

static void print_list(FILE *f, const char *label, char **v, size_t n)
{
	fprintf(f, "  %-16s", label);
	if (n == 0)
		fprintf(f, "%s", _("(none)"));
	for (size_t i = 0; i < n; i++) {
		char *e = escape_display_str(v[i]);
		fprintf(f, "%s%s", i ? " " : "", e);
		free(e);
	}
	fprintf(f, "\n");
}

static void print_field(FILE *f, const char *label, const char *raw)
{
	char *e = escape_display_str(raw);
	fprintf(f, "  %-16s%s\n", label, e);
	free(e);
}

void out_findings_text(FILE *f, const struct findings *fnd)
{
	for (size_t i = 0; i < fnd->n; i++) {
		const struct finding *x = &fnd->v[i];
		/* TRANSLATORS: severities of a finding, printed before its code. */
		const char *sev = x->severity == SEV_ERROR     ? _("error")
		                  : x->severity == SEV_WARNING ? _("warning")
		                                               : _("note");
		fprintf(f, "%s %s: %s\n", sev, diag_code_name(x->code), x->message);
		if (x->fix_text[0])
			fprintf(f, "  %s %s\n", _("Fix:"), x->fix_text);
	}
}

void out_probe_text(FILE *f, const struct probe_result *r, const struct findings *fnd, bool quiet)
{
	char *host = escape_display_str(r->host);
	if (!quiet) {
		fprintf(f, "%s  %s:%u  %s\n", proto_name(r->proto), host, (unsigned)r->port,
		        security_label(r->security));
		for (size_t i = 0; i < r->nsteps; i++) {
			const struct probe_step *s = &r->steps[i];
			fprintf(f, "  %s %-14s %-48.48s %5d ms\n", cli_mark(s->ok),
			        step_label(s->name), s->detail, s->ms);
		}
		if (r->tls.subject || r->tls.version[0]) {
			fprintf(f, "%s\n", _("TLS"));
			fprintf(f, "  %-16s%s, %s\n", _("protocol"), r->tls.version, r->tls.cipher);
			if (r->tls.pinned)
				fprintf(f, "  %-16s%s (%s)\n", _("verified"),
				        _("no, trusted by its fingerprint"), r->tls.verify_error);
			else
				fprintf(f, "  %-16s%s\n", _("verified"),
				        r->tls.verified ? _("yes") : r->tls.verify_error);
			if (r->tls.subject) {
				print_field(f, _("subject"), r->tls.subject);
				print_list(f, _("names (SAN)"), r->tls.san, r->tls.nsan);
				print_field(f, _("issuer"), r->tls.issuer);
				fprintf(f, "  %-16s%s\n", _("valid from"), r->tls.not_before);
				fprintf(f, "  %-16s%s\n", _("expires"), r->tls.not_after);
				fprintf(f, "  %-16s%s\n", _("SHA-256"), r->tls.sha256);
			}
		}
		if (r->greeting)
			print_field(f, _("greeting"), r->greeting);
		if (r->caps.known) {
			print_list(f, _("capabilities"), r->caps.items, r->caps.nitems);
			print_list(f, _("login methods"), r->caps.auth, r->caps.nauth);
		}
		if (r->caps_before_tls.known)
			print_list(f, _("before TLS"), r->caps_before_tls.items,
			           r->caps_before_tls.nitems);
		const char *login = r->login == LOGIN_OK       ? _("accepted")
		                    : r->login == LOGIN_FAILED ? _("refused")
		                                               : _("not tested");
		fprintf(f, "  %-16s%s\n", _("login"), login);
		if (r->alternative) {
			/* The other way that was tried, so that nobody has to
			 * guess which modes the answer covers. */
			const struct probe_result *a = r->alternative;
			fprintf(f, "  %-16s", _("also tried"));
			if (a->ok)
				/* TRANSLATORS: "also tried  TLS, port 993: works (120 ms)" */
				fprintf(f, _("%s, port %u: works (%d ms)\n"),
				        security_label(a->security), (unsigned)a->port,
				        a->total_ms);
			else
				/* TRANSLATORS: "also tried  TLS, port 993: failed: <why>" */
				fprintf(f, _("%s, port %u: failed: %s\n"),
				        security_label(a->security), (unsigned)a->port, a->err.msg);
		}
	}
	out_findings_text(f, fnd);
	if (r->ok)
		fprintf(f, _("Result: %s %s:%u works (%d ms).\n"), proto_name(r->proto), host,
		        (unsigned)r->port, r->total_ms);
	else
		fprintf(f, _("Result: %s %s:%u failed: %s\n"), proto_name(r->proto), host,
		        (unsigned)r->port, r->err.msg);
	free(host);
}
