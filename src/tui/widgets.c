/* widgets.c - frame, text, keys, forms and the password field of the
 * wizard (tui.h). */
#include "config.h"

#include "base/alloc.h"
#include "base/i18n.h"
#include "face/face.h"
#include "tui/tui.h"

#include <form.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

static volatile sig_atomic_t interrupted;
static bool active;
static bool colors; /* the terminal has colours and NO_COLOR is not set */

/* The help of the screen being shown (tui_help_set). */
static const char *help_title, *help_text;
static bool help_typing;

static void on_signal(int sig)
{
	interrupted = sig;
}

void tui_start(void)
{
	struct sigaction sa = {0};
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	initscr();
	active = true;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	timeout(TUI_TICK_MS);
	curs_set(0);
	/* https://no-color.org: NO_COLOR set and not empty means no colour;
	 * the marks and words say everything the colours do. */
	const char *no_color = getenv("NO_COLOR");
	colors = has_colors() && !(no_color && *no_color);
	if (colors) {
		start_color();
		use_default_colors();
		init_pair(TUI_GOOD, COLOR_GREEN, -1);
		init_pair(TUI_BAD, COLOR_RED, -1);
		init_pair(TUI_BUSY, COLOR_YELLOW, -1);
	}
}

int tui_tone(enum tui_tone t)
{
	return colors ? (int)COLOR_PAIR(t) : A_NORMAL;
}

int tui_put_mark(int y, int x, bool ok)
{
	int a = tui_tone(ok ? TUI_GOOD : TUI_BAD);
	attron(a);
	int n = tui_put(y, x, 2, tui_mark(ok));
	attroff(a);
	return n;
}

void tui_end(void)
{
	if (active)
		endwin();
	active = false;
}

void tui_check_signal(void)
{
	if (!interrupted)
		return;
	tui_end();
	exit(130);
}

int tui_put(int y, int x, int maxw, const char *s)
{
	wchar_t w[512];
	mbstate_t st = {0};
	const char *p = s;
	size_t n = mbsrtowcs(w, &p, sizeof w / sizeof w[0] - 1, &st);
	if (n == (size_t)-1) { /* not in this locale: show it as ASCII */
		n = 0;
		for (const char *q = s; *q && n < sizeof w / sizeof w[0] - 1; q++)
			w[n++] = (unsigned char)*q < 0x80 ? (wchar_t)*q : L'?';
	}
	w[n] = 0;
	int total = 0;
	for (size_t k = 0; k < n; k++) {
		int cw = iswprint((wint_t)w[k]) ? wcwidth(w[k]) : 1;
		total += cw < 0 ? 1 : cw;
	}
	/* A text that does not fit ends in an ellipsis, so that a cut path
	 * or greeting is not taken for the whole of it. */
	bool cut = total > maxw && maxw > 1;
	int room = cut ? maxw - 1 : maxw, cols = 0;
	size_t k = 0;
	for (; k < n; k++) {
		int cw = iswprint((wint_t)w[k]) ? wcwidth(w[k]) : 1;
		if (cw < 0)
			cw = 1;
		if (cols + cw > room)
			break;
		if (!iswprint((wint_t)w[k]))
			w[k] = L'?';
		cols += cw;
	}
	if (cut)
		w[k++] = face_utf8() ? L'\u2026' : L'~', cols++;
	if (k)
		mvaddnwstr(y, x, w, (int)k);
	return cols;
}

/* fit: how many bytes of p, up to its line end, fill at most w columns:
 * cut before the last space that fits, or inside a word longer than the
 * line (at a character boundary; at least one character). */
static size_t fit(const char *p, int w)
{
	size_t line = strcspn(p, "\n"), best = 0, i = 0;
	int cols = 0;
	mbstate_t st = {0};
	while (i < line) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, p + i, line - i, &st);
		int cw = 1;
		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			memset(&st, 0, sizeof st);
			n = 1;
		} else if ((cw = wcwidth(wc)) < 0) {
			cw = 1;
		}
		if (cols + cw > w)
			return best ? best : i ? i : n;
		if (p[i] == ' ')
			best = i;
		cols += cw;
		i += n;
	}
	return line;
}

int tui_wrap(int y, int x, int w, int maxrows, const char *s)
{
	int rows = 0;
	const char *p = s;
	while (*p && rows < maxrows) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		size_t cut = fit(p, w);
		char *line = xstrndup(p, cut);
		tui_put(y + rows, x, w, line);
		free(line);
		rows++;
		p += cut;
		if (*p == '\n')
			p++;
	}
	return rows;
}

bool tui_frame(const char *title, int step, const char *keys)
{
	int rows, cols;
	erase();
	getmaxyx(stdscr, rows, cols);
	if (rows < TUI_MIN_ROWS || cols < TUI_MIN_COLS) {
		char msg[160];
		snprintf(msg, sizeof msg,
		         _("mailsetup needs a terminal of at least 80x24 (now %dx%d)."), cols,
		         rows);
		tui_wrap(0, 0, cols > 1 ? cols - 1 : 1, rows, msg);
		curs_set(0);
		return false;
	}
	attron(A_BOLD);
	tui_put(0, 1, cols - 20, title);
	attroff(A_BOLD);
	if (step > 0) {
		char s[64];
		snprintf(s, sizeof s, _("step %d of %d"), step, TUI_STEPS);
		tui_put(0, cols - 2 - face_width(s), 20, s);
	}
	mvhline(1, 0, ACS_HLINE, cols);
	attron(A_REVERSE);
	mvhline(rows - 1, 0, ' ', cols);
	tui_put(rows - 1, 1, cols - 2, keys);
	attroff(A_REVERSE);
	return true;
}

int tui_key(wint_t *ch)
{
	for (;;) {
		tui_check_signal();
		int rc = get_wch(ch);
		if (rc == ERR)
			continue;
		bool f1 = rc == KEY_CODE_YES && *ch == KEY_F(1);
		bool question = rc == OK && *ch == '?' && !help_typing;
		if (help_text && (f1 || question)) {
			tui_help(help_title, help_text);
			/* the caller draws its screen again */
			*ch = KEY_RESIZE;
			return KEY_CODE_YES;
		}
		return rc;
	}
}

void tui_help_set(const char *title, const char *text, bool typing)
{
	help_title = title;
	help_text = text;
	help_typing = typing;
}

/* help_rows: how many rows tui_help takes for text at width w (an empty
 * line between paragraphs counts). */
static int help_rows(const char *text, int w)
{
	int rows = 0;
	const char *p = text;
	while (*p) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		if (*p == '\n') { /* an empty line between paragraphs */
			rows++, p++;
			continue;
		}
		p += fit(p, w);
		if (*p == '\n')
			p++;
		rows++;
	}
	return rows;
}

/* help_skip: the text from its row `row` on (as help_rows counts). */
static const char *help_skip(const char *text, int w, int row)
{
	const char *p = text;
	for (int r = 0; r < row && *p; r++) {
		while (*p == ' ')
			p++;
		if (*p == '\n') {
			p++;
			continue;
		}
		p += fit(p, w);
		if (*p == '\n')
			p++;
	}
	return p;
}

void tui_help(const char *title, const char *text)
{
	int top = 0;
	for (;;) {
		int rows = LINES - 4, total = help_rows(text, 76);
		if (top > total - rows)
			top = total - rows;
		if (top < 0)
			top = 0;
		const char *keys =
		    total > rows ? _("Up/Down scroll   any other key: back") : _("any key: back");
		if (tui_frame(title, 0, keys)) {
			const char *p = help_skip(text, 76, top);
			int y = 3;
			while (*p && y < 3 + rows) {
				while (*p == ' ')
					p++;
				if (*p == '\n') {
					y++, p++;
					continue;
				}
				size_t cut = fit(p, 76);
				char *line = xstrndup(p, cut);
				tui_put(y++, 2, 76, line);
				free(line);
				p += cut;
				if (*p == '\n')
					p++;
			}
		}
		refresh();
		wint_t ch;
		int rc;
		do {
			tui_check_signal();
			rc = get_wch(&ch);
		} while (rc == ERR);
		if (rc == KEY_CODE_YES && ch == KEY_RESIZE)
			continue;
		if (rc == KEY_CODE_YES && (ch == KEY_DOWN || ch == KEY_NPAGE)) {
			top += ch == KEY_DOWN ? 1 : rows;
			continue;
		}
		if (rc == KEY_CODE_YES && (ch == KEY_UP || ch == KEY_PPAGE)) {
			top -= ch == KEY_UP ? 1 : rows;
			continue;
		}
		if (rc == OK && (ch == 'j' || ch == ' ')) {
			top += ch == 'j' ? 1 : rows;
			continue;
		}
		if (rc == OK && ch == 'k') {
			top--;
			continue;
		}
		return;
	}
}

const char *tui_mark(bool ok)
{
	if (face_utf8())
		return ok ? "\xe2\x9c\x93" : "\xe2\x9c\x97";
	return ok ? "+" : "x";
}

const char *tui_spinner(unsigned tick)
{
	static const char *const braille[] = {
	    "\xe2\xa0\x8b", "\xe2\xa0\x99", "\xe2\xa0\xb9", "\xe2\xa0\xb8", "\xe2\xa0\xbc",
	    "\xe2\xa0\xb4", "\xe2\xa0\xa6", "\xe2\xa0\xa7", "\xe2\xa0\x87", "\xe2\xa0\x8f"};
	static const char *const ascii[] = {"|", "/", "-", "\\"};
	if (face_utf8())
		return braille[tick % 10];
	return ascii[tick % 4];
}

/* ---- forms ---------------------------------------------------------------- */

#define FORM_LABEL_X    2
#define FORM_FIELD_X    22
#define FORM_MAX_FIELDS 12
#define FIELD_MAX_CHARS 254 /* an address is at most 254 octets (RFC 5321) */

static char *trimmed(const char *s)
{
	while (*s == ' ')
		s++;
	size_t n = strlen(s);
	while (n && s[n - 1] == ' ')
		n--;
	return xstrndup(s, n);
}

enum tui_result tui_form(const char *title, int step, const char *keys, const char *intro,
                         const struct tui_field *spec, int n, char **values,
                         tui_validate_fn validate, void *arg, bool other)
{
	FIELD *fields[FORM_MAX_FIELDS + 1];
	if (n > FORM_MAX_FIELDS)
		n = FORM_MAX_FIELDS;
	for (int i = 0; i < n; i++) {
		fields[i] = new_field(1, spec[i].width, i, 0, 0, 0);
		set_field_back(fields[i], A_UNDERLINE);
		field_opts_off(fields[i], O_AUTOSKIP | O_STATIC | O_BLANK);
		set_max_field(fields[i], FIELD_MAX_CHARS);
		set_field_buffer(fields[i], 0, values[i] ? values[i] : "");
	}
	fields[n] = NULL;
	FORM *form = new_form(fields);
	WINDOW *sub = NULL;
	const char *message = NULL;
	enum tui_result res = TUI_BACK;
	bool posted = false, redraw = true, ok_size = false;
	int intro_rows = 0;
	for (;;) {
		if (redraw) {
			if (posted)
				unpost_form(form);
			posted = false;
			if (sub)
				delwin(sub);
			sub = NULL;
			ok_size = tui_frame(title, step, keys);
			if (ok_size) {
				int y = 3;
				for (int i = 0; i < n; i++)
					tui_put(y + i, FORM_LABEL_X,
					        FORM_FIELD_X - FORM_LABEL_X - 1, spec[i].label);
				intro_rows = intro ? tui_wrap(y + n + 1, 2, 76, 8, intro) : 0;
				if (message) {
					attron(A_BOLD | tui_tone(TUI_BAD));
					tui_wrap(y + n + 2 + intro_rows, 2, 76, 3, message);
					attroff(A_BOLD | tui_tone(TUI_BAD));
				}
				sub = derwin(stdscr, n, 80 - FORM_FIELD_X - 1, y, FORM_FIELD_X);
				set_form_win(form, stdscr);
				set_form_sub(form, sub);
				post_form(form);
				posted = true;
				/* posting puts the cursor at the start: keep typing at the end */
				form_driver(form, REQ_END_FIELD);
				curs_set(1);
				pos_form_cursor(form);
			}
			refresh();
			redraw = false;
		}
		wint_t ch;
		int rc = tui_key(&ch);
		if (rc == KEY_CODE_YES && ch == KEY_F(3)) {
			if (!other)
				continue;
			res = TUI_OTHER; /* the screen's other way on (its key bar says) */
			break;
		}
		if (rc == KEY_CODE_YES) {
			switch (ch) {
			case KEY_RESIZE:
				redraw = true;
				continue;
			case KEY_ENTER:
				goto submit;
			case KEY_LEFT:
				form_driver(form, REQ_LEFT_CHAR);
				break;
			case KEY_RIGHT:
				form_driver(form, REQ_RIGHT_CHAR);
				break;
			case KEY_HOME:
				form_driver(form, REQ_BEG_FIELD);
				break;
			case KEY_END:
				form_driver(form, REQ_END_FIELD);
				break;
			case KEY_UP:
			case KEY_BTAB:
				form_driver(form, REQ_PREV_FIELD);
				form_driver(form, REQ_END_FIELD);
				break;
			case KEY_DOWN:
				form_driver(form, REQ_NEXT_FIELD);
				form_driver(form, REQ_END_FIELD);
				break;
			case KEY_BACKSPACE:
				form_driver(form, REQ_DEL_PREV);
				break;
			case KEY_DC:
				form_driver(form, REQ_DEL_CHAR);
				break;
			default:
				break;
			}
		} else if (ch == 27) {
			res = TUI_BACK;
			break;
		} else if (ch == '\r' || ch == '\n') {
			goto submit;
		} else if (ch == '\t') {
			form_driver(form, REQ_NEXT_FIELD);
			form_driver(form, REQ_END_FIELD);
		} else if (ch == 127 || ch == 8) {
			form_driver(form, REQ_DEL_PREV);
		} else if (ch == 21) { /* Ctrl-U */
			form_driver(form, REQ_CLR_FIELD);
		} else if (iswprint(ch)) {
			form_driver_w(form, OK, (wchar_t)ch);
		}
		if (ok_size) {
			/* What is typed lives in the form's window until a
			 * validation moves it into the field buffer.  Do it
			 * now: on KEY_RESIZE curses has already cut the window
			 * to the new size, and the current field would be lost
			 * or truncated with it. */
			form_driver(form, REQ_VALIDATION);
			pos_form_cursor(form);
			refresh();
		}
		continue;
	submit:
		if (!ok_size)
			continue;
		/* REQ_VALIDATION moves what was typed into the field buffer. */
		form_driver(form, REQ_VALIDATION);
		char *got[FORM_MAX_FIELDS];
		for (int i = 0; i < n; i++)
			got[i] = trimmed(field_buffer(fields[i], 0));
		int bad = 0;
		message = validate ? validate(arg, got, &bad) : NULL;
		if (!message) {
			for (int i = 0; i < n; i++) {
				free(values[i]);
				values[i] = got[i];
			}
			res = TUI_NEXT;
			break;
		}
		for (int i = 0; i < n; i++)
			free(got[i]);
		if (bad >= 0 && bad < n)
			set_current_field(form, fields[bad]);
		redraw = true;
	}
	if (posted)
		unpost_form(form);
	free_form(form);
	for (int i = 0; i < n; i++)
		free_field(fields[i]);
	if (sub)
		delwin(sub);
	curs_set(0);
	return res;
}

/* ---- the password --------------------------------------------------------- */

#define PASSWORD_MAX 1024

char *tui_password(const char *title, int step, const char *prompt, const char *intro)
{
	/* Our own buffer rather than a libform field: it is never echoed
	 * and can be cleansed. */
	char *pw = xcalloc(1, PASSWORD_MAX + 8);
	size_t len = 0, chars = 0;
	bool redraw = true;
	for (;;) {
		if (redraw) {
			if (tui_frame(title, step,
			              _("Enter test   F1 help   Esc back   (the password is not "
			                "shown)"))) {
				tui_put(3, 2, 76, prompt);
				int rows = intro ? tui_wrap(7, 2, 76, 8, intro) : 0;
				(void)rows;
				mvaddstr(5, 2, _("Password"));
				mvhline(5, FORM_FIELD_X, '_', 40);
				for (size_t i = 0; i < chars && i < 40; i++)
					mvaddch(5, FORM_FIELD_X + (int)i, '*');
				move(5, FORM_FIELD_X + (int)(chars < 40 ? chars : 40));
				curs_set(1);
			}
			refresh();
			redraw = false;
		}
		wint_t ch;
		int rc = tui_key(&ch);
		if (rc == KEY_CODE_YES) {
			if (ch == KEY_RESIZE)
				redraw = true;
			else if (ch == KEY_BACKSPACE)
				goto backspace;
			else if (ch == KEY_ENTER)
				break;
			continue;
		}
		if (ch == 27) {
			secret_free(pw);
			curs_set(0);
			return NULL;
		}
		if (ch == '\r' || ch == '\n')
			break;
		if (ch == 127 || ch == 8) {
		backspace:
			if (len) {
				/* drop one UTF-8 character */
				do
					pw[--len] = 0;
				while (len && ((unsigned char)pw[len] & 0xc0) == 0x80);
				chars--;
			}
			redraw = true;
			continue;
		}
		if (ch == 21) { /* Ctrl-U */
			memset(pw, 0, PASSWORD_MAX);
			len = chars = 0;
			redraw = true;
			continue;
		}
		if (!iswprint(ch))
			continue;
		char mb[MB_LEN_MAX];
		mbstate_t st = {0};
		size_t k = wcrtomb(mb, (wchar_t)ch, &st);
		if (k == (size_t)-1 || len + k > PASSWORD_MAX)
			continue;
		memcpy(pw + len, mb, k);
		memset(mb, 0, sizeof mb);
		len += k;
		chars++;
		redraw = true;
	}
	curs_set(0);
	return pw;
}
