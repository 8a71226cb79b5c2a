/* tls.h - the OpenSSL wrapper: context, per-connection setup, facts.
 *
 * Verification policy (DESIGN.md security rule 1): the system trust store
 * or a --cafile, TLS 1.2 as the minimum, SNI for names, and the peer
 * certificate checked against the host name (SSL_set1_host) or the IP
 * address.  The handshake is allowed to complete when verification fails
 * so that the certificate can be shown and explained; tls_facts.verified
 * tells whether it may be trusted, and callers must not send credentials
 * over a connection that is not verified (probe/ enforces this).
 */
#ifndef MS_TLS_H
#define MS_TLS_H

#include "base/err.h"

#include <openssl/ssl.h>
#include <stdbool.h>
#include <stddef.h>

/* A SHA-256 fingerprint as "AB:CD:..." (32 bytes -> 95 chars + NUL). */
#define TLS_FPR_LEN 96

struct tls_facts {
	bool handshake_done;
	char version[16];       /* "TLSv1.3" */
	char cipher[64];        /* "TLS_AES_256_GCM_SHA384" */
	bool verified;          /* chain and name both good */
	long verify_code;       /* X509_V_OK or the first X509_V_ERR_* seen */
	int verify_depth;       /* depth of that first error (0 = the server's cert) */
	char verify_error[160]; /* OpenSSL's text for verify_code */
	int chain_len;          /* certificates the server sent */
	bool self_issued;       /* leaf subject == leaf issuer */
	char *subject;          /* RFC 2253 text, raw (escape before display) */
	char *issuer;
	/* The first CA-issuers URI of the certificate's Authority Information
	 * Access extension (RFC 5280 4.2.2.1): where its issuer's certificate
	 * is published, which public CAs always name.  NULL when none; never
	 * fetched.  Raw (escape before display). */
	char *aia_ca_issuers;
	char **san; /* "DNS:name" / "IP:addr" entries */
	size_t nsan;
	char not_before[32]; /* ISO 8601 UTC: 2026-11-23T08:00:00Z */
	char not_after[32];
	bool expired, not_yet_valid;
	char sha256[TLS_FPR_LEN];
	char *pem;       /* the server's certificate in PEM, or NULL */
	char alert[128]; /* handshake failure reason, when it failed */
	/* Trust by fingerprint (DESIGN.md security rule 8), set by the probe:
	 * pin is the SHA-256 the person chose to trust for this host and port
	 * ("" when none), pinned true when the certificate failed verification
	 * but is exactly that one. */
	char pin[TLS_FPR_LEN];
	bool pinned;
	/* Every kind of verification problem seen, not only the first
	 * (verify_code): a self-signed certificate can also be for another
	 * name or out of date, and trusting it must not hide that. */
	unsigned problems;
};

enum {
	TLS_PROBLEM_ISSUER = 1, /* self-signed, or no trusted issuer */
	TLS_PROBLEM_NAME = 2,   /* not for the name or address asked */
	TLS_PROBLEM_DATES = 4,  /* expired or not yet valid */
	TLS_PROBLEM_OTHER = 8,  /* anything else (bad signature, ...) */
};

/* tls_ctx_new: client context.  cafile NULL means the system store
 * (tls_store_load_system).  Returns NULL and sets err (ERR_LOCAL) when
 * the CA file cannot be read. */
SSL_CTX *tls_ctx_new(const char *cafile, struct ms_err *err);

/* Where the system trust store is: OpenSSL's environment variables (NULL
 * or "" when unset) and its compiled-in defaults. */
struct tls_trust_paths {
	const char *env_file; /* $SSL_CERT_FILE */
	const char *env_dir;  /* $SSL_CERT_DIR (a ':'-separated list) */
	const char *def_file; /* X509_get_default_cert_file(): the bundle */
	const char *def_dir;  /* X509_get_default_cert_dir(): the CApath */
};
/* tls_trust_paths_system: the paths of this process and this OpenSSL. */
struct tls_trust_paths tls_trust_paths_system(void);

/* tls_store_load_system: the same trust as OpenSSL's default paths
 * (SSL_CTX_set_default_verify_paths: the file, $SSL_CERT_FILE or the
 * bundle, plus the directory, $SSL_CERT_DIR or the CApath), without
 * parsing the whole bundle at start.  Issuers are looked up when a
 * handshake needs them, in the hashed directory (X509_LOOKUP_hash_dir):
 *  - $SSL_CERT_FILE, when set to another file than the default bundle,
 *    is loaded as OpenSSL would load it;
 *  - otherwise, when the default CApath is a hashed directory it stands in
 *    for the default bundle (both hold the same certificates where
 *    update-ca-certificates or c_rehash made them, as on Debian), and is
 *    searched also when $SSL_CERT_DIR names another directory;
 *  - only where there is no hashed CApath is the bundle file parsed.
 * Like OpenSSL, missing files and directories are skipped silently
 * ($SSL_CERT_URI stores are not consulted).  Returns false only when
 * OpenSSL cannot set up a lookup. */
bool tls_store_load_system(X509_STORE *store, const struct tls_trust_paths *tp);
/* tls_dir_is_hashed: dir holds at least one certificate link named the
 * way OpenSSL's hashed lookup finds it (8 hex digits, '.', a digit). */
bool tls_dir_is_hashed(const char *dir);
void tls_ctx_free(SSL_CTX *ctx);

/* tls_session_new: an SSL talking to host (a name or an IP literal): SNI
 * for names, host or IP verification, first verify error recorded.  The
 * caller attaches the transport (SSL_set_bio).  Returns NULL with err set
 * on failure. */
SSL *tls_session_new(SSL_CTX *ctx, const char *host, struct ms_err *err);

/* tls_collect: fill facts from a finished (or failed) handshake.  Frees
 * whatever facts held before; f->alert is left for the caller to set. */
void tls_collect(SSL *ssl, struct tls_facts *f, bool handshake_done);
void tls_facts_free(struct tls_facts *f);
/* tls_pin_parse: a SHA-256 fingerprint as people copy it (64 hex digits,
 * with or without colons, any case, an optional "sha256:" prefix) into
 * the form of tls_facts.sha256 (upper case, colon-separated).  false when
 * it is not one. */
bool tls_pin_parse(const char *in, char out[TLS_FPR_LEN]);
/* tls_first_verify_error: the first verification error recorded on ssl
 * (X509_V_OK when none) and its depth. */
long tls_first_verify_error(SSL *ssl, int *depth);
/* tls_error_string: drain OpenSSL's error queue into buf (one line). */
void tls_error_string(char *buf, size_t len);

#endif
