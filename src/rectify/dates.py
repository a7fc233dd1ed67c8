"""Dates as people type them, and the one clock.

``now()`` is the only place the project reads the clock. Setting
``RECTIFY_NOW`` (``2026-11-25T09:30:00`` or ``2026-11-25``) fixes it, for
tests and for replaying a day.

``parse_date`` turns what a person types into a ``date`` and refuses anything
it would have to guess. Input is NFKC-normalised (full-width digits and
punctuation become ASCII), lower-cased and stripped; a leading ``截至``,
``截止``, ``截止到`` or ``by`` and a trailing ``前``, ``之前`` or ``以前`` are
ignored (so ``3天前``, "three days ago", is refused rather than misread).

Absolute forms
    ``2026-12-31``, ``2026/12/31``, ``2026.12.31``, ``2026-1-5``, ``20261231``;
    ``2026年12月31日`` (or ``号``, or Chinese numerals: ``二〇二六年十二月三十一日``);
    ``12月31日`` (this year), ``明年3月1日``, ``15号`` (this month), ``下月5号``;
    English month names: ``31 Dec 2026``, ``Dec 31, 2026``, ``December 31st``
    (no year means this year), optionally with a matching weekday.
    A month alone means its last day: ``2027-01``, ``2027年1月``, ``2027年6月底``,
    ``6月底`` (this year), ``Jan 2027``.
    Periods as ledgers write them mean their last day: ``2026年底`` /
    ``2026年年底`` / ``end of 2026``; ``2026年第四季度`` / ``2026年四季度末`` /
    ``第3季度`` (this year) / ``2026 Q4``; ``2027年上半年`` / ``下半年`` /
    ``2027 H1``. (``中旬``, a third of a month, is still refused: it names no day.)
    Numeric day/month forms (``03/04/2026``, ``12/31``) are ambiguous: refused.

Relative forms
    ``today``, ``tomorrow``, ``yesterday``; ``+3d``, ``3d``, ``3 days``,
    ``in 2 weeks``, ``-3d``, ``3 days ago``; units d, w, m (calendar months),
    y (calendar years). Adding months clamps to the month's end: Jan 31 + 1m
    is the last day of February.
    ``eow`` (Sunday: an ISO week runs Monday to Sunday), ``eom``, ``eoq``,
    ``eoy``, also spelled ``end of month`` etc.
    ``friday`` / ``fri``: the first Friday strictly after today.
    ``this friday``: the Friday of this ISO week (possibly already past).
    ``next friday``: the Friday of next ISO week; ``last friday``: of the last.
    ``今天`` ``明天`` ``后天`` ``大后天`` ``昨天`` ``前天``; ``3天后``, ``三天后``,
    ``10天内`` (today + 10), ``两周后``, ``一个月后``, ``半年后``, ``2年后``.
    ``周五`` / ``本周五`` / ``这周五`` / ``星期五`` / ``礼拜五``: this ISO week's
    Friday (unlike English ``friday``); ``下周五``: next ISO week's; ``上周五``:
    last ISO week's; ``下下周五`` / ``上上周五``: two weeks on or back (and
    ``下下个月底``, ``下下季度末``); ``周日`` / ``周天`` / ``星期天`` mean Sunday.
    ``周末`` / ``本周末``: this Sunday; ``月底`` / ``月末`` / ``下个月底``;
    ``季末`` / ``季度末`` / ``下季度末``; ``年底`` / ``年末`` / ``明年底``.

Dates outside the years MIN_YEAR..MAX_YEAR (1900-01-01 to 2999-12-31) are
refused: by the parser, by the imports (``in_range``), and for the clock
itself, so that every date a command derives from today (a week, a trend,
a band's horizon) stays within what Python and SQLite can count.

``parse_duration_days`` reads ``7``, ``7d``, ``2w``, ``1m`` (30 days), ``1y``
(365 days), ``7天``, ``2周``, ``两周``, ``1个月``; ``iso_week`` reads
``2026-W48``, ``2026W48``, ``2026年第48周``, ``this week``, ``本周``, ``下周``,
``下下周`` or any date, and gives the Monday and Sunday of that ISO week.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, timedelta

from rectify.errors import DateError
from rectify.i18n import _, is_zh, ngettext

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    _Handler = Callable[[re.Match[str], date], date]

MIN_YEAR = 1900
MAX_YEAR = 2999
MIN_DATE = date(MIN_YEAR, 1, 1)
MAX_DATE = date(MAX_YEAR, 12, 31)
MAX_LENGTH = 100

__all__ = [
    "MAX_DATE",
    "MAX_YEAR",
    "MIN_DATE",
    "MIN_YEAR",
    "check_range",
    "days_late",
    "format_date",
    "in_range",
    "iso_week",
    "now",
    "parse_date",
    "parse_duration_days",
    "show_date",
    "show_day",
    "show_late",
    "show_time",
    "timestamp",
    "today",
]


def in_range(value: date | datetime) -> bool:
    """Whether a date (or a moment's day) is within the supported range."""
    day = value.date() if isinstance(value, datetime) else value
    return MIN_DATE <= day <= MAX_DATE


def range_text() -> str:
    return f"{format_date(MIN_DATE)}..{format_date(MAX_DATE)}"


# The clock


# A moment the clock is held at for a block of code (``held_at``), in place of
# RECTIFY_NOW: how the demo plays its story at past moments. A context
# variable, so it holds only for the code inside the block.
_held: ContextVar[datetime | None] = ContextVar("rectify_clock_held", default=None)


@contextmanager
def held_at(moment: datetime) -> Iterator[None]:
    """Hold the clock at ``moment`` while the block runs (``now`` and
    ``today`` read it; the ledger's events are stamped with it)."""
    token = _held.set(moment.replace(microsecond=0))
    try:
        yield
    finally:
        _held.reset(token)


def now() -> datetime:
    """The current local time, naive, to the second; ``RECTIFY_NOW`` overrides it.
    A clock outside the supported range is refused: nothing would be counted right."""
    held = _held.get()
    if held is not None:
        return _in_range_clock(held, _("the clock"))
    raw = os.environ.get("RECTIFY_NOW", "").strip()
    if not raw:
        return _in_range_clock(datetime.now().replace(microsecond=0), _("the system clock"))
    try:
        value = datetime.fromisoformat(raw)
        if value.tzinfo is not None:
            value = value.astimezone().replace(tzinfo=None)
    except (ValueError, OverflowError):
        raise DateError(
            _("RECTIFY_NOW={value!r} is not a date or time; use, e.g., 2026-11-25T09:30:00 or 2026-11-25.").format(
                value=raw
            )
        ) from None
    return _in_range_clock(value.replace(microsecond=0), f"RECTIFY_NOW={raw!r}")


def _in_range_clock(value: datetime, source: str) -> datetime:
    if not in_range(value):
        raise DateError(_("The clock ({source}) reads {time}, outside the dates rectify supports ({range}).").format(
            source=source, time=value.isoformat(), range=range_text()))
    return value


def today() -> date:
    return now().date()


def timestamp() -> str:
    return now().isoformat(timespec="seconds")


def format_date(d: date | None) -> str:
    """ISO 8601, for files and programs: the same in every language."""
    return "" if d is None else d.isoformat()


# Dates for people: the one place output chooses how a date reads. English
# keeps ISO 8601 (2026-12-31); Chinese reads 2026年12月31日, and in tables
# 12月31日(周四), the year dropped when it is this year's. JSON never uses these.

_ZH_WEEKDAYS = "一二三四五六日"


def _as_date(value: date | datetime | str | None) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def day_or_none(value: object) -> date | None:
    """A stored date (or a moment's day), or None when there is none or the
    stored text is not a date (a damaged ledger: `rectify check` names it)."""
    try:
        return _as_date(value)  # type: ignore[arg-type]
    except ValueError:
        return None


def moment_or_none(value: object) -> datetime | None:
    """A stored moment, or None when there is none or it is not a time."""
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _as_stored(value: object) -> str:
    """A stored date or time that is not one (a damaged or hand-edited
    ledger): shown as it is, escaped, rather than failing the command."""
    from rectify.text import printable

    return printable(value, newlines=False)


def _zh_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def sheet_date(d: date, lang: str) -> str:
    """A date as a sheet in ``lang`` writes it, whatever language rectify
    speaks: ``2026年12月31日`` in a Chinese sheet, ``2026-12-31`` in an English one."""
    return _zh_date(d) if lang == "zh" else d.isoformat()


def _shown_day(value: date | datetime | str | None, show: Callable[[date], str]) -> str:
    """``show`` of the day ``value`` names: a value that names no day as it
    was stored, none as nothing."""
    try:
        d = _as_date(value)
    except ValueError:
        return _as_stored(value)
    return "" if d is None else show(d)


def show_date(value: date | datetime | str | None) -> str:
    """A date in a sentence: ``2026-12-31``, or ``2026年12月31日`` in Chinese."""
    return _shown_day(value, lambda d: _zh_date(d) if is_zh() else d.isoformat())


_EN_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def show_date_weekday(value: date | datetime | str | None) -> str:
    """A date a command resolved, with its weekday, to confirm it: ``Fri
    2026-12-31``, or ``2026年12月31日（星期五）`` in Chinese."""

    def show(d: date) -> str:
        if is_zh():
            return f"{_zh_date(d)}（星期{_ZH_WEEKDAYS[d.weekday()]}）"
        return f"{_EN_DAY_NAMES[d.weekday()]} {d.isoformat()}"

    return _shown_day(value, show)


def show_day(value: date | datetime | str | None, today: date | None = None, *, weekday: bool = True,
             compact: bool = False) -> str:
    """A date in a table: ``2026-12-31``, or in Chinese ``12月31日(周四)`` this
    year (``12月31日`` without the weekday) and ``2027年1月5日`` in another
    (``2027.1.5`` when ``compact``, for a narrow terminal)."""

    def show(d: date) -> str:
        if not is_zh():
            return d.isoformat()
        if d.year != (today or now().date()).year:
            return f"{d.year}.{d.month}.{d.day}" if compact else _zh_date(d)
        day = f"{d.month}月{d.day}日"
        return f"{day}(周{_ZH_WEEKDAYS[d.weekday()]})" if weekday else day

    return _shown_day(value, show)


def show_time(value: datetime | str | None) -> str:
    """A moment to the minute: ``2026-11-25 09:30``, or ``2026年11月25日 09:30``."""
    if value is None or value == "":
        return ""
    try:
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError:
        return _as_stored(value)
    clock = moment.strftime("%H:%M")
    return f"{_zh_date(moment.date())} {clock}" if is_zh() else f"{moment.date().isoformat()} {clock}"


def days_late(due: date | str | None, today: date | None = None) -> int:
    """Whole days past the deadline (0 when not yet due or no deadline)."""
    try:
        d = _as_date(due)
    except ValueError:  # a damaged stored value: `rectify check` names it
        return 0
    if d is None:
        return 0
    return max(0, ((today or now().date()) - d).days)


def show_late(days: int) -> str:
    """``overdue by 3 days``, or ``逾期3天`` in Chinese."""
    return ngettext("overdue by {n} day", "overdue by {n} days", days).format(n=days)


def show_week(week: str, *, short: bool = False) -> str:
    """An ISO week ``2026-W46`` as people say it: ``2026-W46`` in English,
    ``2026年第46周`` in Chinese (``第46周`` when ``short``)."""
    if not is_zh():
        return week
    year, _sep, number = week.partition("-W")
    return f"第{int(number)}周" if short else f"{year}年第{int(number)}周"


# Failures a rule can signal; parse_date turns each into a DateError.


class _Unreadable(Exception):
    pass


class _Ambiguous(Exception):
    pass


class _WeekdayMismatch(Exception):
    pass


def _unreadable_message(text: object) -> str:
    return _(
        "Cannot read the date {text!r}. Try, e.g., 2026-12-31, +3d, eom, next friday, 31 Dec 2026."
    ).format(text=text)


def _quote(text: object) -> str:
    shown = str(text)
    return shown if len(shown) <= 40 else shown[:40] + "..."


# Calendar arithmetic


def _month_end(year: int, month: int) -> date:
    if month == 12:
        return date(year, 12, 31)
    return date(year, month + 1, 1) - timedelta(days=1)


def _add_months(d: date, months: int) -> date:
    years, month0 = divmod(d.month - 1 + months, 12)
    year = d.year + years
    if not 1 <= year <= 9999:
        raise OverflowError(year)
    end = _month_end(year, month0 + 1)
    return end.replace(day=min(d.day, end.day))


def _shift(d: date, count: int, unit: str) -> date:
    """Move ``count`` units from ``d``; unit is d, w, m or y."""
    if unit == "d":
        return d + timedelta(days=count)
    if unit == "w":
        return d + timedelta(weeks=count)
    return _add_months(d, count * (12 if unit == "y" else 1))


def _monday(d: date) -> date:
    return d - timedelta(days=d.weekday())


def _quarter_end(d: date) -> date:
    return _month_end(d.year, (d.month - 1) // 3 * 3 + 3)


def _period_end(d: date, period: str) -> date:
    if period == "w":
        return _monday(d) + timedelta(days=6)
    if period == "m":
        return _month_end(d.year, d.month)
    if period == "q":
        return _quarter_end(d)
    return date(d.year, 12, 31)


# Numbers, Arabic or Chinese

_CN_DIGITS = {
    "〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip


def _number(s: str) -> int:
    """``12``, ``两``, ``十``, ``十五``, ``二十``, ``三十一`` -> int."""
    if s.isascii():
        return int(s)
    tens, ten, ones = s.partition("十")
    if not ten:
        if len(s) != 1:
            raise _Unreadable(s)
        return _CN_DIGITS[s]
    # 十十, 一十二十, 两十, 零十: each side is at most one plain digit.
    if len(tens) > 1 or len(ones) > 1 or any(c not in _CN_DIGITS or c == "两" for c in tens + ones):
        raise _Unreadable(s)
    if tens in ("〇", "零"):
        raise _Unreadable(s)
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)


def _year(s: str) -> int:
    """``2026`` or ``二〇二六`` / ``二零二六``."""
    if s.isascii():
        return int(s)
    return int("".join(str(_CN_DIGITS[c]) for c in s))


# The rule table: a pattern (matched against the whole normalised text) and
# the handler that turns its match into a date, given today. Patterns are
# compiled on first use, to keep the import cheap.

_RULE_SOURCES: list[tuple[str, _Handler]] = []
_RULES: list[tuple[re.Pattern[str], _Handler]] = []


def _rule(*patterns: str) -> Callable[[_Handler], _Handler]:
    def register(handler: _Handler) -> _Handler:
        _RULE_SOURCES.extend((p, handler) for p in patterns)
        return handler

    return register


def _rules() -> list[tuple[re.Pattern[str], _Handler]]:
    if not _RULES:
        _RULES.extend((re.compile(p, re.ASCII), handler) for p, handler in _RULE_SOURCES)
    return _RULES


_NUM = r"([0-9]{1,5}|[一二两三四五六七八九十]{1,3})"
_MD = r"([0-9]{1,2}|[一二三四五六七八九十]{1,3})"
_YEAR = r"([0-9]{4}|[〇零一二三四五六七八九]{4})"
_AFTER = r"(?:后|後|以后|以後|之后|之後)"
_WITHIN = r"(?:内|內|以内|以內|之内|之內)"
_THIS_NEXT_LAST = r"(?:(本|这|這|下下|上上|下|上)个?)?"
_WEEK_WORD = r"(?:周|週|星期|礼拜|禮拜)"

_EN_UNITS = r"(d|days?|w|wks?|weeks?|m|mos?|months?|y|yrs?|years?)"
_EN_WEEKDAYS = {
    "mon": 0, "monday": 0, "tue": 1, "tues": 1, "tuesday": 1,
    "wed": 2, "wednesday": 2, "thu": 3, "thur": 3, "thurs": 3, "thursday": 3,
    "fri": 4, "friday": 4, "sat": 5, "saturday": 5, "sun": 6, "sunday": 6,
}  # fmt: skip
_EN_MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3,
    "apr": 4, "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7,
    "aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9,
    "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}  # fmt: skip
_CN_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_CN_SHIFT = {None: 0, "本": 0, "这": 0, "這": 0, "下": 1, "上": -1, "下下": 2, "上上": -2}
_CN_YEAR_SHIFT = {None: 0, "今": 0, "本": 0, "明": 1, "去": -1}
_CN_UNITS = {
    "天": "d", "日": "d", "周": "w", "週": "w", "星期": "w", "个星期": "w",
    "礼拜": "w", "个礼拜": "w", "禮拜": "w", "个月": "m", "個月": "m", "年": "y",
}  # fmt: skip
_CN_RELATIVE_DAYS = {
    "今天": 0, "今日": 0, "明天": 1, "明日": 1, "后天": 2, "後天": 2,
    "大后天": 3, "大後天": 3, "昨天": -1, "昨日": -1, "前天": -2,
}  # fmt: skip


@_rule(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})", r"(\d{4})()(\d{2})(\d{2})")
def _iso(m: re.Match[str], base: date) -> date:
    return date(int(m[1]), int(m[3]), int(m[4]))


@_rule(r"(\d{4})[-/.](\d{1,2})")
def _iso_month(m: re.Match[str], base: date) -> date:
    return _month_end(int(m[1]), int(m[2]))


@_rule(r"\d{1,2}[-/.]\d{1,2}(?:[-/.]\d{1,4})?")
def _numeric_day_month(m: re.Match[str], base: date) -> date:
    raise _Ambiguous


@_rule(r"today|tomorrow|yesterday")
def _en_day(m: re.Match[str], base: date) -> date:
    return base + timedelta(days={"today": 0, "tomorrow": 1, "yesterday": -1}[m[0]])


@_rule(
    rf"(?:in )?(\+?)(\d{{1,5}}) ?{_EN_UNITS}(?: later| from now)?()",
    rf"(-)(\d{{1,5}}) ?{_EN_UNITS}()",
    rf"()(\d{{1,5}}) ?{_EN_UNITS} (ago)",
)
def _en_offset(m: re.Match[str], base: date) -> date:
    count = int(m[2]) * (-1 if m[1] == "-" or m[4] else 1)
    return _shift(base, count, m[3][0])


@_rule(r"eo([wmqy])", r"end of (?:the |this )?(week|month|quarter|year)")
def _en_period_end(m: re.Match[str], base: date) -> date:
    return _period_end(base, m[1][0])


@_rule(rf"(?:(this|next|last) )?({'|'.join(_EN_WEEKDAYS)})")
def _en_weekday(m: re.Match[str], base: date) -> date:
    weekday = _EN_WEEKDAYS[m[2]]
    if m[1] is None:
        return base + timedelta(days=(weekday - base.weekday()) % 7 or 7)
    weeks = {"this": 0, "next": 1, "last": -1}[m[1]]
    return _monday(base) + timedelta(days=7 * weeks + weekday)


@_rule("|".join(_CN_RELATIVE_DAYS))
def _cn_day(m: re.Match[str], base: date) -> date:
    return base + timedelta(days=_CN_RELATIVE_DAYS[m[0]])


@_rule(
    rf"{_NUM}({'|'.join(sorted(_CN_UNITS, key=len, reverse=True))})(?:{_AFTER}|{_WITHIN})",
    rf"(半)(年)(?:{_AFTER}|{_WITHIN})",
)
def _cn_offset(m: re.Match[str], base: date) -> date:
    if m[1] == "半":
        return _shift(base, 6, "m")
    return _shift(base, _number(m[1]), _CN_UNITS[m[2]])


@_rule(rf"{_THIS_NEXT_LAST}{_WEEK_WORD}([一二三四五六日天])", rf"{_THIS_NEXT_LAST}{_WEEK_WORD}(末)")
def _cn_weekday(m: re.Match[str], base: date) -> date:
    weekday = 6 if m[2] == "末" else _CN_WEEKDAYS[m[2]]
    return _monday(base) + timedelta(days=7 * _CN_SHIFT[m[1]] + weekday)


@_rule(rf"{_THIS_NEXT_LAST}月[底末]")
def _cn_month_end(m: re.Match[str], base: date) -> date:
    return _period_end(_add_months(base, _CN_SHIFT[m[1]]), "m")


@_rule(rf"{_THIS_NEXT_LAST}季度?[底末]")
def _cn_quarter_end(m: re.Match[str], base: date) -> date:
    return _period_end(_add_months(base, 3 * _CN_SHIFT[m[1]]), "q")


@_rule(r"(?:(本|今|明|去)年?)?年[底末]")
def _cn_year_end(m: re.Match[str], base: date) -> date:
    return date(base.year + _CN_YEAR_SHIFT[m[1]], 12, 31)


@_rule(rf"{_YEAR}年年?[底末]", r"end of (\d{4})")
def _cn_given_year_end(m: re.Match[str], base: date) -> date:
    return date(_year(m[1]), 12, 31)


_CN_QUARTERS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}


def _named_year(m: re.Match[str], base: date) -> int:
    """Groups 1 and 2 of the Chinese period rules: ``2026年`` or ``今年`` / ``明年``."""
    return _year(m[1]) if m[1] else base.year + _CN_YEAR_SHIFT[m[2]]


@_rule(rf"(?:{_YEAR}年|(今|本|明|去)年)?第?([一二三四1-4])季度?(?:[底末])?")
def _cn_quarter(m: re.Match[str], base: date) -> date:
    """``2026年第四季度``, ``2026年四季度末``, ``第3季度`` (this year): the quarter's last day."""
    return _month_end(_named_year(m, base), _CN_QUARTERS[m[3]] * 3)


def _numbered_period_end(m: re.Match[str], months: int) -> date:
    """The last day of the numbered period of ``months`` months that ``m``
    names, year first (``2026 Q4``) or period first (``Q4 2026``)."""
    year, period = (m["y"], m["p"]) if "y" in m.re.groupindex else (m[1], m[2])
    return _month_end(int(year), int(period) * months)


@_rule(r"(\d{4}) ?q([1-4])", r"q(?P<p>[1-4]) ?(?P<y>\d{4})")
def _en_quarter(m: re.Match[str], base: date) -> date:
    """``2026 Q4``, ``Q4 2026``: the quarter's last day."""
    return _numbered_period_end(m, 3)


@_rule(rf"(?:{_YEAR}年|(今|本|明|去)年)?([上下])半年(?:[底末])?")
def _cn_half_year(m: re.Match[str], base: date) -> date:
    """``2027年上半年`` (June 30), ``下半年`` (Dec 31, this year)."""
    return _month_end(_named_year(m, base), 6 if m[3] == "上" else 12)


@_rule(r"(\d{4}) ?h([12])", r"h(?P<p>[12]) ?(?P<y>\d{4})")
def _en_half_year(m: re.Match[str], base: date) -> date:
    """``2027 H1``, ``H2 2026``: the half-year's last day."""
    return _numbered_period_end(m, 6)


@_rule(rf"{_YEAR}年{_MD}月{_MD}[日号號]?")
def _cn_date(m: re.Match[str], base: date) -> date:
    return date(_year(m[1]), _number(m[2]), _number(m[3]))


@_rule(rf"{_YEAR}年{_MD}月(?:[底末]|份)?")
def _cn_year_month(m: re.Match[str], base: date) -> date:
    return _month_end(_year(m[1]), _number(m[2]))


@_rule(rf"(?:(今|本|明|去)年)?{_MD}月{_MD}[日号號]?")
def _cn_month_day(m: re.Match[str], base: date) -> date:
    return date(base.year + _CN_YEAR_SHIFT[m[1]], _number(m[2]), _number(m[3]))


@_rule(rf"(?:(今|本|明|去)年)?{_MD}月(?:[底末]|份)?")
def _cn_month(m: re.Match[str], base: date) -> date:
    return _month_end(base.year + _CN_YEAR_SHIFT[m[1]], _number(m[2]))


@_rule(rf"(?:(本|这|這|下|上)个?月)?{_MD}[日号號]")
def _cn_day_of_month(m: re.Match[str], base: date) -> date:
    first = _add_months(base.replace(day=1), _CN_SHIFT[m[1]])
    return first.replace(day=_number(m[2]))


# English month names, the last resort: the text must have the shape of a
# single date (one month name, at most a 1-2 digit day and a 4-digit year,
# an optional weekday, "of", "the"), and dateutil reads it.

_ORDINAL = r"(?<=\d)(?:st|nd|rd|th)\b"
_EN_NOISE = {"of", "the"}


def _english_month_date(s: str, base: date) -> date | None:
    if not re.fullmatch(r"[a-z0-9 ,./-]+", s):
        return None
    s = re.sub(_ORDINAL, "", s, flags=re.ASCII)
    words = re.findall(r"[a-z]+", s)
    numbers = re.findall(r"[0-9]+", s)
    months = [w for w in words if w in _EN_MONTHS]
    weekdays = [w for w in words if w in _EN_WEEKDAYS]
    noise = [w for w in words if w in _EN_NOISE]
    if len(months) != 1 or len(weekdays) > 1 or len(months) + len(weekdays) + len(noise) != len(words):
        return None
    days = [n for n in numbers if len(n) <= 2]
    years = [n for n in numbers if len(n) == 4]
    if len(days) > 1 or len(years) > 1 or len(days) + len(years) != len(numbers) or not numbers:
        return None
    if weekdays and not days:
        return None
    cleaned = re.sub(r"[a-z]+", lambda w: w[0] if w[0] in _EN_MONTHS else " ", s)

    from dateutil import parser

    try:
        read = parser.parse(cleaned, default=datetime(base.year, 1, 1)).date()
    except Exception:
        raise ValueError(s) from None
    if (
        read.month != _EN_MONTHS[months[0]]
        or (days and read.day != int(days[0]))
        or (years and read.year != int(years[0]))
    ):
        raise _Unreadable(s)
    result = read if days else _month_end(read.year, read.month)
    if weekdays and result.weekday() != _EN_WEEKDAYS[weekdays[0]]:
        raise _WeekdayMismatch(result)
    return result


# Normalisation and the entry points

_PREFIX = r"(?:截至|截止到?|by(?= |[^\x00-\x7f]))\s*"
_SUFFIXES = ("之前", "以前", "前")


def _clean(text: object, unreadable: Callable[[object], str]) -> str:
    """NFKC, lower case, single spaces (none at all around Chinese)."""
    if not isinstance(text, str):
        raise DateError(unreadable(text))
    if len(text) > MAX_LENGTH:
        raise DateError(
            _("The date text is too long ({length} characters, at most {limit}): {text!r}.").format(
                length=len(text), limit=MAX_LENGTH, text=_quote(text)
            )
        )
    if "\x00" in text:
        raise DateError(unreadable(text))
    s = unicodedata.normalize("NFKC", text).lower()
    if any("\u3000" <= ch <= "\u9fff" for ch in s):  # CJK; a regex of this range costs 5 ms to compile
        return re.sub(r"\s+", "", s)
    return " ".join(s.split())


def _strip_affixes(s: str) -> str:
    prefix = re.match(_PREFIX, s)
    if prefix:
        s = s[prefix.end() :]
    for suffix in _SUFFIXES:
        if s.endswith(suffix):
            s = s[: -len(suffix)].strip()
            break
    return s


def _match(s: str, base: date) -> date | None:
    for pattern, handler in _rules():
        m = pattern.fullmatch(s)
        if m:
            return handler(m, base)
    return _english_month_date(s, base)


def parse_date(text: str, today: date | None = None) -> date:
    """Read a date as typed by a person; raise DateError rather than guess."""
    s = _strip_affixes(_clean(text, _unreadable_message))
    base = today if today is not None else now().date()
    try:
        result = _match(s, base) if s else None
    except _Ambiguous:
        raise DateError(
            _(
                "The date {text!r} is ambiguous: write it year first, e.g. 2026-03-04, or spell the month, e.g. 4 Mar 2026."
            ).format(text=text)
        ) from None
    except _WeekdayMismatch as mismatch:
        raise DateError(
            _("The weekday in {text!r} does not match the date {date}.").format(
                text=text, date=show_date(mismatch.args[0])
            )
        ) from None
    except OverflowError:
        result = date.max
    except _Unreadable:
        result = None
    except (ValueError, KeyError):
        raise DateError(_("There is no such date as {text!r}.").format(text=text)) from None
    if result is None:
        raise DateError(_unreadable_message(text))
    return check_range(result, text)


def check_range(value: date | datetime, text: object) -> date | datetime:
    """``value``, or a DateError naming ``text`` when it is outside the supported range."""
    if not in_range(value):
        raise DateError(
            _("The date {text!r} is out of range: use a year from {low} to {high}.").format(
                text=text, low=MIN_YEAR, high=MAX_YEAR
            )
        )
    return value


_DURATION = rf"\+?{_NUM} ?({_EN_UNITS[1:-1]}|{'|'.join(sorted(_CN_UNITS, key=len, reverse=True))})?{_WITHIN}?"
_DURATION_DAYS = {"d": 1, "w": 7, "m": 30, "y": 365}


def _duration_message(text: object) -> str:
    return _("Cannot read the duration {text!r}. Try, e.g., 7, 7d, 2w, 1m.").format(text=text)


def parse_duration_days(text: str) -> int:
    """``7``, ``7d``, ``2w``, ``1m`` (30 days), ``1y`` (365), ``7天``, ``两周`` -> days."""
    s = _clean(text, _duration_message)
    m = re.fullmatch(_DURATION, s, re.ASCII)
    if not m or not (m[2] or m[1].isascii()):
        raise DateError(_duration_message(text))
    try:
        count = _number(m[1])
    except _Unreadable:
        raise DateError(_duration_message(text)) from None
    unit = _CN_UNITS.get(m[2], m[2][0]) if m[2] else "d"
    return count * _DURATION_DAYS[unit]


_WEEK_FORMS = (r"(\d{4}) ?-? ?w ?(\d{1,2})", rf"{_YEAR}年第{_MD}[周週]")
_RELATIVE_WEEKS = {
    "this week": 0, "next week": 1, "last week": -1,
    "本周": 0, "这周": 0, "这个星期": 0, "本星期": 0, "这个礼拜": 0,
    "下周": 1, "下个星期": 1, "下星期": 1, "下个礼拜": 1, "下礼拜": 1,
    "上周": -1, "上个星期": -1, "上星期": -1, "上个礼拜": -1, "上礼拜": -1,
    "下下周": 2, "下下个星期": 2, "下下星期": 2, "上上周": -2, "上上个星期": -2, "上上星期": -2,
}  # fmt: skip


def _week_message(text: object) -> str:
    return _("Cannot read the week {text!r}. Try, e.g., 2026-W48, 2026W48, this week, or a date.").format(
        text=text
    )


def _week_of(text: str, s: str, base: date) -> date:
    """The Monday of the week ``s`` names."""
    if s in _RELATIVE_WEEKS:
        return _monday(base) + timedelta(weeks=_RELATIVE_WEEKS[s])
    for pattern in _WEEK_FORMS:
        m = re.fullmatch(pattern, s, re.ASCII)
        if m:
            try:
                return date.fromisocalendar(_year(m[1]), _number(m[2]), 1)
            except (ValueError, KeyError, _Unreadable):
                raise DateError(_("There is no such week as {text!r}.").format(text=text)) from None
    try:
        return _monday(parse_date(text, base))
    except DateError:
        raise DateError(_week_message(text)) from None


def iso_week(text: str, today: date | None = None) -> tuple[date, date]:
    """``2026-W48``, ``2026W48``, ``this week``, ``本周`` or any date -> (Monday, Sunday)."""
    s = _clean(text, _week_message)
    base = today if today is not None else now().date()
    try:
        monday = _week_of(text, s, base)
        sunday = monday + timedelta(days=6)
    except OverflowError:
        raise DateError(_week_message(text)) from None
    if sunday.year < MIN_YEAR or monday.year > MAX_YEAR:
        raise DateError(_week_message(text))
    return monday, sunday
