/* test_lines.c - the line reader is bounded and exact, over a real socket. */
#include "config.h"

#include "base/loop.h"
#include "net/conn.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct rec {
	struct conn *c;
	int lines;
	int too_long;
	int failed;
	char last[128];
	size_t max;
	enum err_category cat;
};

static void on_event(void *arg, enum conn_event ev)
{
	struct rec *r = arg;
	if (ev == CONN_FAILED) {
		r->failed++;
		r->cat = r->c->err.cat;
		conn_close(r->c);
		return;
	}
	if (ev != CONN_DATA)
		return;
	struct buf line = {0};
	int k;
	while ((k = conn_take_line(r->c, &line, r->max)) == 1) {
		r->lines++;
		snprintf(r->last, sizeof r->last, "%s", line.data);
	}
	buf_free(&line);
	if (k < 0) {
		r->too_long++;
		conn_close(r->c);
	}
}

/* feed: write data to one end of a socketpair, close it, run the loop. */
static struct rec feed(const char *data, size_t len, size_t max, int timeout_ms)
{
	int sv[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	struct loop *l = loop_new();
	struct rec r = {0};
	r.max = max;
	r.c = conn_new(l, on_event, &r);
	conn_adopt(r.c, sv[0]);
	conn_expect(r.c, timeout_ms);
	size_t off = 0;
	while (off < len) {
		ssize_t n = write(sv[1], data + off, len - off > 65536 ? 65536 : len - off);
		if (n <= 0)
			break;
		off += (size_t)n;
		if (len > 65536) {
			/* let the reader drain so a big feed does not block */
			loop_run(l);
			break;
		}
	}
	if (timeout_ms == 0)
		close(sv[1]);
	loop_run(l);
	if (timeout_ms)
		close(sv[1]);
	loop_free(l);
	return r;
}

int main(void)
{
	plan(11);
	struct rec r = feed("* OK one\r\n* OK two\r\n", 20, 100, 0);
	is_int(r.lines, 2, "two CRLF lines are two lines");
	is_str(r.last, "* OK two", "CR LF is stripped");

	r = feed("+OK bare lf\n", 12, 100, 0);
	is_str(r.last, "+OK bare lf", "a bare LF ends a line too");

	r = feed("220 partial", 11, 100, 0);
	ok(r.lines == 0 && r.failed == 1 && r.cat == ERR_NETWORK,
	   "an unfinished line at EOF is no line, and EOF is reported");

	char big[300];
	memset(big, 'A', sizeof big);
	r = feed(big, sizeof big, 100, 0);
	is_int(r.too_long, 1, "300 bytes without a line end exceed a 100-byte limit");

	char exact[101];
	memset(exact, 'B', 100);
	exact[100] = '\n';
	r = feed(exact, sizeof exact, 100, 0);
	is_int(r.lines, 1, "a line of exactly the limit is accepted");

	char over[102];
	memset(over, 'C', 101);
	over[101] = '\n';
	r = feed(over, sizeof over, 100, 0);
	is_int(r.too_long, 1, "one byte over the limit is refused");

	/* 1 MB without a line end: refused, memory stays bounded. */
	size_t mb = 1024 * 1024;
	char *flood = malloc(mb);
	memset(flood, 'Z', mb);
	r = feed(flood, mb, 8192, 0);
	ok(r.too_long == 1 || r.failed == 1, "a 1 MB line is cut off, not buffered");
	free(flood);

	r = feed("", 0, 100, 300);
	ok(r.failed == 1 && r.cat == ERR_TIMEOUT, "silence past the deadline is a timeout");

	r = feed("* OK a\r\n\r\n* OK b\r\n", 18, 100, 0);
	is_int(r.lines, 3, "an empty line is a line");
	is_str(r.last, "* OK b", "lines come out in order");
	return done_testing();
}
