/* screen_edit.c - typing the servers by hand (from steps 2 and 4). */
#include "config.h"

#include "tui/wizard.h"

#include <stdio.h>

static const char *check_servers(void *arg, char **v, int *bad)
{
	static char msg[256];
	enum ms_proto p;
	enum ms_security sec;
	for (int i = 0; i < 7; i++) {
		*bad = i;
		bool empty = !v[i][0];
		if ((i == 0 && (!proto_parse(v[0], &p) || p == PROTO_SMTP)))
			return _("The incoming protocol is imap or pop3.");
		if ((i == 1 || i == 4) && empty)
			return _("Please type a server name.");
		if ((i == 2 || i == 5) && (empty || strspn(v[i], "0123456789") != strlen(v[i]) ||
		                           atoi(v[i]) < 1 || atoi(v[i]) > 65535)) {
			snprintf(msg, sizeof msg, _("'%s' is not a port number (1 to 65535)."),
			         v[i]);
			return msg;
		}
		if ((i == 3 || i == 6) && !security_parse(v[i], &sec))
			return _("Security is tls, starttls or plain.");
		if (i == 3 || i == 6) {
			if (sec == SEC_PLAIN && !W.o.allow_plaintext)
				return _("Plaintext would send your password unprotected; it needs "
				         "--allow-plaintext.");
		}
	}
	*bad = 7;
	if (!v[7][0])
		return _("Please type the user name (often your e-mail address).");
	return NULL;
}

static void fill_server(struct server *s, enum ms_proto p, const char *host, const char *port,
                        const char *sec, const char *user)
{
	char *prov = s->provenance && s->host && strcmp(s->host, host) == 0 ? xstrdup(s->provenance)
	                                                                    : xstrdup(_("typed"));
	/* A trusted certificate stays with its host and port (server_pin). */
	char *pin_host = s->pin_host, *pin_pem = s->pin_pem, pin[TLS_FPR_LEN];
	uint16_t pin_port = s->pin_port;
	memcpy(pin, s->pin, sizeof pin);
	s->pin_host = s->pin_pem = NULL;
	wiz_server_clear(s);
	s->pin_host = pin_host, s->pin_pem = pin_pem, s->pin_port = pin_port;
	memcpy(s->pin, pin, sizeof pin);
	s->proto = p;
	s->host = xstrdup(host);
	s->port = (uint16_t)atoi(port);
	security_parse(sec, &s->security);
	s->user = xstrdup(user);
	s->provenance = prov;
}

void screen_edit(void)
{
	const struct tui_field f[] = {
	    {_("Incoming protocol"), 6},  {_("Incoming server"), 44}, {_("Incoming port"), 6},
	    {_("Incoming security"), 10}, {_("Outgoing server"), 44}, {_("Outgoing port"), 6},
	    {_("Outgoing security"), 10}, {_("User name"), 44},
	};
	char *v[8];
	wiz_help(WIZ_HELP_EDIT);
	v[0] = xstrdup(proto_name(W.in.host ? W.in.proto : PROTO_IMAP));
	v[1] = xstrdup(W.in.host ? W.in.host : "");
	v[2] = W.in.host ? xasprintf("%u", (unsigned)W.in.port) : xstrdup("993");
	v[3] = xstrdup(security_name(W.in.host ? W.in.security : SEC_TLS));
	v[4] = xstrdup(W.out.host ? W.out.host : "");
	v[5] = W.out.host ? xasprintf("%u", (unsigned)W.out.port) : xstrdup("465");
	v[6] = xstrdup(security_name(W.out.host ? W.out.security : SEC_TLS));
	v[7] = xstrdup(W.in.user ? W.in.user : W.address);
	if (tui_form(_("mailsetup - edit the servers"), 2,
	             _("Enter use these   Tab field   F1 help   Esc cancel"),
	             _("Protocol imap or pop3; security tls (implicit TLS, ports 993/995/465), "
	               "starttls (143/110/587) or plain."),
	             f, 8, v, check_servers, NULL, false) == TUI_NEXT) {
		enum ms_proto p = PROTO_IMAP;
		proto_parse(v[0], &p);
		fill_server(&W.in, p, v[1], v[2], v[3], v[7]);
		fill_server(&W.out, PROTO_SMTP, v[4], v[5], v[6], v[7]);
	}
	for (int i = 0; i < 8; i++)
		free(v[i]);
}
