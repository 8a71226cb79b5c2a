/* reader_harness.h - the body shared by the libFuzzer harnesses of the
 * configuration readers (fuzz_muttrc.c, fuzz_msmtprc.c ...): each
 * defines FUZZ_CLIENT and includes this.
 *
 * Beyond "no crash, no leak": every server has a host and a port; every
 * fix for a server applies cleanly to the text it was read from, keeps
 * every line it does not edit, and changes only whole lines. */
#include "config.h"

#include "base/alloc.h"
#include "readers/readers.h"

#include <stdint.h>
#include <string.h>

/* A muttrc may source any path: every path reads as the input itself,
 * so that loops and depth limits are exercised. */
static const char *fuzz_text;
static size_t fuzz_len;

static bool fuzz_load(void *ctx, const char *path, char **text, size_t *len, struct ms_err *err)
{
	(void)ctx;
	(void)err;
	(void)path;
	*text = xmalloc(fuzz_len + 1);
	memcpy(*text, fuzz_text, fuzz_len);
	(*text)[fuzz_len] = '\0';
	*len = fuzz_len;
	return true;
}

static size_t count_lines(const char *s, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += s[i] == '\n';
	return k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_text = (const char *)data;
	fuzz_len = size;
	struct rd_env env = {"/home/z", fuzz_load, NULL};
	struct rd_config *c = rd_read(FUZZ_CLIENT, "/home/z/cfg", (const char *)data, size, &env);
	if (c->nservers > RD_MAX_SERVERS || c->nfiles > RD_MAX_FILES + 1)
		__builtin_trap();
	for (size_t i = 0; i < c->nservers; i++) {
		const struct rd_server *s = &c->servers[i];
		if (!s->host || !s->host[0] || s->port == 0 || (size_t)s->at.file >= c->nfiles)
			__builtin_trap();
		for (int m = 0; m < 2; m++) {
			struct rd_edits e = {0};
			const char *why;
			uint16_t port = (uint16_t)(s->port + m);
			if (!rd_fix(c, s, m ? SEC_TLS : SEC_STARTTLS, port ? port : 1, &e, &why))
				continue;
			for (size_t f = 0; f < c->nfiles; f++) {
				size_t n;
				struct ms_err err;
				const struct rd_file *rf = &c->files[f];
				char *t = rd_apply(rf->text, rf->len, (int)f, &e, &n, &err);
				if (!t)
					__builtin_trap(); /* the fix must fit what was read */
				size_t inserted = 0, edited = 0;
				for (size_t k = 0; k < e.n; k++)
					if (e.v[k].file == (int)f) {
						edited++;
						inserted += count_lines(e.v[k].new_text,
						                        strlen(e.v[k].new_text));
						if (strchr(e.v[k].old_text, '\n'))
							__builtin_trap();
					}
				/* Text after an embedded NUL is not part of the file copy. */
				size_t before = count_lines(rf->text, rf->len);
				if (count_lines(t, n) != before + inserted && edited)
					__builtin_trap();
				free(t);
			}
			rd_edits_free(&e);
		}
	}
	rd_config_free(c);
	return 0;
}
