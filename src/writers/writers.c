/* writers.c - the table of output formats (one row per format). */
#include "config.h"

#include "writers/writers.h"

#include "base/i18n.h"

#include <string.h>

const struct writer writers[] = {
    {"text", N_("a settings sheet to copy into any mail client"), false, write_text, NULL},
    {"mutt", N_("muttrc snippet (mutt 2.x; neomutt reads it too)"), true, write_muttrc,
     write_muttrc_secret},
    {"neomutt", N_("neomuttrc snippet (the same text as mutt)"), true, write_muttrc,
     write_muttrc_secret},
    {"thunderbird", N_("Thunderbird prefs fragment (user.js) adding the account to a profile"),
     false, write_thunderbird_prefs, NULL},
    {"autoconfig", N_("Thunderbird autoconfig file (config-v1.1.xml)"), false, write_autoconfig,
     NULL},
    {"msmtp", N_("msmtprc account for sending with msmtp"), true, write_msmtp, write_msmtp_secret},
};

const size_t writers_count = sizeof writers / sizeof writers[0];

const struct writer *writer_find(const char *name)
{
	for (size_t i = 0; i < writers_count; i++)
		if (strcmp(writers[i].name, name) == 0)
			return &writers[i];
	return NULL;
}

void line_comment(struct buf *out, const char *prefix, const char *text)
{
	const char *p = text;
	while (*p) {
		size_t n = strcspn(p, "\n");
		buf_adds(out, prefix);
		buf_add(out, p, n);
		buf_addc(out, '\n');
		p += n;
		if (*p)
			p++;
	}
}
