/* slurp.h - read a whole file for a unit test (NULL if it cannot be
 * opened; caller frees).  Shared by the writer and safe-write tests. */
#ifndef MS_TEST_SLURP_H
#define MS_TEST_SLURP_H

#include "base/buf.h"

#include <stdio.h>

static inline char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	struct buf b = {0};
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	return buf_steal(&b);
}

#endif
