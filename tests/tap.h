/* tap.h - a tiny Test Anything Protocol emitter for unit test programs.
 *
 *   plan(N);  ok(cond, "what it proves %d", x);  is_str(got, want, "...");
 *   is_int(got, want, "..."); return done_testing();
 *
 * Output goes to stdout for automake's tap-driver.sh; diagnostics for a
 * failure go out as "# " comments.  Header-only, no dependencies.
 */
#ifndef MS_TAP_H
#define MS_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed, tap_planned;

static inline void plan(int n)
{
	tap_planned = n;
	printf("1..%d\n", n);
}

static inline int tap_vok(int cond, const char *fmt, va_list ap)
{
	tap_n++;
	printf("%sok %d - ", cond ? "" : "not ", tap_n);
	vprintf(fmt, ap);
	printf("\n");
	if (!cond)
		tap_failed++;
	fflush(stdout);
	return cond;
}

static inline int ok(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline int ok(int cond, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = tap_vok(cond, fmt, ap);
	va_end(ap);
	return r;
}

static inline int is_str(const char *got, const char *want, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static inline int is_str(const char *got, const char *want, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int same = got && want ? strcmp(got, want) == 0 : got == want;
	int r = tap_vok(same, fmt, ap);
	va_end(ap);
	if (!same)
		printf("#   got:  '%s'\n#   want: '%s'\n", got ? got : "(null)",
		       want ? want : "(null)");
	return r;
}

static inline int is_int(long got, long want, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static inline int is_int(long got, long want, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = tap_vok(got == want, fmt, ap);
	va_end(ap);
	if (got != want)
		printf("#   got:  %ld\n#   want: %ld\n", got, want);
	return r;
}

static inline int done_testing(void)
{
	if (tap_planned && tap_planned != tap_n)
		printf("# planned %d tests but ran %d\n", tap_planned, tap_n);
	if (!tap_planned)
		printf("1..%d\n", tap_n);
	return tap_failed || (tap_planned && tap_planned != tap_n) ? 1 : 0;
}

#endif
