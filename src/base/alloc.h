/* alloc.h - allocation that never returns NULL.
 *
 * mailsetup is a short-lived program: when memory runs out there is nothing
 * sensible to recover, so these helpers abort() instead of making every
 * caller handle NULL.  Engine code never prints, so no message is written.
 */
#ifndef MS_ALLOC_H
#define MS_ALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
/* xstrndup: copy at most n bytes of s and terminate. */
char *xstrndup(const char *s, size_t n);
/* xasprintf: formatted string into fresh memory (caller frees). */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* secret_free: overwrite len bytes (strlen when len is 0) and free. */
void secret_free(char *s);

#endif
