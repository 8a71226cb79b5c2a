/* autoconfig_xml.c - bounded expat parser for config-v1.1.xml. */
#include "config.h"

#include "discover/autoconfig_xml.h"

#include "base/alloc.h"
#include "base/buf.h"
#include "base/i18n.h"

#include <expat.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Which field of the current server a text node belongs to. */
enum field {
	F_NONE,
	F_HOST,
	F_PORT,
	F_SOCKET,
	F_USER,
	F_AUTH,
	F_DISPLAY,
	F_DOC_DESCR,
	F_ENABLE_INSTR
};

struct pstate {
	XML_Parser p;
	int depth;
	bool root_ok;       /* <clientConfig> is the root */
	int provider_depth; /* depth of <emailProvider>, 0 outside */
	int server_depth;   /* depth of the current server element, 0 outside */
	bool server_known;  /* its type is imap, pop3 or smtp */
	enum field field;
	int field_depth;
	struct buf text;
	bool text_overflow;
	/* the server being read */
	enum ms_proto proto;
	struct buf host, port, socket, user;
	char auth[AUTOCONFIG_MAX_AUTH][AUTOCONFIG_AUTH_LEN];
	size_t nauth;
	/* inside the first <documentation> / <enable> (depth, 0 outside) */
	int doc_depth, enable_depth;
	const char *local, *domain;
	struct ac_config *out;
	const char *fail; /* why parsing was stopped, untranslated */
};

static const char *attr(const XML_Char **atts, const char *name)
{
	for (size_t i = 0; atts[i]; i += 2)
		if (strcmp(atts[i], name) == 0)
			return atts[i + 1];
	return NULL;
}

static void stop(struct pstate *s, const char *why)
{
	if (!s->fail)
		s->fail = why;
	XML_StopParser(s->p, XML_FALSE);
}

bool autoconfig_url_ok(const char *u)
{
	size_t n = strlen(u);
	if (n > 500 || (strncmp(u, "https://", 8) != 0 && strncmp(u, "http://", 7) != 0))
		return false;
	for (const unsigned char *p = (const unsigned char *)u; *p; p++)
		if (*p <= ' ' || *p >= 0x7f || strchr("\"'<>\\`$", *p))
			return false;
	return n > 8;
}

static void start_field(struct pstate *s, enum field f)
{
	s->field = f;
	s->field_depth = s->depth;
	buf_reset(&s->text);
	s->text_overflow = false;
}

static void on_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct pstate *s = ud;
	s->depth++;
	if (s->depth > AUTOCONFIG_MAX_DEPTH) {
		stop(s, N_("elements nested too deeply"));
		return;
	}
	if (s->depth == 1) {
		if (strcmp(name, "clientConfig") != 0)
			stop(s, N_("the document is not a clientConfig"));
		else
			s->root_ok = true;
		return;
	}
	if (s->depth == 2 && strcmp(name, "emailProvider") == 0 && !s->provider_depth) {
		s->provider_depth = 2;
		return;
	}
	/* The provider's pages: inside <emailProvider>, or (as in the
	 * ISPDB's gmail.com entry) beside it.  The first usable one counts. */
	bool page = strcmp(name, "documentation") == 0 || strcmp(name, "enable") == 0;
	if (page && (s->depth == 2 || (s->provider_depth > 0 && s->depth == 3))) {
		const char *url = attr(atts, strcmp(name, "enable") == 0 ? "visiturl" : "url");
		if (strcmp(name, "documentation") == 0 && !s->out->doc_url && url &&
		    autoconfig_url_ok(url)) {
			s->out->doc_url = xstrdup(url);
			s->doc_depth = s->depth;
		}
		if (strcmp(name, "enable") == 0 && !s->out->enable_url && url &&
		    autoconfig_url_ok(url)) {
			s->out->enable_url = xstrdup(url);
			s->enable_depth = s->depth;
		}
		return;
	}
	if (s->doc_depth && s->depth == s->doc_depth + 1 && strcmp(name, "descr") == 0 &&
	    !s->out->doc_text) {
		start_field(s, F_DOC_DESCR);
		return;
	}
	if (s->enable_depth && s->depth == s->enable_depth + 1 &&
	    strcmp(name, "instruction") == 0 && !s->out->enable_text) {
		start_field(s, F_ENABLE_INSTR);
		return;
	}
	if (s->provider_depth && s->depth == 3) {
		if (strcmp(name, "displayName") == 0 && !s->out->display_name) {
			start_field(s, F_DISPLAY);
			return;
		}
		bool in = strcmp(name, "incomingServer") == 0;
		bool outg = strcmp(name, "outgoingServer") == 0;
		if (!in && !outg)
			return;
		s->server_depth = s->depth;
		const char *type = attr(atts, "type");
		s->server_known = false;
		if (type && in && strcmp(type, "imap") == 0)
			s->proto = PROTO_IMAP, s->server_known = true;
		else if (type && in && strcmp(type, "pop3") == 0)
			s->proto = PROTO_POP3, s->server_known = true;
		else if (type && outg && strcmp(type, "smtp") == 0)
			s->proto = PROTO_SMTP, s->server_known = true;
		buf_reset(&s->host), buf_reset(&s->port), buf_reset(&s->socket);
		buf_reset(&s->user);
		s->nauth = 0;
		return;
	}
	if (s->server_depth && s->depth == s->server_depth + 1) {
		static const struct {
			const char *name;
			enum field f;
		} fields[] = {
		    {"hostname", F_HOST}, {"port", F_PORT},           {"socketType", F_SOCKET},
		    {"username", F_USER}, {"authentication", F_AUTH},
		};
		for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
			if (strcmp(name, fields[i].name) == 0)
				start_field(s, fields[i].f);
	}
}

static void on_text(void *ud, const XML_Char *t, int len)
{
	struct pstate *s = ud;
	if (s->field == F_NONE || s->depth != s->field_depth || len <= 0)
		return;
	if (s->text.len + (size_t)len > AUTOCONFIG_MAX_TEXT) {
		s->text_overflow = true;
		return;
	}
	buf_add(&s->text, t, (size_t)len);
}

/* trim: copy without surrounding white space. */
static void set_trimmed(struct buf *dst, const struct buf *src)
{
	const char *a = src->data ? src->data : "";
	size_t n = src->len;
	while (n && strchr(" \t\r\n", *a))
		a++, n--;
	while (n && strchr(" \t\r\n", a[n - 1]))
		n--;
	buf_reset(dst);
	buf_add(dst, a, n);
}

/* substitute: replace the three placeholders Thunderbird defines. */
static char *substitute(const char *in, const char *local, const char *domain)
{
	struct buf b = {0};
	buf_adds(&b, "");
	while (*in) {
		if (strncmp(in, "%EMAILADDRESS%", 14) == 0) {
			buf_addf(&b, "%s@%s", local, domain);
			in += 14;
		} else if (strncmp(in, "%EMAILLOCALPART%", 16) == 0) {
			buf_adds(&b, local);
			in += 16;
		} else if (strncmp(in, "%EMAILDOMAIN%", 13) == 0) {
			buf_adds(&b, domain);
			in += 13;
		} else {
			buf_addc(&b, *in++);
		}
	}
	return buf_steal(&b);
}

bool autoconfig_host_ok(const char *h)
{
	size_t n = strlen(h);
	if (n == 0 || n > 253)
		return false;
	size_t label = 0;
	for (size_t i = 0; i < n; i++) {
		char c = h[i];
		if (c == '.') {
			if (label == 0 || h[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		          (c >= '0' && c <= '9') || c == '-' || c == '_';
		if (!ok || (label == 0 && c == '-') || ++label > 63)
			return false;
	}
	return h[n - 1] != '-';
}

/* Kept here (not probe's default_port) so that the fuzzer links only the
 * parser; the numbers are IANA's (RFC 8314 for the implicit-TLS ones). */
static long standard_port(enum ms_proto p, enum ms_security sec)
{
	static const long ports[3][2] = {{993, 143}, {995, 110}, {465, 587}};
	return ports[p][sec == SEC_TLS ? 0 : 1];
}

static void finish_server(struct pstate *s)
{
	if (!s->server_known || s->out->n >= AUTOCONFIG_MAX_SERVERS)
		return;
	enum ms_security sec;
	const char *st = s->socket.data ? s->socket.data : "";
	if (strcasecmp(st, "SSL") == 0 || strcasecmp(st, "TLS") == 0)
		sec = SEC_TLS;
	else if (strcasecmp(st, "STARTTLS") == 0)
		sec = SEC_STARTTLS;
	else if (strcasecmp(st, "plain") == 0)
		sec = SEC_PLAIN;
	else
		return; /* unknown or missing: not a usable server */
	char *end;
	long port = s->port.len ? strtol(s->port.data, &end, 10) : 0;
	if (s->port.len == 0)
		port = standard_port(s->proto, sec);
	else if (*end || port < 1 || port > 65535)
		return;
	char *host = substitute(s->host.data ? s->host.data : "", s->local, s->domain);
	for (char *c = host; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	size_t hl = strlen(host);
	if (hl && host[hl - 1] == '.')
		host[hl - 1] = '\0';
	if (!autoconfig_host_ok(host)) {
		free(host);
		return;
	}
	struct ac_config *o = s->out;
	o->v = xrealloc(o->v, (o->n + 1) * sizeof *o->v);
	struct ac_server *v = &o->v[o->n++];
	memset(v, 0, sizeof *v);
	v->proto = s->proto;
	v->host = host;
	v->port = (uint16_t)port;
	v->security = sec;
	v->username = substitute(s->user.data ? s->user.data : "", s->local, s->domain);
	memcpy(v->auth, s->auth, sizeof v->auth);
	v->nauth = s->nauth;
}

/* add_auth: one more <authentication> of the current server. */
static void add_auth(struct pstate *s)
{
	struct buf t = {0};
	set_trimmed(&t, &s->text);
	const char *w = t.data ? t.data : "";
	bool keep = !s->text_overflow && *w && strlen(w) < AUTOCONFIG_AUTH_LEN &&
	            s->nauth < AUTOCONFIG_MAX_AUTH;
	for (const char *c = w; keep && *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '-' || *c == '_'))
			keep = false;
	for (size_t i = 0; keep && i < s->nauth; i++)
		if (strcasecmp(s->auth[i], w) == 0)
			keep = false;
	if (keep)
		snprintf(s->auth[s->nauth++], AUTOCONFIG_AUTH_LEN, "%s", w);
	buf_free(&t);
}

/* take_text: the trimmed text of the field just ended, or NULL. */
static char *take_text(struct pstate *s)
{
	if (s->text_overflow)
		return NULL;
	struct buf t = {0};
	set_trimmed(&t, &s->text);
	return buf_steal(&t);
}

static void on_end(void *ud, const XML_Char *name)
{
	struct pstate *s = ud;
	if (s->field != F_NONE && s->depth == s->field_depth) {
		struct buf *dst = NULL;
		switch (s->field) {
		case F_HOST:
			dst = &s->host;
			break;
		case F_PORT:
			dst = &s->port;
			break;
		case F_SOCKET:
			dst = &s->socket;
			break;
		case F_USER:
			dst = &s->user;
			break;
		case F_AUTH:
			add_auth(s);
			break;
		case F_DISPLAY:
			s->out->display_name = take_text(s);
			break;
		case F_DOC_DESCR:
			s->out->doc_text = take_text(s);
			break;
		case F_ENABLE_INSTR:
			s->out->enable_text = take_text(s);
			break;
		case F_NONE:
			break;
		}
		if (dst && !s->text_overflow)
			set_trimmed(dst, &s->text);
		else if (dst)
			buf_reset(dst); /* an overlong field is as good as none */
		s->field = F_NONE;
	}
	if (s->server_depth && s->depth == s->server_depth) {
		finish_server(s);
		s->server_depth = 0;
	}
	if (s->doc_depth && s->depth == s->doc_depth)
		s->doc_depth = 0;
	if (s->enable_depth && s->depth == s->enable_depth)
		s->enable_depth = 0;
	if (s->provider_depth && s->depth == s->provider_depth)
		s->provider_depth = -1; /* only the first emailProvider counts */
	s->depth--;
}

/* A DTD is the door to entity tricks (billion laughs, external entities);
 * autoconfig files never have one, so any DOCTYPE rejects the document. */
static void on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid, const XML_Char *pubid,
                       int has_internal)
{
	stop(ud, N_("the document has a DOCTYPE"));
}

static void on_entity(void *ud, const XML_Char *name, int is_param, const XML_Char *value,
                      int value_len, const XML_Char *base, const XML_Char *sysid,
                      const XML_Char *pubid, const XML_Char *notation)
{
	stop(ud, N_("the document declares entities"));
}

bool autoconfig_parse(const char *data, size_t len, const char *local, const char *domain,
                      struct ac_config *out, struct ms_err *err)
{
	memset(out, 0, sizeof *out);
	if (len > AUTOCONFIG_MAX_BYTES) {
		err_set(err, ERR_PROTOCOL, _("the autoconfig file is too large (%zu bytes)"), len);
		return false;
	}
	struct pstate s = {0};
	s.local = local;
	s.domain = domain;
	s.out = out;
	s.p = XML_ParserCreate("UTF-8");
	if (!s.p)
		abort();
	XML_SetUserData(s.p, &s);
	XML_SetElementHandler(s.p, on_start, on_end);
	XML_SetCharacterDataHandler(s.p, on_text);
	XML_SetStartDoctypeDeclHandler(s.p, on_doctype);
	XML_SetEntityDeclHandler(s.p, on_entity);
	XML_SetParamEntityParsing(s.p, XML_PARAM_ENTITY_PARSING_NEVER);
	enum XML_Status st = XML_Parse(s.p, data, (int)len, XML_TRUE);
	bool good = st == XML_STATUS_OK && !s.fail && s.root_ok;
	if (!good) {
		if (s.fail)
			err_set(err, ERR_PROTOCOL, _("the autoconfig file was rejected: %s"),
			        _(s.fail));
		else if (st != XML_STATUS_OK)
			err_set(err, ERR_PROTOCOL,
			        _("the autoconfig file is not well-formed XML: %s (line %lu)"),
			        XML_ErrorString(XML_GetErrorCode(s.p)),
			        (unsigned long)XML_GetCurrentLineNumber(s.p));
		else
			err_set(err, ERR_PROTOCOL, "%s", _("the autoconfig file is empty"));
		autoconfig_free(out);
	}
	XML_ParserFree(s.p);
	buf_free(&s.text), buf_free(&s.host), buf_free(&s.port), buf_free(&s.socket);
	buf_free(&s.user);
	return good;
}

void autoconfig_free(struct ac_config *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].host);
		free(c->v[i].username);
	}
	free(c->v);
	free(c->display_name);
	free(c->doc_url);
	free(c->doc_text);
	free(c->enable_url);
	free(c->enable_text);
	memset(c, 0, sizeof *c);
}
