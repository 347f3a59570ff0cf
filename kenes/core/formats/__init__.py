"""Locale formats (FORMAT_MODULE_PATH): kk/formats.py; ru and en use Django's own.

The month names below are Django's own msgids. They are marked here so `makemessages` keeps them
in our catalogue, whose kk entries write the months in lower case ("21 наурыз"), as Kazakh does
inside a date; Django's kk catalogue capitalises them. Our catalogue takes precedence.
"""

from django.utils.translation import gettext_noop

MONTH_NAMES = (
    gettext_noop("January"),
    gettext_noop("February"),
    gettext_noop("March"),
    gettext_noop("April"),
    gettext_noop("May"),
    gettext_noop("June"),
    gettext_noop("July"),
    gettext_noop("August"),
    gettext_noop("September"),
    gettext_noop("October"),
    gettext_noop("November"),
    gettext_noop("December"),
)
