#include "config.h"

#include "base/loop.h"

#include "base/alloc.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <time.h>

struct watch {
	int id; /* 0: free slot */
	int fd;
	short events;
	int64_t deadline;
	loop_fn fn;
	void *arg;
};

struct loop {
	struct watch *w;
	int n, cap;
	int next_id;
	struct pollfd *pfd;
	int *pfd_slot;
	int *pfd_id;
};

int64_t loop_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct loop *loop_new(void)
{
	struct loop *l = xcalloc(1, sizeof *l);
	l->next_id = 1;
	return l;
}

void loop_free(struct loop *l)
{
	if (!l)
		return;
	free(l->w);
	free(l->pfd);
	free(l->pfd_slot);
	free(l->pfd_id);
	free(l);
}

static struct watch *find(struct loop *l, int id)
{
	for (int i = 0; i < l->n; i++)
		if (l->w[i].id == id)
			return &l->w[i];
	return NULL;
}

int loop_add(struct loop *l, int fd, short events, int64_t deadline_ms, loop_fn fn, void *arg)
{
	int slot = -1;
	for (int i = 0; i < l->n; i++)
		if (l->w[i].id == 0) {
			slot = i;
			break;
		}
	if (slot < 0) {
		if (l->n == l->cap) {
			l->cap = l->cap ? 2 * l->cap : 16;
			l->w = xrealloc(l->w, (size_t)l->cap * sizeof *l->w);
			l->pfd = xrealloc(l->pfd, (size_t)l->cap * sizeof *l->pfd);
			l->pfd_slot = xrealloc(l->pfd_slot, (size_t)l->cap * sizeof *l->pfd_slot);
			l->pfd_id = xrealloc(l->pfd_id, (size_t)l->cap * sizeof *l->pfd_id);
		}
		slot = l->n++;
	}
	struct watch *w = &l->w[slot];
	w->id = l->next_id++;
	w->fd = fd;
	w->events = events;
	w->deadline = deadline_ms;
	w->fn = fn;
	w->arg = arg;
	return w->id;
}

void loop_mod(struct loop *l, int id, int fd, short events, int64_t deadline_ms)
{
	struct watch *w = find(l, id);
	if (!w)
		return;
	w->fd = fd;
	w->events = events;
	w->deadline = deadline_ms;
}

void loop_del(struct loop *l, int id)
{
	struct watch *w = find(l, id);
	if (w)
		w->id = 0;
}

int loop_count(const struct loop *l)
{
	int c = 0;
	for (int i = 0; i < l->n; i++)
		if (l->w[i].id)
			c++;
	return c;
}

void loop_run(struct loop *l)
{
	for (;;) {
		int np = 0;
		int64_t next = LOOP_NO_DEADLINE;
		int live = 0;
		for (int i = 0; i < l->n; i++) {
			struct watch *w = &l->w[i];
			if (!w->id)
				continue;
			live++;
			if (w->deadline < next)
				next = w->deadline;
			if (w->fd >= 0 && w->events) {
				l->pfd[np].fd = w->fd;
				l->pfd[np].events = w->events;
				l->pfd[np].revents = 0;
				l->pfd_slot[np] = i;
				l->pfd_id[np] = w->id;
				np++;
			}
		}
		if (!live)
			return;
		int timeout = -1;
		if (next != LOOP_NO_DEADLINE) {
			int64_t d = next - loop_now_ms();
			timeout = d < 0 ? 0 : d > 60000 ? 60000 : (int)d;
		}
		int r = poll(l->pfd, (nfds_t)np, timeout);
		if (r < 0 && errno != EINTR)
			abort(); /* EFAULT/EINVAL: a programming error */
		if (r < 0)
			continue;
		/* Callbacks may delete watches and reuse their slots while we
		 * dispatch: only deliver to the watch that was polled. */
		for (int k = 0; k < np; k++) {
			if (!l->pfd[k].revents)
				continue;
			struct watch *w = &l->w[l->pfd_slot[k]];
			if (w->id != l->pfd_id[k] || w->fd != l->pfd[k].fd)
				continue;
			w->fn(w->arg, l->pfd[k].revents);
		}
		int64_t now = loop_now_ms();
		for (int i = 0; i < l->n; i++) {
			struct watch *w = &l->w[i];
			if (w->id && w->deadline <= now) {
				int id = w->id;
				w->fn(w->arg, LOOP_TIMEOUT);
				/* A callback that neither moved nor removed its own
				 * deadline would fire forever: disarm it. */
				w = find(l, id);
				if (w && w->deadline <= now)
					w->deadline = LOOP_NO_DEADLINE;
			}
		}
	}
}
