/* cmd_discover.c - `mailsetup discover [OPTIONS] ADDRESS`: find the
 * servers for an address from every source at once, verify the best
 * ones live, print them with where each came from. */
#include "config.h"

#include "base/alloc.h"
#include "base/escape.h"
#include "base/i18n.h"
#include "cli/cli.h"
#include "account.h"
#include "discover/discover.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

json_t *probe_to_json(const struct probe_result *r, const struct findings *fnd);

struct run {
	const struct face_opts *o;
	struct disc_result *res;
};

static const char *sec_label(enum ms_security s)
{
	return s == SEC_TLS ? _("TLS") : s == SEC_STARTTLS ? _("STARTTLS") : _("plaintext");
}

/* padw: the printf width that pads s to cols terminal columns (translated
 * words are not ASCII, and printf counts bytes). */
static int padw(const char *s, int cols)
{
	return cols + (int)strlen(s) - face_width(s);
}

static const char *proto_label(enum ms_proto p)
{
	return p == PROTO_IMAP ? "IMAP" : p == PROTO_POP3 ? "POP3" : "SMTP";
}

/* Progress to stderr as each source ends (the observer's discover hook). */
static void on_progress(void *ctx, const char *source, const char *label, enum ms_discover_event ev,
                        const char *detail)
{
	static const char *const words[] = {
	    [DISCOVER_STARTED] = N_("asking"),        [DISCOVER_ANSWERED] = N_("found"),
	    [DISCOVER_NOTHING] = N_("nothing"),       [DISCOVER_ERROR] = N_("failed"),
	    [DISCOVER_NOT_NEEDED] = N_("not needed"),
	};
	if (ev == DISCOVER_STARTED)
		return;
	const char *mark = ev == DISCOVER_ANSWERED ? cli_mark(true)
	                   : ev == DISCOVER_ERROR  ? cli_mark(false)
	                                           : (face_utf8() ? "\xc2\xb7" : "-");
	const char *word = _(words[ev]);
	fprintf(stderr, "  %s %-*s %-*s %s\n", mark, padw(label, 16), label, padw(word, 10), word,
	        detail);
}

static void on_step(void *ctx, const struct probe_result *r, const struct probe_step *s)
{
}

static void on_line(void *ctx, const struct probe_result *r, char dir, const char *text)
{
	fprintf(stderr, "%s:%u %c %s\n", r->host, (unsigned)r->port, dir == '>' ? '>' : '<', text);
}

static void on_done(void *arg, struct disc_result *r)
{
	struct run *run = arg;
	run->res = r;
}

/* sources_text: "ispdb, srv" for a candidate's source bits. */
static char *sources_text(unsigned bits, bool ids)
{
	struct buf b = {0};
	buf_adds(&b, "");
	for (int s = 0; s < DSRC_COUNT; s++)
		if (bits & (1u << s))
			buf_addf(&b, "%s%s", b.len ? ", " : "",
			         ids ? disc_source_id((enum disc_source)s)
			             : disc_source_label((enum disc_source)s));
	return buf_steal(&b);
}

static const char *user_of(const struct run *run, const struct disc_candidate *c)
{
	if (run->o->user)
		return run->o->user;
	return *c->username ? c->username : run->res->address;
}

/* The first candidate of each source per direction that differs from the
 * recommendation: what the sources disagree about. */
struct disagreement {
	enum disc_source src;
	const struct disc_candidate *c;
};

static size_t disagreements(const struct disc_result *r, int dir, struct disagreement *out)
{
	int rec = dir ? r->outgoing : r->incoming;
	size_t n = 0;
	if (rec < 0)
		return 0;
	for (int s = 0; s < DSRC_COUNT; s++) {
		if (r->src[s].status != DSTAT_ANSWERED)
			continue;
		for (size_t i = 0; i < r->n; i++) {
			const struct disc_candidate *c = &r->v[i];
			if ((c->proto == PROTO_SMTP) != dir || !(c->sources & (1u << s)))
				continue;
			if ((int)i != rec)
				out[n++] = (struct disagreement){(enum disc_source)s, c};
			break;
		}
	}
	return n;
}

static json_t *server_json(const struct run *run, const struct disc_candidate *c)
{
	json_t *o = json_object();
	json_object_set_new(o, "protocol", json_string(proto_name(c->proto)));
	json_object_set_new(o, "host", json_string(c->host));
	json_object_set_new(o, "port", json_integer(c->port));
	json_object_set_new(o, "security", json_string(security_name(c->security)));
	json_object_set_new(o, "username", json_string(user_of(run, c)));
	/* The provider's methods: the primary (the first this version
	 * knows) for older readers, and all of them in the file's order. */
	if (c->nauth) {
		json_t *all = json_array();
		const char *primary = NULL;
		for (size_t i = 0; i < c->nauth; i++) {
			enum account_auth m;
			if (!primary && account_auth_parse(c->auth[i], &m))
				primary = account_auth_name(m);
			json_array_append_new(all, json_string(c->auth[i]));
		}
		if (primary)
			json_object_set_new(o, "auth", json_string(primary));
		json_object_set_new(o, "authentication", all);
	}
	if (c->doc_url) {
		json_object_set_new(o, "documentation_url", json_string(c->doc_url));
		if (c->doc_text)
			json_object_set_new(o, "documentation", json_string(c->doc_text));
	}
	/* What generate's settings sheet reports as verified, and when. */
	json_object_set_new(o, "verified", json_boolean(c->verified));
	if (c->verified) {
		char when[32];
		face_now_iso(when, sizeof when);
		json_object_set_new(o, "verified_at", json_string(when));
	} else {
		json_object_set_new(o, "reason", json_string(disc_unverified_id(c->why)));
	}
	return o;
}

/* methods_text: "OAuth2, password-cleartext" (escaped), or NULL. */
static char *methods_text(const struct disc_candidate *c)
{
	if (!c->nauth)
		return NULL;
	struct buf b = {0};
	for (size_t i = 0; i < c->nauth; i++)
		buf_addf(&b, "%s%s", i ? ", " : "", c->auth[i]);
	char *e = escape_display_str(b.data);
	buf_free(&b);
	return e;
}

/* print_auth: the provider's methods next to the server's mechanisms,
 * and a disagreement between them. */
static void print_auth(const struct disc_candidate *c, const char *indent)
{
	char *m = methods_text(c);
	const struct probe_result *r = c->probe;
	if (m && r && r->caps.known && r->caps.nauth) {
		struct buf b = {0};
		for (size_t i = 0; i < r->caps.nauth; i++)
			buf_addf(&b, "%s%s", i ? " " : "", r->caps.auth[i]);
		char *e = escape_display_str(b.data);
		printf(_("%ssign-in: %s (provider); %s (server)\n"), indent, m, e);
		free(e);
		buf_free(&b);
	} else if (m) {
		printf(_("%ssign-in: %s (provider)\n"), indent, m);
	}
	free(m);
	char *note = disc_auth_note(c);
	if (note) {
		printf(_("%snote: %s\n"), indent, note);
		free(note);
	}
}

static void print_json(const struct run *run, const char *message)
{
	const struct disc_result *r = run->res;
	json_t *o = json_object();
	json_object_set_new(o, "address", json_string(r->address));
	json_object_set_new(o, "domain", json_string(r->domain));
	json_t *srcs = json_array();
	for (int s = 0; s < DSRC_COUNT; s++) {
		json_t *j = json_object();
		json_object_set_new(j, "source", json_string(disc_source_id((enum disc_source)s)));
		json_object_set_new(j, "status", json_string(disc_status_id(r->src[s].status)));
		json_object_set_new(j, "ms", json_integer(r->src[s].ms));
		json_object_set_new(j, "detail", json_string(r->src[s].detail));
		json_array_append_new(srcs, j);
	}
	json_object_set_new(o, "sources", srcs);
	json_t *cands = json_array();
	for (size_t i = 0; i < r->n; i++) {
		const struct disc_candidate *c = &r->v[i];
		json_t *j = server_json(run, c);
		json_object_set_new(j, "source", json_string(disc_source_id(c->best)));
		json_t *all = json_array();
		for (int s = 0; s < DSRC_COUNT; s++)
			if (c->sources & (1u << s))
				json_array_append_new(
				    all, json_string(disc_source_id((enum disc_source)s)));
		json_object_set_new(j, "sources", all);
		json_object_set_new(j, "via", json_string(c->via));
		json_object_set_new(j, "tested", json_boolean(c->tested));
		json_object_set_new(j, "verified", json_boolean(c->verified));
		json_object_set_new(j, "problem",
		                    c->problem ? json_string(c->problem) : json_null());
		char *note = disc_auth_note(c);
		json_object_set_new(j, "auth_note", note ? json_string(note) : json_null());
		free(note);
		if (c->probe) {
			struct findings fnd = {0};
			struct diag_provider prov;
			diag_probe_provider(c->probe, disc_provider(c, &prov) ? &prov : NULL, &fnd);
			json_object_set_new(j, "probe", probe_to_json(c->probe, &fnd));
			findings_free(&fnd);
		}
		json_array_append_new(cands, j);
	}
	json_object_set_new(o, "candidates", cands);
	json_t *rec = json_object();
	json_object_set_new(rec, "incoming",
	                    r->incoming >= 0 ? server_json(run, &r->v[r->incoming]) : json_null());
	json_object_set_new(rec, "outgoing",
	                    r->outgoing >= 0 ? server_json(run, &r->v[r->outgoing]) : json_null());
	json_object_set_new(o, "recommended", rec);
	/* The special-use folders the recommended incoming server showed
	 * after the login (generate --from-json gives them to mutt). */
	const struct probe_result *ip = r->incoming >= 0 ? r->v[r->incoming].probe : NULL;
	if (ip && ip->folders.listed)
		json_object_set_new(o, "folders", folders_to_json(&ip->folders));
	json_t *dis = json_array();
	for (int dir = 0; dir < 2; dir++) {
		struct disagreement v[DSRC_COUNT];
		size_t n = disagreements(r, dir, v);
		for (size_t i = 0; i < n; i++) {
			json_t *j = server_json(run, v[i].c);
			json_object_set_new(j, "direction",
			                    json_string(dir ? "outgoing" : "incoming"));
			json_object_set_new(j, "source", json_string(disc_source_id(v[i].src)));
			json_array_append_new(dis, j);
		}
	}
	json_object_set_new(o, "disagreements", dis);
	json_object_set_new(o, "ms", json_integer(r->total_ms));
	json_object_set_new(o, "message", message ? json_string(message) : json_null());
	json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
	json_decref(o);
}

/* print_findings: why the test of a recommended server failed, with the
 * server's own words and the provider's ways in (all escaped). */
static void print_findings(const struct disc_candidate *c)
{
	struct findings fnd = {0};
	struct diag_provider prov;
	diag_probe_provider(c->probe, disc_provider(c, &prov) ? &prov : NULL, &fnd);
	for (size_t i = 0; i < fnd.n; i++) {
		printf("  %s: %s\n", diag_code_name(fnd.v[i].code), fnd.v[i].message);
		if (fnd.v[i].fix_text[0])
			printf(_("    Fix: %s\n"), fnd.v[i].fix_text);
	}
	findings_free(&fnd);
}

static void print_text(const struct run *run, const char *message)
{
	const struct disc_result *r = run->res;
	if (!run->o->quiet && r->n) {
		printf(_("Candidates for %s (best first):\n"), r->address);
		for (size_t i = 0; i < r->n; i++) {
			const struct disc_candidate *c = &r->v[i];
			char *src = sources_text(c->sources, false);
			char *host = escape_display_str(c->host);
			const char *state =
			    c->verified ? _("verified") : _(disc_unverified_id(c->why));
			const char *sec = sec_label(c->security);
			printf("  %-4s  %-28s %5u  %-*s  %-*s  %s\n", proto_label(c->proto), host,
			       (unsigned)c->port, padw(sec, 9), sec, padw(state, 10), state, src);
			if (c->via[0] && c->best != DSRC_GUESS) {
				char *via = escape_display_str(c->via);
				printf("        %s %s\n", _("from"), via);
				free(via);
			}
			if (c->problem) {
				char *p = escape_display_str(c->problem);
				printf("        %s\n", p);
				free(p);
			}
			print_auth(c, "        ");
			free(src);
			free(host);
		}
		printf("\n");
	}
	for (int dir = 0; dir < 2; dir++) {
		int idx = dir ? r->outgoing : r->incoming;
		const char *what = dir ? _("Outgoing") : _("Incoming");
		if (idx < 0) {
			printf(_("%s  no server found\n"), what);
			continue;
		}
		const struct disc_candidate *c = &r->v[idx];
		char *src = sources_text(c->sources, false);
		char *host = escape_display_str(c->host);
		char *user = escape_display_str(user_of(run, c));
		printf(_("%s  %s  %s  %u  %s  user %s  (%s)\n"), what, proto_label(c->proto), host,
		       (unsigned)c->port, sec_label(c->security), user, src);
		free(src), free(host), free(user);
		if (!c->verified && c->why == DUNV_FAILED)
			printf("%s\n",
			       _("  did not pass the test from here (the findings say why)"));
		else if (!c->verified)
			/* TRANSLATORS: %s: "not tested", "unreachable" or "login not
			 * tried" (kept in English in JSON). */
			printf(_("  found in the provider's configuration, not tested from here "
			         "(%s)\n"),
			       _(disc_unverified_id(c->why)));
		print_auth(c, "  ");
		if (c->probe && !c->verified)
			print_findings(c);
		if (c->doc_url) {
			char *u = escape_display_str(c->doc_url);
			char *t = c->doc_text ? escape_display_str(c->doc_text) : NULL;
			printf(_("  provider's page: %s%s%s%s\n"), u, t ? " (" : "", t ? t : "",
			       t ? ")" : "");
			free(u), free(t);
		}
		struct disagreement v[DSRC_COUNT];
		size_t n = disagreements(r, dir, v);
		for (size_t i = 0; i < n; i++) {
			char *h = escape_display_str(v[i].c->host);
			printf(_("  note: %s suggests %s %s:%u %s instead\n"),
			       disc_source_label(v[i].src), proto_label(v[i].c->proto), h,
			       (unsigned)v[i].c->port, sec_label(v[i].c->security));
			free(h);
		}
	}
	if (message)
		printf("%s\n", message);
}

/* exit_for: the contract of the man page. */
static int exit_for(const struct disc_result *r, char *msg, size_t len)
{
	if (r->n == 0) {
		bool any_answer = false;
		for (int s = 0; s < DSRC_COUNT; s++)
			if (r->src[s].status == DSTAT_NOTHING)
				any_answer = true;
		if (!any_answer) {
			snprintf(msg, len,
			         _("No servers found for %s: no source could be asked (network)."),
			         r->domain);
			return EXIT_NETWORK;
		}
		snprintf(msg, len,
		         _("No servers found for %s: no provider file, autoconfig, ISPDB entry, MX "
		           "hint or "
		           "SRV record, and no server answered at the usual names."),
		         r->domain);
		return EXIT_CHECK_FAILED;
	}
	/* Found: 0 only when both directions are recommended and verified
	 * (DESIGN.md: 1 also means "found but not verified"). */
	for (int dir = 0; dir < 2; dir++) {
		int idx = dir ? r->outgoing : r->incoming;
		if (idx < 0) {
			snprintf(msg, len, _("No %s server found for %s."),
			         dir ? _("outgoing") : _("incoming"), r->domain);
			return EXIT_CHECK_FAILED;
		}
	}
	const struct disc_candidate *in = &r->v[r->incoming], *out = &r->v[r->outgoing];
	if (in->verified && out->verified)
		return EXIT_OK;
	snprintf(msg, len,
	         _("Settings for %s found but not verified (incoming: %s, outgoing: %s); "
	           "generate --from-json writes them with a note saying so."),
	         r->domain, in->verified ? _("verified") : _(disc_unverified_id(in->why)),
	         out->verified ? _("verified") : _(disc_unverified_id(out->why)));
	return EXIT_CHECK_FAILED;
}

int cmd_discover(int argc, char **argv)
{
	struct face_opts o;
	int first = face_parse("discover", argc, argv, &o);
	if (first < 0)
		return EXIT_USAGE;
	int code = EXIT_USAGE;
	char *password = NULL;
	struct loop *loop = NULL;
	struct disc_options opt = {0};
	if (argc - first != 1) {
		face_usage_error("discover", "%s", _("expected exactly one ADDRESS"));
		goto out;
	}
	enum ms_proto want = PROTO_IMAP;
	if (o.protocol && (!proto_parse(o.protocol, &want) || want == PROTO_SMTP)) {
		face_usage_error("discover", _("--protocol for discover is imap or pop3, not '%s'"),
		                 o.protocol);
		goto out;
	}
	struct ms_err err;
	err_clear(&err);
	char *local, *domain;
	if (!discover_address(argv[first], &local, &domain, &err)) {
		face_usage_error("discover", _("'%s' is not a usable address: %s"), argv[first],
		                 err.msg);
		goto out;
	}
	free(local), free(domain);
	opt.address = argv[first];
	opt.dns_server = o.dns_server;
	opt.ispdb_url = o.ispdb_url;
	opt.overrides = &o.overrides;
	opt.cafile = o.cafile;
	opt.allow_http = o.allow_http;
	opt.allow_plaintext = o.allow_plaintext;
	opt.prefer_pop3 = want == PROTO_POP3;
	opt.user = o.user;
	opt.probe_timeout_ms = o.timeout_s * 1000;
	opt.tls_ctx = tls_ctx_new(o.cafile, &err);
	if (!opt.tls_ctx) {
		fprintf(stderr, "mailsetup discover: %s\n", err.msg);
		code = EXIT_LOCAL;
		goto out;
	}
	if (o.user && !o.no_login) {
		password = cli_read_password(&o, o.user, argv[first]);
		if (!password)
			goto out;
		opt.password = password;
	}
	if (o.allow_http)
		fprintf(
		    stderr, "%s\n",
		    _("mailsetup discover: warning: --allow-http fetches settings over plain HTTP, "
		      "which anyone on the network path can forge; check what is found."));
	struct ms_observer obs = {0};
	if (!o.quiet && !o.json)
		obs.discover = on_progress;
	if (o.verbose) {
		obs.step = on_step;
		obs.transcript = on_line;
	}
	struct run run = {.o = &o};
	loop = loop_new();
	if (!o.quiet && !o.json)
		fprintf(stderr, _("Looking for the servers of %s...\n"), argv[first]);
	if (!discover_start(loop, &opt, &obs, on_done, &run, &err)) {
		if (err.cat == ERR_USAGE) {
			face_usage_error("discover", "%s", err.msg);
		} else {
			fprintf(stderr, "mailsetup discover: %s\n", err.msg);
			code = EXIT_LOCAL;
		}
		goto out;
	}
	loop_run(loop);
	if (!run.res) {
		fprintf(stderr, "mailsetup discover: %s\n",
		        _("internal error: discovery did not finish"));
		code = EXIT_LOCAL;
		goto out;
	}
	if (!o.quiet && !o.json)
		fprintf(stderr, "\n");
	char msg[512] = "";
	code = exit_for(run.res, msg, sizeof msg);
	if (o.json)
		print_json(&run, msg[0] ? msg : NULL);
	else
		print_text(&run, msg[0] ? msg : NULL);
	disc_result_free(run.res);
out:
	secret_free(password);
	loop_free(loop);
	tls_ctx_free(opt.tls_ctx);
	net_overrides_free(&o.overrides);
	return code;
}
