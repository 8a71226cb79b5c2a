/* smtp.c - the SMTP submission probe (RFC 5321, RFC 6409; STARTTLS
 * RFC 3207; AUTH RFC 4954 with initial response; RFC 8314 for 465).
 *
 *   GREETING -> EHLO -> STARTTLS -> (TLS) -> EHLO_TLS -> AUTH
 *            -> [AUTH_LOGIN_PASS] -> [MAIL -> RCPT -> RSET] -> done
 *            (QUIT sent, not awaited)
 *
 * With PIPELINING (RFC 2920) MAIL, RCPT and RSET of the send-path check
 * go out in one write and their three replies are read in order.
 */
#include "config.h"

#include "base/alloc.h"
#include "base/i18n.h"
#include "probe/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* RFC 5321 4.5.3.1.5: a reply line is at most 512 octets; extensions
 * and sloppy servers exceed it, so allow 8 KiB. */
#define SMTP_MAX_LINE 8192
/* Lines of one multi-line reply (EHLO lists some twenty). */
#define SMTP_MAX_REPLY_LINES 200

enum smtp_state {
	SMTP_GREETING,
	SMTP_EHLO,
	SMTP_STARTTLS,
	SMTP_EHLO_TLS,
	SMTP_AUTH,
	SMTP_AUTH_LOGIN_PASS,
	SMTP_MAIL,
	SMTP_RCPT,
	SMTP_RSET,
	SMTP_DONE,
};

static void smtp_command(struct probe *p, const char *cmd, const char *shown, int next)
{
	p->state = next;
	p->in_reply = false;
	buf_reset(&p->reply);
	probe_send(p, cmd, shown);
	probe_expect(p);
}

static void smtp_ehlo(struct probe *p, int next)
{
	probe_step_open(p, "ehlo");
	char *cmd = xasprintf("EHLO %s", p->req.ehlo_name ? p->req.ehlo_name : "localhost");
	smtp_command(p, cmd, NULL, next);
	free(cmd);
}

static void smtp_quit_ok(struct probe *p)
{
	p->state = SMTP_DONE;
	probe_succeed(p, "QUIT");
}

static void smtp_send_path(struct probe *p)
{
	const char *a = p->req.mail_from;
	probe_step_open(p, "mail-from");
	p->res->send_path_checked = true;
	char *mail = xasprintf("MAIL FROM:<%s>", a);
	char *rcpt = xasprintf("RCPT TO:<%s>", a);
	if (p->res->caps.pipelining) {
		/* One round trip for three commands (RFC 2920). */
		probe_send(p, mail, NULL);
		probe_send(p, rcpt, NULL);
		probe_send(p, "RSET", NULL);
		p->state = SMTP_MAIL;
		probe_expect(p);
	} else {
		smtp_command(p, mail, NULL, SMTP_MAIL);
	}
	free(mail);
	free(rcpt);
}

static void smtp_after_login(struct probe *p)
{
	if (p->req.mail_from)
		smtp_send_path(p);
	else
		smtp_quit_ok(p);
}

static void smtp_login(struct probe *p)
{
	struct probe_result *r = p->res;
	if (!p->req.login || !p->req.user || !p->req.password) {
		smtp_after_login(p);
		return;
	}
	probe_step_open(p, "login");
	if (r->caps.nauth == 0) {
		probe_fail(p,
		           p->req.port == 25 ? DIAG_SUBMISSION_ON_PORT_25 : DIAG_NO_AUTH_MECHANISM,
		           ERR_FEATURE, NULL, "%s",
		           _("the server offers no AUTH: this port relays mail between servers and "
		             "does not take logins"));
		return;
	}
	if (caps_has_auth(&r->caps, "PLAIN")) {
		if (!probe_may_send_credentials(p))
			return;
		char *ir = probe_sasl_plain(p);
		char *cmd = xasprintf("AUTH PLAIN %s", ir);
		smtp_command(p, cmd, "AUTH PLAIN <redacted>", SMTP_AUTH);
		secret_free(cmd);
		secret_free(ir);
		return;
	}
	if (caps_has_auth(&r->caps, "LOGIN")) {
		if (!probe_may_send_credentials(p))
			return;
		char *u = probe_b64(p->req.user);
		char *cmd = xasprintf("AUTH LOGIN %s", u);
		smtp_command(p, cmd, "AUTH LOGIN <redacted>", SMTP_AUTH_LOGIN_PASS);
		secret_free(cmd);
		secret_free(u);
		return;
	}
	probe_fail(p, caps_only_oauth(&r->caps) ? DIAG_OAUTH_ONLY : DIAG_NO_AUTH_MECHANISM,
	           ERR_FEATURE, NULL, "%s",
	           _("the server offers no password mechanism (PLAIN or LOGIN)"));
}

static void smtp_start(struct probe *p)
{
	p->state = SMTP_GREETING;
	probe_step_open(p, "greeting");
	probe_expect(p);
}

static void smtp_tls_ready(struct probe *p)
{
	smtp_ehlo(p, SMTP_EHLO_TLS);
}

/* One complete reply has arrived: its code and final line. */
static void smtp_reply(struct probe *p, int code, const char *first)
{
	struct probe_result *r = p->res;
	switch ((enum smtp_state)p->state) {
	case SMTP_GREETING:
		if (code != 220) {
			probe_fail(p, DIAG_SERVICE_REFUSED, ERR_DENIED, first, "%s",
			           _("the server refused the connection"));
			return;
		}
		probe_step_close(p, true, "%.200s", first);
		smtp_ehlo(p, SMTP_EHLO);
		return;
	case SMTP_EHLO:
	case SMTP_EHLO_TLS:
		if (code != 250) {
			probe_fail(p, DIAG_PROTOCOL_VIOLATION, ERR_PROTOCOL, first, "%s",
			           _("the server refused EHLO"));
			return;
		}
		r->caps.known = true;
		probe_step_close(p, true, "%zu", r->caps.nitems);
		if (p->state == SMTP_EHLO && p->req.security == SEC_STARTTLS && !p->tls_active) {
			probe_step_open(p, "starttls");
			if (!r->caps.starttls) {
				probe_fail(p, DIAG_STARTTLS_NOT_OFFERED, ERR_FEATURE, NULL,
				           _("port %u does not offer STARTTLS"),
				           (unsigned)p->req.port);
				return;
			}
			smtp_command(p, "STARTTLS", NULL, SMTP_STARTTLS);
			return;
		}
		smtp_login(p);
		return;
	case SMTP_STARTTLS:
		if (code != 220 && code / 100 != 4 && code / 100 != 5) {
			/* RFC 3207 4: 220 to go on, 4yz/5yz to refuse; a 1yz, 3yz or
			 * other 2yz code is no answer to STARTTLS. */
			probe_fail(p, DIAG_PROTOCOL_VIOLATION, ERR_PROTOCOL, first,
			           _("the server answered STARTTLS with code %d, which is not an "
			             "answer to STARTTLS: TLS was not started"),
			           code);
			return;
		}
		if (code != 220) {
			probe_fail(p, DIAG_STARTTLS_REFUSED, ERR_DENIED, first,
			           _("the server refused STARTTLS on port %u"),
			           (unsigned)p->req.port);
			return;
		}
		probe_step_close(p, true, "%.200s", first);
		probe_starttls(p);
		return;
	case SMTP_AUTH_LOGIN_PASS:
		if (code == 334) {
			char *pw = probe_b64(p->req.password);
			smtp_command(p, pw, "<redacted>", SMTP_AUTH);
			secret_free(pw);
			return;
		}
		/* anything else is the final answer */
		/* FALLTHROUGH */
	case SMTP_AUTH:
		if (code == 235) {
			r->login = LOGIN_OK;
			r->login_reply = xstrdup(first);
			probe_step_close(p, true, "%.200s", first);
			smtp_after_login(p);
			return;
		}
		/* The whole refusal: providers explain over several lines
		 * ("534-5.7.9 Application-specific password required...",
		 * "534 5.7.9 https://..."); kept as one line of text. */
		r->login = LOGIN_FAILED;
		r->login_reply = p->reply.len ? xstrdup(p->reply.data) : xstrdup(first);
		probe_fail(p, DIAG_AUTH_FAILED, ERR_AUTH, r->login_reply, "%s",
		           _("the server refused the user name or password"));
		return;
	case SMTP_MAIL:
		if (code / 100 != 2) {
			r->send_path_reply = xstrdup(first);
			probe_fail(p, DIAG_SENDER_REFUSED, ERR_DENIED, first,
			           _("the server refuses %s as sender"), p->req.mail_from);
			return;
		}
		r->sender_ok = true;
		probe_step_close(p, true, "%.200s", first);
		probe_step_open(p, "rcpt-to");
		if (r->caps.pipelining) {
			p->state = SMTP_RCPT;
			probe_expect(p);
		} else {
			char *rcpt = xasprintf("RCPT TO:<%s>", p->req.mail_from);
			smtp_command(p, rcpt, NULL, SMTP_RCPT);
			free(rcpt);
		}
		return;
	case SMTP_RCPT:
		if (code / 100 != 2) {
			r->send_path_reply = xstrdup(first);
			probe_fail(p, DIAG_RECIPIENT_REFUSED, ERR_DENIED, first,
			           _("the server refuses %s as recipient"), p->req.mail_from);
			return;
		}
		r->recipient_ok = true;
		probe_step_close(p, true, "%.200s", first);
		if (r->caps.pipelining) {
			p->state = SMTP_RSET;
			probe_expect(p);
		} else {
			smtp_command(p, "RSET", NULL, SMTP_RSET);
		}
		return;
	case SMTP_RSET:
		smtp_quit_ok(p);
		return;
	case SMTP_DONE:
		return;
	}
}

static void smtp_line(struct probe *p, const char *line, size_t len)
{
	struct probe_result *r = p->res;
	bool last;
	const char *text;
	int code = smtp_reply_line(line, len, &last, &text);
	if (code < 0) {
		if (p->state == SMTP_GREETING) {
			r->greeting = xstrndup(line, len);
			probe_greeting_mismatch(p, line, len);
			return;
		}
		char *reply = xstrndup(line, len);
		probe_fail(p, DIAG_PROTOCOL_VIOLATION, ERR_PROTOCOL, reply, "%s",
		           _("the server sent something that is not an SMTP reply"));
		free(reply);
		return;
	}
	if (p->in_reply && code != p->reply_code) {
		/* RFC 5321 4.2.1: every line of a reply has the same code. */
		char *reply = xstrndup(line, len);
		probe_fail(p, DIAG_PROTOCOL_VIOLATION, ERR_PROTOCOL, reply,
		           _("the lines of one reply carry different codes (%d, then %d)"),
		           p->reply_code, code);
		free(reply);
		return;
	}
	p->reply_code = code;
	size_t tlen = len - (size_t)(text - line);
	if (p->state == SMTP_GREETING && !r->greeting)
		r->greeting = xstrndup(line, len);
	if ((p->state == SMTP_EHLO || p->state == SMTP_EHLO_TLS) && code == 250) {
		/* The first line names the server; the rest are keywords. */
		if (p->in_reply)
			caps_smtp_ehlo_line(&r->caps, text, tlen);
	}
	if (p->state == SMTP_AUTH || p->state == SMTP_AUTH_LOGIN_PASS) {
		/* "534 5.7.9 first text second text": the code once, then
		 * each line's text (its enhanced code repeated is dropped). */
		const char *t = text;
		size_t tl = tlen;
		if (p->reply.len) {
			size_t ec = strspn(t, "0123456789.");
			if (ec >= 5 && ec < tl && t[ec] == ' ')
				t += ec + 1, tl -= ec + 1;
			buf_addc(&p->reply, ' ');
		} else {
			buf_addf(&p->reply, "%d ", code);
		}
		if (p->reply.len + tl < ERR_REPLY_MAX)
			buf_add(&p->reply, t, tl);
	}
	if (!last) {
		p->in_reply = true;
		return;
	}
	char *final = xstrndup(line, len);
	p->in_reply = false;
	p->lines_in_response = 0;
	smtp_reply(p, code, final);
	free(final);
}

const struct proto_ops smtp_ops = {
    .name = "SMTP",
    .max_line = SMTP_MAX_LINE,
    .max_lines = SMTP_MAX_REPLY_LINES,
    .start = smtp_start,
    .line = smtp_line,
    .tls_ready = smtp_tls_ready,
};
