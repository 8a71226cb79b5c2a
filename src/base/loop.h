/* loop.h - the poll()-based event loop that runs many probes at once.
 *
 * A watch is a file descriptor (or -1 for a pure timer) with the poll
 * events wanted and an optional deadline.  When the fd becomes ready the
 * callback gets the poll revents; when the deadline passes first it gets
 * LOOP_TIMEOUT.  A watch stays registered until loop_del(); callbacks may
 * add, change and delete watches (their own included) freely.
 *
 * loop_run() returns when no watch is left.  Single-threaded; no signals.
 */
#ifndef MS_LOOP_H
#define MS_LOOP_H

#include <stdint.h>

#define LOOP_TIMEOUT     0x10000 /* passed as revents when the deadline passed */
#define LOOP_NO_DEADLINE INT64_MAX

struct loop;
typedef void (*loop_fn)(void *arg, int revents);

struct loop *loop_new(void);
void loop_free(struct loop *l);
/* loop_now_ms: monotonic clock in milliseconds. */
int64_t loop_now_ms(void);
/* loop_add: register a watch; returns its id (> 0). */
int loop_add(struct loop *l, int fd, short events, int64_t deadline_ms, loop_fn fn, void *arg);
/* loop_mod: change fd, events and deadline of a live watch. */
void loop_mod(struct loop *l, int id, int fd, short events, int64_t deadline_ms);
void loop_del(struct loop *l, int id);
/* loop_run: dispatch until no watch remains. */
void loop_run(struct loop *l);
/* loop_count: number of live watches. */
int loop_count(const struct loop *l);

#endif
