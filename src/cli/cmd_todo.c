/* cmd_todo.c - commands of the DESIGN.md contract not built yet.
 *
 * They exist so that the command line is complete and scripts get a
 * clear answer (exit 2) instead of "unknown command"; each says that it
 * is not available in this version.  Nothing here pretends to work.
 */
#include "config.h"

#include "base/i18n.h"
#include "cli/cli.h"

static int not_yet(const char *cmd)
{
	fprintf(stderr, _("mailsetup %s: not available in this version yet\n"), cmd);
	return EXIT_USAGE;
}

int cmd_diagnose(int argc, char **argv)
{
	return not_yet("diagnose");
}

int cmd_discover(int argc, char **argv)
{
	return not_yet("discover");
}

