/* autoconfig_xml.h - Thunderbird's autoconfig format (config-v1.1.xml).
 *
 * Parses what a provider file, a domain's autoconfig server or the ISPDB
 * sends: <clientConfig><emailProvider> with <incomingServer type="imap|
 * pop3"> and <outgoingServer type="smtp">, each with hostname, port,
 * socketType (SSL|STARTTLS|plain), username and authentication.  Unknown
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

struct ac_server {
	enum ms_proto proto;
	char *host; /* checked: letters, digits, '-', '.', at most 253 */
	uint16_t port;
	enum ms_security security;
	char *username; /* substituted; "" when the file names none */
	char auth[32];  /* first <authentication>, e.g. "password-cleartext" */
};

struct ac_config {
	struct ac_server *v; /* in file order: the provider's preference */
	size_t n;
	char *display_name; /* raw, may be NULL: escape before display */
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

#endif
