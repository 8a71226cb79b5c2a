/* autoconfig_xml.h - Thunderbird's autoconfig format (config-v1.1.xml).
 *
 * Parses what a provider file, a domain's autoconfig server or the ISPDB
 * sends: <clientConfig><emailProvider> with <incomingServer type="imap|
 * pop3"> and <outgoingServer type="smtp">, each with hostname, port,
 * socketType (SSL|STARTTLS|plain), username and every authentication
 * method in file order; and the provider's <documentation url=...> (with
 * its <descr>) and <enable visiturl=...> (with its <instruction>).  Unknown
 * elements and server types (exchange, ews...) are ignored, as Thunderbird
 * does.  %EMAILADDRESS%, %EMAILLOCALPART% and %EMAILDOMAIN% are replaced
 * in hostname and username.
 *
 * The input is untrusted network data, so the parser is bounded: no
 * DOCTYPE at all (hence no entity declarations, no external entities, no
 * entity expansion), at most AUTOCONFIG_MAX_BYTES of input, AUTOCONFIG_
 * MAX_DEPTH nested elements, AUTOCONFIG_MAX_TEXT bytes per text field and
 * AUTOCONFIG_MAX_SERVERS servers.  A host name that is not a plausible DNS
 * name after substitution drops that server.
 */
#ifndef MS_AUTOCONFIG_XML_H
#define MS_AUTOCONFIG_XML_H

#include "base/err.h"
#include "probe/probe.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Real files are a few kilobytes (the largest ISPDB entries ~20 KB). */
#define AUTOCONFIG_MAX_BYTES   (256 * 1024)
#define AUTOCONFIG_MAX_DEPTH   16
#define AUTOCONFIG_MAX_TEXT    512
#define AUTOCONFIG_MAX_SERVERS 32
/* <authentication> values kept per server (the format defines nine). */
#define AUTOCONFIG_MAX_AUTH 8
#define AUTOCONFIG_AUTH_LEN 24

struct ac_server {
	enum ms_proto proto;
	char *host; /* checked: letters, digits, '-', '.', at most 253 */
	uint16_t port;
	enum ms_security security;
	char *username; /* substituted; "" when the file names none */
	/* every <authentication> in file order (the provider's preference),
	 * e.g. "OAuth2", "password-cleartext"; unknown words are kept too,
	 * duplicates and overlong ones dropped; nauth == 0 when none */
	char auth[AUTOCONFIG_MAX_AUTH][AUTOCONFIG_AUTH_LEN];
	size_t nauth;
};

struct ac_config {
	struct ac_server *v; /* in file order: the provider's preference */
	size_t n;
	char *display_name; /* raw, may be NULL: escape before display */
	/* The provider's pages for people: the first <documentation url>
	 * and its first <descr>, and the first <enable visiturl> with its
	 * <instruction>.  URLs only when they are http(s) and printable
	 * ASCII without spaces (autoconfig_url_ok); texts raw (escape before
	 * display).  Each may be NULL. */
	char *doc_url, *doc_text;
	char *enable_url, *enable_text;
};

/* autoconfig_parse: parse len bytes; local and domain (A-labels) fill the
 * placeholders.  Returns true with out filled (possibly with n == 0 when
 * the file names no usable server) or false with err set (ERR_PROTOCOL)
 * when the document is malformed, too large or not a clientConfig.
 * out is always safe to autoconfig_free. */
bool autoconfig_parse(const char *data, size_t len, const char *local, const char *domain,
                      struct ac_config *out, struct ms_err *err);
void autoconfig_free(struct ac_config *c);
/* autoconfig_host_ok: a plausible DNS host name (LDH labels, <= 253). */
bool autoconfig_host_ok(const char *host);
/* autoconfig_url_ok: "http://" or "https://" then at most 500 printable
 * ASCII characters without spaces, quotes, '<', '>' or backslash. */
bool autoconfig_url_ok(const char *url);

#endif
