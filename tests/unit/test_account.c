/* test_account.c - the account model: JSON shapes, validation, defaults. */
#include "config.h"

#include "account.h"
#include "tap.h"

#include <string.h>

static bool from_json(struct account *a, const char *json, struct ms_err *e)
{
	err_clear(e);
	return account_from_json_text(a, json, strlen(json), e);
}

static bool valid(const struct account *a, bool plain, struct ms_err *e)
{
	err_clear(e);
	return account_validate(a, plain, e);
}

int main(void)
{
	plan(59);
	struct account a;
	struct ms_err e;

	/* ---- (a) a diagnose report: host, ports, recommended ---- */
	account_init(&a);
	ok(from_json(
	       &a,
	       "{\"host\":\"mail.example.org\",\"ports\":[],\"findings\":[],"
	       "\"recommended\":{\"incoming\":{\"protocol\":\"imap\",\"host\":\"mail.example.org\","
	       "\"port\":993,\"security\":\"tls\",\"ok\":true},"
	       "\"outgoing\":{\"protocol\":\"smtp\",\"host\":\"mail.example.org\",\"port\":587,"
	       "\"security\":\"starttls\",\"username\":\"zoe\",\"auth\":\"PLAIN\"}}}",
	       &e),
	   "diagnose report accepted");
	ok(a.in.set && a.in.proto == PROTO_IMAP && a.in.port == 993 && a.in.security == SEC_TLS,
	   "diagnose: incoming IMAP 993 TLS");
	ok(a.in.verified, "diagnose: a probe's ok counts as verified");
	ok(a.out.set && a.out.port == 587 && a.out.security == SEC_STARTTLS,
	   "diagnose: outgoing 587 STARTTLS");
	is_str(a.out.username, "zoe", "diagnose: the username is taken");
	ok(a.address == NULL, "diagnose: no address (it comes from --address)");
	ok(!valid(&a, false, &e) && strstr(e.msg, "--address"),
	   "without an address it is refused, naming --address");
	account_set(&a.address, "zoe@example.org");
	ok(valid(&a, false, &e), "with an address it is valid");
	account_free(&a);

	/* ---- (b) a discover report: address + recommended ---- */
	account_init(&a);
	ok(from_json(&a,
	             "{\"address\":\"zoe@example.org\",\"candidates\":[],\"recommended\":{"
	             "\"incoming\":{\"protocol\":\"pop3\",\"host\":\"pop.example.org\","
	             "\"security\":\"starttls\"},"
	             "\"outgoing\":null}}",
	             &e),
	   "discover report accepted");
	is_str(a.address, "zoe@example.org", "discover: address");
	ok(a.in.proto == PROTO_POP3 && account_port(&a.in) == 110,
	   "discover: POP3, default port 110 for STARTTLS");
	ok(!a.out.set, "discover: a null outgoing stays unset");
	account_free(&a);

	/* ---- (c) an account object ---- */
	account_init(&a);
	ok(from_json(
	       &a,
	       "{\"address\":\"zoe@example.org\",\"name\":\"Zo\\u00eb\",\"incoming\":{\"protocol\":"
	       "\"imap\","
	       "\"host\":\"imap.example.org\"},\"outgoing\":{\"host\":\"smtp.example.org\","
	       "\"auth\":\"OAuth2\",\"verified\":true,\"verified_at\":\"2024-05-01T12:00:00Z\"}}",
	       &e),
	   "account object accepted");
	is_str(a.name, "Zo\xc3\xab", "account: name (JSON escapes decoded)");
	ok(a.out.proto == PROTO_SMTP && account_port(&a.out) == 465,
	   "account: outgoing defaults to SMTP, 465 TLS");
	ok(a.out.auth == AUTH_OAUTH2 && a.out.verified, "account: auth and verified");
	is_str(account_username(&a, &a.in), "zoe@example.org",
	       "the username defaults to the address");
	is_str(account_domain(&a), "example.org", "the domain is the part after @");
	account_free(&a);

	/* ---- bad JSON is a usage error with a reason ---- */
	account_init(&a);
	ok(!from_json(&a, "{\"host\": ", &e) && e.cat == ERR_USAGE, "truncated JSON refused");
	ok(!from_json(&a, "[1,2]", &e), "a JSON array refused");
	ok(!from_json(&a, "{\"address\":\"a@b\"}", &e) && strstr(e.msg, "incoming"),
	   "an object without servers refused, saying what was expected");
	ok(!from_json(&a, "{\"incoming\":{\"protocol\":\"smtp\",\"host\":\"h\"}}", &e),
	   "SMTP as incoming refused");
	ok(!from_json(&a, "{\"incoming\":{\"host\":\"h\",\"port\":70000}}", &e) &&
	       strstr(e.msg, "port"),
	   "port out of range refused");
	ok(!from_json(&a, "{\"incoming\":{\"host\":\"h\",\"security\":\"ssl3\"}}", &e),
	   "unknown security refused");
	ok(!from_json(&a, "{\"incoming\":{\"host\":\"h\",\"host\":\"i\"}}", &e),
	   "duplicate keys refused");
	account_free(&a);

	/* ---- validation: hostile and broken values ---- */
	account_init(&a);
	account_set(&a.address, "zoe@example.org");
	a.in.set = true;
	account_set(&a.in.host, "imap.example.org");
	ok(valid(&a, false, &e), "a plain good account is valid");
	account_set(&a.name, "Zoe\nset imap_pass=x");
	ok(!valid(&a, false, &e) && e.cat == ERR_USAGE && strstr(e.msg, "name"),
	   "a newline in the name is refused, naming the field");
	account_set(&a.name, "Zo\xc3");
	ok(!valid(&a, false, &e), "invalid UTF-8 in the name is refused");
	account_set(&a.name, "Eve \"`$<>'\\");
	ok(valid(&a, false, &e),
	   "quotes, backticks, $ and < are fine in a name (writers escape them)");
	account_set(&a.in.username, "u\rser");
	ok(!valid(&a, false, &e), "a carriage return in the user name is refused");
	account_set(&a.in.username, NULL);
	account_set(&a.in.host, "imap.example.org\";evil");
	ok(!valid(&a, false, &e) && strstr(e.msg, "server name"),
	   "a host name with quotes is refused");
	account_set(&a.in.host, "::1");
	ok(valid(&a, false, &e), "an IPv6 address is a valid host");
	account_set(&a.address, "zoe\"@example.org");
	ok(!valid(&a, false, &e), "an address with a quote is refused");
	account_set(&a.address, "zoe@example.org");
	a.in.security = SEC_PLAIN;
	ok(!valid(&a, false, &e) && strstr(e.msg, "plaintext"),
	   "plaintext refused without allow_plaintext");
	ok(valid(&a, true, &e), "plaintext accepted when allowed");
	a.in.security = SEC_TLS;
	a.password_mode = PASSWORD_COMMAND;
	account_set(&a.password_command, "pass show `id`");
	ok(!valid(&a, false, &e) && strstr(e.msg, "backtick"),
	   "a backtick in the password command is refused");
	account_set(&a.password_command, "pass show mail\\");
	ok(!valid(&a, false, &e), "a password command ending in a backslash is refused");
	account_set(&a.password_command, "pass show \"mail/zoe's\" | head -1");
	ok(valid(&a, false, &e), "an ordinary password command is fine");
	account_free(&a);

	enum account_auth au;
	ok(account_auth_parse("CRAM-MD5", &au) && au == AUTH_PASSWORD_ENCRYPTED,
	   "SASL names map to auth methods, any case");

	/* ---- trust by fingerprint: the forms people paste, and JSON ---- */
	const char *want = "6E:47:50:AC:10:2B:CC:F2:99:C1:E5:A1:99:30:0D:5E:"
	                   "98:57:00:9D:02:7E:5E:A5:C5:8A:A7:4F:71:38:A8:1A";
	char fpr[TLS_FPR_LEN];
	ok(tls_pin_parse(want, fpr) && strcmp(fpr, want) == 0, "pin: the canonical form");
	ok(tls_pin_parse("6e4750ac102bccf299c1e5a199300d5e9857009d027e5ea5c58aa74f7138a81a", fpr) &&
	       strcmp(fpr, want) == 0,
	   "pin: lower case without colons");
	ok(tls_pin_parse("SHA256:6e:47:50:ac:10:2b:cc:f2:99:c1:e5:a1:99:30:0d:5e:98:57:00:9d:02:7e:"
	                 "5e:a5:c5:8a:a7:4f:71:38:a8:1a",
	                 fpr) &&
	       strcmp(fpr, want) == 0,
	   "pin: a sha256: prefix");
	ok(!tls_pin_parse("6E:47", fpr), "pin: too short is refused");
	ok(!tls_pin_parse("6e4750ac102bccf299c1e5a199300d5e9857009d027e5ea5c58aa74f7138a81a00",
	                  fpr),
	   "pin: too long is refused");
	ok(!tls_pin_parse("6E4:750AC102BCCF299C1E5A199300D5E9857009D027E5EA5C58AA74F7138A81A", fpr),
	   "pin: a colon inside a byte is refused");
	ok(!tls_pin_parse("6e4750ac102bccf299c1e5a199300d5e9857009d027e5ea5c58aa74f7138a8zz", fpr),
	   "pin: a non-hex digit is refused");
	ok(!tls_pin_parse("", fpr), "pin: empty is refused");
	ok(!tls_pin_parse("6E:47:50:AC:10:2B:CC:F2:99:C1:E5:A1:99:30:0D:5E:98:57:00:9D:02:7E:5E:A5:"
	                  "C5:8A:A7:4F:71:38:A8:1A:",
	                  fpr),
	   "pin: a trailing colon is refused");

	account_init(&a);
	ok(from_json(&a,
	             "{\"address\":\"zoe@example.org\",\"incoming\":{\"host\":\"h.example\","
	             "\"trusted_sha256\":\"6e4750ac102bccf299c1e5a199300d5e9857009d027e5ea5c58aa74"
	             "f7138a81a\"}}",
	             &e) &&
	       a.in.trusted_sha256 && strcmp(a.in.trusted_sha256, want) == 0,
	   "JSON: trusted_sha256 is read and normalised");
	account_free(&a);
	account_init(&a);
	ok(!from_json(&a,
	              "{\"address\":\"zoe@example.org\",\"incoming\":{\"host\":\"h.example\","
	              "\"trusted_sha256\":\"12:34\"}}",
	              &e) &&
	       strstr(e.msg, "trusted_sha256"),
	   "JSON: a bad trusted_sha256 is refused by name");
	account_free(&a);
	account_init(&a);
	ok(from_json(
	       &a,
	       "{\"address\":\"zoe@example.org\",\"outgoing\":{\"protocol\":\"smtp\","
	       "\"host\":\"h.example\",\"tls\":{\"pinned\":true,\"sha256\":\"6E:47:50:AC:"
	       "10:2B:CC:F2:99:C1:E5:A1:99:30:0D:5E:98:57:00:9D:02:7E:5E:A5:C5:8A:A7:4F:71:38:"
	       "A8:1A\"}}}",
	       &e) &&
	       a.out.trusted_sha256 && strcmp(a.out.trusted_sha256, want) == 0,
	   "JSON: a probe object's pinned certificate is taken over");
	account_free(&a);
	/* The provider's methods and page travel through JSON (issue 11). */
	{
		struct account m;
		account_init(&m);
		const char *j =
		    "{\"address\":\"zoe@gmail.com\",\"recommended\":{\"incoming\":{"
		    "\"protocol\":\"imap\",\"host\":\"imap.gmail.com\",\"port\":993,"
		    "\"security\":\"tls\",\"auth\":\"OAuth2\",\"authentication\":[\"OAuth2\","
		    "\"password-cleartext\",\"future-method\"],\"documentation_url\":"
		    "\"https://support.google.com/mail/answer/185833\",\"documentation\":\"App "
		    "passwords\",\"verified\":false,\"reason\":\"unreachable\"},\"outgoing\":{"
		    "\"protocol\":\"smtp\",\"host\":\"smtp.gmail.com\",\"port\":465,"
		    "\"security\":\"tls\",\"authentication\":[\"OAuth2\"]}}}";
		struct ms_err e2;
		err_clear(&e2);
		ok(account_from_json_text(&m, j, strlen(j), &e2), "methods: report accepted");
		ok(m.in.nauth == 2 && m.in.methods[0] == AUTH_OAUTH2 &&
		       m.in.methods[1] == AUTH_PASSWORD_CLEARTEXT,
		   "methods: every known method in order, an unknown one skipped");
		ok(account_offers(&m.in, AUTH_OAUTH2) && !account_oauth2_only(&m.in),
		   "methods: OAuth2 and a password: not OAuth2-only");
		ok(account_oauth2_only(&m.out) && m.out.auth == AUTH_OAUTH2,
		   "methods: OAuth2 alone is OAuth2-only and the primary");
		is_str(m.in.doc_url, "https://support.google.com/mail/answer/185833",
		       "methods: the provider's page is kept");
		ok(m.in.unverified && !m.out.unverified,
		   "an explicit verified:false is remembered; a missing one is not");
		char *note = account_unverified_note(&m.in, "incoming");
		ok(note && strstr(note, "not tested from here (unreachable)") != NULL,
		   "the note names the reason");
		free(note);
		ok(account_validate(&m, false, &e2), "such an account is valid");
		account_free(&m);
	}
	return done_testing();
}
