/* wizard.c - the ncurses face.  For now a placeholder screen: the wizard
 * proper is its own issue.  It already restores the terminal on every
 * exit path and refuses to run without one. */
#include "config.h"

#include "base/i18n.h"
#include "cli/cli.h"

#include <curses.h>
#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	interrupted = sig;
}

int cmd_wizard(int argc, char **argv)
{
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, _("mailsetup: the wizard needs a terminal; for scripts use "
				  "'mailsetup probe', 'diagnose' or 'generate' (see --help)\n"));
		return EXIT_USAGE;
	}
	struct sigaction sa = {0};
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	initscr();
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	halfdelay(2);
	for (;;) {
		erase();
		int rows, cols;
		getmaxyx(stdscr, rows, cols);
		if (rows < 24 || cols < 80) {
			mvprintw(0, 0, _("mailsetup needs a terminal of at least 80x24 (now %dx%d)."),
				 cols, rows);
		} else {
			attron(A_BOLD);
			mvprintw(0, 1, "%s", _("mailsetup - new account"));
			attroff(A_BOLD);
			mvhline(1, 0, ACS_HLINE, cols);
			mvprintw(3, 2, "%s", _("The interactive wizard is not built yet."));
			mvprintw(5, 2, "%s", _("Today mailsetup can test a server from the command line:"));
			mvprintw(6, 4, "%s", "mailsetup probe --protocol imap --security tls imap.example.org");
			mvprintw(rows - 1, 1, "%s", _("Esc or q quit"));
		}
		refresh();
		int ch = getch();
		if (interrupted || ch == 27 || ch == 'q')
			break;
	}
	endwin();
	return interrupted ? 130 : EXIT_OK;
}
