/* folders.c - special-use folders from IMAP LIST responses (RFC 6154),
 * with the mailbox names decoded from modified UTF-7 (RFC 3501 5.1.3). */
#include "config.h"

#include "probe/folders.h"

#include "base/alloc.h"
#include "base/buf.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

void ms_folders_free(struct ms_folders *f)
{
	free(f->sent);
	free(f->drafts);
	free(f->trash);
	free(f->junk);
	free(f->archive);
	memset(f, 0, sizeof *f);
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

void ms_folders_copy(struct ms_folders *dst, const struct ms_folders *src)
{
	ms_folders_free(dst);
	dst->sent = dup_or_null(src->sent);
	dst->drafts = dup_or_null(src->drafts);
	dst->trash = dup_or_null(src->trash);
	dst->junk = dup_or_null(src->junk);
	dst->archive = dup_or_null(src->archive);
	dst->listed = src->listed;
	dst->guessed = src->guessed;
}

bool ms_folders_any(const struct ms_folders *f)
{
	return f->sent || f->drafts || f->trash || f->junk || f->archive;
}

/* ---- modified UTF-7 -------------------------------------------------- */

static int b64val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == ',')
		return 63;
	return -1;
}

static void utf8_put(struct buf *b, unsigned cp)
{
	if (cp < 0x80) {
		buf_addc(b, (char)cp);
	} else if (cp < 0x800) {
		buf_addc(b, (char)(0xc0 | (cp >> 6)));
		buf_addc(b, (char)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		buf_addc(b, (char)(0xe0 | (cp >> 12)));
		buf_addc(b, (char)(0x80 | ((cp >> 6) & 0x3f)));
		buf_addc(b, (char)(0x80 | (cp & 0x3f)));
	} else {
		buf_addc(b, (char)(0xf0 | (cp >> 18)));
		buf_addc(b, (char)(0x80 | ((cp >> 12) & 0x3f)));
		buf_addc(b, (char)(0x80 | ((cp >> 6) & 0x3f)));
		buf_addc(b, (char)(0x80 | (cp & 0x3f)));
	}
}

char *imap_mutf7_decode(const char *s, size_t n)
{
	struct buf b = {0};
	size_t i = 0;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c > 0x7e)
			goto bad;
		if (c != '&') {
			buf_addc(&b, (char)c);
			i++;
			continue;
		}
		i++;
		if (i < n && s[i] == '-') { /* "&-" is "&" */
			buf_addc(&b, '&');
			i++;
			continue;
		}
		unsigned bits = 0, nbits = 0, high = 0;
		bool any = false;
		for (;; i++) {
			if (i >= n)
				goto bad; /* no closing '-' */
			if (s[i] == '-')
				break;
			int v = b64val(s[i]);
			if (v < 0)
				goto bad;
			bits = (bits << 6) | (unsigned)v;
			nbits += 6;
			if (nbits < 16)
				continue;
			nbits -= 16;
			unsigned u = (bits >> nbits) & 0xffff;
			bits &= (1u << nbits) - 1;
			any = true;
			if (high) {
				if (u < 0xdc00 || u > 0xdfff)
					goto bad;
				utf8_put(&b, 0x10000 + ((high - 0xd800) << 10) + (u - 0xdc00));
				high = 0;
			} else if (u >= 0xd800 && u <= 0xdbff) {
				high = u;
			} else if (u >= 0xdc00 && u <= 0xdfff) {
				goto bad;
			} else {
				if (u < 0x20 || (u >= 0x7f && u < 0xa0) || u == 0x2028 ||
				    u == 0x2029)
					goto bad;
				utf8_put(&b, u);
			}
		}
		i++; /* the '-' */
		/* Leftover bits must be padding zeros, fewer than 6. */
		if (!any || high || nbits >= 6 || bits != 0)
			goto bad;
	}
	if (!b.data)
		return xstrdup("");
	return buf_steal(&b);
bad:
	buf_free(&b);
	return NULL;
}

/* ---- LIST ------------------------------------------------------------ */

static const struct {
	const char *name;
	unsigned flag;
} attrs[] = {
    {"\\Sent", FOLDER_SENT},
    {"\\Drafts", FOLDER_DRAFTS},
    {"\\Trash", FOLDER_TRASH},
    {"\\Junk", FOLDER_JUNK},
    {"\\Archive", FOLDER_ARCHIVE},
    {"\\Noselect", FOLDER_NOSELECT},
    {"\\NonExistent", FOLDER_NOSELECT},
};

/* astring: a quoted string, an atom or a literal {N} at *p. */
static bool astring(const char **p, const char *end, char **out, size_t *literal)
{
	const char *s = *p;
	*out = NULL;
	*literal = 0;
	if (s >= end)
		return false;
	if (*s == '"') {
		struct buf b = {0};
		for (s++; s < end && *s != '"'; s++) {
			if (*s == '\\' && s + 1 < end)
				s++;
			buf_addc(&b, *s);
		}
		if (s >= end) {
			buf_free(&b);
			return false;
		}
		*out = b.data ? buf_steal(&b) : xstrdup("");
		*p = s + 1;
		return true;
	}
	if (*s == '{') {
		char *e;
		unsigned long n = strtoul(s + 1, &e, 10);
		if (e == s + 1 || e >= end)
			return false;
		if (*e == '+')
			e++;
		if (e >= end || *e != '}' || n == 0 || n > FOLDER_NAME_MAX)
			return false;
		*literal = n;
		*p = e + 1;
		return true;
	}
	const char *a = s;
	while (s < end && *s != ' ' && *s != '(' && *s != ')' && *s != '"')
		s++;
	if (s == a)
		return false;
	*out = xstrndup(a, (size_t)(s - a));
	*p = s;
	return true;
}

bool imap_list_line(const char *line, size_t len, unsigned *flags, char **name, size_t *literal)
{
	const char *p = line, *end = line + len;
	*flags = 0;
	*name = NULL;
	*literal = 0;
	if (len < 9 || strncasecmp(p, "* LIST (", 8) != 0)
		return false;
	p += 8;
	const char *close = memchr(p, ')', (size_t)(end - p));
	if (!close)
		return false;
	while (p < close) {
		while (p < close && *p == ' ')
			p++;
		const char *w = p;
		while (p < close && *p != ' ')
			p++;
		for (size_t i = 0; i < sizeof attrs / sizeof attrs[0]; i++)
			if (strlen(attrs[i].name) == (size_t)(p - w) &&
			    strncasecmp(w, attrs[i].name, (size_t)(p - w)) == 0)
				*flags |= attrs[i].flag;
	}
	p = close + 1;
	if (p >= end || *p != ' ')
		return false;
	p++;
	char *delim;
	size_t dl;
	if (!astring(&p, end, &delim, &dl) || dl) /* "/" or NIL */
		return false;
	free(delim);
	if (p >= end || *p != ' ')
		return false;
	p++;
	if (!astring(&p, end, name, literal))
		return false;
	if (*name && strlen(*name) > FOLDER_NAME_MAX) {
		free(*name);
		*name = NULL;
		return false;
	}
	return true;
}

/* Names clients and servers commonly give these folders, best first.
 * Used only when the server marks none (and then said so). */
static const char *const common[5][5] = {
    {"Sent", "Sent Items", "Sent Messages", "Sent Mail", NULL},
    {"Drafts", "Draft", NULL},
    {"Trash", "Deleted Items", "Deleted Messages", "Bin", NULL},
    {"Junk", "Spam", "Junk E-mail", "Junk Mail", NULL},
    {"Archive", "Archives", NULL},
};

static char **role_slot(struct ms_folders *f, int role)
{
	char **slots[5] = {&f->sent, &f->drafts, &f->trash, &f->junk, &f->archive};
	return slots[role];
}

void folder_scan_add(struct folder_scan *s, unsigned flags, const char *raw, size_t n)
{
	s->lines++;
	if (flags & FOLDER_NOSELECT)
		return;
	char *name = imap_mutf7_decode(raw, n);
	if (!name)
		return; /* not a name we could write correctly */
	for (int role = 0; role < 5; role++) {
		if (!(flags & (1u << role)))
			continue;
		s->marked = true;
		char **slot = role_slot(&s->f, role);
		if (!*slot)
			*slot = xstrdup(name);
	}
	/* The part after an "INBOX." / "INBOX/" prefix, for the guess. */
	const char *leaf = name;
	if (strncasecmp(leaf, "INBOX", 5) == 0 && (leaf[5] == '.' || leaf[5] == '/'))
		leaf += 6;
	for (int role = 0; role < 5; role++) {
		for (int k = 0; common[role][k]; k++) {
			int rank = 100 - k - (leaf != name ? 50 : 0);
			if (strcasecmp(leaf, common[role][k]) == 0 && rank > s->guess_rank[role]) {
				s->guess_rank[role] = rank;
				free(s->guess[role]);
				s->guess[role] = xstrdup(name);
			}
		}
	}
	free(name);
}

void folder_scan_free(struct folder_scan *s)
{
	ms_folders_free(&s->f);
	for (int i = 0; i < 5; i++)
		free(s->guess[i]);
	memset(s, 0, sizeof *s);
}

void folder_scan_finish(struct folder_scan *s, struct ms_folders *out)
{
	ms_folders_free(out);
	if (s->marked) {
		*out = s->f;
		memset(&s->f, 0, sizeof s->f);
	} else {
		for (int role = 0; role < 5; role++) {
			*role_slot(out, role) = s->guess[role];
			s->guess[role] = NULL;
		}
		out->guessed = ms_folders_any(out);
	}
	out->listed = true;
	folder_scan_free(s);
}
