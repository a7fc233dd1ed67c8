"""One row of an import, read and checked: the cell values of a sheet or the
keys of a JSON object become a ``Record`` of task fields, or a ``RowError``
that says in one line why the row cannot be read.

A cell may be text, a number, a date or a datetime (xlsx). Deadlines are date
cells, any text the date parser takes, or the words 长期坚持 / 立行立改 (the kind,
with no date), alone or beside a date. States are ledger words or rectify's
own, maybe with a percentage (整改中 40%).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time

from rectify import dates
from rectify import ledger as L
from rectify.errors import DateError, InputError
from rectify.exchange import columns as C
from rectify.i18n import _
from rectify.model import find_kind, kind_label, parse_status

# Task columns an import may set, as stored.
TASK_FIELDS = ("title", "target", "kind", "unit", "leader", "owner", "helpers", "due", "note", "category",
               "status", "progress", "closed_at", "closed_by")
STATES = frozenset(("open", "in_progress", "submitted", "closed", "cancelled"))

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
UID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
_POSITIONAL = re.compile(r"[(（]?[0-9一二三四五六七八九十百零]+[)）]?(?:[.．、-][0-9]+)*[.．、]?")
_PERCENT = re.compile(r"(.*?)[\s,，;；(（]*(?:完成|进度|已完成)?\s*(\d{1,3}(?:\.\d+)?)\s*[%％]\s*[)）]?")
_DUE_DONE = re.compile(r"(之?前)?(完成|办结|到位)(整改)?$")
# Words a deadline cell may hold instead of, or beside, a date.
_DUE_KIND_WORDS = ("立行立改", "即知即改", "立即整改", "立查立改", "长期坚持", "持续整改", "长期整改", "建章立制",
                   "immediate", "long-term", "long_term", "long term", "ongoing")


class RowError(Exception):
    """One row that cannot be read: the reason, already translated."""


# -- records -----------------------------------------------------------------


@dataclass
class Record:
    """One row, read and checked: the task fields the source gives."""

    row: int  # the sheet row, or the item number of a JSON array (1-based)
    values: dict  # task fields (see TASK_FIELDS) the source sets
    problem: str | None = None
    code: str | None = None
    uid: str | None = None
    progress_note: str | None = None
    evidence: list[str] = field(default_factory=list)
    history: list[tuple] | None = None  # JSON: events to copy to a new task
    created: str | None = None  # JSON: the creation time to keep on a new task
    round: str | None = None  # the round's name, as the file gives it
    round_id: int | None = None  # the round a new task and its problem go to (set by the plan)


@dataclass
class Source:
    name: str
    format: str  # xlsx, csv, json
    present: set  # fields the file carries (columns, or JSON keys)
    records: list[Record] = field(default_factory=list)
    bad: list[tuple[int, str]] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sheet: str | None = None

    @property
    def unit(self) -> str:
        return "item" if self.format == "json" else "row"


# -- converting one value ----------------------------------------------------


def _plain(value) -> str | None:
    """A cell's text, before cleaning: numbers without a spurious .0, dates in ISO."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _text(value, column: str) -> str | None:
    s = _plain(value)
    if s is None:
        return None
    if "\r" in s:
        s = s.replace("\r\n", "\n").replace("\r", "\n")
    s = s.strip()
    if not s:
        return None
    if L.needs_a_closer_look(s):
        try:
            L.clean_text(s, column)
        except InputError as e:
            raise RowError(e.message) from None
    return s


def _kind_in(text: str) -> str | None:
    """The kind a cell names: a kind word, or a phrase holding one. Both kinds
    named (立行立改、长期坚持) means long-term: the lasting part outlives the fix."""
    kind = find_kind(text)
    if kind:
        return kind
    low = text.lower()
    found = {find_kind(w) for w in _DUE_KIND_WORDS if w in low} - {None}
    if not found:
        found = {"long_term"} if "ongoing" in low else set()
    if len(found) > 1:
        return "long_term"
    return found.pop() if found else None


def _kind(value, column: str) -> str | None:
    s = _text(value, column)
    if s is None:
        return None
    kind = _kind_in(s)
    if kind is None:
        raise RowError(_("{column}: unknown kind {text!r}; use immediate or long-term.").format(
            column=column, text=s))
    return kind


def _due(value, column: str, today: date) -> tuple[str | None, str | None]:
    """(deadline, kind the deadline cell names) from a date cell, a date text,
    or the words 长期坚持 / 立行立改, alone or beside a date."""
    if value is None:
        return None, None
    if isinstance(value, datetime):
        return value.date().isoformat(), None
    if isinstance(value, date):
        return value.isoformat(), None
    if isinstance(value, int) and not isinstance(value, bool) and 19000101 <= value <= 29991231:
        value = f"{value // 10000:04d}-{value // 100 % 100:02d}-{value % 100:02d}"
    s = _text(value, column)
    if s is None:
        return None, None
    if ISO_DATE.fullmatch(s):
        try:
            return date.fromisoformat(s).isoformat(), None
        except ValueError:
            pass
    kind = _kind_in(s)
    rest = s
    if kind:
        low = rest.lower()
        for word in _DUE_KIND_WORDS:
            low = low.replace(word, " ")
        rest = re.sub(r"[\s,，;；、/（）()\[\]【】和及并且]+", " ", low).strip()
    rest = _DUE_DONE.sub("", rest).strip() if rest else rest
    if not rest:
        return None, kind
    try:
        return dates.parse_date(rest, today).isoformat(), kind
    except DateError as e:
        raise RowError(f"{column}: {e.message}") from None


def _status(value, column: str) -> tuple[str | None, int | None]:
    """(status, percent) from a status cell: 整改中 / in progress, maybe with 60%."""
    s = _text(value, column)
    if s is None:
        return None, None
    percent = None
    m = _PERCENT.fullmatch(s)
    if m:
        s, percent = m.group(1).strip(), round(float(m.group(2)))
        if percent > 100:
            raise RowError(_("{column}: progress must be from 0% to 100%, not {n}%.").format(column=column, n=percent))
    if not s:
        return None, percent
    if s in STATES:
        return s, percent
    word = s.lower()
    status = C.STATUS_VARIANTS.get(s)
    if status is None:
        for words in C.STATUS_WORDS.values():
            status = next((k for k, w in words.items() if w == word), None)
            if status:
                break
    if status is None:
        try:
            status = parse_status(s)
        except InputError:
            raise RowError(_("{column}: unknown state {text!r}; use open, in progress, submitted, closed or cancelled.").format(
                column=column, text=s)) from None
    return status, percent


def _timestamp(value, column: str, today: date) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.replace(microsecond=0, tzinfo=None).isoformat()
    if isinstance(value, date):
        return value.isoformat() + "T00:00:00"
    s = _text(value, column)
    if s is None:
        return None
    try:
        return datetime.fromisoformat(s).replace(microsecond=0, tzinfo=None).isoformat()
    except ValueError:
        pass
    try:
        return dates.parse_date(s, today).isoformat() + "T00:00:00"
    except DateError as e:
        raise RowError(f"{column}: {e.message}") from None


def _uid(value, column: str) -> str | None:
    s = _text(value, column)
    if s is None:
        return None
    if not UID.fullmatch(s):
        raise RowError(_("{column}: {text!r} is not a task uid (letters, digits and dashes, at most 64).").format(
            column=column, text=s[:80]))
    return s


def _code(value, column: str) -> str | None:
    """A sequence number that is only a position (1, 2, 一、, 1.2) is not kept;
    anything else (XC-03) is the problem's code."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return None
    s = _text(value, column)
    if s is None or _POSITIONAL.fullmatch(s):
        return None
    return s


def _percent(value, column: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 100:
        raise RowError(_("{column}: progress must be a whole number from 0 to 100.").format(column=column))
    return int(value)


def convert(raw: dict, row: int, heads: dict, today: date) -> Record:
    """Check one row's raw values (field -> cell) into a Record; RowError if it cannot be read."""
    values: dict = {}
    rec = Record(row=row, values=values)
    for name in ("title", "target", "unit", "leader", "owner", "helpers", "note", "category", "closed_by"):
        if name in raw:
            values[name] = _text(raw[name], heads.get(name, name))
    if "title" in values and values["title"] is None:
        raise RowError(_("{column} is empty: every row needs a measure.").format(
            column=heads.get("title", "title")))
    if "problem" in raw:
        rec.problem = _text(raw["problem"], heads.get("problem", "problem"))
    if "seq" in raw:
        rec.code = _code(raw["seq"], heads.get("seq", "seq"))
    if "round" in raw:
        rec.round = _text(raw["round"], heads.get("round", "round"))
    if "uid" in raw:
        rec.uid = _uid(raw["uid"], heads.get("uid", "uid"))
    kind_cell = _kind(raw["kind"], heads.get("kind", "kind")) if "kind" in raw else None
    if "due" in raw:
        values["due"], due_kind = _due(raw["due"], heads.get("due", "due"), today)
        if kind_cell and due_kind and kind_cell != due_kind:
            raise RowError(_("{kind} says {a} but {due} says {b}.").format(
                kind=heads.get("kind", "kind"), a=kind_label(kind_cell), due=heads.get("due", "due"),
                b=kind_label(due_kind)))
        if due_kind and not kind_cell:
            values["kind"] = due_kind
    if "kind" in raw and "kind" not in values:
        values["kind"] = kind_cell
    if "status" in raw:
        status, percent = _status(raw["status"], heads.get("status", "status"))
        if status:
            values["status"] = status
        if percent is not None:
            values["progress"] = percent
    if "progress" in raw:  # JSON: the percentage
        values["progress"] = _percent(raw["progress"], heads.get("progress", "progress"))
    if "progress_note" in raw:
        rec.progress_note = _text(raw["progress_note"], heads.get("progress_note", "progress_note"))
    if "closed_at" in raw:
        values["closed_at"] = _timestamp(raw["closed_at"], heads.get("closed_at", "closed_at"), today)
    if "evidence" in raw:
        text = _text(raw["evidence"], heads.get("evidence", "evidence"))
        rec.evidence = [line.strip() for line in (text or "").split("\n") if line.strip()]
    return rec

