/* http.h - bounded HTTPS GET with libcurl's multi interface on the loop.
 *
 * Policy, fixed here rather than left to callers:
 *  - https only; http:// only when the http object allows it (the caller
 *    warns the person), and a redirect never goes from https to http
 *    unless allowed;
 *  - certificate and host name verified (system store or cafile), TLS 1.2
 *    at least;
 *  - every host name resolved through discover/dns.c (so --dns-server and
 *    --resolve/--connect-to apply) and handed to curl pre-resolved: curl
 *    never asks the system resolver;
 *  - redirects followed by hand, at most HTTP_MAX_REDIRECTS, each hop
 *    resolved the same way;
 *  - the body is cut off at HTTP_MAX_BODY bytes (the request fails);
 *  - one overall timeout per request, redirects included.
 *
 * Teardown order: dns_free() the resolver first, then http_free(); after
 * http_free() no callback runs.
 */
#ifndef MS_HTTP_H
#define MS_HTTP_H

#include "base/err.h"
#include "base/loop.h"
#include "discover/dns.h"

#include <stdbool.h>
#include <stddef.h>

/* Autoconfig documents are small (see autoconfig_xml.h); anything beyond
 * this is not one, and is not worth downloading on a person's link. */
#define HTTP_MAX_BODY (256 * 1024)
/* Thunderbird follows a few redirects; loops must end quickly. */
#define HTTP_MAX_REDIRECTS 5

struct http;

struct http_result {
	bool ok;           /* a 2xx answer with a body within limits */
	long status;       /* the last HTTP status, 0 if none arrived */
	struct ms_err err; /* when !ok: why (ERR_CERT, ERR_TLS, ERR_DNS, ...) */
	const char *body;  /* when ok; NUL-terminated, len bytes */
	size_t len;
	const char *url; /* the URL finally fetched */
	int redirects;
};

typedef void (*http_done_fn)(void *arg, const struct http_result *r);

/* http_new: cafile NULL for the system store.  NULL with err set when
 * libcurl cannot be initialised. */
struct http *http_new(struct loop *loop, struct dns *dns, const char *cafile, bool allow_http,
                      struct ms_err *err);
void http_free(struct http *h);
/* http_get: start fetching url; done(arg, result) runs exactly once
 * unless http_free() comes first: later from the loop, except that a URL
 * refused outright (malformed, or http:// when not allowed) is reported
 * before http_get returns.  The result is only valid during the callback. */
void http_get(struct http *h, const char *url, int timeout_ms, http_done_fn done, void *arg);

/* http_escape: s percent-encoded for a URL query (libcurl's escaping);
 * the caller frees it.  Only after a successful http_new(). */
char *http_escape(const char *s);

#endif
