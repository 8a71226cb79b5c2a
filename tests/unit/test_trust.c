/* test_trust.c - the system trust store is looked up lazily, with the same
 * trust as OpenSSL's default paths (net/tls.c tls_store_load_system).
 *
 * A throw-away CA certificate is made in memory and put in scratch
 * directories, as a hashed link (what `openssl rehash` makes) or inside a
 * bundle file; each case then checks whether the store built from a set
 * of paths verifies it.  One case proves the laziness: with a hashed
 * default directory the bundle file is not read at all. */
#include "config.h"

#include "net/tls.h"
#include "tests/tap.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static X509 *make_ca(const char *cn)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_NAME *n = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, n);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_set_pubkey(x, key);
	X509V3_CTX ctx;
	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	X509_EXTENSION *ext =
	    X509V3_EXT_conf_nid(NULL, &ctx, NID_basic_constraints, "critical,CA:TRUE");
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	X509_sign(x, key, EVP_sha256());
	EVP_PKEY_free(key);
	return x;
}

static void write_pem(const char *path, X509 *a, X509 *b)
{
	FILE *f = fopen(path, "w");
	PEM_write_X509(f, a);
	if (b)
		PEM_write_X509(f, b);
	fclose(f);
}

/* hashed: put x in dir under the name OpenSSL's hashed lookup asks for. */
static void hashed(const char *dir, X509 *x)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%08lx.0", dir, X509_subject_name_hash(x));
	write_pem(path, x, NULL);
}

/* trusted: does a store built from these paths verify x? */
static int trusted(X509 *x, const char *env_file, const char *env_dir, const char *def_file,
                   const char *def_dir)
{
	struct tls_trust_paths tp = {env_file, env_dir, def_file, def_dir};
	X509_STORE *st = X509_STORE_new();
	int ok = tls_store_load_system(st, &tp);
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	X509_STORE_CTX_init(ctx, st, x, NULL);
	if (ok)
		ok = X509_verify_cert(ctx) == 1;
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(st);
	return ok;
}

int main(void)
{
	plan(11);
	char top[] = "/tmp/ms-test-trust.XXXXXX";
	if (!mkdtemp(top))
		return 1;
	char with[600], other[600], empty[600], bundle[600], link[600], single[600];
	snprintf(with, sizeof with, "%s/with", top);    /* hashed, holds ca */
	snprintf(other, sizeof other, "%s/other", top); /* hashed, another CA */
	snprintf(empty, sizeof empty, "%s/empty", top); /* no hashed links */
	snprintf(bundle, sizeof bundle, "%s/bundle.crt", top);
	snprintf(link, sizeof link, "%s/bundle-link.crt", top);
	snprintf(single, sizeof single, "%s/ca.pem", top);
	mkdir(with, 0700);
	mkdir(other, 0700);
	mkdir(empty, 0700);
	X509 *ca = make_ca("mailsetup trust test CA");
	X509 *ca2 = make_ca("mailsetup other CA");
	hashed(with, ca);
	hashed(other, ca2);
	write_pem(bundle, ca2, ca);
	write_pem(single, ca, NULL);
	char copy[700];
	snprintf(copy, sizeof copy, "%s/ca-copy.pem", empty); /* not under its hash */
	write_pem(copy, ca, NULL);
	if (symlink(bundle, link) != 0)
		return 1;

	ok(tls_dir_is_hashed(with), "a directory with a hash link is a hashed directory");
	ok(!tls_dir_is_hashed(empty), "a directory with only a .pem file is not");
	ok(!tls_dir_is_hashed("/nonexistent/ms-test"), "a missing directory is not");

	ok(trusted(ca, NULL, NULL, "/nonexistent/bundle", with),
	   "the issuer is found in the hashed default directory");
	ok(!trusted(ca, NULL, NULL, bundle, other),
	   "with a hashed default directory the bundle file is not read (lazy)");
	ok(trusted(ca, NULL, NULL, bundle, empty),
	   "without a hashed default directory the bundle file is the fallback");
	ok(trusted(ca, single, NULL, bundle, other), "SSL_CERT_FILE (another file) is loaded");
	ok(!trusted(ca, link, NULL, bundle, other),
	   "SSL_CERT_FILE naming the default bundle counts as the default (still lazy)");
	ok(trusted(ca, NULL, with, bundle, other), "SSL_CERT_DIR is searched");
	ok(trusted(ca, NULL, empty, bundle, with),
	   "with SSL_CERT_DIR set, the hashed default directory still stands in for the bundle");
	ok(!trusted(ca, NULL, NULL, "/nonexistent/bundle", other),
	   "an issuer in no location is not trusted");

	X509_free(ca);
	X509_free(ca2);
	char cmd[700];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", top);
	if (system(cmd) != 0)
		return 1;
	return done_testing();
}
