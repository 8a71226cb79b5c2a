/* internal.h - what discover.c (the core: state, merging, ranking,
 * verification) and sources.c (the source table) share.  Not a public
 * interface: use discover.h. */
#ifndef MS_DISCOVER_INTERNAL_H
#define MS_DISCOVER_INTERNAL_H

#include "discover/autoconfig_xml.h"
#include "discover/discover.h"
#include "discover/dns.h"
#include "discover/http.h"

struct discover;

/* One row of the source table (sources.c). */
struct disc_source_def {
	enum disc_source id;
	const char *sid;   /* stable id for JSON and observers */
	const char *label; /* N_() */
	int timeout_ms;    /* from its start to giving up */
	void (*start)(struct discover *d);
};
extern const struct disc_source_def disc_sources[DSRC_COUNT];

struct guess_state;

struct discover {
	struct loop *loop;
	struct disc_options opt;
	const struct ms_observer *obs;
	discover_done_fn done;
	void *arg;
	struct dns *dns;
	struct http *http;
	struct disc_result *res;
	int64_t t0;
	struct {
		int64_t t0;
		int timer;
	} run[DSRC_COUNT];
	enum { PH_SOURCES, PH_VERIFY, PH_DONE } phase;
	bool advancing, advance_again;
	int step_watch;
	int verify_pending;
	struct vjob *vjobs; /* verification jobs, for discover_cancel */
	struct guess_state *guess;
	struct disc_owned {
		void *p;
		void (*fn)(void *p); /* run before free(p), may be NULL */
	} * allocs;                  /* freed at the end: state of callbacks that may never run */
	size_t nallocs;
};

/* disc_alloc: zeroed memory owned by d until discovery ends. */
void *disc_alloc(struct discover *d, size_t n);
/* disc_alloc_dtor: the same, with fn(p) run before it is freed. */
void *disc_alloc_dtor(struct discover *d, size_t n, void (*fn)(void *p));
/* disc_running: the source still waits for answers. */
bool disc_running(const struct discover *d, enum disc_source s);
/* disc_source_done: record the outcome (once), emit the event, move on. */
void disc_source_done(struct discover *d, enum disc_source s, enum disc_status st, const char *fmt,
                      ...) __attribute__((format(printf, 4, 5)));
/* disc_add: merge one candidate into the result. */
struct disc_candidate *disc_add(struct discover *d, enum disc_source s, int order,
                                enum ms_proto proto, const char *host, uint16_t port,
                                enum ms_security sec, const char *username, const char *via);
void disc_add_config(struct discover *d, enum disc_source s, const struct ac_config *c,
                     const char *via);
/* disc_rearm: move source s's deadline to now + ms (guessing starts its
 * clock when it starts probing). */
void disc_rearm(struct discover *d, enum disc_source s, int ms);
/* disc_advance: re-evaluate whether the sources phase is over (and
 * whether guessing should start probing). */
void disc_advance(struct discover *d);
/* guessing (sources.c): start probing now that it is needed. */
void disc_guess_go(struct discover *d);
void disc_guess_free(struct discover *d);
/* local provider files for domain: true with c filled and *path set. */
bool disc_local_lookup(struct discover *d, const char *domain, struct ac_config *c, char **path,
                       struct ms_err *err);

#endif
