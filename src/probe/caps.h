/* caps.h - capability sets and the pure parsers that build them.
 *
 * One struct for all three protocols: the raw capability words in the
 * server's order (for display and JSON), the SASL mechanisms, and the
 * flags the probe decides on.  The parsers take one line (without CR LF)
 * and never fail: unknown words are kept, malformed input yields fewer
 * capabilities, never a crash (they are fuzzed: tests/fuzz/).
 */
#ifndef MS_CAPS_H
#define MS_CAPS_H

#include <stdbool.h>
#include <stddef.h>

/* More words than any real server sends; a hostile list is cut here. */
#define CAPS_MAX_ITEMS 128
#define CAPS_MAX_WORD  128

struct caps {
	bool known;   /* a capability list was received */
	char **items; /* words as sent (escaped on display) */
	size_t nitems;
	char **auth; /* SASL mechanisms, upper case */
	size_t nauth;
	bool starttls;       /* IMAP STARTTLS, POP3 STLS, SMTP STARTTLS */
	bool login_disabled; /* IMAP LOGINDISABLED */
	bool sasl_ir;        /* IMAP SASL-IR */
	bool user;           /* POP3 USER */
	bool pipelining;     /* POP3/SMTP PIPELINING */
	bool eightbitmime;   /* SMTP 8BITMIME */
	bool size_known;
	unsigned long size; /* SMTP SIZE limit, 0 = none announced */
};

void caps_clear(struct caps *c);
void caps_copy(struct caps *dst, const struct caps *src);
bool caps_has_auth(const struct caps *c, const char *mech);
/* caps_only_oauth: mechanisms are offered and all are OAuth ones. */
bool caps_only_oauth(const struct caps *c);

/* caps_imap_words: add the words of an IMAP capability list, e.g. the
 * text after "* CAPABILITY " or inside "[CAPABILITY ...]". */
void caps_imap_words(struct caps *c, const char *s, size_t len);
/* caps_imap_greeting: if line ("* OK [CAPABILITY ...] ...") carries a
 * capability response code, parse it and return true. */
bool caps_imap_response_code(struct caps *c, const char *line, size_t len);
/* caps_pop3_line: one line of a CAPA listing (not the final "."). */
void caps_pop3_line(struct caps *c, const char *line, size_t len);
/* caps_smtp_ehlo_line: the text of one EHLO reply line after "250-" or
 * "250 " (the first line, the server's name, is the caller's to skip). */
void caps_smtp_ehlo_line(struct caps *c, const char *text, size_t len);

/* smtp_reply_line: split an SMTP reply line.  Returns the 3-digit code
 * (100..599) and sets *last (no '-' continuation) and *text; returns -1
 * if the line is not a reply line. */
int smtp_reply_line(const char *line, size_t len, bool *last, const char **text);

enum greeting_kind {
	GREET_UNKNOWN,
	GREET_IMAP,
	GREET_IMAP_PREAUTH,
	GREET_IMAP_BYE,
	GREET_POP3,
	GREET_POP3_ERR,
	GREET_SMTP,
	GREET_SMTP_REFUSED
};
/* greeting_classify: what protocol a first line looks like. */
enum greeting_kind greeting_classify(const char *line, size_t len);

#endif
