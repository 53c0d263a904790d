"""Django's own strings that its Simplified Chinese catalog lacks.

Listed here so that ``makemessages`` copies them into our catalog, whose
translations take precedence (settings.LOCALE_PATHS). The blank choice of
every model select (``BLANK_CHOICE_LABEL``) is the one users meet most.
"""

from django.utils.translation import gettext_noop

UPSTREAM_STRINGS = (gettext_noop("- Select an option -"),)
