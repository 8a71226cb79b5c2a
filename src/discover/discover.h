/* discover.h - from an e-mail address to verified server settings.
 *
 * discover_start() runs every source of the table in sources.c at once on
 * the event loop, each with its own timeout and a progress event through
 * observer->discover (started, answered, nothing, error, not needed).  The
 * sources, in order of trust (DESIGN.md "Discovery"):
 *
 *   provider-file  Thunderbird autoconfig files shipped in
 *                  $(pkgdatadir)/isp and in ~/.config/mailsetup/isp
 *   autoconfig     https://autoconfig.DOMAIN/mail/config-v1.1.xml
 *   well-known     https://DOMAIN/.well-known/autoconfig/mail/config-v1.1.xml
 *   ispdb          the central ISPDB (URL configurable)
 *   mx             the lowest-preference MX host H: H without its first
 *                  label, then H's registrable domain, through the four
 *                  sources above
 *   srv            RFC 6186/8314 SRV records
 *   guess          imap., pop3., pop., mail., smtp. and the bare domain on
 *                  the standard ports, probed live
 *
 * Discovery ends as soon as the most trusted source that answered has no
 * more trusted source still running: a less trusted source still running
 * then is not waited for (it is "not needed").  Guessing only probes when
 * every other source found nothing, so no server is contacted needlessly.
 *
 * Candidates from all sources are merged (each keeps every source that
 * named it), ranked - IMAP above POP3 unless POP3 is preferred, implicit
 * TLS above STARTTLS, plaintext only when allowed, then source trust -
 * and the best DISCOVER_VERIFY_MAX per direction are probed live at once.
 * The recommendation per direction is the best-ranked verified candidate;
 * when none is verified, the best-ranked candidate that may be used at all
 * (not plaintext unless allowed), with its reason (disc_candidate.why):
 * settings from a provider's configuration are still settings.
 */
#ifndef MS_DISCOVER_H
#define MS_DISCOVER_H

#include "base/err.h"
#include "base/loop.h"
#include "discover/autoconfig_xml.h"
#include "net/override.h"
#include "observer.h"
#include "probe/probe.h"

#include <stdbool.h>
#include <stdint.h>

#define DISCOVER_VERIFY_MAX    3 /* candidates probed per direction */
#define DISCOVER_DEFAULT_ISPDB "https://autoconfig.thunderbird.net/v1.1/"

enum disc_source {
	DSRC_PROVIDER_FILE,
	DSRC_AUTOCONFIG,
	DSRC_WELL_KNOWN,
	DSRC_ISPDB,
	DSRC_MX,
	DSRC_SRV,
	DSRC_GUESS,
	DSRC_COUNT
};

enum disc_status {
	DSTAT_WAITING, /* not started */
	DSTAT_RUNNING,
	DSTAT_ANSWERED, /* named at least one server */
	DSTAT_NOTHING,  /* asked and got no usable answer */
	DSTAT_ERROR,    /* could not ask (network, TLS, malformed answer) */
	DSTAT_TIMEOUT,
	DSTAT_NOT_NEEDED, /* a more trusted source answered first */
};

struct disc_options {
	const char *address;    /* as typed, UTF-8 */
	const char *dns_server; /* "ADDR[:PORT]" or NULL for the system's */
	const char *ispdb_url;  /* NULL: DISCOVER_DEFAULT_ISPDB; DOMAIN is appended */
	const struct net_overrides *overrides; /* may be NULL */
	const char *cafile;                    /* NULL: system trust store (HTTPS and probes) */
	SSL_CTX *tls_ctx;                      /* for the probes; from tls_ctx_new(cafile) */
	bool allow_http;                       /* also fetch autoconfig over plain http */
	bool allow_plaintext;                  /* plaintext servers may be recommended */
	bool prefer_pop3;
	const char *user;     /* login name override; NULL: from the source */
	const char *password; /* NULL: no login */
	int probe_timeout_ms; /* per probe step; 0: default */
	/* directories with DOMAIN.xml provider files, NULL-terminated; NULL
	 * means discover_default_isp_dirs() */
	const char *const *isp_dirs;
};

/* Why a candidate (or the recommendation) is not verified. */
enum disc_unverified {
	DUNV_NONE = 0,
	DUNV_NOT_TESTED,      /* never probed (ranked too low, plaintext, cancelled) */
	DUNV_UNREACHABLE,     /* does not resolve, refused, timed out */
	DUNV_LOGIN_NOT_TRIED, /* reached over TLS, but no login this client can make */
	DUNV_FAILED,          /* probed and something failed (TLS, certificate, login) */
};
/* disc_unverified_id: "not tested", "unreachable", "login not tried",
 * "test failed" (stable English, for JSON and generate's note). */
const char *disc_unverified_id(enum disc_unverified w);

struct disc_candidate {
	enum ms_proto proto;
	char *host;
	uint16_t port;
	enum ms_security security;
	char *username;             /* "" when the source named none */
	unsigned sources;           /* bit (1 << enum disc_source) per source */
	enum disc_source best;      /* the most trusted of them */
	int order;                  /* position within that source's answer */
	char *via;                  /* how the best source got it, e.g. the MX path */
	bool tested;                /* probed live */
	bool verified;              /* the probe succeeded */
	struct probe_result *probe; /* when tested */
	char *problem;              /* tested but not verified, or not tested: why */
	enum disc_unverified why;   /* DUNV_NONE when verified */
	/* From the most trusted autoconfig-format source that named it: the
	 * provider's <authentication> methods in its order (nauth == 0 for
	 * SRV and guessing, which say nothing about them) and its page for
	 * people (documentation, else the "enable" page), raw, or NULL. */
	char auth[AUTOCONFIG_MAX_AUTH][AUTOCONFIG_AUTH_LEN];
	size_t nauth;
	char *doc_url, *doc_text;
};

struct disc_source_report {
	enum disc_status status;
	int ms;           /* from start to the end of this source */
	char detail[256]; /* what it found or why not; escaped */
};

struct disc_result {
	char *address; /* local@a-label-domain */
	char *local;
	char *domain;             /* A-labels, lower case */
	struct disc_candidate *v; /* ranked best first */
	size_t n;
	struct disc_source_report src[DSRC_COUNT];
	int incoming, outgoing; /* index into v of the recommendation, or -1;
	                           it may be unverified (see its .verified) */
	int total_ms;
};

struct discover;
typedef void (*discover_done_fn)(void *arg, struct disc_result *r);

/* discover_address: validate and normalise an address: local part and
 * domain split at the last '@', domain converted to A-labels (IDNA 2008,
 * TR46 non-transitional) and lower-cased.  false with err (ERR_USAGE). */
bool discover_address(const char *address, char **local, char **domain, struct ms_err *err);

/* discover_start: begin; done(arg, result) runs once from loop_run() (or
 * from discover_cancel) and the caller owns the result (disc_result_free).
 * opt and its strings must stay valid until then.  Returns a handle, valid
 * until done() runs; NULL with err set, without starting, when the options
 * are unusable (bad address: ERR_USAGE). */
struct discover *discover_start(struct loop *loop, const struct disc_options *opt,
                                const struct ms_observer *obs, discover_done_fn done, void *arg,
                                struct ms_err *err);
/* discover_cancel: stop at once (a person pressed Esc): sources still
 * running end as errors "cancelled", running probes and lookups are
 * stopped, and done() is called with what was found before this returns. */
void discover_cancel(struct discover *d);
void disc_result_free(struct disc_result *r);

/* Names: stable English ids for JSON ("ispdb") and labels for people. */
const char *disc_source_id(enum disc_source s);
const char *disc_source_label(enum disc_source s); /* translated */
int disc_source_timeout_ms(enum disc_source s);
const char *disc_status_id(enum disc_status s);

/* discover_default_isp_dirs: $(pkgdatadir)/isp, then the user's
 * $XDG_CONFIG_HOME/mailsetup/isp (or ~/.config/mailsetup/isp).  The
 * user's file wins when both exist.  Static storage. */
const char *const *discover_default_isp_dirs(void);

/* discover_parents: the domains the MX source asks about for MX host mx
 * (H without its first label, then its registrable domain), skipping the
 * address's own domain and duplicates.  Returns the count (at most 2);
 * out[i] are malloc'ed. */
size_t discover_parents(const char *mx, const char *own_domain, char *out[2]);

/* disc_auth_note: when the provider's methods and the server's SASL
 * mechanisms (after TLS) disagree - the file offers a password but the
 * server takes only OAuth2, or the file names only OAuth2 but the server
 * takes passwords - a translated sentence saying so; NULL otherwise or
 * when either side is unknown.  free() it. */
char *disc_auth_note(const struct disc_candidate *c);
/* disc_provider: what the candidate's provider file says about signing
 * in, for diag_probe_provider; false (out untouched) when no file named
 * any method.  out's strings point into c. */
bool disc_provider(const struct disc_candidate *c, struct diag_provider *out);

#endif
