"""One row of an import, read and checked: the cell values of a sheet or the
keys of a JSON object become a ``Record`` of task fields, or a ``RowError``
that says in one line why the row cannot be read.

A cell may be text, a number, a date or a datetime (xlsx). Deadlines are date
cells, any text the date parser takes, or the words of ``vocabulary.DEADLINE_WORDS``
(立行立改, 长期坚持, 每季度, 已完成 ...), alone or beside a date. States are the
claims of ``vocabulary.STATUS_CLAIMS`` or rectify's own, maybe with a percentage
(整改中 40%); a free-text status cell is a progress note.

Unless ``strict``, a cell that cannot be read does not refuse its row: its
text is kept verbatim on the record (``Kept``, marked for review) and the
field is left unset. Only a row without a readable measure is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time

from rectify import dates
from rectify import ledger as L
from rectify.errors import DateError, InputError
from rectify.i18n import _
from rectify.model import find_kind, kind_label, parse_status
from rectify.vocabulary import (DEADLINE_FILLERS, DEADLINE_WORDS, DONE, IMMEDIATE, LIMITED, LONG_TERM,
                                SHEET_STATE_WORDS, SHEET_STATUS_WORDS, STATES, STATUS_VARIANTS)

# Task columns an import may set, as stored.
TASK_FIELDS = ("title", "target", "kind", "unit", "leader", "owner", "helpers", "due", "note", "category",
               "status", "progress", "closed_at", "closed_by")

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
UID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
_POSITIONAL = re.compile(r"(?:[(（]?[0-9一二三四五六七八九十百零]+[)）]?|[\u2460-\u24ff\u2776-\u2793])"
                         r"(?:[.．、-][0-9]+)*[.．、]?")
_PERCENT = re.compile(r"(.*?)[\s,，;；(（]*(?:完成|进度|已完成)?\s*(\d{1,3}(?:\.\d+)?)\s*[%％]\s*[)）]?")
_DUE_DONE = re.compile(r"(之?前)?(完成|办结|到位|报送)(整改)?$")
# Several units in one cell: 财务处、审计处 / 财务处，审计处 / one per line.
_UNIT_SPLIT = re.compile(r"\s*(?:[、，,;；/／\n]|\s+(?=[^\x00-\x7f]))\s*")
# A status cell's first clause: 已完成。已清退8.6万元… reads 已完成.
_FIRST_CLAUSE = re.compile(r"[。；;，,！!\n]")
_PUNCT = re.compile(r"[\s,，;；、/（）()\[\]【】和及并且。.:：]+")


class RowError(Exception):
    """One row that cannot be read: the reason, already translated."""


# -- records -----------------------------------------------------------------


@dataclass
class Kept:
    """A cell kept as its text: one that could not be read (``review``: the
    task awaits a person's look), or one whose column no field takes."""

    field: str | None  # the field it was meant for; None when its column was not understood
    header: str
    text: str
    review: bool = True
    reason: str | None = None


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
    kept: list[Kept] = field(default_factory=list)
    claim: str | None = None  # the words of a claim of done, as the sheet gives them (已完成 ...)
    round: str | None = None  # the round's name, as the file gives it
    round_id: int | None = None  # the round a new task and its problem go to (set by the plan)
    # Set by the plan for a task new to the ledger (rules.first_import_state):
    # "claim", "no_checker" or "own_checker".
    flag: str | None = None


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
    strict: bool = False
    header_rows: tuple[int, int] | None = None  # first and last header row, 1-based
    mapped: dict = field(default_factory=dict)  # header text -> field
    above: list[tuple[int, str]] = field(default_factory=list)  # (row, text) above the header: title, 填报单位 ...
    below: list[tuple[int, str]] = field(default_factory=list)  # (row, text) of notes and signature lines
    groups: list[tuple[int, str]] = field(default_factory=list)  # (row, text) of group rows: 一、…方面
    header_groups: list[str] = field(default_factory=list)  # the upper row of a two-row header: 责任主体
    choice: list[str] = field(default_factory=list)  # why this sheet or table was read, and the others not
    # The export stamp the file carries (rectify export): {"exported_at": ISO time, "unit": name or None}.
    stamp: dict | None = None
    sha256: str | None = None  # of the file read

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


_LONGEST_FIRST = {group: sorted(words, key=len, reverse=True) for group, words in DEADLINE_WORDS.items()}


def _words(text: str, group: str) -> list[str]:
    """The words of ``vocabulary.DEADLINE_WORDS[group]`` in ``text``, longest first, each once."""
    low = text.lower()
    found: list[str] = []
    for word in _LONGEST_FIRST[group]:
        if word in low and not any(word in f for f in found):
            found.append(word)
    return found


def _kind_in(text: str) -> str | None:
    """The kind a cell names: a kind word, or a phrase holding one. Both kinds
    named (立行立改、长期坚持) means long-term: the lasting part outlives the fix."""
    kind = find_kind(text)
    if kind:
        return kind
    if _words(text, LONG_TERM):
        return LONG_TERM
    return IMMEDIATE if _words(text, IMMEDIATE) else None


def _kind(value, column: str) -> tuple[str | None, bool]:
    """(kind, understood) of a kind cell: 限期整改 is understood and names no kind."""
    s = _text(value, column)
    if s is None:
        return None, True
    kind = _kind_in(s)
    if kind is None and not _words(s, LIMITED):
        raise RowError(_("{column}: unknown kind {text!r}; use immediate or long-term.").format(
            column=column, text=s))
    return kind, True


def _due(value, column: str, today: date) -> tuple[str | None, str | None, str | None]:
    """(deadline, kind, done word) from a date cell, a date text, or the words
    of ``vocabulary.DEADLINE_WORDS`` alone or beside a date."""
    if value is None:
        return None, None, None
    if isinstance(value, date):  # a date cell (a datetime too)
        return _in_range(value, column).isoformat()[:10], None, None
    if isinstance(value, int) and not isinstance(value, bool) and 19000101 <= value <= 29991231:
        value = f"{value // 10000:04d}-{value // 100 % 100:02d}-{value % 100:02d}"
    s = _text(value, column)
    if s is None:
        return None, None, None
    if ISO_DATE.fullmatch(s):
        try:
            day = date.fromisoformat(s)
        except ValueError:
            pass
        else:
            return _in_range(day, column, s).isoformat(), None, None
    kind = _kind_in(s)
    done = _words(s, DONE)
    rest = s.lower()
    for group in DEADLINE_WORDS:
        for word in _words(rest, group):
            rest = rest.replace(word, " ")
    if rest != s.lower():
        for filler in DEADLINE_FILLERS:
            rest = rest.replace(filler, " ")
        rest = _PUNCT.sub(" ", rest).strip()
    else:
        rest = _DUE_DONE.sub("", rest).strip()  # 2026年12月底前完成
    if not rest:
        return None, kind, done[0] if done else None
    try:
        return dates.parse_date(rest, today).isoformat(), kind, done[0] if done else None
    except DateError as e:
        raise RowError(f"{column}: {e.message}") from None


class _Word(str):
    """A status cell that is only a claim word (基本完成): a progress note when the row has no other."""


def _claim_of(word: str) -> str | None:
    claim = STATUS_VARIANTS.get(word) or STATUS_VARIANTS.get(word.lower())
    if claim is None:
        for words in SHEET_STATUS_WORDS.values():
            claim = next((k for k, w in words.items() if w == word.lower()), None)
            if claim:
                break
    if claim is None and word.lower() in STATES:
        claim = word.lower()
    return claim


def _status(value, column: str) -> tuple[str | None, int | None, str | None]:
    """(claim, percent, progress note) from a status cell: a state word or
    claim (已完成, 正在推进, 整改中 60%), or free text whose first clause is
    one (已完成。已清退8.6万元…: the claim and the whole text as a note), or
    other free text (a note, no claim)."""
    s = _text(value, column)
    if s is None:
        return None, None, None
    percent = None
    m = _PERCENT.fullmatch(s)
    if m:
        s, percent = m.group(1).strip(), round(float(m.group(2)))
        if percent > 100:
            raise RowError(_("{column}: progress must be from 0% to 100%, not {n}%.").format(column=column, n=percent))
    if not s:
        return None, percent, None
    word = s.rstrip("。.!！ ")
    claim = _claim_of(word)
    if claim is None:
        try:
            claim = parse_status(word)
        except InputError:
            claim = None
    if claim is not None:
        # A claim in the unit's own words (基本完成, 阶段性完成) stays readable as a note.
        own = word.lower() in STATES or word.lower() in SHEET_STATE_WORDS
        return claim, percent, None if own else _Word(word)
    first = _FIRST_CLAUSE.split(s, maxsplit=1)[0].strip()
    claim = _claim_of(first) if first != s else None
    return claim, None, s


_LEDGER_STATE_WORDS = frozenset(w for words in SHEET_STATUS_WORDS.values() for w in words.values())


def split_units(text: str | None) -> tuple[str | None, list[str]]:
    """(the unit, the others) of a cell naming several: 财务处、审计处."""
    if not text:
        return text, []
    parts = [p for p in _UNIT_SPLIT.split(text) if p.strip()]
    if len(parts) <= 1:
        return text, []
    return parts[0], parts[1:]


def _in_range(value: date, column: str, text: object = None) -> date:
    """A date or moment read from a cell, or the row's error when it is outside
    the dates the commands take (dates.MIN_DATE..MAX_DATE)."""
    try:
        return dates.check_range(value, value.isoformat()[:10] if text is None else text)
    except DateError as e:
        raise RowError(f"{column}: {e.message}") from None


def moment(text: str, column: str) -> str:
    """An ISO time as stored (``2026-11-25T09:30:00``, local, to the second),
    or the row's error: not a time, or outside the supported dates."""
    try:
        value = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        raise RowError(_("{column}: {text!r} is not a time; use ISO 8601, e.g. 2026-11-25T09:30:00.").format(
            column=column, text=text[:40])) from None
    return _in_range(value.replace(microsecond=0, tzinfo=None), column, text[:40]).isoformat()


def _timestamp(value, column: str, today: date) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return _in_range(value.replace(microsecond=0, tzinfo=None), column).isoformat()
    if isinstance(value, date):
        return _in_range(value, column).isoformat() + "T00:00:00"
    s = _text(value, column)
    if s is None:
        return None
    try:
        read = datetime.fromisoformat(s)
    except ValueError:
        pass
    else:
        return _in_range(read.replace(microsecond=0, tzinfo=None), column, s).isoformat()
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


def _verbatim(value) -> str:
    """A cell's text as it was, for keeping: controls shown as escapes."""
    s = _plain(value) or ""
    return L.SUSPECT.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else "\ufffd", s)


# Cell types a reading is remembered for (see ``convert``'s ``memo``).
_MEMO_TYPES = frozenset((str, int, float, bool, date, datetime, type(None)))
_NO_KEY = ("no key",)  # a cell whose reading is not remembered (a JSON list or object)


def _memo_key(value) -> object:
    """A cell's key in the memo of its column: a text or None is its own key (no
    other cell equals it); any other value goes with its type, since 1, 1.0
    and True are equal and hash alike but read differently."""
    if value is None or type(value) is str:
        return value
    return (type(value), value) if type(value) in _MEMO_TYPES else _NO_KEY
# The fields read as plain text.
_TEXT_FIELDS = ("title", "target", "unit", "leader", "owner", "helpers", "note", "category", "closed_by")


def convert(raw: dict, row: int, heads: dict, today: date, *, strict: bool = True, extra: dict | None = None,
            split: bool = False, memo: dict | None = None) -> Record:
    """Check one row's raw values (field -> cell) into a Record. A cell that
    cannot be read raises RowError when ``strict``; otherwise it is kept on the
    record for review. ``extra`` (header -> cell) are the cells of columns no
    field takes: kept as text. With ``split``, a unit cell naming several
    gives the first as the unit and the others as helpers. A row without a
    readable measure is a RowError.

    ``memo``: one dict for all the rows of one table (the same ``heads`` and
    ``today``). Each cell reader is a function of the cell alone, and an
    office's sheet repeats most cells (units, people, deadlines, states), so
    each distinct cell of a column is read once; its reading, or its error,
    is remembered under the field, then the cell (``_memo_key``)."""
    values: dict = {}
    rec = Record(row=row, values=values)

    def head(name: str) -> str:
        return heads.get(name, name)

    def read(name: str, reader, *args, default=None):
        """The reading of ``raw[name]`` by ``reader``: remembered, or made and
        remembered; a cell that cannot be read is kept (or raises)."""
        value = raw[name]
        try:
            key = _memo_key(value)
            if memo is None or key is _NO_KEY:
                return reader(value, heads.get(name, name), *args)
            seen = memo.get(name)
            if seen is None:
                seen = memo[name] = {}
            known = seen.get(key)
            if known is None:
                try:
                    result = seen[key] = reader(value, heads.get(name, name), *args), True
                except RowError as e:
                    seen[key] = (str(e), False)
                    raise
                return result[0]
            if known[1]:
                return known[0]
            raise RowError(known[0])
        except RowError as e:
            if strict or name == "title":
                raise
            rec.kept.append(Kept(name, heads.get(name, name), _verbatim(value), True, str(e)))
            return default

    # The readings remembered (most cells of a sheet), taken without a call to ``read``.
    hits = {}
    if memo is not None:
        for name, value in raw.items():
            seen = memo.get(name)
            if seen is not None:
                # _memo_key inline: a text or an empty cell is its own key
                known = seen.get(value if value is None or type(value) is str else _memo_key(value))
                if known is not None and known[1]:
                    hits[name] = known[0]
    for name in _TEXT_FIELDS:
        if name in raw:
            values[name] = hits[name] if name in hits else read(name, _text)
    if "title" in values and values["title"] is None:
        raise RowError(_("{column} is empty: every row needs a measure.").format(column=head("title")))
    if split and values.get("unit"):
        parts = memo.get(("unit", "split", values["unit"])) if memo is not None else None
        if parts is None:
            parts = split_units(values["unit"])
            if memo is not None:  # beside the fields' memos: no field is a tuple
                memo[("unit", "split", values["unit"])] = parts
        values["unit"], others = parts
        if others:
            helpers = [values["helpers"]] if values.get("helpers") else []
            values["helpers"] = "、".join(helpers + [o for o in others if o not in helpers])
    if "problem" in raw:
        rec.problem = hits["problem"] if "problem" in hits else read("problem", _text)
    if "seq" in raw:
        rec.code = hits["seq"] if "seq" in hits else read("seq", _code)
    if "round" in raw:
        rec.round = hits["round"] if "round" in hits else read("round", _text)
    if "uid" in raw:
        rec.uid = hits["uid"] if "uid" in hits else read("uid", _uid)
    if "kind" in raw:
        kind_cell, _known = hits["kind"] if "kind" in hits else read("kind", _kind, default=(None, False))
    else:
        kind_cell, _known = None, False
    if kind_cell is None and _known and (_plain(raw.get("kind")) or "").strip():
        rec.kept.append(Kept("kind", head("kind"), _verbatim(raw["kind"]), False))  # 限期整改: no kind, kept
    done_word = None
    if "due" in raw:
        values["due"], due_kind, done_word = (hits["due"] if "due" in hits
                                              else read("due", _due, today, default=(None, None, None)))
        if rec.kept and rec.kept[-1].field == "due":  # an unreadable date beside a kind word: the kind holds
            due_kind = _kind_in(rec.kept[-1].text)
        if kind_cell and due_kind and kind_cell != due_kind:
            message = _("{kind} says {a} but {due} says {b}.").format(
                kind=head("kind"), a=kind_label(kind_cell), due=head("due"), b=kind_label(due_kind))
            if strict:
                raise RowError(message)
            rec.kept.append(Kept("due", head("due"), _verbatim(raw["due"]), True, message))
        elif due_kind and not kind_cell:
            values["kind"] = due_kind
    if "kind" in raw and "kind" not in values:
        values["kind"] = kind_cell
    claim = None
    if "status" in raw:
        claim, percent, note = hits["status"] if "status" in hits else read("status", _status, default=(None, None, None))
        if percent is not None:
            values["progress"] = percent
        if note:
            rec.progress_note = note
    if claim is None and done_word:
        claim = "done"
    if "progress" in raw:  # JSON: the percentage
        values["progress"] = _percent(raw["progress"], head("progress"))
    if "progress_note" in raw:
        note = hits["progress_note"] if "progress_note" in hits else read("progress_note", _text)
        if note and rec.progress_note and note != rec.progress_note and not isinstance(rec.progress_note, _Word):
            rec.progress_note = note + "\n" + rec.progress_note
        elif note:
            rec.progress_note = note
    if rec.progress_note is not None:
        rec.progress_note = str(rec.progress_note)
    if "closed_at" in raw:
        values["closed_at"] = read("closed_at", _timestamp, today)
    if claim:
        # The claim as the sheet says it (``done`` included); the importer
        # decides what it does under the rule book (rules.judge_claim,
        # rules.first_import_state).
        values["status"] = claim
        if claim in ("done", "submitted", "closed"):
            rec.claim = (_plain(raw.get("status")) or "").strip() or done_word
    if "evidence" in raw:
        text = hits["evidence"] if "evidence" in hits else read("evidence", _text)
        if text:
            rec.evidence = [line.strip() for line in text.split("\n") if line.strip()]
    for header, value in (extra or {}).items():
        text = _plain(value)
        if text is not None and text.strip():
            rec.kept.append(Kept(None, header, _verbatim(value), False))
    return rec
