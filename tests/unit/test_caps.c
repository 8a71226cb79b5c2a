/* test_caps.c - the pure capability, reply and greeting parsers. */
#include "config.h"

#include "probe/caps.h"
#include "tap.h"

#include <stdio.h>
#include <string.h>

#define L(s) s, sizeof(s) - 1

int main(void)
{
	plan(32);
	struct caps c = {0};

	caps_imap_words(
	    &c,
	    L("IMAP4rev1 SASL-IR LOGIN-REFERRALS AUTH=PLAIN auth=login STARTTLS LOGINDISABLED"));
	ok(c.known && c.starttls && c.login_disabled && c.sasl_ir,
	   "IMAP: STARTTLS, LOGINDISABLED, SASL-IR found");
	is_int((long)c.nauth, 2, "IMAP: two AUTH= mechanisms");
	ok(caps_has_auth(&c, "LOGIN") && caps_has_auth(&c, "plain"),
	   "IMAP: mechanisms upper-cased, matched without case");
	is_int((long)c.nitems, 7, "IMAP: every word kept for display");
	caps_clear(&c);

	ok(caps_imap_response_code(
	       &c, L("* OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN] Dovecot ready.")),
	   "IMAP greeting with a CAPABILITY response code is used");
	ok(c.starttls && caps_has_auth(&c, "PLAIN"), "... and parsed");
	caps_clear(&c);
	ok(!caps_imap_response_code(&c, L("* OK [ALERT] hello")),
	   "another response code is not a capability list");
	ok(!caps_imap_response_code(&c, L("* OK [CAPABILITY IMAP4rev1 no end")),
	   "an unclosed [ is ignored");
	ok(!c.known, "... and leaves nothing known");
	caps_clear(&c);

	caps_pop3_line(&c, L("STLS"));
	caps_pop3_line(&c, L("SASL PLAIN XOAUTH2"));
	caps_pop3_line(&c, L("USER"));
	caps_pop3_line(&c, L("PIPELINING"));
	ok(c.starttls && c.user && c.pipelining, "POP3: STLS, USER, PIPELINING");
	ok(caps_has_auth(&c, "PLAIN") && caps_has_auth(&c, "XOAUTH2"), "POP3: SASL mechanisms");
	ok(!caps_only_oauth(&c), "PLAIN next to XOAUTH2 is not oauth-only");
	caps_clear(&c);

	caps_smtp_ehlo_line(&c, L("PIPELINING"));
	caps_smtp_ehlo_line(&c, L("SIZE 52428800"));
	caps_smtp_ehlo_line(&c, L("8BITMIME"));
	caps_smtp_ehlo_line(&c, L("STARTTLS"));
	caps_smtp_ehlo_line(&c, L("AUTH=PLAIN LOGIN"));
	ok(c.pipelining && c.eightbitmime && c.starttls, "SMTP: PIPELINING, 8BITMIME, STARTTLS");
	ok(c.size_known && c.size == 52428800UL, "SMTP: SIZE value");
	ok(caps_has_auth(&c, "PLAIN") && caps_has_auth(&c, "LOGIN"),
	   "SMTP: the old AUTH= form is understood");
	caps_clear(&c);
	caps_smtp_ehlo_line(&c, L("AUTH XOAUTH2 OAUTHBEARER"));
	ok(caps_only_oauth(&c), "SMTP: only XOAUTH2/OAUTHBEARER is oauth-only");
	caps_clear(&c);
	caps_smtp_ehlo_line(&c, L("SIZE 99999999999999999999999999"));
	ok(c.size_known, "SMTP: an absurd SIZE does not overflow or crash");
	caps_clear(&c);

	for (int i = 0; i < 1000; i++)
		caps_imap_words(&c, L("X-WORD"));
	ok(c.nitems == CAPS_MAX_ITEMS, "a hostile list is cut at CAPS_MAX_ITEMS (%d)",
	   CAPS_MAX_ITEMS);
	caps_clear(&c);
	char word[1000];
	memset(word, 'W', sizeof word - 1);
	word[sizeof word - 1] = '\0';
	caps_imap_words(&c, word, strlen(word));
	ok(c.nitems == 1 && strlen(c.items[0]) == CAPS_MAX_WORD,
	   "a huge word is cut at CAPS_MAX_WORD");
	caps_clear(&c);

	bool last;
	const char *text;
	is_int(smtp_reply_line(L("250-PIPELINING"), &last, &text), 250, "SMTP reply code");
	ok(!last && strcmp(text, "PIPELINING") == 0, "a '-' line continues, text after it");
	is_int(smtp_reply_line(L("235 2.7.0 ok"), &last, &text), 235, "final line code");
	ok(last, "a ' ' line is the last");
	is_int(smtp_reply_line(L("220"), &last, &text), 220, "a bare code is a final line");
	is_int(smtp_reply_line(L("* OK imap"), &last, &text), -1, "an IMAP line is no SMTP reply");
	is_int(smtp_reply_line(L("650 nope"), &last, &text), -1, "6xx is no SMTP reply");
	is_int(smtp_reply_line(L("250xPIPE"), &last, &text), -1,
	       "a fourth character other than ' ' or '-' is refused");

	is_int(greeting_classify(L("* OK Dovecot ready")), GREET_IMAP, "IMAP greeting");
	is_int(greeting_classify(L("* PREAUTH hi")), GREET_IMAP_PREAUTH, "IMAP PREAUTH");
	is_int(greeting_classify(L("+OK POP3 ready")), GREET_POP3, "POP3 greeting");
	is_int(greeting_classify(L("220 mail ESMTP")), GREET_SMTP, "SMTP greeting");
	is_int(greeting_classify(L("554 no service")), GREET_SMTP_REFUSED, "SMTP refusal");
	return done_testing();
}
