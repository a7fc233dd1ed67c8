"""The ledger's own settings: the thresholds of the colour bands and of stale
tasks, the re-check periods, and the lead times and numbering of notices.

They live in the ledger (table ``setting``, migration m005), not on a
machine, so every copy of rectify reading a ledger agrees. A key not set is
at its default. Each change is an event of the ledger's history
(``ledger_event``, action ``config``), so the settings in force at any past
moment are rebuilt as task fields are: the ``old`` value of the first change
after the moment, else the value now. Reports read them through
``settings_at`` and nothing else.
"""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass

from rectify.errors import InputError, NotFoundError
from rectify.i18n import N_, _
from rectify.vocabulary import BAND_THRESHOLDS, STALE_DAYS


@dataclass(frozen=True)
class Setting:
    key: str
    default: int | str
    help: str  # N_() message
    low: int = 0
    high: int = 3650


SETTINGS = (
    Setting("blue_days", BAND_THRESHOLDS["blue_days"], N_("Blue band: an unfinished task due within this many days.")),
    Setting("yellow_horizon_days", BAND_THRESHOLDS["yellow_horizon_days"], N_("Yellow band: due within this many days ...")),
    Setting("yellow_quiet_days", BAND_THRESHOLDS["yellow_quiet_days"], N_("... and no progress note for this many days.")),
    Setting("stale_days", STALE_DAYS, N_("A long-term task with no progress note for this many days is stale."), low=1),
    Setting("recheck_immediate_days", 90, N_("Days after closing an immediate task to check it again (0: none)."), high=3650),
    Setting("recheck_long_term_days", 180, N_("Days after closing a long-term task to check it again (0: none)."), high=3650),
    Setting("reminder_lead_days", 7, N_("A reminder notice covers tasks due within this many days.")),
    Setting("notice_reply_days", 5, N_("A supervision notice or warning is to be answered within this many days."), low=1),
    Setting("notice_number", "{kind}〔{year}〕{serial}号",
            N_("How notices are numbered: {kind}, {year} and {serial} (counted per year and kind).")),
    Setting("notice_word_reminder", "提醒", N_("The word for a reminder in a notice number.")),
    Setting("notice_word_supervision", "督办", N_("The word for a supervision notice in a notice number.")),
    Setting("notice_word_warning", "告诫", N_("The word for a warning in a notice number.")),
    Setting("user", "", N_("Who makes the changes, as history records them (RECTIFY_USER overrides it; "
                           "unset: your login name).")),
)
BY_KEY = {s.key: s for s in SETTINGS}
DEFAULTS = {s.key: s.default for s in SETTINGS}


def _typed(key: str, text: str) -> int | str:
    return int(text) if isinstance(BY_KEY[key].default, int) else text


def setting(key: str) -> Setting:
    word = unicodedata.normalize("NFKC", key).strip().lower().replace("-", "_")
    if word not in BY_KEY:
        raise NotFoundError(_("No setting {key!r}. See `rectify config` for the settings.").format(key=key))
    return BY_KEY[word]


def settings_at(ledger, until: str | None = None) -> dict:
    """Every setting in force at ``until`` (an ISO moment), or now for None.
    The one way reports and commands read the settings."""
    values = dict(DEFAULTS)
    for key, value in ledger.query("SELECT key, value FROM setting"):
        if key in BY_KEY:
            values[key] = _typed(key, value)
    if until is not None:
        rows = ledger.query(
            """SELECT subject, old FROM (SELECT subject, old, row_number() OVER
                   (PARTITION BY subject ORDER BY at, id) AS nth
               FROM ledger_event WHERE action = 'config' AND at > ?) WHERE nth = 1""", (until,))
        for key, old in rows:
            if key in BY_KEY:
                values[key] = DEFAULTS[key] if old is None else _typed(key, old)
    return values


def validate(item: Setting, raw: str) -> str:
    """The value to store, as text; a clear refusal otherwise."""
    text = unicodedata.normalize("NFKC", raw).strip()
    if isinstance(item.default, int):
        try:
            number = int(text)
        except ValueError:
            raise InputError(_("The setting {key} takes a whole number of days, not {value!r}.").format(
                key=item.key, value=raw)) from None
        if not item.low <= number <= item.high:
            raise InputError(_("The setting {key} takes a number from {low} to {high}, not {value}.").format(
                key=item.key, low=item.low, high=item.high, value=number))
        return str(number)
    if not text or any(unicodedata.category(c)[0] == "C" for c in text) or len(text) > 100:
        raise InputError(_("The setting {key} takes a short line of text.").format(key=item.key))
    if item.key == "notice_number":
        if "{serial}" not in text:
            raise InputError(_("A notice number must hold {serial}, or two notices would share a number."))
        try:
            text.format(kind="K", year=2026, serial=1)
        except (KeyError, IndexError, ValueError):
            raise InputError(_("A notice number may use only {{kind}}, {{year}} and {{serial}}; {value!r} is not such a pattern.").format(
                value=raw)) from None
    return raw.strip()


def change(ledger, key: str, raw: str, actor: str | None) -> dict:
    """Set ``key`` to ``raw``; recorded in the ledger's history. Returns
    {"key", "old", "new", "changed"}."""
    item = setting(key)
    value = validate(item, raw)
    with ledger.transaction():
        row = ledger.conn.execute("SELECT value FROM setting WHERE key = ?", (item.key,)).fetchone()
        old = row[0] if row else None
        shown_old = old if old is not None else str(item.default)
        if shown_old == value:
            return {"key": item.key, "old": _typed(item.key, shown_old), "new": _typed(item.key, value), "changed": False}
        now = ledger.timestamp()
        ledger.conn.execute("INSERT INTO setting (key, value, changed) VALUES (?, ?, ?)"
                            " ON CONFLICT(key) DO UPDATE SET value = excluded.value, changed = excluded.changed",
                            (item.key, value, now))
        ledger.record_ledger("config", subject=item.key, old=old, new=value, actor=actor, at=now)
    return {"key": item.key, "old": _typed(item.key, shown_old), "new": _typed(item.key, value), "changed": True}


def describe(ledger, until: str | None = None) -> list[dict]:
    """The settings as ``rectify config --json`` lists them."""
    values = settings_at(ledger, until)
    return [{"key": s.key, "value": values[s.key], "default": s.default, "is_default": values[s.key] == s.default,
             "help": _(s.help)} for s in SETTINGS]


# Where the person recorded with a change comes from, first found first:
# RECTIFY_USER, the ledger's setting ``user``, the environment's $USER (or
# LOGNAME, USERNAME), the login name of the process's user.
USER_SOURCES = ("RECTIFY_USER", "config user", "$USER", "login name")
_SOURCE_WORDS = {"config user": N_("`rectify config user`"), "login name": N_("the login name")}


def user_source(source: str | None) -> str:
    """Where the user's name came from, as a person reads it."""
    word = _SOURCE_WORDS.get(source or "")
    return _(word) if word else source or ""


def current_user(ledger=None) -> tuple[str | None, str | None]:
    """Who is making the changes, and where the name came from (one of
    USER_SOURCES); (None, None) when no source names anyone, which history
    shows as an unknown person."""
    env = os.environ
    name = (env.get("RECTIFY_USER") or "").strip()
    if name:
        return name, "RECTIFY_USER"
    if ledger is not None:
        row = ledger.conn.execute("SELECT value FROM setting WHERE key = 'user'").fetchone()
        if row and row[0].strip():
            return row[0].strip(), "config user"
    for var in ("USER", "LOGNAME", "USERNAME"):
        name = (env.get(var) or "").strip()
        if name:
            return name, "$USER"
    try:
        import pwd

        name = pwd.getpwuid(os.getuid()).pw_name.strip()
    except (ImportError, KeyError, OSError, AttributeError):
        name = ""
    return (name, "login name") if name else (None, None)


def recheck_days(values: dict, kind: str | None) -> int:
    """The default re-check period for a task of ``kind`` (an unclassified task as an immediate one)."""
    return values["recheck_long_term_days" if kind == "long_term" else "recheck_immediate_days"]
