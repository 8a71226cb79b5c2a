/* account_json.c - an account from a diagnose/discover report or an
 * account object (the shapes are listed in account.h). */
#include "config.h"

#include "account.h"

#include "base/i18n.h"

#include <jansson.h>
#include <string.h>

/* A report from an older or newer mailsetup may carry more fields; only
 * the ones named here are read, and unknown ones are ignored. */

static bool get_string(json_t *obj, const char *key, const char **out, const char *where,
                       struct ms_err *err)
{
	json_t *v = json_object_get(obj, key);
	*out = NULL;
	if (!v || json_is_null(v))
		return true;
	if (!json_is_string(v)) {
		err_set(err, ERR_USAGE, _("JSON: \"%s\" in %s must be a string"), key, where);
		return false;
	}
	*out = json_string_value(v);
	return true;
}

static bool server_from_json(json_t *j, struct account_server *s, bool outgoing, const char *where,
                             struct ms_err *err)
{
	if (!j || json_is_null(j))
		return true;
	if (!json_is_object(j)) {
		err_set(err, ERR_USAGE, _("JSON: %s must be an object"), where);
		return false;
	}
	const char *proto, *host, *security, *user, *auth, *when;
	if (!get_string(j, "protocol", &proto, where, err) ||
	    !get_string(j, "host", &host, where, err) ||
	    !get_string(j, "security", &security, where, err) ||
	    !get_string(j, "username", &user, where, err) ||
	    !get_string(j, "auth", &auth, where, err) ||
	    !get_string(j, "verified_at", &when, where, err))
		return false;
	if (!host || !*host) {
		err_set(err, ERR_USAGE, _("JSON: %s has no \"host\""), where);
		return false;
	}
	enum ms_proto p = outgoing ? PROTO_SMTP : PROTO_IMAP;
	if (proto && !proto_parse(proto, &p)) {
		err_set(err, ERR_USAGE, _("JSON: unknown protocol \"%s\" in %s"), proto, where);
		return false;
	}
	if (outgoing != (p == PROTO_SMTP)) {
		err_set(err, ERR_USAGE, _("JSON: protocol \"%s\" does not fit %s"), proto, where);
		return false;
	}
	enum ms_security sec = SEC_TLS;
	if (security && !security_parse(security, &sec)) {
		err_set(err, ERR_USAGE, _("JSON: unknown security \"%s\" in %s"), security, where);
		return false;
	}
	json_t *port = json_object_get(j, "port");
	json_int_t portv = 0;
	if (port && !json_is_null(port)) {
		if (!json_is_integer(port) || json_integer_value(port) < 1 ||
		    json_integer_value(port) > 65535) {
			err_set(err, ERR_USAGE,
			        _("JSON: \"port\" in %s must be a number from 1 to 65535"), where);
			return false;
		}
		portv = json_integer_value(port);
	}
	enum account_auth am = AUTH_PASSWORD_CLEARTEXT;
	if (auth && !account_auth_parse(auth, &am)) {
		err_set(err, ERR_USAGE, _("JSON: unknown authentication \"%s\" in %s"), auth,
		        where);
		return false;
	}
	s->set = true;
	s->proto = p;
	account_set(&s->host, host);
	s->port = (uint16_t)portv;
	s->security = sec;
	account_set(&s->username, user);
	s->auth = am;
	/* A probe object says "ok"; an account object may say "verified". */
	json_t *v = json_object_get(j, "verified");
	if (!v)
		v = json_object_get(j, "ok");
	s->verified = json_is_true(v);
	account_set(&s->verified_at, when);
	/* A certificate trusted by its fingerprint: an account object says
	 * "trusted_sha256"; a probe object (probe --trust-cert --json) says
	 * tls.pinned, and the fingerprint is tls.sha256. */
	const char *pin = NULL;
	if (!get_string(j, "trusted_sha256", &pin, where, err))
		return false;
	json_t *tls = json_object_get(j, "tls");
	if (!pin && json_is_object(tls) && json_is_true(json_object_get(tls, "pinned")) &&
	    !get_string(tls, "sha256", &pin, where, err))
		return false;
	char fpr[TLS_FPR_LEN];
	if (pin && !tls_pin_parse(pin, fpr)) {
		err_set(err, ERR_USAGE,
		        _("JSON: \"trusted_sha256\" in %s is not a SHA-256 fingerprint"), where);
		return false;
	}
	account_set(&s->trusted_sha256, pin ? fpr : NULL);
	return true;
}

static bool folders_from_json(json_t *j, struct ms_folders *f, struct ms_err *err)
{
	if (!j || json_is_null(j))
		return true;
	if (!json_is_object(j)) {
		err_set(err, ERR_USAGE, "%s", _("JSON: \"folders\" must be an object"));
		return false;
	}
	static const char *const keys[] = {"sent", "drafts", "trash", "junk", "archive"};
	char **slots[] = {&f->sent, &f->drafts, &f->trash, &f->junk, &f->archive};
	for (size_t i = 0; i < 5; i++) {
		const char *v;
		if (!get_string(j, keys[i], &v, "\"folders\"", err))
			return false;
		account_set(slots[i], v);
	}
	f->guessed = json_is_true(json_object_get(j, "guessed"));
	f->listed = true;
	return true;
}

bool account_from_json_text(struct account *a, const char *text, size_t len, struct ms_err *err)
{
	json_error_t jerr;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		err_set(err, ERR_USAGE, _("JSON: %s (line %d, column %d)"), jerr.text, jerr.line,
		        jerr.column);
		return false;
	}
	bool ok = false;
	if (!json_is_object(root)) {
		err_set(err, ERR_USAGE, "%s", _("JSON: expected an object"));
		goto out;
	}
	/* The servers: a report's "recommended", else the account object. */
	json_t *servers = json_object_get(root, "recommended");
	if (servers && !json_is_object(servers)) {
		err_set(err, ERR_USAGE, "%s", _("JSON: \"recommended\" must be an object"));
		goto out;
	}
	if (!servers)
		servers = root;
	json_t *in = json_object_get(servers, "incoming");
	json_t *out = json_object_get(servers, "outgoing");
	if ((!in || json_is_null(in)) && (!out || json_is_null(out))) {
		err_set(err, ERR_USAGE, "%s",
		        _("JSON: no \"incoming\" or \"outgoing\" server (expected a diagnose or "
		          "discover report, or an account object)"));
		goto out;
	}
	const char *address, *name;
	if (!get_string(root, "address", &address, _("the top level"), err) ||
	    !get_string(root, "name", &name, _("the top level"), err))
		goto out;
	if (!server_from_json(in, &a->in, false, "\"incoming\"", err) ||
	    !server_from_json(out, &a->out, true, "\"outgoing\"", err))
		goto out;
	json_t *folders = json_object_get(root, "folders");
	if (!folders && json_is_object(in))
		folders = json_object_get(in, "folders");
	if (!folders_from_json(folders, &a->folders, err))
		goto out;
	if (address)
		account_set(&a->address, address);
	if (name)
		account_set(&a->name, name);
	ok = true;
out:
	json_decref(root);
	return ok;
}
