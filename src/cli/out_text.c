/* out_text.c - probe results for people: steps, TLS facts, findings. */
#include "config.h"

#include "base/escape.h"
#include "base/i18n.h"
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

/* Step ids are stable English words; people read translated labels. */
static const char *security_label(enum ms_security s)
{
	return s == SEC_TLS ? _("TLS") : s == SEC_STARTTLS ? _("STARTTLS") : _("plaintext");
}

/* put_cols: s cut to at most cols terminal columns (never inside a
 * character) and padded with spaces to cols: translated labels and
 * details are not ASCII, so printf's byte widths would misalign them. */
static void put_cols(FILE *f, const char *s, int cols)
{
	mbstate_t st = {0};
	int used = 0;
	while (*s) {
		wchar_t w;
		size_t n = mbrtowc(&w, s, strlen(s), &st);
		int cw = 1;
		if (n == (size_t)-1 || n == (size_t)-2) {
			memset(&st, 0, sizeof st);
			n = 1;
		} else {
			cw = wcwidth(w) < 0 ? 1 : wcwidth(w);
			n = n ? n : 1;
		}
		if (used + cw > cols)
			break;
		fwrite(s, 1, n, f);
		used += cw;
		s += n;
	}
	for (; used < cols; used++)
		fputc(' ', f);
}

/* label: "  LABEL" padded to the value column. */
static void label(FILE *f, const char *s)
{
	fputs("  ", f);
	put_cols(f, s, face_width(s) < 16 ? 16 : face_width(s) + 1);
}

static void print_list(FILE *f, const char *name, char **v, size_t n)
{
	label(f, name);
	if (n == 0)
		fprintf(f, "%s", _("(none)"));
	for (size_t i = 0; i < n; i++) {
		char *e = escape_display_str(v[i]);
		fprintf(f, "%s%s", i ? " " : "", e);
		free(e);
	}
	fprintf(f, "\n");
}

static void print_field(FILE *f, const char *name, const char *raw)
{
	char *e = escape_display_str(raw);
	label(f, name);
	fprintf(f, "%s\n", e);
	free(e);
}

void out_findings_text(FILE *f, const struct findings *fnd)
{
	for (size_t i = 0; i < fnd->n; i++) {
		const struct finding *x = &fnd->v[i];
		fprintf(f, "%s %s: %s\n", diag_severity_label(x->severity), diag_code_name(x->code),
		        x->message);
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
			fprintf(f, "  %s ", cli_mark(s->ok));
			put_cols(f, face_step_label(s->name), 15);
			put_cols(f, s->detail, 48);
			fprintf(f, " %5d ms\n", s->ms);
		}
		if (r->tls.subject || r->tls.version[0]) {
			fprintf(f, "%s\n", _("TLS"));
			label(f, _("protocol"));
			fprintf(f, "%s, %s\n", r->tls.version, r->tls.cipher);
			label(f, _("verified"));
			if (r->tls.pinned)
				fprintf(f, "%s (%s)\n", _("no, trusted by its fingerprint"),
				        r->tls.verify_error);
			else
				fprintf(f, "%s\n",
				        r->tls.verified ? _("yes") : r->tls.verify_error);
			if (r->tls.subject) {
				print_field(f, _("subject"), r->tls.subject);
				print_list(f, _("names (SAN)"), r->tls.san, r->tls.nsan);
				print_field(f, _("issuer"), r->tls.issuer);
				label(f, _("valid from"));
				fprintf(f, "%s\n", r->tls.not_before);
				label(f, _("expires"));
				fprintf(f, "%s\n", r->tls.not_after);
				label(f, _("SHA-256"));
				fprintf(f, "%s\n", r->tls.sha256);
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
		label(f, _("login"));
		fprintf(f, "%s\n", login);
		if (r->alternative) {
			/* The other way that was tried, so that nobody has to
			 * guess which modes the answer covers. */
			const struct probe_result *a = r->alternative;
			label(f, _("also tried"));
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
