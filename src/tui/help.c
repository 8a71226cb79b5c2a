/* help.c - the wizard's help pages: what each screen does and its keys
 * (F1 everywhere, ? where nothing is typed).  One row per screen, so that
 * a new screen adds its page here and one wiz_help() call. */
#include "config.h"

#include "tui/wizard.h"

static const struct {
	const char *title;
	const char *text;
	bool typing; /* the screen has text fields: ? is text there */
} pages[WIZ_HELP_COUNT] = {
    [WIZ_HELP_ADDRESS] =
        {N_("mailsetup - help: your address"),
         N_("Type your name (as others will see it on your mail) and your e-mail address. "
            "mailsetup then looks for your provider's servers, tests them live over TLS and "
            "writes settings for your mail clients. Your password is asked for after the "
            "servers are found, and sent only over a TLS connection whose certificate was "
            "verified.\n\n"
            "Keys:\n"
            "  Enter          next: find the servers\n"
            "  Tab, Down      next field;  Shift-Tab, Up: previous field\n"
            "  Left, Right    move in the field;  Home, End: start, end\n"
            "  Backspace      delete;  Ctrl-U: clear the field\n"
            "  F3             check the setup you already have instead (mutt, msmtp, "
            "Thunderbird...)\n"
            "  F1             this help\n"
            "  Esc            quit without writing anything\n"
            "  Ctrl-C         quit at once, on any screen"),
         true},
    [WIZ_HELP_DISCOVERY] =
        {N_("mailsetup - help: finding servers"),
         N_("mailsetup asks every source at once and takes the most trusted answer: a "
            "provider file on this computer, your domain's own autoconfig file over HTTPS, "
            "Thunderbird's provider database (ISPDB), the domain's MX records (which find "
            "hosted mail such as Google Workspace or Microsoft 365), DNS SRV records (RFC "
            "6186 and 8314), and last, guessing common names like imap.DOMAIN, each tested "
            "live. Sources that are no longer needed say so.\n\n"
            "The servers below are what will be tested next; in brackets, the sources that "
            "named them.\n\n"
            "Keys:\n"
            "  Enter    use these servers (or type them when some are missing)\n"
            "  e        edit the servers by hand\n"
            "  ?, F1    this help\n"
            "  Esc      back to the address (also stops a running discovery)"),
         false},
    [WIZ_HELP_EDIT] =
        {N_("mailsetup - help: editing the servers"),
         N_("Type the settings your provider gives. Protocol: imap or pop3 for incoming "
            "mail; outgoing is always SMTP.\n\n"
            "Security: tls means implicit TLS, where the connection is encrypted from the "
            "first byte (usual ports 993 IMAP, 995 POP3, 465 SMTP); starttls means the "
            "connection starts in plaintext and is upgraded (usual ports 143, 110, 587). A "
            "mode that does not match the port is the most common mistake; the test screen "
            "names it and offers the mode that works. plain sends your password unprotected "
            "and needs --allow-plaintext.\n\n"
            "User name: usually your whole e-mail address.\n\n"
            "Keys:\n"
            "  Enter          use these settings\n"
            "  Tab, Down      next field;  Shift-Tab, Up: previous field\n"
            "  Ctrl-U         clear the field\n"
            "  F1             this help\n"
            "  Esc            cancel: keep the settings as they were"),
         true},
    [WIZ_HELP_PASSWORD] =
        {N_("mailsetup - help: the password"),
         N_("The password is used to test the login on both servers, and is sent only "
            "inside a TLS connection whose certificate was verified. It is not shown, not "
            "logged, and not written anywhere unless you choose to store it on the output "
            "screen (then only in a separate file of mode 0600).\n\n"
            "Leave it empty to test the servers without logging in.\n\n"
            "Keys:\n"
            "  Enter        test the servers\n"
            "  Backspace    delete;  Ctrl-U: clear\n"
            "  F1           this help\n"
            "  Esc          back to the servers"),
         true},
    [WIZ_HELP_TESTS] =
        {N_("mailsetup - help: testing the servers"),
         N_("Both servers are tested at once, each step as it happens:\n"
            "  connect        the name resolves and the port accepts a connection\n"
            "  TLS handshake  TLS 1.2 or newer; the certificate is verified against this "
            "computer's trusted authorities and must name the server\n"
            "  greeting       the server introduces itself as the protocol asked for\n"
            "  capabilities   what the server offers (CAPABILITY, CAPA)\n"
            "  EHLO           the same for SMTP\n"
            "  STARTTLS       the upgrade to TLS on a plaintext port; anything the server "
            "said before it is asked again after\n"
            "  login          your user name and password (over verified TLS only)\n"
            "  folders        the server's Sent, Drafts and Trash (IMAP, after the login)\n"
            "  MAIL FROM      SMTP accepts you as sender;  RCPT TO: and the recipient; "
            "nothing is sent (RSET)\n\n"
            "When a step fails, the finding below says why and how to fix it. Where the "
            "other TLS mode was tried just now and works, f uses exactly that.\n\n"
            "Keys:\n"
            "  Enter    next, when both servers work\n"
            "  f        apply the fix and test again\n"
            "  c        the certificate, when it could not be verified\n"
            "  r        test again\n"
            "  e        edit the servers;  p: type the password again\n"
            "  w        write the settings anyway, after a screen that names what "
            "failed\n"
            "  ?, F1    this help\n"
            "  Esc      back to the password"),
         false},
    [WIZ_HELP_CERTIFICATE] =
        {N_("mailsetup - help: the certificate"),
         N_("The server's certificate could not be verified, so mailsetup will not send "
            "your password to it. The screen shows who it names (Subject and Names), who "
            "signed it (Issuer), when it is valid, its SHA-256 fingerprint and the reason "
            "in words.\n\n"
            "Rejecting is the default and the safe choice. Where no authority can vouch for "
            "the certificate (it signed itself, or its issuer is unknown here), you can "
            "trust exactly this certificate for this server and port, after comparing its "
            "fingerprint with the one your provider gives you through another channel. The "
            "mail clients configured then trust exactly this one too.\n\n"
            "Keys:\n"
            "  r, Enter, Esc   reject\n"
            "  t               trust this certificate (then y to confirm)\n"
            "  ?, F1           this help"),
         false},
    [WIZ_HELP_OUTPUT] =
        {N_("mailsetup - help: writing the settings"),
         N_("The mail clients found on this machine come first: Enter adds the account to "
            "them (Thunderbird's prefs.js while Thunderbird is closed, one source line in the "
            "muttrc, a block in the msmtp configuration), keeping each changed file as "
            "FILE.mailsetup-bak. The formats below them are only written to files. The "
            "preview shows the current one as it will be written. An existing file is never "
            "replaced without asking, and the old one is kept.\n\n"
            "Keys:\n"
            "  Up, Down, j, k   choose a format\n"
            "  Space, x         write it or not\n"
            "  p                change where it is written\n"
            "  s                store the password too (mutt, neomutt, msmtp; a separate "
            "file of mode 0600)\n"
            "  Enter            write the chosen formats\n"
            "  ?, F1            this help\n"
            "  Esc              back to the tests"),
         false},
    [WIZ_HELP_DONE] = {N_("mailsetup - help: done"),
                       N_("The list shows every file written or skipped, and why.\n\n"
                          "Keys:\n"
                          "  Enter, any key   quit\n"
                          "  F1               this help"),
                       false},
    [WIZ_HELP_CHECK] =
        {N_("mailsetup - help: checking your setup"),
         N_("Every server your mail clients are set up for (mutt, neomutt, msmtp, mbsync, "
            "aerc, Thunderbird) is tested at once, without logging in; each row fills in "
            "as its test ends. A row names the client, the file and line the server comes "
            "from, the server with its TLS mode, and the result. Nothing in the files is "
            "run: a value computed by a command is skipped.\n\n"
            "When the configured TLS mode fails and the other one was tested just now and "
            "works, the row says so, and f changes exactly the lines that set it (the old "
            "file is kept as FILE.mailsetup-bak) and tests the server again.\n\n"
            "Keys:\n"
            "  Up, Down, j, k   choose a server\n"
            "  Enter            its steps, findings, certificate and change\n"
            "  f                apply the change and test again\n"
            "  r                test again\n"
            "  ?, F1            this help\n"
            "  Esc              back (or quit)"),
         false},
    [WIZ_HELP_DIAGNOSE] =
        {N_("mailsetup - help: diagnosing a server"),
         N_("Each mail port of the server is tested first in the TLS mode its number stands "
            "for, and in the other mode when the first one fails in a way the other would "
            "explain; each row fills in as its test ends. \"speaks\" says what the port "
            "turned out to be. When every port has answered, the settings a mail client "
            "should use are named below (implicit TLS before STARTTLS, verified "
            "certificates only).\n\n"
            "Keys:\n"
            "  Up, Down, j, k   choose a port\n"
            "  Enter            its steps, findings and certificate in both modes\n"
            "  ?, F1            this help\n"
            "  Esc              back (or quit)"),
         false},
};

void wiz_help(enum wiz_help page)
{
	tui_help_set(_(pages[page].title), _(pages[page].text), pages[page].typing);
}

void wiz_help_show(enum wiz_help page)
{
	tui_help(_(pages[page].title), _(pages[page].text));
}
