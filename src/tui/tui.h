/* tui.h - the small toolkit the wizard's screens are built from.
 *
 * Every screen has the same frame: a title line with "step N of M", a
 * rule, the body, and a one-line key bar at the bottom.  A terminal
 * smaller than TUI_MIN_COLS x TUI_MIN_ROWS shows only a request to make
 * it bigger, and the screen is drawn again after KEY_RESIZE.
 *
 * Ctrl-C and SIGTERM only set a flag; tui_check_signal(), called at
 * least every TUI_TICK_MS wherever the wizard waits (key reads and the
 * event loop's timer), restores the terminal and exits with 130.
 */
#ifndef MS_TUI_H
#define MS_TUI_H

#include <curses.h>
#include <stdbool.h>
#include <wchar.h>

#define TUI_MIN_COLS 80
#define TUI_MIN_ROWS 24
#define TUI_TICK_MS  100 /* signal checks and the spinner */
#define TUI_STEPS    6

/* tui_start / tui_end: curses on and off (tui_end is safe twice). */
void tui_start(void);
void tui_end(void);
/* tui_check_signal: after Ctrl-C or SIGTERM: restore, exit(130). */
void tui_check_signal(void);

/* tui_frame: clear and draw the frame; false (with the size message
 * drawn) when the terminal is too small for a body. */
bool tui_frame(const char *title, int step, const char *keys);
/* tui_put: text at (y, x), cut to at most maxw columns (UTF-8 aware);
 * returns the columns used. */
int tui_put(int y, int x, int maxw, const char *s);
/* tui_wrap: s word-wrapped into rows y.. of width w, at most maxrows;
 * returns the rows used. */
int tui_wrap(int y, int x, int w, int maxrows, const char *s);
/* tui_key: wait for a key (get_wch semantics: OK or KEY_CODE_YES),
 * checking signals every TUI_TICK_MS.  Never returns ERR. */
int tui_key(wint_t *ch);
/* tui_mark: check or cross for a step (ASCII without UTF-8);
 * tui_put_mark draws it in green or red where colours are on. */
const char *tui_mark(bool ok);
int tui_put_mark(int y, int x, bool ok);
/* Colours say nothing the text does not: they are off without colours
 * in the terminal or with NO_COLOR set (https://no-color.org), and
 * tui_tone then gives A_NORMAL. */
enum tui_tone { TUI_GOOD = 1, TUI_BAD, TUI_BUSY };
int tui_tone(enum tui_tone t);

/* Help.  tui_help_set names the help page of the screen being shown
 * (translated; text NULL: none); tui_key() then shows it on F1, and on ?
 * unless typing (? is text in a field).  Afterwards tui_key returns
 * KEY_RESIZE so that the caller draws its screen again.  tui_help shows
 * a page until a key (Up/Down scroll); paragraphs end in "\n\n". */
void tui_help_set(const char *title, const char *text, bool typing);
void tui_help(const char *title, const char *text);
/* tui_spinner: one frame of the busy animation. */
const char *tui_spinner(unsigned tick);

/* A form of labelled one-line fields (libform), one per row. */
struct tui_field {
	const char *label; /* translated */
	int width;         /* columns on screen */
};
/* tui_validate_fn: NULL if values are acceptable, else a message and
 * *bad the index of the field to put the cursor in. */
typedef const char *(*tui_validate_fn)(void *arg, char **values, int *bad);
enum tui_result { TUI_NEXT, TUI_BACK, TUI_OTHER /* F3: the screen's other way on */ };
/* tui_form: show the fields below the intro lines, values[] in and out
 * (malloc'ed, replaced on TUI_NEXT).  Enter submits after validate;
 * with other, F3 returns TUI_OTHER (values unchanged; the key bar says
 * what it does), else F3 does nothing. */
enum tui_result tui_form(const char *title, int step, const char *keys, const char *intro,
                         const struct tui_field *f, int n, char **values, tui_validate_fn validate,
                         void *arg, bool other);
/* tui_password: an echo-off field showing one '*' per character;
 * returns the secret (secret_free it) or NULL for Esc. */
char *tui_password(const char *title, int step, const char *prompt, const char *intro);

#endif
