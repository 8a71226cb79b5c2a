/* screen_certificate.c - step 4: the facts of a certificate that failed
 * verification, and trust by fingerprint (DESIGN.md rule 8) as an
 * explicit second choice where no authority can vouch for it. */
#include "config.h"

#include "tui/wizard.h"

#include <stdio.h>

/* Trust by fingerprint is offered only where no authority can vouch for the
 * certificate (self-signed, or an issuer this computer does not know):
 * not for a wrong name, wrong dates, a missing intermediate or a
 * certificate that changed, where trusting it would hide the problem. */
static bool trust_offered(const struct probe_result *r)
{
	return (r->cause == DIAG_CERT_SELF_SIGNED || r->cause == DIAG_CERT_UNTRUSTED) &&
	       r->tls.problems == TLS_PROBLEM_ISSUER;
}

/* screen_certificate: the facts of a certificate that failed verification;
 * true when the person chose to trust it (t, then y). */
bool screen_certificate(int d)
{
	const struct probe_result *r = W.res[d];
	const struct tls_facts *t = &r->tls;
	bool offer = trust_offered(r), asking = false;
	for (;;) {
		wiz_help(WIZ_HELP_CERTIFICATE);
		char title[160];
		char *h = escape_display_str(r->host);
		snprintf(title, sizeof title, _("mailsetup - certificate of %s:%u"), h,
		         (unsigned)r->port);
		const char *keys =
		    asking ? _("y trust it   any other key: back")
		    : offer
		        ? _("r reject (default)   Enter reject   t trust this certificate   ? help")
		        : _("r reject (default)   Enter reject   ? help");
		if (tui_frame(title, 4, keys)) {
			struct buf san = {0};
			buf_adds(&san, "");
			for (size_t i = 0; i < t->nsan; i++)
				buf_addf(&san, "%s%s", i ? ", " : "", t->san[i]);
			char *subject = escape_display_str(t->subject),
			     *issuer = escape_display_str(t->issuer),
			     *sans = escape_display_str(san.data),
			     *why = escape_display_str(t->verify_error);
			char valid[96];
			snprintf(valid, sizeof valid, _("%s to %s"), t->not_before, t->not_after);
			const char *label[] = {_("Subject"), _("Names (SAN)"), _("Issuer"),
			                       _("Valid"),   _("SHA-256"),     _("Problem")};
			const char *val[] = {subject, sans, issuer, valid, t->sha256, why};
			int y = 3;
			for (int i = 0; i < 6; i++) {
				tui_put(y, 2, 14, label[i]);
				y += i == 4 ? tui_wrap(y, 16, 62, 2, val[i])
				            : tui_wrap(y, 16, 62, 3, val[i]);
			}
			struct findings fnd = {0};
			diag_probe(r, &fnd);
			if (fnd.n)
				y += 1 + tui_wrap(y + 1, 2, 76, 4, fnd.v[0].message);
			findings_free(&fnd);
			if (asking) {
				char *q = xasprintf(
				    _("Trust exactly this certificate for %s port %u? Do it only "
				      "if "
				      "you have compared its SHA-256 fingerprint with the one your "
				      "provider gives you. mailsetup will then log in to this "
				      "server "
				      "and nowhere else with it."),
				    h, (unsigned)r->port);
				attron(A_BOLD);
				tui_wrap(y + 1, 2, 76, 4, q);
				attroff(A_BOLD);
				free(q);
			} else {
				tui_wrap(
				    y + 1, 2, 76, 4,
				    offer
				        ? _("mailsetup does not log in to a server whose "
				            "certificate it cannot verify, unless you trust this "
				            "exact certificate (t) after checking its fingerprint.")
				        : _("mailsetup does not log in to a server whose "
				            "certificate it cannot verify. Ask your provider, or "
				            "give their CA with --cafile."));
			}
			free(subject), free(issuer), free(sans), free(why);
			buf_free(&san);
		}
		free(h);
		refresh();
		wint_t ch;
		int rc = tui_key(&ch);
		if (rc == KEY_CODE_YES && ch == KEY_RESIZE)
			continue;
		if (asking) {
			if (rc == OK && (ch == 'y' || ch == 'Y')) {
				struct server *s = d ? &W.out : &W.in;
				free(s->pin_host), free(s->pin_pem);
				s->pin_host = xstrdup(s->host);
				s->pin_port = s->port;
				snprintf(s->pin, sizeof s->pin, "%s", t->sha256);
				s->pin_pem = t->pem ? xstrdup(t->pem) : NULL;
				return true;
			}
			asking = false;
			continue;
		}
		if (rc == OK && offer && (ch == 't' || ch == 'T')) {
			asking = true;
			continue;
		}
		if (rc == OK && (ch == 'r' || ch == '\r' || ch == '\n' || ch == 27))
			return false;
		if (rc == KEY_CODE_YES && ch == KEY_ENTER)
			return false;
	}
}
