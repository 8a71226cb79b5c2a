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

struct ms_observer {
	void *ctx;
	/* step: a probe step finished (ok or not). */
	void (*step)(void *ctx, const struct probe_result *r, const struct probe_step *s);
	/* transcript: one protocol line, dir '>' sent or '<' received,
	 * secrets replaced by "<redacted>", text escaped. */
	void (*transcript)(void *ctx, const struct probe_result *r, char dir, const char *text);
};

#endif
