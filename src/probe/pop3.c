/* pop3.c - the POP3 probe (RFC 1939; CAPA and STLS RFC 2449/2595;
 * AUTH with initial response RFC 5034).
 *
 *   GREETING -> CAPA -> STLS -> (TLS) -> CAPA_TLS -> AUTH | USER -> PASS
 *            -> done (QUIT sent, not awaited)
 */
#include "config.h"

#include "base/alloc.h"
#include "base/i18n.h"
#include "probe/engine.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* RFC 1939 section 3 allows 512 octets per response line; real servers
 * stay below it.  8 KiB tolerates sloppy ones and stops hostile ones. */
#define POP3_MAX_LINE 8192
/* Lines of one multi-line CAPA response. */
#define POP3_MAX_LINES 200

enum pop3_state {
	POP3_GREETING,
	POP3_CAPA,      /* waiting for +OK / -ERR of CAPA */
	POP3_CAPA_LIST, /* inside the multi-line listing */
	POP3_STLS,
	POP3_AUTH,
	POP3_USER,
	POP3_PASS,
	POP3_DONE,
};

static bool ok_reply(const char *line, size_t len)
{
	return len >= 3 && strncasecmp(line, "+OK", 3) == 0 && (len == 3 || line[3] == ' ');
}

static bool err_reply(const char *line, size_t len)
{
	return len >= 4 && strncasecmp(line, "-ERR", 4) == 0 && (len == 4 || line[4] == ' ');
}

static void pop3_command(struct probe *p, const char *cmd, const char *shown, int next)
{
	p->state = next;
	probe_send(p, cmd, shown);
	probe_expect(p);
}

static void pop3_capa(struct probe *p)
{
	probe_step_open(p, "capability");
	pop3_command(p, "CAPA", NULL, POP3_CAPA);
}

static void pop3_login(struct probe *p)
{
	struct probe_result *r = p->res;
	if (!p->req.login || !p->req.user || !p->req.password) {
		p->state = POP3_DONE;
		probe_succeed(p, "QUIT");
		return;
	}
	probe_step_open(p, "login");
	if (caps_has_auth(&r->caps, "PLAIN")) {
		if (!probe_may_send_credentials(p))
			return;
		char *ir = probe_sasl_plain(p);
		char *cmd = xasprintf("AUTH PLAIN %s", ir);
		pop3_command(p, cmd, "AUTH PLAIN <redacted>", POP3_AUTH);
		secret_free(cmd);
		secret_free(ir);
		return;
	}
	if (r->caps.known && !r->caps.user) {
		probe_fail(p, caps_only_oauth(&r->caps) ? DIAG_OAUTH_ONLY : DIAG_LOGIN_DISABLED,
		           ERR_FEATURE, NULL, "%s",
		           _("the server offers no password login here (no USER, no SASL PLAIN)"));
		return;
	}
	if (strpbrk(p->req.user, "\r\n") || strpbrk(p->req.password, "\r\n")) {
		probe_fail(p, DIAG_NO_AUTH_MECHANISM, ERR_FEATURE, NULL, "%s",
		           _("this user name or password cannot be sent with USER/PASS"));
		return;
	}
	if (!probe_may_send_credentials(p))
		return;
	char *cmd = xasprintf("USER %s", p->req.user);
	pop3_command(p, cmd, NULL, POP3_USER);
	free(cmd);
}

static void pop3_after_caps(struct probe *p)
{
	struct probe_result *r = p->res;
	if (p->req.security == SEC_STARTTLS && !p->tls_active) {
		probe_step_open(p, "starttls");
		if (!r->caps.starttls) {
			probe_fail(p, DIAG_STARTTLS_NOT_OFFERED, ERR_FEATURE, NULL,
			           _("port %u does not offer STLS"), (unsigned)p->req.port);
			return;
		}
		pop3_command(p, "STLS", NULL, POP3_STLS);
		return;
	}
	pop3_login(p);
}

static void pop3_start(struct probe *p)
{
	p->state = POP3_GREETING;
	probe_step_open(p, "greeting");
	probe_expect(p);
}

static void pop3_tls_ready(struct probe *p)
{
	pop3_capa(p);
}

static void pop3_line(struct probe *p, const char *line, size_t len)
{
	struct probe_result *r = p->res;
	char *reply = NULL;
	switch ((enum pop3_state)p->state) {
	case POP3_GREETING:
		r->greeting = xstrndup(line, len);
		if (!ok_reply(line, len)) {
			if (greeting_classify(line, len) == GREET_POP3_ERR)
				probe_fail(p, DIAG_SERVICE_REFUSED, ERR_DENIED, r->greeting, "%s",
				           _("the server refused the connection (-ERR)"));
			else
				probe_greeting_mismatch(p, line, len);
			return;
		}
		probe_step_close(p, true, "%.*s", (int)(len > 200 ? 200 : len), line);
		pop3_capa(p);
		return;
	case POP3_CAPA:
		if (!ok_reply(line, len)) {
			/* CAPA unsupported (RFC 1939 servers): nothing known. */
			probe_step_close(p, false, "%s", _("CAPA not supported"));
			pop3_after_caps(p);
			return;
		}
		p->state = POP3_CAPA_LIST;
		r->caps.known = true;
		return;
	case POP3_CAPA_LIST:
		if (len == 1 && line[0] == '.') {
			probe_step_close(p, true, "%zu", r->caps.nitems);
			pop3_after_caps(p);
			return;
		}
		/* RFC 1939 byte-stuffing: a leading ".." stands for "." */
		if (len >= 2 && line[0] == '.')
			line++, len--;
		caps_pop3_line(&r->caps, line, len);
		return;
	case POP3_STLS:
		if (!ok_reply(line, len)) {
			reply = xstrndup(line, len);
			if (err_reply(line, len))
				probe_fail(p, DIAG_STARTTLS_REFUSED, ERR_DENIED, reply,
				           _("the server refused STLS on port %u"),
				           (unsigned)p->req.port);
			else
				/* RFC 1939 3: a status indicator is +OK or -ERR. */
				probe_fail(
				    p, DIAG_PROTOCOL_VIOLATION, ERR_PROTOCOL, reply, "%s",
				    _("the server answered STLS with neither +OK nor -ERR: TLS "
				      "was not started"));
			free(reply);
			return;
		}
		probe_step_close(p, true, "%.*s", (int)(len > 200 ? 200 : len), line);
		probe_starttls(p);
		return;
	case POP3_USER:
		if (!ok_reply(line, len)) {
			reply = xstrndup(line, len);
			r->login = LOGIN_FAILED;
			r->login_reply = xstrdup(reply);
			probe_fail(p, DIAG_AUTH_FAILED, ERR_AUTH, reply, "%s",
			           _("the server refused the user name"));
			free(reply);
			return;
		}
		{
			char *cmd = xasprintf("PASS %s", p->req.password);
			pop3_command(p, cmd, "PASS <redacted>", POP3_PASS);
			secret_free(cmd);
		}
		return;
	case POP3_AUTH:
	case POP3_PASS:
		reply = xstrndup(line, len);
		if (ok_reply(line, len)) {
			r->login = LOGIN_OK;
			r->login_reply = reply;
			probe_step_close(p, true, "%s", reply);
			p->state = POP3_DONE;
			probe_succeed(p, "QUIT");
			return;
		}
		r->login = LOGIN_FAILED;
		r->login_reply = xstrdup(reply);
		probe_fail(p, DIAG_AUTH_FAILED, ERR_AUTH, reply, "%s",
		           _("the server refused the user name or password"));
		free(reply);
		return;
	case POP3_DONE:
		return;
	}
}

const struct proto_ops pop3_ops = {
    .name = "POP3",
    .max_line = POP3_MAX_LINE,
    .max_lines = POP3_MAX_LINES,
    .start = pop3_start,
    .line = pop3_line,
    .tls_ready = pop3_tls_ready,
};
