"""Kazakh date and number formats (Django's kk locale ships none).

Dates follow CLDR's Kazakh pattern "y 'ж'. d MMMM": the year first, then the day and the month
in lower case, e.g. "2026 ж. 21 наурыз". Django's kk catalogue capitalises month names; our kk
catalogue lower-cases them (msgids "January" … "December"), as Kazakh writes them mid-sentence.
Numbers group thousands with a no-break space (U+00A0, as CLDR kk and Django's ru do), so a
figure never breaks across lines, and use a decimal comma: 1 234 567,5.
"""

DATE_FORMAT = "Y ж. j F"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "Y ж. j F, H:i"
YEAR_MONTH_FORMAT = "Y ж. F"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday

DATE_INPUT_FORMATS = [
    "%d.%m.%Y",  # '21.03.2026'
    "%d.%m.%y",  # '21.03.26'
    "%Y-%m-%d",  # '2026-03-21' (what <input type="date"> sends)
]
DATETIME_INPUT_FORMATS = [
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M:%S.%f",
    "%d.%m.%Y %H:%M",
    "%d.%m.%y %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",  # <input type="datetime-local">
]
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"  # no-break space
NUMBER_GROUPING = 3
