/* i18n.h - gettext shorthands used by every layer. */
#ifndef MS_I18N_H
#define MS_I18N_H

#ifdef ENABLE_NLS
#include <libintl.h>
#define _(s) gettext(s)
#else
#define _(s) (s)
#endif
/* N_ marks a string for extraction without translating it here (tables). */
#define N_(s) (s)

#endif
