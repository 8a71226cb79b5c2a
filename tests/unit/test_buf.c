/* test_buf.c - the growable buffer keeps its promises. */
#include "config.h"

#include "base/buf.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

int main(void)
{
	plan(8);
	struct buf b = {0};
	buf_adds(&b, "hello");
	is_str(b.data, "hello", "adds appends and terminates");
	buf_addf(&b, " %d %s", 42, "world");
	is_str(b.data, "hello 42 world", "addf formats in place");
	buf_consume(&b, 6);
	is_str(b.data, "42 world", "consume drops a prefix");
	is_int((long)b.len, 8, "length follows consume");
	for (int i = 0; i < 10000; i++)
		buf_addc(&b, 'x');
	is_int((long)b.len, 10008, "grows far past its first capacity");
	buf_consume(&b, 100000);
	is_int((long)b.len, 0, "consuming more than held empties it");
	buf_add(&b, "a\0b", 3);
	ok(b.len == 3 && memcmp(b.data, "a\0b", 3) == 0, "binary data with NUL is kept");
	char *s = buf_steal(&b);
	ok(b.data == NULL && b.len == 0, "steal leaves an empty buffer");
	free(s);
	buf_free(&b);
	return done_testing();
}
