/* rules.c - the diagnosis catalogue as one const table.
 *
 * Each row: the stable code, its severity, when it applies to a probe
 * result, the sentence a person reads and the fix offered.  Adding a
 * finding is adding a row (and its enum value in diag.h).
 */
#include "config.h"

#include "diag/diag.h"

#include "base/alloc.h"
#include "base/buf.h"
#include "base/escape.h"
#include "base/i18n.h"
#include "probe/probe.h"

#include <openssl/x509.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct rule {
	enum diag_code code;
	const char *name;
	enum diag_severity severity;
	/* applies: NULL means "the probe stopped with this cause". */
	bool (*applies)(const struct probe_result *r);
	/* explain: the sentence(s) into msg, the fix into fix. */
	void (*explain)(const struct probe_result *r, struct buf *msg, struct buf *fix_text,
	                struct diag_fix *fix);
};

static uint16_t tls_port(enum ms_proto p)
{
	return default_port(p, SEC_TLS);
}

static void set_fix(struct diag_fix *f, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_fix(struct diag_fix *f, const char *field, const char *fmt, ...)
{
	va_list ap;
	if (f->n >= DIAG_FIX_MAX)
		return;
	snprintf(f->change[f->n].field, sizeof f->change[f->n].field, "%s", field);
	va_start(ap, fmt);
	vsnprintf(f->change[f->n].value, sizeof f->change[f->n].value, fmt, ap);
	va_end(ap);
	f->n++;
}

/* The other way to the same server, tried just now, works (TLS done). */
static const struct probe_result *alt_works(const struct probe_result *r)
{
	const struct probe_result *a = r->alternative;
	if (a && a->tls_attempted && a->tls.handshake_done)
		return a;
	return NULL;
}

/* fix_use_tls_port: "use port N with TLS", confirmed by a test when the
 * alternative was tried. */
static void fix_use_tls_port(const struct probe_result *r, struct buf *msg, struct buf *fx,
                             struct diag_fix *f)
{
	const struct probe_result *a = alt_works(r);
	uint16_t port = a ? a->port : tls_port(r->proto);
	if (a)
		buf_addf(msg, _(" Port %u answers with TLS (tested just now)."), (unsigned)port);
	buf_addf(fx, _("Use port %u with TLS."), (unsigned)port);
	set_fix(f, "security", "tls");
	if (port != r->port)
		set_fix(f, "port", "%u", (unsigned)port);
}

/* The server's own words, escaped, appended as a second sentence. */
static void add_reply(const struct probe_result *r, struct buf *msg)
{
	if (!r->err.reply[0])
		return;
	char *e = escape_display_str(r->err.reply);
	buf_addf(msg, _(" The server said: \"%s\"."), e);
	free(e);
}

static void add_err(const struct probe_result *r, struct buf *msg)
{
	buf_adds(msg, r->err.msg);
	buf_adds(msg, ".");
}

/* ---- connection ---------------------------------------------------------- */

static void x_dns(const struct probe_result *r, struct buf *msg, struct buf *fx, struct diag_fix *f)
{
	char *h = escape_display_str(r->host);
	buf_addf(msg, _("The name %s does not resolve."), h);
	buf_adds(fx, _("Check the spelling of the server name."));
	free(h);
}

static void x_refused(const struct probe_result *r, struct buf *msg, struct buf *fx,
                      struct diag_fix *f)
{
	buf_addf(msg, _("Nothing listens on port %u of %s (the connection was refused)."),
	         (unsigned)r->port, r->peer[0] ? r->peer : r->host);
	if (alt_works(r)) {
		fix_use_tls_port(r, msg, fx, f);
		return;
	}
	uint16_t want = default_port(r->proto, r->security);
	if (want != r->port) {
		buf_addf(fx, _("Use the standard port %u for %s with %s."), (unsigned)want,
		         proto_name(r->proto), security_name(r->security));
		set_fix(f, "port", "%u", (unsigned)want);
	}
}

static void x_timeout(const struct probe_result *r, struct buf *msg, struct buf *fx,
                      struct diag_fix *f)
{
	if (r->proto == PROTO_SMTP && r->port == 25) {
		buf_adds(msg, _("Port 25 does not answer. Internet providers commonly block "
		                "outgoing port 25 for their customers; mail clients submit on "
		                "port 587 (STARTTLS) or 465 (TLS) instead."));
		if (alt_works(r))
			buf_addf(msg, _(" Port %u answers with TLS (tested just now)."),
			         (unsigned)r->alternative->port);
		buf_adds(fx, _("Use port 465 with TLS, or 587 with STARTTLS."));
		set_fix(f, "port", "465");
		set_fix(f, "security", "tls");
		return;
	}
	buf_addf(msg,
	         _("Port %u does not answer in time: a firewall drops the connection, or "
	           "the server is down."),
	         (unsigned)r->port);
	add_err(r, msg);
}

static void x_closed(const struct probe_result *r, struct buf *msg, struct buf *fx,
                     struct diag_fix *f)
{
	add_err(r, msg);
	add_reply(r, msg);
}

/* ---- TLS mode mismatches ------------------------------------------------- */

/* speaks_neither: both modes were tried and met silence or failed. */
static void speaks_neither(const struct probe_result *r, struct buf *msg, struct buf *fx)
{
	if (r->silent && r->alternative->silent)
		buf_adds(msg, _(" The server accepts connections but speaks neither way: it is "
		                "overloaded or broken, or this is not a mail server's port."));
	buf_adds(fx, _("No automatic fix: check the server name and port with the provider."));
}

static void x_no_greeting(const struct probe_result *r, struct buf *msg, struct buf *fx,
                          struct diag_fix *f)
{
	const struct probe_result *a = r->alternative;
	if (a && a->security == SEC_TLS && !alt_works(r)) {
		/* Both modes were tried: claiming TLS would be a guess. */
		buf_addf(msg,
		         _("Port %u accepted the connection but said nothing in plaintext, and "
		           "implicit TLS, tried at the same time, did not work either: %s."),
		         (unsigned)r->port, a->err.msg);
		speaks_neither(r, msg, fx);
		return;
	}
	buf_addf(msg,
	         _("Port %u accepted the connection but said nothing. A mail server speaks "
	           "first in plaintext, so this port most likely expects TLS right away "
	           "(implicit TLS), and STARTTLS does not apply."),
	         (unsigned)r->port);
	if (alt_works(r))
		buf_addf(msg, _(" Port %u answers with TLS (tested just now)."), (unsigned)r->port);
	buf_adds(fx, _("Set security to TLS (SSL) for this port, not STARTTLS."));
	set_fix(f, "security", "tls");
}

static void x_tls_on_plain(const struct probe_result *r, struct buf *msg, struct buf *fx,
                           struct diag_fix *f)
{
	buf_addf(msg,
	         _("Port %u answered with a plaintext greeting instead of a TLS handshake: "
	           "it speaks STARTTLS (or plaintext), not implicit TLS."),
	         (unsigned)r->port);
	add_reply(r, msg);
	const struct probe_result *a = alt_works(r);
	if (a)
		buf_addf(msg, _(" STARTTLS works on port %u (tested just now)."),
		         (unsigned)r->port);
	else if (r->alternative)
		buf_addf(msg, _(" STARTTLS on port %u did not work either: %s."), (unsigned)r->port,
		         r->alternative->err.msg);
	buf_addf(fx, _("Set security to STARTTLS for port %u, or use port %u with TLS."),
	         (unsigned)r->port, (unsigned)tls_port(r->proto));
	set_fix(f, "security", "starttls");
}

static void x_mismatch(const struct probe_result *r, struct buf *msg, struct buf *fx,
                       struct diag_fix *f)
{
	add_err(r, msg);
	add_reply(r, msg);
	uint16_t want = default_port(r->proto, r->security);
	if (want != r->port) {
		buf_addf(fx, _("Use port %u for %s."), (unsigned)want, proto_name(r->proto));
		set_fix(f, "port", "%u", (unsigned)want);
	}
}

static void x_violation(const struct probe_result *r, struct buf *msg, struct buf *fx,
                        struct diag_fix *f)
{
	add_err(r, msg);
	add_reply(r, msg);
	buf_adds(msg, _(" This is not how a mail server behaves; the server is broken or "
	                "something between you and it interferes."));
}

static void x_service_refused(const struct probe_result *r, struct buf *msg, struct buf *fx,
                              struct diag_fix *f)
{
	add_err(r, msg);
	add_reply(r, msg);
}

static void x_starttls_missing(const struct probe_result *r, struct buf *msg, struct buf *fx,
                               struct diag_fix *f)
{
	buf_addf(msg,
	         _("Port %u does not offer STARTTLS, so the connection cannot be encrypted "
	           "there. mailsetup never falls back to plaintext."),
	         (unsigned)r->port);
	fix_use_tls_port(r, msg, fx, f);
}

static void x_starttls_refused(const struct probe_result *r, struct buf *msg, struct buf *fx,
                               struct diag_fix *f)
{
	buf_addf(msg, _("The server on port %u advertised STARTTLS but refused it."),
	         (unsigned)r->port);
	add_reply(r, msg);
	fix_use_tls_port(r, msg, fx, f);
}

static void x_injection(const struct probe_result *r, struct buf *msg, struct buf *fx,
                        struct diag_fix *f)
{
	buf_adds(msg, _("Data followed the server's STARTTLS answer before encryption began. "
	                "This is how a STARTTLS command injection attack works (CVE-2011-0411 and "
	                "its kin): whatever comes before the handshake could be forged. The "
	                "connection was dropped and no password was sent."));
	add_reply(r, msg);
	buf_addf(fx, _("Report this to the server's administrator; use port %u with TLS."),
	         (unsigned)tls_port(r->proto));
}

static void x_preauth(const struct probe_result *r, struct buf *msg, struct buf *fx,
                      struct diag_fix *f)
{
	buf_adds(msg, _("The server greeted with PREAUTH: it considers the session logged in "
	                "before any encryption, so STARTTLS can no longer be started. The "
	                "connection was dropped."));
	add_reply(r, msg);
	fix_use_tls_port(r, msg, fx, f);
}

/* ---- certificates -------------------------------------------------------- */

static void cert_summary(const struct probe_result *r, struct buf *msg)
{
	char *s = escape_display_str(r->tls.subject);
	char *i = escape_display_str(r->tls.issuer);
	buf_addf(msg, _(" Certificate: subject %s, issued by %s, valid %s to %s."), s, i,
	         r->tls.not_before, r->tls.not_after);
	free(s);
	free(i);
	/* What else is wrong with it, beyond what the finding is about. */
	enum diag_code c = r->cause;
	unsigned p = r->tls.problems;
	if ((p & TLS_PROBLEM_ISSUER) && c != DIAG_CERT_SELF_SIGNED && c != DIAG_CERT_UNTRUSTED &&
	    c != DIAG_CERT_INCOMPLETE_CHAIN && c != DIAG_CERT_CHANGED)
		buf_adds(msg,
		         _(" It is also not vouched for by any authority this computer trusts."));
	if ((p & TLS_PROBLEM_NAME) && c != DIAG_CERT_HOSTNAME_MISMATCH)
		buf_adds(msg, _(" It is also not valid for the name asked for."));
	if ((p & TLS_PROBLEM_DATES) && c != DIAG_CERT_EXPIRED && c != DIAG_CERT_NOT_YET_VALID)
		buf_adds(msg, _(" It is also outside its validity dates."));
	if (p & TLS_PROBLEM_OTHER)
		buf_adds(msg, _(" It also fails another check (for example its signature)."));
}

static void x_cert_name(const struct probe_result *r, struct buf *msg, struct buf *fx,
                        struct diag_fix *f)
{
	char *h = escape_display_str(r->host);
	struct buf names = {0};
	const char *pick = NULL;
	for (size_t i = 0; i < r->tls.nsan; i++) {
		if (names.len)
			buf_adds(&names, ", ");
		const char *n = r->tls.san[i];
		buf_adds(&names, n + (strncmp(n, "DNS:", 4) == 0 ? 4 : 3));
		if (!pick && strncmp(n, "DNS:", 4) == 0 && n[4] != '*')
			pick = n + 4;
	}
	char *e = escape_display(names.data ? names.data : "", names.len);
	bool only_name = (r->tls.problems & ~(unsigned)TLS_PROBLEM_NAME) == 0;
	buf_addf(msg,
	         only_name ? _("The certificate is valid but not for %s: it names %s.")
	                   : _("The certificate is not for %s: it names %s."),
	         h, e[0] ? e : _("no host names"));
	if (!only_name)
		cert_summary(r, msg);
	if (pick) {
		char *pe = escape_display_str(pick);
		buf_addf(fx, _("Use the server name %s, which the certificate covers."), pe);
		set_fix(f, "host", "%s", pick);
		free(pe);
	} else {
		buf_adds(fx, _("Ask the provider for the correct server name."));
	}
	free(e);
	free(h);
	buf_free(&names);
}

static void x_cert_expired(const struct probe_result *r, struct buf *msg, struct buf *fx,
                           struct diag_fix *f)
{
	buf_addf(msg,
	         _("The server's certificate expired on %s. Either the server's "
	           "administrator forgot to renew it, or your computer's clock is wrong."),
	         r->tls.not_after);
	cert_summary(r, msg);
	buf_adds(fx,
	         _("No automatic fix: check your clock, then tell the server's administrator."));
}

static void x_cert_notyet(const struct probe_result *r, struct buf *msg, struct buf *fx,
                          struct diag_fix *f)
{
	buf_addf(msg,
	         _("The server's certificate is not valid before %s. Your computer's clock "
	           "is probably behind."),
	         r->tls.not_before);
	cert_summary(r, msg);
	buf_adds(fx, _("No automatic fix: check your clock and time zone."));
}

static void x_cert_self(const struct probe_result *r, struct buf *msg, struct buf *fx,
                        struct diag_fix *f)
{
	buf_adds(msg, _("The server's certificate is self-signed: no authority vouches for it, "
	                "so it cannot be told apart from an impostor's."));
	cert_summary(r, msg);
	buf_addf(fx,
	         _("Only if you know this server and its administrator confirms this SHA-256 "
	           "fingerprint: trust exactly this certificate (%s), with t on the wizard's "
	           "certificate screen or --trust-cert."),
	         r->tls.sha256);
}

/* leaf_alone: the server sent only its certificate, whose issuer is not
 * in the trust store (the case cert-untrusted and cert-incomplete-chain
 * share; engine.c tells them apart by the AIA URL). */
static bool leaf_alone(const struct probe_result *r)
{
	long c = r->tls.verify_code;
	return (c == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
	        c == X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE) &&
	       r->tls.verify_depth == 0 && r->tls.chain_len <= 1 && !r->tls.self_issued;
}

static void fix_pin(const struct probe_result *r, struct buf *fx)
{
	buf_addf(fx,
	         _("Only if you know this server and its administrator confirms this SHA-256 "
	           "fingerprint: trust exactly this certificate (%s), with t on the wizard's "
	           "certificate screen or --trust-cert."),
	         r->tls.sha256);
}

static void x_cert_untrusted(const struct probe_result *r, struct buf *msg, struct buf *fx,
                             struct diag_fix *f)
{
	if (leaf_alone(r)) {
		char *i = escape_display_str(r->tls.issuer);
		buf_addf(msg,
		         _("The server's certificate was issued by %s, which is not in this "
		           "computer's trust store, and the server sent no certificate for it. The "
		           "certificate names no place to fetch its issuer from (no Authority "
		           "Information Access URL), as certificates from public authorities do: "
		           "it is most likely a private certificate authority, though a public one "
		           "whose intermediate the server leaves out is not ruled out."),
		         i);
		cert_summary(r, msg);
		buf_addf(fx,
		         _("If %s is your organisation's own authority, add its certificate to the "
		           "trust store (or use --cafile FILE). If it is a public authority, the "
		           "server's administrator must install the full certificate chain. "),
		         i);
		fix_pin(r, fx);
		free(i);
		return;
	}
	buf_addf(msg,
	         _("The server's certificate does not lead to an authority this computer "
	           "trusts (%s)."),
	         r->tls.verify_error);
	cert_summary(r, msg);
	fix_pin(r, fx);
}

static void x_cert_chain(const struct probe_result *r, struct buf *msg, struct buf *fx,
                         struct diag_fix *f)
{
	char *i = escape_display_str(r->tls.issuer);
	char *u = escape_display_str(r->tls.aia_ca_issuers ? r->tls.aia_ca_issuers : "");
	buf_addf(msg,
	         _("The server sends only its own certificate. Its issuer, %s, is not in this "
	           "computer's trust store, but the certificate says where that issuer's "
	           "certificate is published (%s, not fetched by mailsetup), as certificates "
	           "from public authorities do: the server most likely leaves out the "
	           "intermediate certificate that links it to a trusted authority. Some "
	           "programs fetch the missing piece themselves; mail clients usually do not."),
	         i, u);
	cert_summary(r, msg);
	buf_addf(fx,
	         _("Tell the server's administrator to install the full certificate chain. If %s "
	           "is your organisation's own authority instead, add its certificate to the "
	           "trust store (or use --cafile FILE)."),
	         i);
	free(i);
	free(u);
}

static void x_cert_changed(const struct probe_result *r, struct buf *msg, struct buf *fx,
                           struct diag_fix *f)
{
	buf_addf(msg,
	         _("This is not the certificate you chose to trust for this server "
	           "(SHA-256 %s), and it cannot be verified (%s). Its SHA-256 is %s."),
	         r->tls.pin, r->tls.verify_error, r->tls.sha256);
	cert_summary(r, msg);
	buf_adds(fx, _("Do not log in. If the administrator renewed the certificate, ask them "
	               "for the new fingerprint and trust it only if it matches; otherwise "
	               "someone may be between you and the server."));
}

static void x_tls_failed(const struct probe_result *r, struct buf *msg, struct buf *fx,
                         struct diag_fix *f)
{
	add_err(r, msg);
	const struct probe_result *alt = r->alternative;
	if (r->silent && alt && alt->security == SEC_STARTTLS) {
		if (alt->ok || (alt->tls_attempted && alt->tls.handshake_done)) {
			buf_addf(msg, _(" STARTTLS works on port %u (tested just now)."),
			         (unsigned)alt->port);
			buf_addf(fx, _("Set security to STARTTLS for port %u."),
			         (unsigned)alt->port);
			set_fix(f, "security", "starttls");
			return;
		}
		buf_addf(
		    msg,
		    _(" STARTTLS on port %u, tried at the same time, did not work either: %s."),
		    (unsigned)alt->port, alt->err.msg);
		speaks_neither(r, msg, fx);
		return;
	}
	const char *a = r->tls.alert;
	if (strstr(a, "unsupported protocol") || strstr(a, "no protocols available"))
		buf_adds(msg, _(" The server offers only old TLS versions (below 1.2), which are "
		                "insecure and refused."));
	else if (strstr(a, "wrong version number") || strstr(a, "packet length too long"))
		buf_adds(msg, _(" The server did not answer with TLS at all; this port may expect "
		                "STARTTLS or another protocol."));
	else if (strstr(a, "handshake failure") || strstr(a, "no shared cipher"))
		buf_adds(msg, _(" Client and server share no acceptable cipher or version."));
}

static bool old_tls(const struct probe_result *r)
{
	return r->tls.handshake_done &&
	       (strcmp(r->tls.version, "TLSv1") == 0 || strcmp(r->tls.version, "TLSv1.1") == 0);
}

static void x_tls_old(const struct probe_result *r, struct buf *msg, struct buf *fx,
                      struct diag_fix *f)
{
	if (r->tls.handshake_done)
		buf_addf(msg, _("The server negotiated %s, which is obsolete (RFC 8996)."),
		         r->tls.version);
	else
		buf_adds(msg,
		         _("The server speaks only TLS versions older than 1.2, which are "
		           "obsolete and insecure (RFC 8996); mailsetup refuses them, as current "
		           "mail clients do."));
	buf_adds(fx, _("No automatic fix: the server's administrator must enable TLS 1.2 or 1.3."));
}

/* ---- plaintext ----------------------------------------------------------- */

static bool plaintext_only(const struct probe_result *r)
{
	return r->security == SEC_PLAIN && r->caps.known && !r->caps.starttls;
}

static void x_plaintext_only(const struct probe_result *r, struct buf *msg, struct buf *fx,
                             struct diag_fix *f)
{
	buf_adds(msg, _("This server offers no encryption at all: passwords and mail cross the "
	                "network readable by anyone on the way."));
}

static void x_plaintext_refused(const struct probe_result *r, struct buf *msg, struct buf *fx,
                                struct diag_fix *f)
{
	add_err(r, msg);
	buf_adds(fx, _("Use STARTTLS or TLS."));
	set_fix(f, "security", "starttls");
}

/* ---- login --------------------------------------------------------------- */

static void x_login_disabled(const struct probe_result *r, struct buf *msg, struct buf *fx,
                             struct diag_fix *f)
{
	add_err(r, msg);
	if (!r->tls.handshake_done) {
		buf_adds(msg, _(" Servers refuse passwords before encryption; that is correct."));
		buf_addf(fx, _("Use port %u with TLS."), (unsigned)tls_port(r->proto));
		set_fix(f, "security", "tls");
	}
}

/* Providers that require an app password once two-factor login is on. */
static bool app_password_host(const char *host)
{
	static const char *const domains[] = {
	    "gmail.com",   "googlemail.com", "google.com", "outlook.com", "office365.com",
	    "hotmail.com", "yahoo.com",      "icloud.com", "me.com",      "fastmail.com",
	    "zoho.com",    "gmx.net",        "web.de",     "aol.com"};
	size_t hl = strlen(host);
	for (size_t i = 0; i < sizeof domains / sizeof domains[0]; i++) {
		size_t dl = strlen(domains[i]);
		if (hl >= dl && strcasecmp(host + hl - dl, domains[i]) == 0 &&
		    (hl == dl || host[hl - dl - 1] == '.'))
			return true;
	}
	return false;
}

/* The provider's word for the probe being explained (diag_probe_provider
 * sets it for the length of one call; the engine is single-threaded). */
static const struct diag_provider *cur_provider;

char *diag_login_explanation(const struct probe_result *r)
{
	const char *t = r->login_reply;
	if (!t || !*t)
		return NULL;
	if (r->proto == PROTO_IMAP) {
		/* "TAG NO text": drop the tag and the status word. */
		const char *sp = strchr(t, ' ');
		if (sp) {
			sp += strspn(sp, " ");
			if (strncasecmp(sp, "NO ", 3) == 0 || strncasecmp(sp, "BAD ", 4) == 0)
				t = strchr(sp, ' ') + 1;
		}
	} else if (r->proto == PROTO_POP3) {
		if (strncmp(t, "-ERR", 4) == 0)
			t += 4;
	}
	t += strspn(t, " ");
	if (!*t)
		return NULL;
	return escape_display_str(t);
}

/* says_app_password: the server's refusal says a normal password is not
 * accepted here. */
static bool says_app_password(const struct probe_result *r)
{
	const char *t = r->login_reply;
	if (r->login != LOGIN_FAILED || !t)
		return false;
	static const char *const words[] = {"application-specific password",
	                                    "application specific password",
	                                    "app-specific password", "app password"};
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strcasestr(t, words[i]))
			return true;
	/* RFC 4954: 534 5.7.9 "authentication mechanism is too weak" - how
	 * Gmail refuses an account password once two-step login is on. */
	return r->proto == PROTO_SMTP && strncmp(t, "534", 3) == 0 && strstr(t, "5.7.9");
}

static bool provider_says_app_password(void)
{
	const struct diag_provider *p = cur_provider;
	return p && p->doc_text &&
	       (strcasestr(p->doc_text, "app password") ||
	        strcasestr(p->doc_text, "application-specific password") ||
	        strcasestr(p->doc_text, "app-specific password"));
}

/* add_explanation: the server's own words about the refused login. */
static void add_explanation(const struct probe_result *r, struct buf *msg)
{
	char *e = diag_login_explanation(r);
	if (!e) {
		add_reply(r, msg);
		return;
	}
	buf_addf(msg, _(" The server said: \"%s\"."), e);
	free(e);
}

/* add_provider_ways: which ways in the provider offers, with its page. */
static void add_provider_ways(struct buf *fx)
{
	const struct diag_provider *p = cur_provider;
	if (!p)
		return;
	if (p->oauth2 && p->password)
		buf_adds(fx, _(" The provider's configuration offers OAuth2 and a password login: "
		               "use an app password made in your account's security settings, or "
		               "OAuth2 (Thunderbird signs in in a browser window)."));
	else if (p->oauth2)
		buf_adds(fx, _(" The provider's configuration offers only OAuth2: sign in with a "
		               "client that does OAuth2, or give mutt/msmtp a token command."));
	else if (p->password)
		buf_adds(fx, _(" The provider's configuration offers a password login; if two-step "
		               "verification is on, the provider may want an app password."));
	if (p->doc_url) {
		char *u = escape_display_str(p->doc_url);
		buf_addf(fx, _(" The provider's page: %s"), u);
		free(u);
	}
}

static void x_auth_failed(const struct probe_result *r, struct buf *msg, struct buf *fx,
                          struct diag_fix *f)
{
	add_err(r, msg);
	add_explanation(r, msg);
	buf_adds(fx, _("Check the password. Servers differ in the user name they expect: the "
	               "full address (name@example.org) or only the part before the @."));
	if (cur_provider)
		add_provider_ways(fx);
	else if (app_password_host(r->host) || caps_has_auth(&r->caps, "XOAUTH2") ||
	         caps_has_auth(&r->caps, "OAUTHBEARER"))
		buf_adds(fx, _(" If two-step verification is on for this account, the provider "
		               "wants an app password here, not your usual one."));
}

static bool app_password_required(const struct probe_result *r)
{
	return r->login == LOGIN_FAILED && (says_app_password(r) || provider_says_app_password());
}

static void x_app_password(const struct probe_result *r, struct buf *msg, struct buf *fx,
                           struct diag_fix *f)
{
	char *e = diag_login_explanation(r);
	if (says_app_password(r) && e)
		buf_addf(msg,
		         _("The server says your normal password is not accepted here: \"%s\"."),
		         e);
	else
		buf_adds(msg, _("The provider says your normal password is not accepted here once "
		                "two-step verification is on."));
	free(e);
	buf_adds(fx, _("Create an app password with the provider and use it instead of your "
	               "usual password, or sign in with OAuth2."));
	add_provider_ways(fx);
}

static bool oauth_only(const struct probe_result *r)
{
	return r->cause == DIAG_OAUTH_ONLY || (r->caps.known && caps_only_oauth(&r->caps));
}

static void x_oauth_only(const struct probe_result *r, struct buf *msg, struct buf *fx,
                         struct diag_fix *f)
{
	buf_adds(msg, _("The server accepts only OAuth2 logins (XOAUTH2/OAUTHBEARER), which need a "
	                "browser sign-in; a plain password will not work."));
	buf_adds(fx, _("Create an app password with the provider if it offers them, or use a "
	               "client that supports OAuth2 for this account."));
	add_provider_ways(fx);
}

static void x_no_mech(const struct probe_result *r, struct buf *msg, struct buf *fx,
                      struct diag_fix *f)
{
	add_err(r, msg);
}

static bool port25(const struct probe_result *r)
{
	return r->proto == PROTO_SMTP && r->port == 25 && r->cause != DIAG_CONNECTION_TIMEOUT;
}

static void x_port25(const struct probe_result *r, struct buf *msg, struct buf *fx,
                     struct diag_fix *f)
{
	buf_adds(msg, _("Port 25 is for mail between servers. Mail clients submit on port 587 "
	                "(STARTTLS) or 465 (TLS), where login is required and providers do not "
	                "block it."));
	buf_adds(fx, _("Use port 465 with TLS, or 587 with STARTTLS."));
	set_fix(f, "port", "465");
}

static void x_sender(const struct probe_result *r, struct buf *msg, struct buf *fx,
                     struct diag_fix *f)
{
	add_err(r, msg);
	add_reply(r, msg);
	buf_adds(fx, _("Send from the address that belongs to this login, or log in first."));
}

static void x_recipient(const struct probe_result *r, struct buf *msg, struct buf *fx,
                        struct diag_fix *f)
{
	add_err(r, msg);
	add_reply(r, msg);
	buf_adds(fx, _("The server will not take mail from this session; check the login."));
}

static const struct rule rules[] = {
    {DIAG_DNS_FAILURE, "dns-failure", SEV_ERROR, NULL, x_dns},
    {DIAG_CONNECTION_REFUSED, "connection-refused", SEV_ERROR, NULL, x_refused},
    {DIAG_CONNECTION_TIMEOUT, "connection-timeout", SEV_ERROR, NULL, x_timeout},
    {DIAG_CONNECTION_CLOSED, "connection-closed", SEV_ERROR, NULL, x_closed},
    {DIAG_NO_GREETING, "no-greeting", SEV_ERROR, NULL, x_no_greeting},
    {DIAG_TLS_ON_PLAINTEXT_PORT, "tls-on-plaintext-port", SEV_ERROR, NULL, x_tls_on_plain},
    {DIAG_PROTOCOL_MISMATCH, "protocol-mismatch", SEV_ERROR, NULL, x_mismatch},
    {DIAG_PROTOCOL_VIOLATION, "protocol-violation", SEV_ERROR, NULL, x_violation},
    {DIAG_SERVICE_REFUSED, "service-refused", SEV_ERROR, NULL, x_service_refused},
    {DIAG_STARTTLS_NOT_OFFERED, "starttls-not-offered", SEV_ERROR, NULL, x_starttls_missing},
    {DIAG_STARTTLS_REFUSED, "starttls-refused", SEV_ERROR, NULL, x_starttls_refused},
    {DIAG_STARTTLS_INJECTION, "starttls-injection", SEV_ERROR, NULL, x_injection},
    {DIAG_PREAUTH_BEFORE_TLS, "preauth-before-tls", SEV_ERROR, NULL, x_preauth},
    {DIAG_CERT_HOSTNAME_MISMATCH, "cert-hostname-mismatch", SEV_ERROR, NULL, x_cert_name},
    {DIAG_CERT_EXPIRED, "cert-expired", SEV_ERROR, NULL, x_cert_expired},
    {DIAG_CERT_NOT_YET_VALID, "cert-not-yet-valid", SEV_ERROR, NULL, x_cert_notyet},
    {DIAG_CERT_SELF_SIGNED, "cert-self-signed", SEV_ERROR, NULL, x_cert_self},
    {DIAG_CERT_UNTRUSTED, "cert-untrusted", SEV_ERROR, NULL, x_cert_untrusted},
    {DIAG_CERT_INCOMPLETE_CHAIN, "cert-incomplete-chain", SEV_ERROR, NULL, x_cert_chain},
    {DIAG_CERT_CHANGED, "cert-changed", SEV_ERROR, NULL, x_cert_changed},
    {DIAG_TLS_HANDSHAKE_FAILED, "tls-handshake-failed", SEV_ERROR, NULL, x_tls_failed},
    {DIAG_TLS_VERSION_OLD, "tls-version-old", SEV_ERROR, old_tls, x_tls_old},
    {DIAG_PLAINTEXT_ONLY, "plaintext-only", SEV_WARNING, plaintext_only, x_plaintext_only},
    {DIAG_PLAINTEXT_REFUSED, "plaintext-refused", SEV_ERROR, NULL, x_plaintext_refused},
    {DIAG_LOGIN_DISABLED, "login-disabled", SEV_ERROR, NULL, x_login_disabled},
    {DIAG_NO_AUTH_MECHANISM, "no-auth-mechanism", SEV_ERROR, NULL, x_no_mech},
    {DIAG_AUTH_FAILED, "auth-failed", SEV_ERROR, NULL, x_auth_failed},
    {DIAG_OAUTH_ONLY, "oauth-only", SEV_WARNING, oauth_only, x_oauth_only},
    {DIAG_SUBMISSION_ON_PORT_25, "submission-on-port-25", SEV_WARNING, port25, x_port25},
    {DIAG_SENDER_REFUSED, "sender-refused", SEV_ERROR, NULL, x_sender},
    {DIAG_RECIPIENT_REFUSED, "recipient-refused", SEV_ERROR, NULL, x_recipient},
    {DIAG_APP_PASSWORD_REQUIRED, "app-password-required", SEV_ERROR, app_password_required,
     x_app_password},
};

const char *diag_code_name(enum diag_code code)
{
	for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
		if (rules[i].code == code)
			return rules[i].name;
	return "none";
}

const char *diag_severity_name(enum diag_severity sev)
{
	return sev == SEV_ERROR ? "error" : sev == SEV_WARNING ? "warning" : "info";
}

const char *diag_severity_label(enum diag_severity sev)
{
	/* TRANSLATORS: severities of a finding, printed before its code. */
	return sev == SEV_ERROR ? _("error") : sev == SEV_WARNING ? _("warning") : _("note");
}

static void add_finding(struct findings *out, const struct rule *rule, const struct probe_result *r)
{
	struct buf msg = {0}, fx = {0};
	struct finding fnd = {.code = rule->code, .severity = rule->severity};
	rule->explain(r, &msg, &fx, &fnd.fix);
	fnd.message = buf_steal(&msg);
	fnd.fix_text = buf_steal(&fx);
	out->v = xrealloc(out->v, (out->n + 1) * sizeof *out->v);
	out->v[out->n++] = fnd;
}

void diag_probe(const struct probe_result *r, struct findings *out)
{
	/* The cause first: it is what stopped the probe. */
	for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
		if (rules[i].code == r->cause && r->cause != DIAG_NONE)
			add_finding(out, &rules[i], r);
	for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
		if (rules[i].applies && rules[i].code != r->cause && rules[i].applies(r))
			add_finding(out, &rules[i], r);
}

void diag_probe_provider(const struct probe_result *r, const struct diag_provider *p,
                         struct findings *out)
{
	cur_provider = p;
	diag_probe(r, out);
	cur_provider = NULL;
}

void findings_free(struct findings *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].message);
		free(f->v[i].fix_text);
	}
	free(f->v);
	f->v = NULL;
	f->n = 0;
}
