/* out_json.c - probe results as JSON (the fields DESIGN.md promises). */
#include "config.h"

#include "cli/cli.h"

#include <jansson.h>
#include "base/escape.h"

#include <stdlib.h>
#include <string.h>

/* Server text is not guaranteed UTF-8; jansson rejects invalid UTF-8, so
 * such strings go out with the bad bytes replaced (U+FFFD). */
static json_t *jstr(const char *s)
{
	if (!s)
		return json_null();
	json_t *j = json_string(s);
	if (j)
		return j;
	size_t n = strlen(s);
	char *c = malloc(n * 3 + 1);
	size_t k = 0;
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		unsigned cp;
		size_t l = utf8_decode(p + i, n - i, &cp);
		if (l == 0 || cp == 0) {
			c[k++] = (char)0xEF, c[k++] = (char)0xBF, c[k++] = (char)0xBD;
			i++;
		} else {
			memcpy(c + k, p + i, l);
			k += l;
			i += l;
		}
	}
	c[k] = '\0';
	j = json_string(c);
	free(c);
	return j ? j : json_null();
}

static json_t *list(char **v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, jstr(v[i]));
	return a;
}

json_t *folders_to_json(const struct ms_folders *f)
{
	json_t *o = json_object();
	json_object_set_new(o, "sent", jstr(f->sent));
	json_object_set_new(o, "drafts", jstr(f->drafts));
	json_object_set_new(o, "trash", jstr(f->trash));
	json_object_set_new(o, "junk", jstr(f->junk));
	json_object_set_new(o, "archive", jstr(f->archive));
	json_object_set_new(o, "guessed", json_boolean(f->guessed));
	return o;
}

json_t *probe_to_json(const struct probe_result *r, const struct findings *fnd)
{
	json_t *o = json_object();
	json_object_set_new(o, "host", jstr(r->host));
	json_object_set_new(o, "port", json_integer(r->port));
	json_object_set_new(o, "protocol", json_string(proto_name(r->proto)));
	json_object_set_new(o, "security", json_string(security_name(r->security)));
	json_object_set_new(o, "ok", json_boolean(r->ok));
	json_object_set_new(o, "address", r->peer[0] ? json_string(r->peer) : json_null());
	json_object_set_new(o, "ms", json_integer(r->total_ms));
	json_t *steps = json_array();
	for (size_t i = 0; i < r->nsteps; i++) {
		json_t *s = json_object();
		json_object_set_new(s, "name", json_string(r->steps[i].name));
		json_object_set_new(s, "ok", json_boolean(r->steps[i].ok));
		json_object_set_new(s, "ms", json_integer(r->steps[i].ms));
		json_object_set_new(s, "detail", jstr(r->steps[i].detail));
		json_array_append_new(steps, s);
	}
	json_object_set_new(o, "steps", steps);
	if (r->tls_attempted) {
		json_t *t = json_object();
		json_object_set_new(t, "version",
		                    r->tls.version[0] ? json_string(r->tls.version) : json_null());
		json_object_set_new(t, "cipher",
		                    r->tls.cipher[0] ? json_string(r->tls.cipher) : json_null());
		json_object_set_new(t, "verified", json_boolean(r->tls.verified));
		json_object_set_new(t, "verify_error",
		                    r->tls.verify_error[0] ? json_string(r->tls.verify_error)
		                                           : json_null());
		json_object_set_new(t, "subject", jstr(r->tls.subject));
		json_object_set_new(t, "issuer", jstr(r->tls.issuer));
		json_object_set_new(t, "san", list(r->tls.san, r->tls.nsan));
		json_object_set_new(t, "not_before",
		                    r->tls.not_before[0] ? json_string(r->tls.not_before)
		                                         : json_null());
		json_object_set_new(t, "not_after",
		                    r->tls.not_after[0] ? json_string(r->tls.not_after)
		                                        : json_null());
		json_object_set_new(t, "sha256",
		                    r->tls.sha256[0] ? json_string(r->tls.sha256) : json_null());
		json_object_set_new(t, "chain_length", json_integer(r->tls.chain_len));
		/* Trust by fingerprint: the one given (--trust-cert) and whether
		 * this unverifiable certificate is exactly it. */
		json_object_set_new(t, "trusted_sha256",
		                    r->tls.pin[0] ? json_string(r->tls.pin) : json_null());
		json_object_set_new(t, "pinned", json_boolean(r->tls.pinned));
		json_object_set_new(t, "pem", jstr(r->tls.pem));
		json_object_set_new(o, "tls", t);
	} else {
		json_object_set_new(o, "tls", json_null());
	}
	json_object_set_new(o, "greeting", jstr(r->greeting));
	json_object_set_new(o, "capabilities", list(r->caps.items, r->caps.nitems));
	json_object_set_new(o, "auth_mechanisms", list(r->caps.auth, r->caps.nauth));
	if (r->caps_before_tls.known)
		json_object_set_new(o, "capabilities_before_tls",
		                    list(r->caps_before_tls.items, r->caps_before_tls.nitems));
	json_object_set_new(o, "login",
	                    json_string(r->login == LOGIN_OK       ? "ok"
	                                : r->login == LOGIN_FAILED ? "failed"
	                                                           : "skipped"));
	if (r->folders.listed)
		json_object_set_new(o, "folders", folders_to_json(&r->folders));
	if (r->send_path_checked) {
		json_t *sp = json_object();
		json_object_set_new(sp, "sender_ok", json_boolean(r->sender_ok));
		json_object_set_new(sp, "recipient_ok", json_boolean(r->recipient_ok));
		json_object_set_new(sp, "reply", jstr(r->send_path_reply));
		json_object_set_new(o, "send_path", sp);
	}
	json_object_set_new(o, "error", r->ok ? json_null() : jstr(r->err.msg));
	json_object_set_new(o, "error_category",
	                    r->ok ? json_null() : json_string(err_category_name(r->err.cat)));
	json_object_set_new(o, "server_reply", r->err.reply[0] ? jstr(r->err.reply) : json_null());
	json_object_set_new(o, "findings", findings_to_json(fnd));
	if (r->cancelled)
		json_object_set_new(o, "cancelled", json_true());
	if (r->alternative) {
		struct findings none = {0};
		json_object_set_new(o, "alternative", probe_to_json(r->alternative, &none));
	}
	return o;
}

json_t *findings_to_json(const struct findings *fnd)
{
	json_t *fa = json_array();
	for (size_t i = 0; i < fnd->n; i++) {
		const struct finding *x = &fnd->v[i];
		json_t *f = json_object();
		json_object_set_new(f, "code", json_string(diag_code_name(x->code)));
		json_object_set_new(f, "severity", json_string(diag_severity_name(x->severity)));
		json_object_set_new(f, "message", jstr(x->message));
		json_object_set_new(f, "fix", x->fix_text[0] ? jstr(x->fix_text) : json_null());
		if (x->fix.n) {
			json_t *ch = json_object();
			for (int k = 0; k < x->fix.n; k++)
				json_object_set_new(ch, x->fix.change[k].field,
				                    jstr(x->fix.change[k].value));
			json_object_set_new(f, "change", ch);
		}
		json_array_append_new(fa, f);
	}
	return fa;
}

void out_probe_json(FILE *f, const struct probe_result *r, const struct findings *fnd)
{
	json_t *o = probe_to_json(r, fnd);
	json_dumpf(o, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', f);
	json_decref(o);
}
