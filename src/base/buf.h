/* buf.h - growable byte buffer.
 *
 * A buf owns its memory; data is always NUL-terminated after len bytes so
 * it can be handed to string functions (the NUL is not counted in len).
 * A zero-initialised struct buf is a valid empty buffer.
 */
#ifndef MS_BUF_H
#define MS_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *data;
	size_t len;
	size_t cap;
};

void buf_init(struct buf *b);
/* buf_free: release memory; buf_cleanse first overwrites it (secrets). */
void buf_free(struct buf *b);
void buf_cleanse(struct buf *b);
void buf_reset(struct buf *b);
void buf_add(struct buf *b, const void *data, size_t len);
void buf_adds(struct buf *b, const char *s);
void buf_addc(struct buf *b, char c);
void buf_addf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vaddf(struct buf *b, const char *fmt, va_list ap);
/* buf_consume: drop the first n bytes (n <= len). */
void buf_consume(struct buf *b, size_t n);
/* buf_steal: hand the string to the caller (never NULL) and empty b. */
char *buf_steal(struct buf *b);

#endif
