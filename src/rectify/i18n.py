"""Language selection and translation, through the stdlib gettext machinery.

English is the source language: with it, ``_`` returns the text as written and
gettext is never imported. Chinese loads ``locale/zh_CN/LC_MESSAGES/rectify.mo``
on first use. The language comes from ``--lang``, then ``RECTIFY_LANG``, then
the locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``: anything starting with
``zh`` means Chinese). The default is English.
"""

from __future__ import annotations

import os

LANGUAGES = ("en", "zh")
DOMAIN = "rectify"

_language: str | None = None
_translation = None  # gettext.GNUTranslations once loaded


def normalize(value: str | None) -> str | None:
    """Map a language tag (zh_CN.UTF-8, zh-Hans, en_US, 中文) to "zh" or "en"."""
    if not value:
        return None
    v = value.strip().lower()
    if v.startswith("zh") or v in ("中文", "cn", "chinese"):
        return "zh"
    if v.startswith("en") or v in ("c", "posix", "english"):
        return "en"
    return None


def detect(environ: dict | None = None) -> str:
    env = os.environ if environ is None else environ
    explicit = normalize(env.get("RECTIFY_LANG"))
    if explicit:
        return explicit
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var)
        if value:  # the first one set wins, as in POSIX
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def set_language(lang: str | None) -> str:
    """Fix the language for this process; ``None`` means detect it."""
    global _language, _translation
    _language = normalize(lang) or detect()
    _translation = None
    return _language


def language() -> str:
    if _language is None:
        set_language(None)
    return _language  # type: ignore[return-value]


def is_zh() -> bool:
    return language() == "zh"


def _load():
    """Read the Chinese catalog (a missing one means English text)."""
    global _translation
    import gettext

    # The path is known: opening it directly skips gettext.translation's
    # locale search, half of the load time.
    path = os.path.join(os.path.dirname(__file__), "locale", "zh_CN", "LC_MESSAGES", DOMAIN + ".mo")
    try:
        with open(path, "rb") as f:
            _translation = gettext.GNUTranslations(f)
    except OSError:
        _translation = gettext.NullTranslations()
    return _translation


def _(message: str) -> str:
    """Translate ``message`` into the current language."""
    if language() == "en":
        return message
    t = _translation or _load()
    return t.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    if language() == "en":
        return singular if n == 1 else plural
    t = _translation or _load()
    return t.ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """Translate ``message`` as meant in ``context``: for a short word whose
    translation differs by where it stands (a column "Change" in a report is
    not the "Change" of a history)."""
    if language() == "en":
        return message
    t = _translation or _load()
    return t.pgettext(context, message)


def N_(message: str) -> str:
    """Mark a string for extraction; translate it later with ``_``."""
    return message


def NP_(context: str, message: str) -> tuple[str, str]:
    """Mark a string with its context; translate it later with ``pgettext``."""
    return context, message


# Reasons the system gives in English (OSError.strerror, sqlite3's messages),
# marked so that the catalog translates the usual ones; others stay as given.
SYSTEM_REASONS = (
    N_("No such file or directory"), N_("Permission denied"), N_("Is a directory"), N_("Not a directory"),
    N_("No space left on device"), N_("Read-only file system"), N_("File exists"),
    N_("Operation not permitted"), N_("Disk quota exceeded"), N_("Too many open files"),
    N_("Input/output error"), N_("database is locked"), N_("attempt to write a readonly database"),
    N_("file is not a database"), N_("disk I/O error"), N_("unable to open database file"),
    N_("database disk image is malformed"), N_("database or disk is full"),
)


def reason(error: BaseException) -> str:
    """Why an OS or SQLite call failed, in the user's language when it is a usual reason."""
    text = getattr(error, "strerror", None) or str(error)
    return _(text) if text in SYSTEM_REASONS else text
