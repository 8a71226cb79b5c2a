/* imap.c - the IMAP probe (RFC 9051, RFC 3501; STARTTLS RFC 2595/9051;
 * SASL-IR RFC 4959; LOGINDISABLED; AUTHENTICATE PLAIN RFC 4616).
 *
 * States, in the order a probe passes them:
 *
 *   GREETING -> [CAPABILITY] -> STARTTLS -> (TLS) -> CAPABILITY_TLS
 *            -> AUTH_CONTINUE? -> AUTH -> done (LOGOUT sent, not awaited)
 *
 * A capability list carried in the greeting or a tagged OK is used
 * instead of asking again (one round trip saved), except across
 * STARTTLS, where everything learned before TLS is discarded.
 */
#include "config.h"

#include "base/alloc.h"
#include "base/i18n.h"
#include "probe/engine.h"
#include "probe/folders.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* RFC 9051 sets no response line limit; 64 KiB is far above any real
 * capability list and far below what would hurt. */
#define IMAP_MAX_LINE (64 * 1024)
/* Untagged lines accepted while waiting for one tagged reply. */
#define IMAP_MAX_UNTAGGED 1000

enum imap_state {
	IMAP_GREETING,
	IMAP_CAPABILITY,
	IMAP_STARTTLS,
	IMAP_CAPABILITY_TLS,
	IMAP_AUTH_CONTINUE,
	IMAP_AUTH,
	IMAP_LIST,
	IMAP_DONE,
};

static void imap_command(struct probe *p, const char *cmd, const char *shown_cmd)
{
	snprintf(p->tagstr, sizeof p->tagstr, "A%d", ++p->tag);
	char *line = xasprintf("%s %s", p->tagstr, cmd);
	char *shown = shown_cmd ? xasprintf("%s %s", p->tagstr, shown_cmd) : NULL;
	probe_send(p, line, shown);
	OPENSSL_cleanse(line, strlen(line));
	free(line);
	free(shown);
	probe_expect(p);
}

/* tagged: if line is the reply to our last command, return its status
 * word ("OK", "NO", "BAD") position, else NULL. */
static const char *tagged(struct probe *p, const char *line, size_t len)
{
	size_t tl = strlen(p->tagstr);
	if (len > tl && strncmp(line, p->tagstr, tl) == 0 && line[tl] == ' ')
		return line + tl + 1;
	return NULL;
}

static bool status_is(const char *st, const char *word)
{
	size_t n = strlen(word);
	return strncasecmp(st, word, n) == 0 && (st[n] == ' ' || st[n] == '\0');
}

static void imap_logout(struct probe *p)
{
	snprintf(p->tagstr, sizeof p->tagstr, "A%d", ++p->tag);
	char line[32];
	snprintf(line, sizeof line, "%s LOGOUT", p->tagstr);
	p->state = IMAP_DONE;
	probe_succeed(p, line);
}

static bool quotable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7F)
			return false;
	return true;
}

static char *quoted(const char *s)
{
	struct buf b = {0};
	buf_addc(&b, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			buf_addc(&b, '\\');
		buf_addc(&b, *s);
	}
	buf_addc(&b, '"');
	return buf_steal(&b);
}

/* After TLS (or in allowed plaintext): log in, or finish. */
static void imap_login(struct probe *p)
{
	struct probe_result *r = p->res;
	if (!r->caps.known) {
		probe_step_open(p, "capability");
		p->state = IMAP_CAPABILITY_TLS;
		imap_command(p, "CAPABILITY", NULL);
		return;
	}
	if (!p->req.login || !p->req.user || !p->req.password) {
		imap_logout(p);
		return;
	}
	probe_step_open(p, "login");
	if (r->caps.login_disabled && !caps_has_auth(&r->caps, "PLAIN")) {
		probe_fail(p, caps_only_oauth(&r->caps) ? DIAG_OAUTH_ONLY : DIAG_LOGIN_DISABLED,
		           ERR_FEATURE, NULL, "%s",
		           _("the server does not allow password login here (LOGINDISABLED)"));
		return;
	}
	if (caps_has_auth(&r->caps, "PLAIN")) {
		if (!probe_may_send_credentials(p))
			return;
		if (r->caps.sasl_ir) {
			char *ir = probe_sasl_plain(p);
			char *cmd = xasprintf("AUTHENTICATE PLAIN %s", ir);
			p->state = IMAP_AUTH;
			imap_command(p, cmd, "AUTHENTICATE PLAIN <redacted>");
			secret_free(cmd);
			secret_free(ir);
		} else {
			p->state = IMAP_AUTH_CONTINUE;
			imap_command(p, "AUTHENTICATE PLAIN", NULL);
		}
		return;
	}
	if (r->caps.login_disabled || caps_only_oauth(&r->caps)) {
		probe_fail(p, caps_only_oauth(&r->caps) ? DIAG_OAUTH_ONLY : DIAG_LOGIN_DISABLED,
		           ERR_FEATURE, NULL, "%s",
		           _("the server offers no password login mechanism"));
		return;
	}
	if (!quotable(p->req.user) || !quotable(p->req.password)) {
		probe_fail(p, DIAG_NO_AUTH_MECHANISM, ERR_FEATURE, NULL, "%s",
		           _("the server lacks AUTH=PLAIN and this user name or password "
		             "cannot be sent with LOGIN"));
		return;
	}
	if (!probe_may_send_credentials(p))
		return;
	char *u = quoted(p->req.user), *pw = quoted(p->req.password);
	char *cmd = xasprintf("LOGIN %s %s", u, pw);
	char *shown = xasprintf("LOGIN %s <redacted>", u);
	p->state = IMAP_AUTH;
	imap_command(p, cmd, shown);
	secret_free(cmd);
	secret_free(pw);
	free(u);
	free(shown);
}

static void imap_starttls(struct probe *p)
{
	struct probe_result *r = p->res;
	if (!r->caps.starttls) {
		probe_step_open(p, "starttls");
		probe_fail(p, DIAG_STARTTLS_NOT_OFFERED, ERR_FEATURE, NULL,
		           _("port %u does not offer STARTTLS"), (unsigned)p->req.port);
		return;
	}
	probe_step_open(p, "starttls");
	p->state = IMAP_STARTTLS;
	imap_command(p, "STARTTLS", NULL);
}

/* Greeting and capabilities known: go on by security mode. */
static void imap_after_caps(struct probe *p)
{
	if (p->req.security == SEC_STARTTLS && !p->tls_active)
		imap_starttls(p);
	else
		imap_login(p);
}

static void imap_start(struct probe *p)
{
	p->state = IMAP_GREETING;
	probe_step_open(p, "greeting");
	probe_expect(p);
}

static void imap_tls_ready(struct probe *p)
{
	/* caps were cleared by the engine; imap_login asks again */
	imap_login(p);
}

static void on_greeting(struct probe *p, const char *line, size_t len)
{
	struct probe_result *r = p->res;
	r->greeting = xstrndup(line, len);
	enum greeting_kind k = greeting_classify(line, len);
	if (k == GREET_IMAP_PREAUTH && p->req.security != SEC_TLS) {
		probe_fail(p, DIAG_PREAUTH_BEFORE_TLS, ERR_PROTOCOL, r->greeting, "%s",
		           _("the server greeted with PREAUTH before TLS: STARTTLS is impossible, "
		             "the session would stay unencrypted"));
		return;
	}
	if (k == GREET_IMAP_BYE) {
		probe_fail(p, DIAG_SERVICE_REFUSED, ERR_DENIED, r->greeting, "%s",
		           _("the server refused the connection (BYE)"));
		return;
	}
	if (k != GREET_IMAP && k != GREET_IMAP_PREAUTH) {
		probe_greeting_mismatch(p, line, len);
		return;
	}
	caps_imap_response_code(&r->caps, line, len);
	probe_step_close(p, true, "%.*s", (int)(len > 200 ? 200 : len), line);
	if (k == GREET_IMAP_PREAUTH) {
		/* Implicit TLS and already authenticated: nothing to log in. */
		imap_logout(p);
		return;
	}
	if (!r->caps.known) {
		probe_step_open(p, "capability");
		p->state = IMAP_CAPABILITY;
		imap_command(p, "CAPABILITY", NULL);
		return;
	}
	imap_after_caps(p);
}

static bool has_special_use(const struct caps *c)
{
	for (size_t i = 0; i < c->nitems; i++)
		if (strcasecmp(c->items[i], "SPECIAL-USE") == 0)
			return true;
	return false;
}

/* imap_list: the login succeeded (reply is its tagged answer). */
static void imap_list(struct probe *p, const char *reply)
{
	struct caps after = {0};
	bool special = has_special_use(&p->res->caps);
	if (caps_imap_response_code(&after, reply, strlen(reply)))
		special = special || has_special_use(&after);
	caps_clear(&after);
	probe_step_open(p, "folders");
	p->folders = xcalloc(1, sizeof *p->folders);
	p->folder_literal = 0;
	p->state = IMAP_LIST;
	p->optional = true;
	imap_command(p, special ? "LIST \"\" \"*\" RETURN (SPECIAL-USE)" : "LIST \"\" \"*\"", NULL);
}

static void folders_close(struct probe *p, bool ok, const char *why)
{
	struct probe_result *r = p->res;
	p->optional = false;
	folder_scan_finish(p->folders, &r->folders);
	free(p->folders);
	p->folders = NULL;
	const struct ms_folders *f = &r->folders;
	if (!ok) {
		ms_folders_free(&r->folders);
		probe_step_close(p, false, "%s", why);
		return;
	}
	struct buf d = {0};
	const char *names[5] = {"sent", "drafts", "trash", "junk", "archive"};
	const char *vals[5] = {f->sent, f->drafts, f->trash, f->junk, f->archive};
	for (int i = 0; i < 5; i++)
		if (vals[i])
			buf_addf(&d, "%s%s=%s", d.len ? " " : "", names[i], vals[i]);
	if (!d.len)
		buf_adds(&d, _("no special-use folders"));
	else if (f->guessed)
		buf_addf(&d, " (%s)", _("guessed from their names: the server marks none"));
	if (why)
		buf_addf(&d, " (%s)", why);
	probe_step_close(p, true, "%s", d.data);
	buf_free(&d);
}

/* list_line: one untagged line during LIST. */
static void list_line(struct probe *p, const char *line, size_t len)
{
	/* Many folders are normal: the bound is FOLDER_LIST_MAX_LINES. */
	p->lines_in_response = 0;
	if (p->folder_literal) {
		size_t n = p->folder_literal < len ? p->folder_literal : len;
		folder_scan_add(p->folders, p->folder_flags, line, n);
		p->folder_literal = 0;
	} else {
		unsigned flags;
		char *name;
		size_t lit;
		if (imap_list_line(line, len, &flags, &name, &lit)) {
			if (name)
				folder_scan_add(p->folders, flags, name, strlen(name));
			else
				p->folder_literal = lit, p->folder_flags = flags;
			free(name);
		}
	}
	if (p->folders->lines >= FOLDER_LIST_MAX_LINES) {
		folders_close(p, true, _("stopped reading after too many folders"));
		imap_logout(p);
	}
}

static void imap_line(struct probe *p, const char *line, size_t len)
{
	struct probe_result *r = p->res;
	if (p->state == IMAP_GREETING) {
		on_greeting(p, line, len);
		return;
	}
	if (p->state == IMAP_LIST && !tagged(p, line, len)) {
		list_line(p, line, len);
		return;
	}
	if (len >= 13 && strncasecmp(line, "* CAPABILITY ", 13) == 0) {
		caps_imap_words(&r->caps, line + 13, len - 13);
		return;
	}
	if (p->state == IMAP_AUTH_CONTINUE && len >= 1 && line[0] == '+') {
		char *ir = probe_sasl_plain(p);
		p->state = IMAP_AUTH;
		probe_send(p, ir, "<redacted>");
		secret_free(ir);
		probe_expect(p);
		return;
	}
	const char *st = tagged(p, line, len);
	if (!st)
		return; /* other untagged data: bounded by max_lines */
	char *reply = xstrndup(line, len);
	switch ((enum imap_state)p->state) {
	case IMAP_CAPABILITY:
	case IMAP_CAPABILITY_TLS:
		if (!status_is(st, "OK") || !r->caps.known) {
			probe_fail(p, DIAG_PROTOCOL_VIOLATION, ERR_PROTOCOL, reply, "%s",
			           _("the server did not answer CAPABILITY"));
			break;
		}
		probe_step_close(p, true, "%zu", r->caps.nitems);
		if (p->state == IMAP_CAPABILITY)
			imap_after_caps(p);
		else
			imap_login(p);
		break;
	case IMAP_STARTTLS:
		if (!status_is(st, "OK")) {
			probe_fail(p, DIAG_STARTTLS_REFUSED, ERR_DENIED, reply,
			           _("the server refused STARTTLS on port %u"),
			           (unsigned)p->req.port);
			break;
		}
		probe_step_close(p, true, "%s", st);
		probe_starttls(p);
		break;
	case IMAP_AUTH_CONTINUE:
	case IMAP_AUTH:
		if (status_is(st, "OK")) {
			r->login = LOGIN_OK;
			r->login_reply = reply;
			reply = NULL;
			probe_step_close(p, true, "%s", st);
			imap_list(p, r->login_reply);
		} else {
			r->login = LOGIN_FAILED;
			r->login_reply = xstrdup(reply);
			probe_fail(p, DIAG_AUTH_FAILED, ERR_AUTH, reply, "%s",
			           _("the server refused the user name or password"));
		}
		break;
	case IMAP_LIST:
		folders_close(p, status_is(st, "OK"),
		              status_is(st, "OK") ? NULL : _("the server refused LIST"));
		imap_logout(p);
		break;
	case IMAP_GREETING:
	case IMAP_DONE:
		break;
	}
	free(reply);
}

const struct proto_ops imap_ops = {
    .name = "IMAP",
    .max_line = IMAP_MAX_LINE,
    .max_lines = IMAP_MAX_UNTAGGED,
    .start = imap_start,
    .line = imap_line,
    .tls_ready = imap_tls_ready,
};
