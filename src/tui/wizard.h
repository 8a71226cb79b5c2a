/* wizard.h - what the wizard's screens share (tui/ only).
 *
 * The wizard is one file per screen over widgets.c (tui.h), the way tig
 * gives each view a file; wizard.c holds the state they share (W), the
 * glue between the engine's event loop and the terminal, and the order
 * of the screens.  A screen owns its drawing, its keys and its key bar.
 */
#ifndef MS_WIZARD_H
#define MS_WIZARD_H

#include "base/alloc.h"
#include "base/buf.h"
#include "base/escape.h"
#include "base/i18n.h"
#include "discover/discover.h"
#include "face/face.h"
#include "tui/tui.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* One server as the person will use it. */
struct server {
	enum ms_proto proto;
	char *host;
	uint16_t port;
	enum ms_security security;
	char *user;
	char *provenance; /* translated source labels, or "" */
	/* A certificate the person chose to trust on the certificate screen,
	 * for pin_host:pin_port only (rule 8): its fingerprint and PEM. */
	char *pin_host;
	uint16_t pin_port;
	char pin[TLS_FPR_LEN];
	char *pin_pem;
};

struct step_line {
	bool ok;
	int ms;
	char name[24];
	char detail[80]; /* escaped by the engine */
};

#define MAX_STEPS 16

struct wiz {
	struct face_opts o;
	char *name, *address;
	struct server in, out;
	char *password;
	SSL_CTX *tls_ctx;
	struct loop *loop;
	unsigned tick;
	int key_watch, timer_watch;
	void (*redraw)(void); /* the screen the loop's callbacks redraw */
	/* discovery */
	struct disc_result *disc;
	enum disc_status src[DSRC_COUNT];
	char src_detail[DSRC_COUNT][128];
	char *disc_for;               /* the address W.disc is for */
	struct discover *discovering; /* while discovery runs */
	bool busy;
	bool back_asked;
	/* tests: [0] incoming, [1] outgoing */
	struct probe_result *res[2];
	struct step_line steps[2][MAX_STEPS];
	int nsteps[2];
	bool cert_shown[2];
	/* output */
	bool want[16];
	char *path[16];
	bool store_password;
};

/* The wizard's state, static so that an exit on Ctrl-C leaves nothing
 * unreachable (wizard.c). */
extern struct wiz W;

/* wiz_sec_label, wiz_proto_label: "TLS", "STARTTLS"...; "IMAP"... */
const char *wiz_sec_label(enum ms_security s);
const char *wiz_proto_label(enum ms_proto p);
/* wiz_server_clear: free what s owns and zero it. */
void wiz_server_clear(struct server *s);
/* wiz_server_pin: the trusted fingerprint if it is for the server's
 * current host and port, else NULL. */
const char *wiz_server_pin(const struct server *s);

/* wiz_watch_terminal: watch keys and tick the spinner on W.loop, drawing
 * with draw, until wiz_busy_done(); Esc sets W.back_asked (and cancels a
 * running discovery).  wiz_run_busy also draws and runs the loop until
 * the engine's work is done (W.busy false). */
void wiz_watch_terminal(void (*draw)(void));
void wiz_run_busy(void (*draw)(void));
void wiz_busy_done(void);

/* Paths: the configuration directory ($XDG_CONFIG_HOME/mailsetup or
 * ~/.config/mailsetup), a path for display with the home directory as
 * "~", and making a path's parent directories (0700).  Callers free. */
char *wiz_config_dir(void);
char *wiz_tilde(const char *path);
/* wiz_tilde_all: text (a message) with every path under the home
 * directory shown with "~". */
char *wiz_tilde_all(const char *text);
void wiz_mkdirs(const char *path);

/* The help pages (help.c), one per screen: wiz_help(page) makes it the
 * page F1 (and ? where nothing is typed) shows. */
enum wiz_help {
	WIZ_HELP_ADDRESS,
	WIZ_HELP_DISCOVERY,
	WIZ_HELP_EDIT,
	WIZ_HELP_PASSWORD,
	WIZ_HELP_TESTS,
	WIZ_HELP_CERTIFICATE,
	WIZ_HELP_OUTPUT,
	WIZ_HELP_DONE,
	WIZ_HELP_COUNT
};
void wiz_help(enum wiz_help page);

/* The screens, in order.  Each returns where to go: TUI_BACK / 0 back,
 * TUI_NEXT / 1 on. */
enum tui_result screen_address(void); /* 1: name and address */
int screen_discovery(void);           /* 2: finding servers */
void screen_edit(void);               /* 2: typing the servers */
int screen_password(void);            /* 3 */
int screen_tests(void);               /* 4: live tests and fixes */
void screen_tests_clear(void);        /*    forget the results */
bool screen_certificate(int d);       /* 4: true when trusted */
int screen_output(void);              /* 5: what to write */
void screen_done(const char *report); /* 6 */

#endif
