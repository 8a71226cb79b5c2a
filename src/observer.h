/* observer.h - how the engine talks outward (STYLE.md habit 2).
 *
 * The engine never prints and never prompts.  Everything a person might
 * see goes through these callbacks, which the CLI implements with stdio,
 * the TUI with windows and tests with a recorder.  Every member may be
 * NULL.  Text handed over is already escaped for display (base/escape.h)
 * and never contains a secret.
 */
#ifndef MS_OBSERVER_H
#define MS_OBSERVER_H

struct probe_result;
struct probe_step;

/* What a discovery source reports (discover/discover.h). */
enum ms_discover_event {
	DISCOVER_STARTED,
	DISCOVER_ANSWERED,   /* it named servers; detail says which */
	DISCOVER_NOTHING,    /* it asked and found nothing */
	DISCOVER_ERROR,      /* it could not ask or got a broken answer */
	DISCOVER_NOT_NEEDED, /* stopped: a more trusted source answered */
};

struct ms_observer {
	void *ctx;
	/* step: a probe step finished (ok or not). */
	void (*step)(void *ctx, const struct probe_result *r, const struct probe_step *s);
	/* transcript: one protocol line, dir '>' sent or '<' received,
	 * secrets replaced by "<redacted>", text escaped. */
	void (*transcript)(void *ctx, const struct probe_result *r, char dir, const char *text);
	/* discover: progress of one discovery source; source is its stable
	 * id ("ispdb"), label its translated name, detail escaped text. */
	void (*discover)(void *ctx, const char *source, const char *label,
	                 enum ms_discover_event ev, const char *detail);
};

#endif
