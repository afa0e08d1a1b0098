"""Dates, prices and the first day of the week in the active language (issue 21).

Babel's CLDR data formats them as the language writes them: "Dienstag, 3. März 2026" and
"45,00 €" in German, "Tuesday 3 March 2026" and "€45.00" in English. Times are "10:15"
in every language we ship, so templates keep Django's `|time:"H:i"`.

Values are shown in the zone a template would show them in: the active time zone (e-mails
render in the salon's), or the zone a value was put into with the `|local` filter.
"""

import re
from datetime import date, datetime
from decimal import Decimal

from babel import Locale
from babel.dates import format_date, format_skeleton
from babel.numbers import format_currency
from django.utils import translation
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]  # missing in django-stubs

# English dates in the British order ("Tuesday 3 March"); English prices as plain "en" writes
# them, so that a US salon's are "$45.00" and not en_GB's "US$45.00".
DATE_LOCALES = {"en": "en_GB"}
WEEKDAY = re.compile(r"E+")  # in a CLDR pattern (our languages quote no E)


def language() -> str:
    return (translation.get_language() or "en").split("-")[0]


def date_locale() -> Locale:
    """The CLDR locale that writes dates in the active language."""
    return Locale.parse(DATE_LOCALES.get(language(), language()))


def shown(value: date | datetime) -> date | datetime:
    """An aware datetime as a template would show it (Django's template_localtime)."""
    return template_localtime(value) if isinstance(value, datetime) else value


def long_date(value: date | datetime) -> str:
    """Tuesday, 3 March 2026 · Dienstag, 3. März 2026 · mardi 3 mars 2026."""
    return format_date(shown(value), "full", locale=date_locale())


def short_date(value: date | datetime) -> str:
    """Tue 3 Mar · Di., 3. März · mar. 3 mars."""
    return format_skeleton("MMMEd", shown(value), locale=date_locale())


def day_and_month(value: date | datetime) -> str:
    """Tuesday 3 March · Dienstag, 3. März · martes, 3 de marzo: a day in the coming weeks, where
    the year goes without saying (the language's "day, month and weekday", weekday in full)."""
    locale = date_locale()
    pattern = WEEKDAY.sub("EEEE", locale.datetime_skeletons["MMMMEd"].pattern)
    return format_date(shown(value), pattern, locale=locale)


def pattern_date(value: date | datetime, pattern: str) -> str:
    """A date by a fixed CLDR pattern in the active language's words: "EEE dd MMM" is "Tue 03 Mar"
    in English (as strftime's "%a %d %b"), "Di. 03 März" in German (the staff's compact tables)."""
    return format_date(shown(value), pattern, locale=language())


def money(amount: Decimal | int | str, currency: str) -> str:
    """45 GBP -> £45.00 in English, 45,00 £ in German; unknown codes stay codes (SEK 45.00)."""
    return format_currency(Decimal(amount), currency, locale=language())


def first_weekday() -> int:
    """The first day of the week where the language is written, 0 = Monday … 6 = Sunday."""
    return date_locale().first_week_day


def weekday_names() -> list[str]:
    """The days' short names in the order of a week where the language is written:
    Mon … Sun in English, Mo. … So. in German."""
    locale = date_locale()
    names = locale.days["format"]["abbreviated"]
    return [names[(locale.first_week_day + offset) % 7] for offset in range(7)]


def week_column(day: date) -> int:
    """The column (1-7) of `day` in a week that starts on the language's first day."""
    return (day.weekday() - first_weekday()) % 7 + 1
