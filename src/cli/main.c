/* main.c - mailsetup's entry: locale, subcommand dispatch, --help. */
#include "config.h"

#include "base/i18n.h"
#include "cli/cli.h"

#include <locale.h>
#include <openssl/ssl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *synopsis; /* translated on output */
	const char *summary;
};

static const struct command commands[] = {
    {"wizard", cmd_wizard, N_("[wizard [OPTIONS]] [ADDRESS]"),
     N_("set up an account step by step in the terminal (the default)")},
    {"probe", cmd_probe, N_("probe [OPTIONS] HOST[:PORT]"),
     N_("live-test one server: TLS, capabilities, login")},
    {"diagnose", cmd_diagnose, N_("diagnose [OPTIONS] HOST"),
     N_("scan HOST's mail ports in both TLS modes and name the fix")},
    {"discover", cmd_discover, N_("discover [OPTIONS] ADDRESS"),
     N_("find and verify the servers for ADDRESS")},
    {"generate", cmd_generate, N_("generate [OPTIONS]"),
     N_("write settings for mutt, neomutt, Thunderbird, msmtp or as text")},
    {"check", cmd_check, N_("check [OPTIONS] [FILE|PROFILE_DIR]..."),
     N_("test the mail setup you already have, and fix its TLS settings")},
};

static void usage(FILE *f)
{
	fprintf(f, _("Usage: mailsetup [COMMAND] [OPTIONS] [ARGUMENTS]\n"));
	fprintf(f, _("Set up a mail account: find the servers, test them live over TLS, explain\n"
	             "what is wrong, and write working settings.\n\n"));
	fprintf(f, _("Commands:\n"));
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		/* padded by columns: a translated synopsis may not be ASCII */
		const char *syn = _(commands[i].synopsis);
		fprintf(f, "  mailsetup %-*s %s\n", 32 + (int)strlen(syn) - face_width(syn), syn,
		        _(commands[i].summary));
	}
	fprintf(
	    f,
	    _("\nCommon options:\n"
	      "  -p, --protocol imap|pop3|smtp   protocol to test (default imap)\n"
	      "  -s, --security tls|starttls|plain\n"
	      "                                  tls is implicit TLS (993, 995, 465)\n"
	      "  -u, --user NAME                 log in as NAME (password is never an argument)\n"
	      "      --password-file FILE        read the password from FILE's first line\n"
	      "      --password-fd N             read the password from file descriptor N\n"
	      "      --no-login                  test without logging in\n"
	      "      --from ADDRESS              SMTP: check MAIL FROM/RCPT TO, send nothing\n"
	      "      --cafile FILE               trust the CA certificates in FILE\n"
	      "      --trust-cert SHA256         probe: accept exactly the certificate with this\n"
	      "                                  fingerprint although it cannot be verified\n"
	      "  -t, --timeout SECONDS           per-step timeout (default 15)\n"
	      "      --allow-plaintext           permit unencrypted connections\n"
	      "      --json                      print one JSON object\n"
	      "  -q, --quiet                     print only the result\n"
	      "  -v, --verbose                   show the protocol transcript (secrets hidden)\n"
	      "  -h, --help                      show this help and exit\n"
	      "  -V, --version                   show the version and exit\n\n"));
	fprintf(f, _("Diagnose options:\n"
	             "      --ports LIST                ports to check, e.g. "
	             "993,587,2525/smtp,10465/smtp/tls\n"
	             "                                  (default 993,143,995,110,465,587,25)\n\n"));
	fprintf(f,
	        _("Generate options:\n"
	          "      --format text|mutt|neomutt|thunderbird|autoconfig|msmtp\n"
	          "      --from-json FILE|-          take the account from diagnose/discover JSON\n"
	          "      --address ADDRESS, --name NAME\n"
	          "      --imap HOST[:PORT], --pop3 HOST[:PORT], --smtp HOST[:PORT]\n"
	          "      --incoming-security MODE, --outgoing-security MODE\n"
	          "      --output FILE               write FILE safely (--force replaces, keeps "
	          "FILE.bak)\n"
	          "      --password-command CMD      let the client run CMD for the password\n"
	          "      --store-password            store it in a separate mode-0600 file\n"
	          "      --thunderbird-profile DIR   extend that profile's account lists\n\n"));
	fprintf(f,
	        _("Install options (generate):\n"
	          "      --install                   put the account into the clients' own files:\n"
	          "                                  Thunderbird's prefs.js, the muttrc mutt or\n"
	          "                                  neomutt reads, the msmtp configuration\n"
	          "      --format LIST               which clients, e.g. thunderbird,mutt,msmtp\n"
	          "                                  (default: each one found on this machine)\n"
	          "      --thunderbird-profile DIR   that profile instead of the default one\n\n"));
	fprintf(f, _("Check options:\n"
	             "      --fix                       apply the tested changes (the old file\n"
	             "                                  is kept as FILE.mailsetup-bak)\n"
	             "      --yes                       apply without asking (for scripts)\n"
	             "      --login                     also log in (password from --password-file,\n"
	             "                                  --password-fd or MAILSETUP_PASSWORD)\n\n"));
	fprintf(
	    f,
	    _("Discover options (--resolve and --connect-to apply to probe too):\n"
	      "      --dns-server ADDR[:PORT]    ask this DNS server (MX, SRV, addresses)\n"
	      "      --ispdb-url URL             ISPDB base URL (default %s)\n"
	      "      --allow-http                also fetch autoconfig over plain HTTP (unsafe)\n"
	      "      --resolve HOST:PORT:ADDR    use ADDR for HOST on PORT, as curl does\n"
	      "      --connect-to HOST:PORT:ADDR:PORT2\n"
	      "                                  connect to ADDR:PORT2 instead, as curl does;\n"
	      "                                  certificates are still checked against HOST\n\n"),
	    "https://autoconfig.thunderbird.net/v1.1/");
	fprintf(f,
	        _("The password may also come from the MAILSETUP_PASSWORD environment variable,\n"
	          "or is asked for on the terminal.\n\n"));
	fprintf(f, _("Exit status: 0 success, 1 check failed, 2 usage error, 3 network failure,\n"
	             "4 TLS or certificate failure, 5 authentication failed, 6 local error.\n"));
	fprintf(f, _("See mailsetup(1) for details.\n"));
}

static void version(void)
{
	printf("mailsetup %s\n", PACKAGE_VERSION);
	printf(_("Built with %s.\n"), OpenSSL_version(OPENSSL_VERSION));
	printf(_("This is free software: you are free to change and redistribute it.\n"));
}

int main(int argc, char **argv)
{
	setlocale(LC_ALL, "");
#ifdef ENABLE_NLS
	/* MAILSETUP_LOCALEDIR: the tests' catalogues from the build tree
	 * instead of the installed ones (doc/mailsetup.1, ENVIRONMENT). */
	const char *localedir = getenv("MAILSETUP_LOCALEDIR");
	bindtextdomain(PACKAGE, localedir && *localedir ? localedir : LOCALEDIR);
	textdomain(PACKAGE);
#endif
	/* A server closing mid-write must give an error, not kill us. */
	signal(SIGPIPE, SIG_IGN);

	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return EXIT_OK;
	}
	if (argc >= 2 && (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0)) {
		version();
		return EXIT_OK;
	}
	if (argc >= 2) {
		for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
			if (strcmp(argv[1], commands[i].name) == 0)
				return commands[i].run(argc - 1, argv + 1);
		/* Options without a command are the wizard's (its parser
		 * names an unknown one). */
		if (argv[1][0] == '-')
			return cmd_wizard(argc, argv);
		if (!strchr(argv[1], '@')) {
			fprintf(stderr, _("mailsetup: unknown command '%s'\n"), argv[1]);
			fprintf(stderr, _("Try 'mailsetup --help' for more information.\n"));
			return EXIT_USAGE;
		}
	}
	/* No command, or an address: the wizard. */
	return cmd_wizard(argc, argv);
}
