#include "config.h"

#include "probe/caps.h"

#include "base/alloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void caps_clear(struct caps *c)
{
	free_list(c->items, c->nitems);
	free_list(c->auth, c->nauth);
	memset(c, 0, sizeof *c);
}

static char **copy_list(char **v, size_t n)
{
	char **out = xcalloc(n + 1, sizeof *out);
	for (size_t i = 0; i < n; i++)
		out[i] = xstrdup(v[i]);
	return out;
}

void caps_copy(struct caps *dst, const struct caps *src)
{
	caps_clear(dst);
	*dst = *src;
	dst->items = copy_list(src->items, src->nitems);
	dst->auth = copy_list(src->auth, src->nauth);
}

static void push(char ***v, size_t *n, const char *s, size_t len)
{
	if (*n >= CAPS_MAX_ITEMS)
		return;
	if (len > CAPS_MAX_WORD)
		len = CAPS_MAX_WORD;
	*v = xrealloc(*v, (*n + 2) * sizeof **v);
	(*v)[(*n)++] = xstrndup(s, len);
	(*v)[*n] = NULL;
}

static void add_auth(struct caps *c, const char *s, size_t len)
{
	if (len == 0 || len > CAPS_MAX_WORD)
		return;
	char mech[CAPS_MAX_WORD + 1];
	for (size_t i = 0; i < len; i++)
		mech[i] = (char)toupper((unsigned char)s[i]);
	mech[len] = '\0';
	if (!caps_has_auth(c, mech))
		push(&c->auth, &c->nauth, mech, len);
}

bool caps_has_auth(const struct caps *c, const char *mech)
{
	for (size_t i = 0; i < c->nauth; i++)
		if (strcasecmp(c->auth[i], mech) == 0)
			return true;
	return false;
}

bool caps_only_oauth(const struct caps *c)
{
	if (c->nauth == 0)
		return false;
	for (size_t i = 0; i < c->nauth; i++)
		if (strcasecmp(c->auth[i], "XOAUTH2") != 0 &&
		    strcasecmp(c->auth[i], "OAUTHBEARER") != 0)
			return false;
	return true;
}

static bool word_is(const char *w, size_t len, const char *lit)
{
	return strlen(lit) == len && strncasecmp(w, lit, len) == 0;
}

void caps_imap_words(struct caps *c, const char *s, size_t len)
{
	size_t i = 0;
	c->known = true;
	while (i < len) {
		while (i < len && s[i] == ' ')
			i++;
		size_t st = i;
		while (i < len && s[i] != ' ')
			i++;
		size_t wl = i - st;
		if (!wl)
			continue;
		const char *w = s + st;
		push(&c->items, &c->nitems, w, wl);
		if (wl > 5 && strncasecmp(w, "AUTH=", 5) == 0)
			add_auth(c, w + 5, wl - 5);
		else if (word_is(w, wl, "STARTTLS"))
			c->starttls = true;
		else if (word_is(w, wl, "LOGINDISABLED"))
			c->login_disabled = true;
		else if (word_is(w, wl, "SASL-IR"))
			c->sasl_ir = true;
	}
}

bool caps_imap_response_code(struct caps *c, const char *line, size_t len)
{
	const char *lb = memchr(line, '[', len);
	if (!lb)
		return false;
	size_t off = (size_t)(lb - line) + 1;
	if (len - off < 11 || strncasecmp(lb + 1, "CAPABILITY ", 11) != 0)
		return false;
	off += 11;
	const char *rb = memchr(line + off, ']', len - off);
	if (!rb)
		return false;
	caps_imap_words(c, line + off, (size_t)(rb - (line + off)));
	return true;
}

void caps_pop3_line(struct caps *c, const char *line, size_t len)
{
	c->known = true;
	if (len == 0)
		return;
	push(&c->items, &c->nitems, line, len);
	size_t kw = 0;
	while (kw < len && line[kw] != ' ')
		kw++;
	if (word_is(line, kw, "STLS")) {
		c->starttls = true;
	} else if (word_is(line, kw, "USER")) {
		c->user = true;
	} else if (word_is(line, kw, "PIPELINING")) {
		c->pipelining = true;
	} else if (word_is(line, kw, "SASL")) {
		size_t i = kw;
		while (i < len) {
			while (i < len && line[i] == ' ')
				i++;
			size_t st = i;
			while (i < len && line[i] != ' ')
				i++;
			add_auth(c, line + st, i - st);
		}
	}
}

void caps_smtp_ehlo_line(struct caps *c, const char *text, size_t len)
{
	c->known = true;
	if (len == 0)
		return;
	push(&c->items, &c->nitems, text, len);
	size_t kw = 0;
	while (kw < len && text[kw] != ' ' && text[kw] != '=')
		kw++;
	if (word_is(text, kw, "STARTTLS")) {
		c->starttls = true;
	} else if (word_is(text, kw, "PIPELINING")) {
		c->pipelining = true;
	} else if (word_is(text, kw, "8BITMIME")) {
		c->eightbitmime = true;
	} else if (word_is(text, kw, "SIZE")) {
		c->size_known = true;
		c->size = 0;
		for (size_t i = kw + 1; i < len && isdigit((unsigned char)text[i]); i++) {
			if (c->size > (unsigned long)-1 / 10 - 10)
				break;
			c->size = c->size * 10 + (unsigned long)(text[i] - '0');
		}
	} else if (word_is(text, kw, "AUTH")) {
		/* "AUTH PLAIN LOGIN" and the old "AUTH=PLAIN LOGIN" form */
		size_t i = kw;
		while (i < len) {
			while (i < len && (text[i] == ' ' || text[i] == '='))
				i++;
			size_t st = i;
			while (i < len && text[i] != ' ')
				i++;
			add_auth(c, text + st, i - st);
		}
	}
}

int smtp_reply_line(const char *line, size_t len, bool *last, const char **text)
{
	if (len < 3 || !isdigit((unsigned char)line[0]) || !isdigit((unsigned char)line[1]) ||
	    !isdigit((unsigned char)line[2]) || line[0] < '1' || line[0] > '5')
		return -1;
	if (len > 3 && line[3] != ' ' && line[3] != '-')
		return -1;
	*last = len == 3 || line[3] == ' ';
	*text = len > 4 ? line + 4 : line + len;
	return (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
}

static bool starts(const char *s, size_t len, const char *lit)
{
	size_t n = strlen(lit);
	return len >= n && strncasecmp(s, lit, n) == 0;
}

enum greeting_kind greeting_classify(const char *line, size_t len)
{
	if (starts(line, len, "* OK"))
		return GREET_IMAP;
	if (starts(line, len, "* PREAUTH"))
		return GREET_IMAP_PREAUTH;
	if (starts(line, len, "* BYE"))
		return GREET_IMAP_BYE;
	if (starts(line, len, "+OK"))
		return GREET_POP3;
	if (starts(line, len, "-ERR"))
		return GREET_POP3_ERR;
	bool last;
	const char *text;
	int code = smtp_reply_line(line, len, &last, &text);
	if (code == 220)
		return GREET_SMTP;
	if (code == 421 || code == 554)
		return GREET_SMTP_REFUSED;
	return GREET_UNKNOWN;
}
