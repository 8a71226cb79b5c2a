/* test_autoconfig.c - the autoconfig parser reads what Thunderbird reads,
 * substitutes the placeholders, and refuses what it must refuse. */
#include "config.h"

#include "base/buf.h"
#include "discover/autoconfig_xml.h"
#include "discover/discover.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char good[] =
    "<?xml version=\"1.0\"?>\n"
    "<clientConfig version=\"1.1\"><emailProvider id=\"example.org\">\n"
    " <domain>example.org</domain><displayName>Example Mail</displayName>\n"
    " <incomingServer type=\"exchange\"><hostname>ex.example.org</hostname></incomingServer>\n"
    " <incomingServer type=\"imap\">\n"
    "  <hostname> IMAP.%EMAILDOMAIN% </hostname><port>993</port><socketType>SSL</socketType>\n"
    "  <username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication>\n"
    "  <authentication>OAuth2</authentication><unknownThing><deep/></unknownThing>\n"
    " </incomingServer>\n"
    " <incomingServer type=\"pop3\"><hostname>pop.example.org</hostname><port>110</port>"
    "<socketType>STARTTLS</socketType><username>%EMAILLOCALPART%</username></incomingServer>\n"
    " <outgoingServer type=\"smtp\"><hostname>smtp.example.org</hostname>"
    "<socketType>SSL</socketType></outgoingServer>\n"
    " <outgoingServer type=\"smtp\"><hostname>bad host!</hostname><port>25</port>"
    "<socketType>plain</socketType></outgoingServer>\n"
    " <outgoingServer type=\"smtp\"><hostname>x.example.org</hostname><port>99999</port>"
    "<socketType>SSL</socketType></outgoingServer>\n"
    "</emailProvider></clientConfig>\n";

/* Modelled on the ISPDB's gmail.com entry: two methods per server, and
 * several documentation pages (the first counts). */
static const char methods[] =
    "<clientConfig version=\"1.1\"><emailProvider id=\"example.org\">\n"
    " <incomingServer type=\"imap\"><hostname>imap.example.org</hostname><port>993</port>"
    "<socketType>SSL</socketType><username>%EMAILADDRESS%</username>\n"
    "  <authentication>OAuth2</authentication>\n"
    "  <authentication> password-cleartext </authentication>\n"
    "  <authentication>OAuth2</authentication><authentication>bad word!</authentication>\n"
    " </incomingServer>\n"
    " <outgoingServer type=\"smtp\"><hostname>smtp.example.org</hostname><port>465</port>"
    "<socketType>SSL</socketType><authentication>client-IP-address</authentication>"
    "</outgoingServer>\n"
    " <enable visiturl=\"https://mail.example.org/settings\"><instruction>Turn IMAP on"
    "</instruction></enable>\n"
    " <documentation url=\"javascript:alert(1)\"><descr>bad</descr></documentation>\n"
    " <documentation url=\"https://help.example.org/app-passwords?x=1&amp;y=2\">"
    "<descr lang=\"en\">App passwords</descr><descr lang=\"de\">x</descr></documentation>\n"
    " <documentation url=\"https://help.example.org/other\"><descr>Other</descr>"
    "</documentation>\n"
    "</emailProvider></clientConfig>\n";

/* As in the ISPDB's gmail.com entry: <enable> beside <emailProvider>. */
static const char outside[] =
    "<clientConfig version=\"1.1\"><emailProvider id=\"example.org\">\n"
    " <incomingServer type=\"imap\"><hostname>imap.example.org</hostname>"
    "<socketType>SSL</socketType></incomingServer>\n"
    "</emailProvider>\n"
    "<oAuth2><issuer>accounts.example.org</issuer></oAuth2>\n"
    "<enable visiturl=\"https://mail.example.org/settings#imap\">\n"
    " <instruction>You need to enable IMAP access</instruction></enable>\n"
    "</clientConfig>\n";

static bool parse(const char *xml, size_t len, struct ac_config *c, struct ms_err *e)
{
	err_clear(e);
	return autoconfig_parse(xml, len, "zoe", "example.org", c, e);
}

int main(void)
{
	plan(36);
	struct ac_config c;
	struct ms_err e;

	ok(parse(good, strlen(good), &c, &e), "a Thunderbird file parses");
	is_int((long)c.n, 3,
	       "imap, pop3 and one smtp: exchange, a bad host and a bad port are dropped");
	is_str(c.v[0].host, "imap.example.org",
	       "%%EMAILDOMAIN%% substituted, trimmed, lower-cased");
	is_int(c.v[0].port, 993, "port read");
	ok(c.v[0].proto == PROTO_IMAP && c.v[0].security == SEC_TLS, "SSL is implicit TLS");
	is_str(c.v[0].username, "zoe@example.org", "%%EMAILADDRESS%% substituted");
	is_str(c.v[0].auth[0], "password-cleartext", "the first authentication is kept");
	ok(c.v[1].proto == PROTO_POP3 && c.v[1].security == SEC_STARTTLS, "pop3 with STARTTLS");
	is_str(c.v[1].username, "zoe", "%%EMAILLOCALPART%% substituted");
	is_int(c.v[2].port, 465, "a missing port defaults from protocol and security");
	is_str(c.display_name, "Example Mail", "display name read");
	autoconfig_free(&c);

	ok(parse(methods, strlen(methods), &c, &e), "a file with several methods parses");
	is_int((long)c.v[0].nauth, 2, "every authentication is kept once; a bad word is dropped");
	is_str(c.v[0].auth[0], "OAuth2", "methods keep the file's order (first)");
	is_str(c.v[0].auth[1], "password-cleartext", "methods keep the file's order (second)");
	is_str(c.v[1].auth[0], "client-IP-address", "client-IP-address is kept for SMTP");
	is_str(c.doc_url, "https://help.example.org/app-passwords?x=1&y=2",
	       "the first documentation with an http(s) URL is kept, entities decoded");
	is_str(c.doc_text, "App passwords", "its first description is kept");
	is_str(c.enable_url, "https://mail.example.org/settings", "the enable page is kept");
	is_str(c.enable_text, "Turn IMAP on", "with its instruction");
	autoconfig_free(&c);
	ok(parse(outside, strlen(outside), &c, &e) && c.n == 1,
	   "pages beside the provider: parses");
	is_str(c.enable_url, "https://mail.example.org/settings#imap",
	       "an <enable> beside <emailProvider> is kept");
	is_str(c.enable_text, "You need to enable IMAP access", "with its instruction");
	autoconfig_free(&c);

	ok(!parse("<clientConfig><emailProvider>", 29, &c, &e) && c.n == 0,
	   "truncated XML is refused");
	ok(strstr(e.msg, "well-formed") != NULL, "the error says the XML is not well-formed");

	const char *bomb =
	    "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
	    "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;\">]><clientConfig>&lol2;</clientConfig>";
	ok(!parse(bomb, strlen(bomb), &c, &e), "a DOCTYPE with entities is refused");
	const char *ext =
	    "<?xml version=\"1.0\"?><!DOCTYPE c SYSTEM \"file:///etc/passwd\"><clientConfig/>";
	ok(!parse(ext, strlen(ext), &c, &e), "an external DTD is refused");
	ok(!parse("<html><body>404</body></html>", 29, &c, &e),
	   "a document that is not a clientConfig is refused");

	struct buf deep = {0};
	buf_adds(&deep, "<clientConfig><emailProvider>");
	for (int i = 0; i < 100; i++)
		buf_adds(&deep, "<a>");
	for (int i = 0; i < 100; i++)
		buf_adds(&deep, "</a>");
	buf_adds(&deep, "</emailProvider></clientConfig>");
	ok(!parse(deep.data, deep.len, &c, &e), "nesting beyond the bound is refused");
	buf_free(&deep);

	struct buf huge = {0};
	buf_adds(&huge, "<clientConfig><emailProvider><displayName>");
	while (huge.len < AUTOCONFIG_MAX_BYTES + 10)
		buf_adds(&huge, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
	buf_adds(&huge, "</displayName></emailProvider></clientConfig>");
	ok(!parse(huge.data, huge.len, &c, &e), "a document over the size bound is refused");
	buf_free(&huge);

	const char *none = "<clientConfig><emailProvider/></clientConfig>";
	ok(parse(none, strlen(none), &c, &e) && c.n == 0,
	   "a provider without servers parses to nothing");
	autoconfig_free(&c);

	/* The shipped provider files are valid and complete. */
	const char *shipped[] = {"posteo.de", "mailbox.org", "fastmail.com"};
	for (int i = 0; i < 3; i++) {
		char path[512];
		snprintf(path, sizeof path, "%s/data/isp/%s.xml", SRCDIR, shipped[i]);
		FILE *f = fopen(path, "r");
		static char data[16384];
		size_t n = f ? fread(data, 1, sizeof data, f) : 0;
		if (f)
			fclose(f);
		ok(parse(data, n, &c, &e) && c.n == 4, "shipped %s parses with 4 servers",
		   shipped[i]);
		autoconfig_free(&c);
	}

	char *local, *domain;
	ok(discover_address("Zo\xc3\xab@B\xc3\xbc"
	                    "cher.test",
	                    &local, &domain, &e) &&
	       strcmp(domain, "xn--bcher-kva.test") == 0,
	   "an IDN domain becomes A-labels");
	free(local), free(domain);
	ok(!discover_address("no-at-sign.example", &local, &domain, &e) && e.cat == ERR_USAGE,
	   "an address without @ is a usage error");
	return done_testing();
}
