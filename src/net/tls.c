#include "config.h"

#include "net/tls.h"

#include "base/alloc.h"
#include "base/i18n.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The first verification failure of a handshake.  OpenSSL reports only the
 * last error once a callback lets verification go on, and the first one is
 * what explains the problem (e.g. the missing issuer of the leaf). */
struct first_error {
	long code;
	int depth;
	unsigned problems; /* TLS_PROBLEM_* of every error seen */
};

/* problem_of: which kind of problem a verification error is. */
static unsigned problem_of(long code)
{
	switch (code) {
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
	case X509_V_ERR_CERT_UNTRUSTED:
		return TLS_PROBLEM_ISSUER;
	case X509_V_ERR_HOSTNAME_MISMATCH:
	case X509_V_ERR_IP_ADDRESS_MISMATCH:
		return TLS_PROBLEM_NAME;
	case X509_V_ERR_CERT_HAS_EXPIRED:
	case X509_V_ERR_CERT_NOT_YET_VALID:
		return TLS_PROBLEM_DATES;
	default:
		return TLS_PROBLEM_OTHER;
	}
}

static int ex_index = -1;

static void first_error_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl,
                             void *argp)
{
	free(ptr);
}

static int verify_cb(int ok, X509_STORE_CTX *store)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx());
	struct first_error *fe = ssl ? SSL_get_ex_data(ssl, ex_index) : NULL;
	if (!ok && fe) {
		long code = X509_STORE_CTX_get_error(store);
		fe->problems |= problem_of(code);
		if (fe->code == X509_V_OK) {
			fe->code = code;
			fe->depth = X509_STORE_CTX_get_error_depth(store);
		}
	}
	/* Let the handshake finish so the certificate can be examined and
	 * explained; the caller refuses to use an unverified session. */
	return 1;
}

SSL_CTX *tls_ctx_new(const char *cafile, struct ms_err *err)
{
	if (ex_index < 0)
		ex_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, first_error_free);
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	if (!ctx) {
		err_set(err, ERR_LOCAL, _("cannot create a TLS context"));
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, verify_cb);
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	struct tls_trust_paths tp = tls_trust_paths_system();
	int ok = cafile ? SSL_CTX_load_verify_locations(ctx, cafile, NULL)
	                : tls_store_load_system(SSL_CTX_get_cert_store(ctx), &tp);
	if (ok != 1) {
		char e[160];
		tls_error_string(e, sizeof e);
		err_set(err, ERR_LOCAL, _("cannot load CA certificates from %s: %s"),
		        cafile ? cafile : _("the system store"), e);
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

struct tls_trust_paths tls_trust_paths_system(void)
{
	struct tls_trust_paths tp = {
	    .env_file = getenv(X509_get_default_cert_file_env()),
	    .env_dir = getenv(X509_get_default_cert_dir_env()),
	    .def_file = X509_get_default_cert_file(),
	    .def_dir = X509_get_default_cert_dir(),
	};
	return tp;
}

static bool is_hash_name(const char *n)
{
	for (int i = 0; i < 8; i++)
		if (!isxdigit((unsigned char)n[i]))
			return false;
	return n[8] == '.' && isdigit((unsigned char)n[9]);
}

bool tls_dir_is_hashed(const char *dir)
{
	DIR *d = dir && *dir ? opendir(dir) : NULL;
	if (!d)
		return false;
	bool found = false;
	struct dirent *e;
	while (!found && (e = readdir(d)) != NULL)
		found = is_hash_name(e->d_name);
	closedir(d);
	return found;
}

/* same_file: a and b name the same file (the bundle through a symlink,
 * or $SSL_CERT_FILE set to the default, as some environments do). */
static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	return a && b && stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

bool tls_store_load_system(X509_STORE *store, const struct tls_trust_paths *tp)
{
	bool env_dir = tp->env_dir && *tp->env_dir;
	bool env_file = tp->env_file && *tp->env_file && !same_file(tp->env_file, tp->def_file);
	X509_LOOKUP *dirs = X509_STORE_add_lookup(store, X509_LOOKUP_hash_dir());
	if (!dirs)
		return false;
	/* Registering a directory reads nothing: certificates are read when
	 * a chain needs an issuer of that name. */
	X509_LOOKUP_add_dir(dirs, env_dir ? tp->env_dir : tp->def_dir, X509_FILETYPE_PEM);
	if (env_file) {
		X509_STORE_load_file(store, tp->env_file);
	} else if (tls_dir_is_hashed(tp->def_dir)) {
		/* The bundle's certificates, found by name when needed. */
		if (env_dir)
			X509_LOOKUP_add_dir(dirs, tp->def_dir, X509_FILETYPE_PEM);
	} else if (tp->def_file && access(tp->def_file, R_OK) == 0) {
		X509_STORE_load_file(store, tp->def_file);
	}
	ERR_clear_error(); /* as OpenSSL: a missing location is no error */
	return true;
}

void tls_ctx_free(SSL_CTX *ctx)
{
	SSL_CTX_free(ctx);
}

static bool is_ip_literal(const char *host)
{
	unsigned char tmp[16];
	return inet_pton(AF_INET, host, tmp) == 1 || inet_pton(AF_INET6, host, tmp) == 1;
}

SSL *tls_session_new(SSL_CTX *ctx, const char *host, struct ms_err *err)
{
	SSL *ssl = SSL_new(ctx);
	if (!ssl) {
		err_set(err, ERR_LOCAL, _("cannot create a TLS session"));
		return NULL;
	}
	struct first_error *fe = xcalloc(1, sizeof *fe);
	fe->code = X509_V_OK;
	SSL_set_ex_data(ssl, ex_index, fe);
	if (is_ip_literal(host)) {
		/* No SNI for IP literals (RFC 6066 section 3). */
		X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host);
	} else {
		SSL_set_tlsext_host_name(ssl, host);
		SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
		SSL_set1_host(ssl, host);
	}
	return ssl;
}

long tls_first_verify_error(SSL *ssl, int *depth)
{
	struct first_error *fe = SSL_get_ex_data(ssl, ex_index);
	if (!fe) {
		*depth = 0;
		return X509_V_OK;
	}
	*depth = fe->depth;
	return fe->code;
}

void tls_error_string(char *buf, size_t len)
{
	unsigned long e, last = 0;
	while ((e = ERR_get_error()) != 0)
		if (!last || ERR_GET_REASON(e) != SSL_R_CERTIFICATE_VERIFY_FAILED)
			last = e;
	if (!last) {
		snprintf(buf, len, "%s", _("unknown TLS error"));
		return;
	}
	const char *r = ERR_reason_error_string(last);
	snprintf(buf, len, "%s", r ? r : _("unknown TLS error"));
}

static char *name_text(const X509_NAME *name)
{
	BIO *b = BIO_new(BIO_s_mem());
	/* RFC 2253 with UTF-8 kept as is; escape_display() makes it safe. */
	X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
	char *data;
	long n = BIO_get_mem_data(b, &data);
	char *s = xstrndup(data, n > 0 ? (size_t)n : 0);
	BIO_free(b);
	return s;
}

static void time_text(const ASN1_TIME *t, char *out, size_t len)
{
	struct tm tm;
	if (!t || ASN1_TIME_to_tm(t, &tm) != 1) {
		snprintf(out, len, "?");
		return;
	}
	strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void collect_aia(X509 *cert, struct tls_facts *f)
{
	AUTHORITY_INFO_ACCESS *aia = X509_get_ext_d2i(cert, NID_info_access, NULL, NULL);
	if (!aia)
		return;
	for (int i = 0; i < sk_ACCESS_DESCRIPTION_num(aia) && !f->aia_ca_issuers; i++) {
		const ACCESS_DESCRIPTION *ad = sk_ACCESS_DESCRIPTION_value(aia, i);
		if (OBJ_obj2nid(ad->method) != NID_ad_ca_issuers || ad->location->type != GEN_URI)
			continue;
		const ASN1_IA5STRING *u = ad->location->d.uniformResourceIdentifier;
		f->aia_ca_issuers =
		    xstrndup((const char *)ASN1_STRING_get0_data(u), (size_t)ASN1_STRING_length(u));
	}
	AUTHORITY_INFO_ACCESS_free(aia);
}

static void collect_san(X509 *cert, struct tls_facts *f)
{
	GENERAL_NAMES *names = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
	if (!names)
		return;
	int n = sk_GENERAL_NAME_num(names);
	f->san = xcalloc((size_t)n + 1, sizeof *f->san);
	for (int i = 0; i < n; i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(names, i);
		if (g->type == GEN_DNS) {
			const unsigned char *d = ASN1_STRING_get0_data(g->d.dNSName);
			int l = ASN1_STRING_length(g->d.dNSName);
			char *v = xstrndup((const char *)d, (size_t)l);
			f->san[f->nsan++] = xasprintf("DNS:%s", v);
			free(v);
		} else if (g->type == GEN_IPADD) {
			const unsigned char *d = ASN1_STRING_get0_data(g->d.iPAddress);
			int l = ASN1_STRING_length(g->d.iPAddress);
			char text[INET6_ADDRSTRLEN] = "?";
			if (l == 4)
				inet_ntop(AF_INET, d, text, sizeof text);
			else if (l == 16)
				inet_ntop(AF_INET6, d, text, sizeof text);
			f->san[f->nsan++] = xasprintf("IP:%s", text);
		}
	}
	GENERAL_NAMES_free(names);
}

void tls_collect(SSL *ssl, struct tls_facts *f, bool handshake_done)
{
	tls_facts_free(f);
	f->handshake_done = handshake_done;
	if (handshake_done) {
		/* Before a handshake completes these name what was offered. */
		snprintf(f->version, sizeof f->version, "%s", SSL_get_version(ssl));
		const char *c = SSL_get_cipher_name(ssl);
		snprintf(f->cipher, sizeof f->cipher, "%s", c ? c : "");
	}
	f->verify_code = tls_first_verify_error(ssl, &f->verify_depth);
	if (f->verify_code == X509_V_OK)
		f->verify_code = SSL_get_verify_result(ssl);
	struct first_error *fe = SSL_get_ex_data(ssl, ex_index);
	f->problems = fe ? fe->problems : 0;
	if (f->verify_code != X509_V_OK)
		f->problems |= problem_of(f->verify_code);
	X509 *cert = SSL_get1_peer_certificate(ssl);
	if (!cert && f->verify_code == X509_V_OK)
		f->verify_code = X509_V_ERR_UNSPECIFIED;
	f->verified = f->handshake_done && cert && f->verify_code == X509_V_OK;
	snprintf(f->verify_error, sizeof f->verify_error, "%s",
	         f->verify_code == X509_V_OK ? "" : X509_verify_cert_error_string(f->verify_code));
	STACK_OF(X509) *chain = SSL_get_peer_cert_chain(ssl);
	f->chain_len = chain ? sk_X509_num(chain) : 0;
	if (!cert)
		return;
	f->subject = name_text(X509_get_subject_name(cert));
	f->issuer = name_text(X509_get_issuer_name(cert));
	f->self_issued =
	    X509_NAME_cmp(X509_get_subject_name(cert), X509_get_issuer_name(cert)) == 0;
	time_text(X509_get0_notBefore(cert), f->not_before, sizeof f->not_before);
	time_text(X509_get0_notAfter(cert), f->not_after, sizeof f->not_after);
	f->not_yet_valid = X509_cmp_current_time(X509_get0_notBefore(cert)) > 0;
	f->expired = X509_cmp_current_time(X509_get0_notAfter(cert)) < 0;
	collect_san(cert, f);
	collect_aia(cert, f);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	if (X509_digest(cert, EVP_sha256(), md, &mdlen) == 1) {
		static const char hex[] = "0123456789ABCDEF";
		char *p = f->sha256;
		for (unsigned i = 0; i < mdlen && i < 32; i++) {
			if (i)
				*p++ = ':';
			*p++ = hex[md[i] >> 4];
			*p++ = hex[md[i] & 15];
		}
		*p = '\0';
	}
	BIO *b = BIO_new(BIO_s_mem());
	if (b && PEM_write_bio_X509(b, cert) == 1) {
		char *data;
		long n = BIO_get_mem_data(b, &data);
		f->pem = xstrndup(data, n > 0 ? (size_t)n : 0);
	}
	BIO_free(b);
	X509_free(cert);
}

bool tls_pin_parse(const char *in, char out[TLS_FPR_LEN])
{
	static const char hex[] = "0123456789ABCDEF";
	if (strncasecmp(in, "sha256:", 7) == 0)
		in += 7;
	size_t n = 0;
	char *p = out;
	for (const char *s = in; *s; s++) {
		if (*s == ':' && n % 2 == 0 && n > 0 && s[1] && s[1] != ':')
			continue;
		const char *h = strchr(hex, toupper((unsigned char)*s));
		if (!h || n == 64)
			return false;
		if (n && n % 2 == 0)
			*p++ = ':';
		*p++ = *h;
		n++;
	}
	*p = '\0';
	return n == 64;
}

void tls_facts_free(struct tls_facts *f)
{
	free(f->subject);
	free(f->issuer);
	free(f->aia_ca_issuers);
	for (size_t i = 0; i < f->nsan; i++)
		free(f->san[i]);
	free(f->san);
	free(f->pem);
	memset(f, 0, sizeof *f);
}
