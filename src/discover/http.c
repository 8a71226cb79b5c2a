/* http.c - curl multi, driven by loop watches (CURLMOPT_SOCKETFUNCTION
 * and CURLMOPT_TIMERFUNCTION), with name resolution done by dns.c. */
#include "config.h"

#include "discover/http.h"

#include "base/alloc.h"
#include "base/buf.h"
#include "base/i18n.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <dlfcn.h>
#include <netinet/in.h>
#include <poll.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

struct hsock {
	struct http *h;
	curl_socket_t fd;
	int watch;
	struct hsock *next;
};

struct hreq {
	struct http *h;
	char *url;
	char *host;
	long port;
	int64_t deadline;
	int redirects;
	http_done_fn done;
	void *arg;
	CURL *easy;
	struct curl_slist *resolve, *connect_to;
	struct buf body;
	bool too_large;
	char errbuf[CURL_ERROR_SIZE];
	struct hreq *next;
};

struct http {
	struct loop *loop;
	struct dns *dns;
	CURLM *multi;
	char *cafile;
	bool allow_http;
	int timer;
	struct hsock *socks;
	struct hreq *reqs;
	bool dying;
};

/* libcurl is loaded with dlopen() by the first http_new() instead of being
 * linked: with the libraries it pulls in (GnuTLS, Kerberos, LDAP, SSH,
 * RTMP, ...) it adds about 4 MB to the resident size of every process, and
 * only discovery fetches over HTTP(S); probe and diagnose never load it.
 * Each pointer has the exact type of the function curl.h declares. */
#define CURL_SONAME "libcurl.so.4" /* stable since libcurl 7.16 (2006) */
static struct {
	__typeof__(curl_global_init) *global_init;
	__typeof__(curl_easy_init) *easy_init;
	__typeof__(curl_easy_setopt) *easy_setopt;
	__typeof__(curl_easy_getinfo) *easy_getinfo;
	__typeof__(curl_easy_cleanup) *easy_cleanup;
	__typeof__(curl_easy_strerror) *easy_strerror;
	__typeof__(curl_easy_escape) *easy_escape;
	__typeof__(curl_free) *free;
	__typeof__(curl_multi_init) *multi_init;
	__typeof__(curl_multi_setopt) *multi_setopt;
	__typeof__(curl_multi_add_handle) *multi_add_handle;
	__typeof__(curl_multi_remove_handle) *multi_remove_handle;
	__typeof__(curl_multi_assign) *multi_assign;
	__typeof__(curl_multi_cleanup) *multi_cleanup;
	__typeof__(curl_multi_info_read) *multi_info_read;
	__typeof__(curl_multi_socket_action) *multi_socket_action;
	__typeof__(curl_slist_append) *slist_append;
	__typeof__(curl_slist_free_all) *slist_free_all;
	__typeof__(curl_url) *url;
	__typeof__(curl_url_set) *url_set;
	__typeof__(curl_url_get) *url_get;
	__typeof__(curl_url_cleanup) *url_cleanup;
} cu;

#define CU_SYM(f)                                                                                  \
	{                                                                                          \
		"curl_" #f, offsetof(__typeof__(cu), f)                                            \
	}
static const struct {
	const char *name;
	size_t off;
} cu_syms[] = {
    CU_SYM(global_init),
    CU_SYM(easy_init),
    CU_SYM(easy_setopt),
    CU_SYM(easy_getinfo),
    CU_SYM(easy_cleanup),
    CU_SYM(easy_strerror),
    CU_SYM(easy_escape),
    CU_SYM(free),
    CU_SYM(multi_init),
    CU_SYM(multi_setopt),
    CU_SYM(multi_add_handle),
    CU_SYM(multi_remove_handle),
    CU_SYM(multi_assign),
    CU_SYM(multi_cleanup),
    CU_SYM(multi_info_read),
    CU_SYM(multi_socket_action),
    CU_SYM(slist_append),
    CU_SYM(slist_free_all),
    CU_SYM(url),
    CU_SYM(url_set),
    CU_SYM(url_get),
    CU_SYM(url_cleanup),
};

_Static_assert(sizeof(void *) == sizeof cu.global_init, "dlsym() results fit the pointers");

/* Load and initialise libcurl once per process; it stays loaded. */
static bool curl_load(struct ms_err *err)
{
	static bool ready;
	if (ready)
		return true;
	void *lib = dlopen(CURL_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		err_set(err, ERR_LOCAL, _("the HTTP library could not be loaded: %s"), dlerror());
		return false;
	}
	for (size_t i = 0; i < sizeof cu_syms / sizeof cu_syms[0]; i++) {
		void *p = dlsym(lib, cu_syms[i].name);
		if (!p) {
			err_set(err, ERR_LOCAL, _("the HTTP library %s lacks %s"), CURL_SONAME,
			        cu_syms[i].name);
			dlclose(lib);
			memset(&cu, 0, sizeof cu);
			return false;
		}
		/* POSIX guarantees a data pointer from dlsym() can hold a function. */
		memcpy((char *)&cu + cu_syms[i].off, &p, sizeof p);
	}
	if (cu.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		err_set(err, ERR_LOCAL, "%s", _("the HTTP library could not be initialised"));
		dlclose(lib);
		memset(&cu, 0, sizeof cu);
		return false;
	}
	ready = true;
	return true;
}

static void check_done(struct http *h);

static void on_sock(void *arg, int revents)
{
	struct hsock *s = arg;
	struct http *h = s->h;
	int flags = 0, running;
	if (revents & POLLIN)
		flags |= CURL_CSELECT_IN;
	if (revents & POLLOUT)
		flags |= CURL_CSELECT_OUT;
	if (revents & (POLLERR | POLLHUP | POLLNVAL))
		flags |= CURL_CSELECT_ERR;
	cu.multi_socket_action(h->multi, s->fd, flags, &running);
	check_done(h);
}

static void on_timer(void *arg, int revents)
{
	struct http *h = arg;
	int running;
	loop_del(h->loop, h->timer);
	h->timer = 0;
	cu.multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	check_done(h);
}

static int socket_cb(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
	struct http *h = userp;
	struct hsock *s = socketp;
	if (what == CURL_POLL_REMOVE) {
		if (s) {
			loop_del(h->loop, s->watch);
			for (struct hsock **pp = &h->socks; *pp; pp = &(*pp)->next)
				if (*pp == s) {
					*pp = s->next;
					break;
				}
			free(s);
			cu.multi_assign(h->multi, fd, NULL);
		}
		return 0;
	}
	short ev =
	    (short)(((what & CURL_POLL_IN) ? POLLIN : 0) | ((what & CURL_POLL_OUT) ? POLLOUT : 0));
	if (!s) {
		s = xcalloc(1, sizeof *s);
		s->h = h;
		s->fd = fd;
		s->watch = loop_add(h->loop, fd, ev, LOOP_NO_DEADLINE, on_sock, s);
		s->next = h->socks;
		h->socks = s;
		cu.multi_assign(h->multi, fd, s);
	} else {
		loop_mod(h->loop, s->watch, fd, ev, LOOP_NO_DEADLINE);
	}
	return 0;
}

static int timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	struct http *h = userp;
	if (h->dying)
		return 0;
	if (timeout_ms < 0) {
		if (h->timer)
			loop_del(h->loop, h->timer);
		h->timer = 0;
		return 0;
	}
	int64_t deadline = loop_now_ms() + timeout_ms;
	if (h->timer)
		loop_mod(h->loop, h->timer, -1, 0, deadline);
	else
		h->timer = loop_add(h->loop, -1, 0, deadline, on_timer, h);
	return 0;
}

struct http *http_new(struct loop *loop, struct dns *dns, const char *cafile, bool allow_http,
                      struct ms_err *err)
{
	if (!curl_load(err))
		return NULL;
	struct http *h = xcalloc(1, sizeof *h);
	h->loop = loop;
	h->dns = dns;
	h->cafile = cafile ? xstrdup(cafile) : NULL;
	h->allow_http = allow_http;
	h->multi = cu.multi_init();
	if (!h->multi)
		abort();
	cu.multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
	cu.multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
	cu.multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
	cu.multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
	return h;
}

static void req_unlink(struct hreq *r)
{
	for (struct hreq **pp = &r->h->reqs; *pp; pp = &(*pp)->next)
		if (*pp == r) {
			*pp = r->next;
			break;
		}
}

static void req_reset_easy(struct hreq *r)
{
	if (r->easy) {
		cu.multi_remove_handle(r->h->multi, r->easy);
		cu.easy_cleanup(r->easy);
		r->easy = NULL;
	}
	cu.slist_free_all(r->resolve);
	cu.slist_free_all(r->connect_to);
	r->resolve = r->connect_to = NULL;
}

static void req_free(struct hreq *r)
{
	req_reset_easy(r);
	free(r->url);
	free(r->host);
	buf_free(&r->body);
	free(r);
}

void http_free(struct http *h)
{
	if (!h)
		return;
	h->dying = true;
	while (h->reqs) {
		struct hreq *r = h->reqs;
		h->reqs = r->next;
		req_free(r);
	}
	cu.multi_cleanup(h->multi);
	while (h->socks) {
		struct hsock *s = h->socks;
		h->socks = s->next;
		loop_del(h->loop, s->watch);
		free(s);
	}
	if (h->timer)
		loop_del(h->loop, h->timer);
	free(h->cafile);
	free(h);
}

/* finish: report and forget the request. */
static void finish(struct hreq *r, struct http_result *res)
{
	req_unlink(r);
	res->url = r->url;
	res->redirects = r->redirects;
	if (res->ok) {
		res->body = r->body.data ? r->body.data : "";
		res->len = r->body.len;
	}
	r->done(r->arg, res);
	req_free(r);
}

static void fail(struct hreq *r, enum err_category cat, long status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void fail(struct hreq *r, enum err_category cat, long status, const char *fmt, ...)
{
	struct http_result res = {0};
	res.status = status;
	va_list ap;
	va_start(ap, fmt);
	err_vset(&res.err, cat, fmt, ap);
	va_end(ap);
	finish(r, &res);
}

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
	struct hreq *r = arg;
	size_t len = size * n;
	if (r->body.len + len > HTTP_MAX_BODY) {
		r->too_large = true;
		return 0; /* curl fails the transfer with CURLE_WRITE_ERROR */
	}
	buf_add(&r->body, data, len);
	return len;
}

static void start_hop(struct hreq *r);

static void on_addrs(void *arg, const struct ms_err *err, const struct conn_addr *v, size_t n)
{
	struct hreq *r = arg;
	struct http *h = r->h;
	if (err) {
		fail(r, err->cat, 0, _("%s: %s"), r->host, err->msg);
		return;
	}
	if (n == 0) {
		fail(r, ERR_DNS, 0, _("%s does not resolve"), r->host);
		return;
	}
	int64_t left = r->deadline - loop_now_ms();
	if (left <= 0) {
		fail(r, ERR_TIMEOUT, 0, _("%s: no answer in time"), r->url);
		return;
	}
	/* Every address has the same port (an override may move it). */
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)&v[0].ss;
	unsigned to_port = ntohs(s4->sin_port); /* sin6_port sits at the same offset */
	struct buf b = {0};
	buf_addf(&b, "%s:%u:", r->host, to_port);
	for (size_t i = 0; i < n; i++)
		buf_addf(&b, "%s%s", i ? "," : "", v[i].text);
	r->resolve = cu.slist_append(NULL, b.data);
	buf_free(&b);
	if ((long)to_port != r->port) {
		char *ct = xasprintf("%s:%ld:%s:%u", r->host, r->port, r->host, to_port);
		r->connect_to = cu.slist_append(NULL, ct);
		free(ct);
	}
	CURL *e = cu.easy_init();
	if (!e)
		abort();
	r->easy = e;
	buf_reset(&r->body);
	r->too_large = false;
	r->errbuf[0] = '\0';
	cu.easy_setopt(e, CURLOPT_URL, r->url);
	cu.easy_setopt(e, CURLOPT_PRIVATE, r);
	cu.easy_setopt(e, CURLOPT_PROTOCOLS_STR, h->allow_http ? "http,https" : "https");
	cu.easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	cu.easy_setopt(e, CURLOPT_RESOLVE, r->resolve);
	if (r->connect_to)
		cu.easy_setopt(e, CURLOPT_CONNECT_TO, r->connect_to);
	cu.easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)left);
	cu.easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	cu.easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	cu.easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	cu.easy_setopt(e, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	if (h->cafile)
		cu.easy_setopt(e, CURLOPT_CAINFO, h->cafile);
	cu.easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)HTTP_MAX_BODY);
	cu.easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	cu.easy_setopt(e, CURLOPT_WRITEDATA, r);
	cu.easy_setopt(e, CURLOPT_ERRORBUFFER, r->errbuf);
	cu.easy_setopt(e, CURLOPT_USERAGENT, PACKAGE_NAME "/" PACKAGE_VERSION);
	cu.multi_add_handle(h->multi, e);
}

static void start_hop(struct hreq *r)
{
	CURLU *u = cu.url();
	char *scheme = NULL, *host = NULL, *port = NULL;
	bool good = u && cu.url_set(u, CURLUPART_URL, r->url, 0) == CURLUE_OK &&
	            cu.url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	            cu.url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	            cu.url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK;
	if (!good) {
		cu.free(scheme), cu.free(host), cu.free(port), cu.url_cleanup(u);
		fail(r, ERR_USAGE, 0, _("'%s' is not a usable URL"), r->url);
		return;
	}
	bool https = strcmp(scheme, "https") == 0;
	bool http = strcmp(scheme, "http") == 0;
	free(r->host);
	r->host = xstrdup(host);
	r->port = strtol(port, NULL, 10);
	cu.free(scheme), cu.free(host), cu.free(port), cu.url_cleanup(u);
	if (!https && !(http && r->h->allow_http)) {
		fail(r, ERR_DENIED, 0,
		     _("%s: only https:// is fetched (plain http needs --allow-http)"), r->url);
		return;
	}
	dns_addrs(r->h->dns, r->host, (uint16_t)r->port, on_addrs, r);
}

void http_get(struct http *h, const char *url, int timeout_ms, http_done_fn done, void *arg)
{
	struct hreq *r = xcalloc(1, sizeof *r);
	r->h = h;
	r->url = xstrdup(url);
	r->deadline = loop_now_ms() + timeout_ms;
	r->done = done;
	r->arg = arg;
	r->next = h->reqs;
	h->reqs = r;
	start_hop(r);
}

static enum err_category curl_category(CURLcode c)
{
	switch (c) {
	case CURLE_PEER_FAILED_VERIFICATION:
		return ERR_CERT;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_CACERT_BADFILE:
		return ERR_TLS;
	case CURLE_OPERATION_TIMEDOUT:
		return ERR_TIMEOUT;
	case CURLE_COULDNT_CONNECT:
		return ERR_REFUSED;
	case CURLE_COULDNT_RESOLVE_HOST:
		return ERR_DNS;
	default:
		return ERR_NETWORK;
	}
}

static void transfer_done(struct hreq *r, CURLcode code)
{
	long status = 0;
	cu.easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
	if (code != CURLE_OK) {
		if (r->too_large || code == CURLE_FILESIZE_EXCEEDED)
			fail(r, ERR_PROTOCOL, status, _("%s: the answer exceeds %d bytes"), r->url,
			     HTTP_MAX_BODY);
		else
			fail(r, curl_category(code), status, _("%s: %s"), r->url,
			     r->errbuf[0] ? r->errbuf : cu.easy_strerror(code));
		return;
	}
	if (status >= 300 && status < 400) {
		char *loc = NULL;
		cu.easy_getinfo(r->easy, CURLINFO_REDIRECT_URL, &loc);
		if (!loc) {
			fail(r, ERR_PROTOCOL, status, _("%s: redirect (%ld) without a location"),
			     r->url, status);
			return;
		}
		if (r->redirects >= HTTP_MAX_REDIRECTS) {
			fail(r, ERR_PROTOCOL, status, _("%s: more than %d redirects"), r->url,
			     HTTP_MAX_REDIRECTS);
			return;
		}
		char *next = xstrdup(loc);
		req_reset_easy(r);
		free(r->url);
		r->url = next;
		r->redirects++;
		start_hop(r);
		return;
	}
	if (status < 200 || status >= 300) {
		fail(r, ERR_PROTOCOL, status, _("%s: HTTP status %ld"), r->url, status);
		return;
	}
	struct http_result res = {0};
	res.ok = true;
	res.status = status;
	finish(r, &res);
}

static void check_done(struct http *h)
{
	CURLMsg *m;
	int left;
	while (!h->dying && (m = cu.multi_info_read(h->multi, &left))) {
		if (m->msg != CURLMSG_DONE)
			continue;
		struct hreq *r = NULL;
		cu.easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&r);
		transfer_done(r, m->data.result);
	}
}

char *http_escape(const char *s)
{
	char *e = cu.easy_escape(NULL, s, 0);
	if (!e)
		abort(); /* only out of memory */
	char *copy = xstrdup(e);
	cu.free(e);
	return copy;
}
