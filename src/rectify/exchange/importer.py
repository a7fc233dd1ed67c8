"""Import: a file's rows -> checked records -> a plan (add / update /
unchanged) -> applied in one transaction.

Reading a sheet the way offices make them:
- the header row is the row among the first 20 that names the most known
  columns (a second header row below a merged group header is understood);
- merged cells that span rows give their value to every row they span;
- rows of one value between data rows (``一、财务管理方面``) are section
  headings: their text is the category of the rows below that have none;
- blank rows and footnotes under the table are skipped, with a note.

Every row is checked before anything is written. The merge is idempotent: a
row with a uid updates that task, a row without one updates the task with the
same problem text and measure, anything else is added; nothing is deleted.
Updates go through ``ledger._apply_changes`` (action ``import``), so every
changed field, status included, is one event.
"""

from __future__ import annotations

import re
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

from rectify import dates
from rectify import ledger as L
from rectify.errors import DateError, ImportFileError, InputError
from rectify.exchange import columns as C
from rectify.i18n import _, ngettext
from rectify.model import find_kind, parse_status

HEADER_SCAN_ROWS = 20
# Task columns an import may set, as stored.
TASK_FIELDS = ("title", "target", "kind", "unit", "leader", "owner", "helpers", "due", "note", "category",
               "status", "progress", "closed_at", "closed_by")

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_UID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
_POSITIONAL = re.compile(r"[(（]?[0-9一二三四五六七八九十百零]+[)）]?(?:[.．、-][0-9]+)*[.．、]?")
_PERCENT = re.compile(r"(.*?)[\s,，;；(（]*(?:完成|进度|已完成)?\s*(\d{1,3}(?:\.\d+)?)\s*[%％]\s*[)）]?")
_FOOTNOTE = re.compile(r"(注|说明|note)\s*[0-9０-９:：.、（(]|(填表|制表|填报|审核|审批|联系|备注|附件)[^:：\n]{0,5}[:：]", re.I)
_DUE_DONE = re.compile(r"(之?前)?(完成|办结|到位)(整改)?$")
_HEADING_NUMBER = re.compile(r"^[（(]?[一二三四五六七八九十0-9]+[)）]?[、.．\s]*")
_HEADING_COUNT = re.compile(r"[（(][^()（）]*[)）]$")
# Words a deadline cell may hold instead of, or beside, a date.
_DUE_KIND_WORDS = ("立行立改", "即知即改", "立即整改", "立查立改", "长期坚持", "持续整改", "长期整改", "建章立制",
                   "immediate", "long-term", "long_term", "long term", "ongoing")


_STATES = frozenset(("open", "in_progress", "submitted", "closed", "cancelled"))


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
    if _CONTROL.search(s) or len(s) > L.MAX_TEXT:
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
        raise RowError(_("{column}: unknown kind {text!r}; use 立行立改 / 长期坚持 (immediate / long-term).").format(
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
    if _ISO_DATE.fullmatch(s):
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
    if s in _STATES:
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
            raise RowError(_("{column}: unknown state {text!r}; use 未启动, 整改中, 待验收, 已销号 or 已撤销.").format(
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
    if not _UID.fullmatch(s):
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
        raise RowError(_("{column} is empty: every row needs a measure (整改措施).").format(
            column=heads.get("title", "title")))
    if "problem" in raw:
        rec.problem = _text(raw["problem"], heads.get("problem", "problem"))
    if "seq" in raw:
        rec.code = _code(raw["seq"], heads.get("seq", "seq"))
    if "uid" in raw:
        rec.uid = _uid(raw["uid"], heads.get("uid", "uid"))
    kind_cell = _kind(raw["kind"], heads.get("kind", "kind")) if "kind" in raw else None
    if "due" in raw:
        values["due"], due_kind = _due(raw["due"], heads.get("due", "due"), today)
        if kind_cell and due_kind and kind_cell != due_kind:
            raise RowError(_("{kind} says {a} but {due} says {b}.").format(
                kind=heads.get("kind", "kind"), a=C.KIND_WORDS["zh"][kind_cell], due=heads.get("due", "due"),
                b=C.KIND_WORDS["zh"][due_kind]))
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


# -- reading a sheet ------------------------------------------------------------


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _fill(grid: list[list], merges, *, tall_only: bool) -> list[list]:
    out = [list(r) for r in grid] if not tall_only else grid
    for r1, c1, r2, c2 in merges:
        if tall_only and r1 == r2:
            continue
        r2 = min(r2, len(out))
        if r1 > r2:
            continue
        value = out[r1 - 1][c1 - 1] if c1 - 1 < len(out[r1 - 1]) else None
        for r in range(r1, r2 + 1):
            row = out[r - 1]
            if len(row) < c2:
                row.extend([None] * (c2 - len(row)))
            for c in range(c1, c2 + 1):
                row[c - 1] = value
    return out


def _field_at(grid, r: int, c: int) -> str | None:
    value = grid[r][c] if c < len(grid[r]) else None
    return C.field_for(value) if isinstance(value, str) else None


def find_header(full: list[list]) -> tuple[int, dict[int, str], dict[int, str], list[str]] | None:
    """(row index, column -> field, column -> header text, unmapped headers) of
    the row among the first 20 that names most known columns."""
    best = None
    for r in range(min(HEADER_SCAN_ROWS, len(full))):
        mapping: dict[int, str] = {}
        texts: dict[int, str] = {}
        unmapped: list[str] = []
        for c, value in enumerate(full[r]):
            field_ = _field_at(full, r, c)
            text = value
            above = full[r - 1][c] if r > 0 and c < len(full[r - 1]) else None
            if field_ is None and r > 0 and (_blank(value) or value == above):
                field_ = _field_at(full, r - 1, c)  # a group header above, a sub-header row here
                text = above if field_ else value
            if field_ and field_ not in mapping.values():
                mapping[c] = field_
                texts[c] = " ".join(str(text).split())
            elif not _blank(value):
                unmapped.append(" ".join(str(value).split()))
        fields = set(mapping.values())
        if not fields & {"title", "problem"} or len(fields) < 2:
            continue
        if best is None or len(fields) > len(best[1]):
            best = (r, mapping, texts, unmapped)
    return best


def _is_repeat(values: list, mapping: dict[int, str]) -> bool:
    """The header row again, as sheets printed page by page repeat it."""
    named = [C.field_for(v) if isinstance(v, str) else None for v in values]
    return any(named) and all(_blank(v) or named[c] == mapping.get(c) for c, v in enumerate(values))


def _looks_like_data(raw: dict) -> bool:
    """A row under the table that is a task missing its measure, not a signature line."""
    return not _blank(raw.get("problem")) or sum(not _blank(v) for v in raw.values()) >= 3


def _heading(values: list, mapping: dict[int, str]) -> str | None:
    """A section heading: one text in a row, not in the problem or measure column."""
    filled = [(c, v) for c, v in enumerate(values) if not _blank(v)]
    if len({str(v).strip() for _c, v in filled}) != 1:
        return None
    c, v = filled[0]
    if mapping.get(c) in ("problem", "title") or not isinstance(v, str):
        return None
    text = _HEADING_COUNT.sub("", _HEADING_NUMBER.sub("", v.strip())).strip()
    return text or None


def read_grid(source: Source, grid: list[list], merges, today: date) -> bool:
    """Fill ``source`` from one sheet's cells; False when no header row is found."""
    full = _fill(grid, merges, tall_only=False)
    found = find_header(full)
    if found is None:
        return False
    hr, mapping, texts, unmapped = found
    data = _fill([list(r) for r in grid], merges, tall_only=True)
    source.present = set(mapping.values())
    source.unmapped = unmapped
    heads = {f: texts[c] for c, f in mapping.items()}
    key = "title" if "title" in source.present else "problem"
    rows = []  # (index, kind, payload)
    for i in range(hr + 1, len(data)):
        values = data[i]
        if all(_blank(v) for v in values):
            rows.append((i, "blank", None))
            continue
        raw = {f: (values[c] if c < len(values) else None) for c, f in mapping.items()}
        first = next(str(v).strip() for v in values if not _blank(v))
        if _FOOTNOTE.match(first):
            rows.append((i, "footnote", first))
        elif _is_repeat(values, mapping):
            rows.append((i, "repeat", None))
        elif not _blank(raw.get(key)):
            rows.append((i, "data", raw))
        elif (heading := _heading(values, mapping)) is not None:
            rows.append((i, "heading", heading))
        else:
            rows.append((i, "incomplete", raw))
    last_data = max((i for i, kind, _p in rows if kind == "data"), default=-1)
    category = None
    skipped_below = blanks = repeats = 0
    for i, kind, payload in rows:
        if i > last_data and not (kind == "incomplete" and _looks_like_data(payload)):
            skipped_below += kind != "blank"
            continue
        if kind == "blank":
            blanks += 1
        elif kind == "repeat":
            repeats += 1
        elif kind == "heading":
            category = payload
        elif kind == "footnote":
            source.notes.append(_("Row {row} skipped as a note: {text}").format(row=i + 1, text=payload[:60]))
        elif kind == "incomplete":
            source.bad.append((i + 1, _("{column} is empty: every row needs a measure (整改措施).").format(
                column=heads.get(key, key))))
        else:
            raw = payload
            if category and ("category" not in raw or _blank(raw["category"])):
                raw = {**raw, "category": category}
            if key == "problem" and "title" not in raw:
                raw = {**raw, "title": raw["problem"]}
            try:
                source.records.append(convert(raw, i + 1, heads, today))
            except RowError as e:
                source.bad.append((i + 1, str(e)))
    if key == "problem":
        source.present.add("title")
        source.notes.append(_("No measure (整改措施) column: each problem text is also its task's measure."))
    if any(kind == "heading" for _i, kind, _p in rows):
        source.present.add("category")
    if skipped_below:
        source.notes.append(ngettext("{n} row under the table skipped (a note, signature or blank line).",
                                     "{n} rows under the table skipped (notes, signatures, blank lines).",
                                     skipped_below).format(n=skipped_below))
    if blanks:
        source.notes.append(ngettext("{n} blank row inside the table skipped.",
                                     "{n} blank rows inside the table skipped.", blanks).format(n=blanks))
    if repeats:
        source.notes.append(ngettext("{n} repeated header row skipped.",
                                     "{n} repeated header rows skipped.", repeats).format(n=repeats))
    source.notes.insert(0, _("Header row: {row}.").format(row=hr + 1))
    return True


# -- reading JSON --------------------------------------------------------------

_JSON_FIELDS = ("title", "target", "kind", "status", "due", "unit", "leader", "owner", "helpers", "category",
                "note", "closed_at", "closed_by", "uid", "progress")
_JSON_IGNORED = ("id", "overdue", "band", "updated", "created", "history", "evidence")
_HISTORY_KEYS = ("at", "action", "field", "old", "new", "note", "actor")


def _json_record(item, index: int, today: date, unmapped: set) -> Record:
    if not isinstance(item, dict):
        raise RowError(_("not a task object"))
    raw = {}
    for key, value in item.items():
        if key in _JSON_FIELDS:
            if value is not None and not isinstance(value, (str, int, float)) or isinstance(value, bool):
                raise RowError(_("{key} must be text, not {type}.").format(key=key, type=type(value).__name__))
            raw[key] = value
        elif key == "problem":
            if isinstance(value, dict):
                raw["problem"] = value.get("description")
                if value.get("code") is not None:
                    raw["seq"] = str(value["code"])
            elif value is None or isinstance(value, str):
                raw["problem"] = value
            else:
                raise RowError(_("problem must be an object or text."))
        elif key not in _JSON_IGNORED:
            unmapped.add(key)
    if "title" not in raw:
        raise RowError(_("the task has no title."))
    rec = convert(raw, index, {}, today)
    if "seq" in raw:
        rec.code = _text(raw["seq"], "problem.code")
    history = item.get("history")
    if isinstance(history, list) and history:
        events = []
        for ev in history:
            if not isinstance(ev, dict) or not isinstance(ev.get("at"), str) or not isinstance(ev.get("action"), str):
                raise RowError(_("history: every event needs text \"at\" and \"action\"."))
            events.append(tuple(None if ev.get(k) is None else str(ev.get(k)) for k in _HISTORY_KEYS))
        rec.history = events
    created = item.get("created")
    if isinstance(created, str):
        try:
            rec.created = datetime.fromisoformat(created).replace(microsecond=0, tzinfo=None).isoformat()
        except ValueError:
            pass
    evidence = item.get("evidence")
    if isinstance(evidence, list):
        rec.evidence = [str(e.get("name") or e.get("note")) for e in evidence
                        if isinstance(e, dict) and (e.get("name") or e.get("note"))]
    return rec


_JSON_TEXT = ("title", "target", "unit", "leader", "owner", "helpers", "note", "category", "closed_by")
_JSON_KNOWN = frozenset(_JSON_FIELDS + _JSON_IGNORED + ("problem",))
_KINDS = frozenset(("immediate", "long_term"))
_TEXT_OR_NONE = frozenset((str, type(None)))


def _json_fast(item) -> Record | None:
    """The common case, quickly: an object as rectify exports it. None means
    "not so simple": the careful path then reads it and words any error."""
    if type(item) is not dict or not _JSON_KNOWN.issuperset(item):
        return None
    values = {}
    for key in _JSON_TEXT:
        if key in item:
            v = item[key]
            if v is None:
                values[key] = None
            elif type(v) is str:
                values[key] = v.strip() or None
            else:
                return None
    title = values.get("title")
    if not title:
        return None
    problem = item.get("problem")
    code = None
    if type(problem) is dict:
        description, code = problem.get("description"), problem.get("code")
        if type(description) is not str or (code is not None and type(code) is not str):
            return None
        description = description.strip() or None
        code = code.strip() or None if code else None
    elif problem is None:
        description = None
    else:
        return None
    texts = [v for v in values.values() if v]
    if description:
        texts.append(description)
    if code:
        texts.append(code)
    if _CONTROL.search("\n".join(texts)) or max(map(len, texts)) > L.MAX_TEXT:
        return None
    if "kind" in item:
        kind = item["kind"]
        if kind is not None and kind not in _KINDS:
            return None
        values["kind"] = kind
    if "status" in item:
        status = item["status"]
        if status not in _STATES:
            return None
        values["status"] = status
    if "due" in item:
        due = item["due"]
        if due is not None:
            if type(due) is not str or not _ISO_DATE.fullmatch(due):
                return None
            try:
                date.fromisoformat(due)
            except ValueError:
                return None
        values["due"] = due
    if "progress" in item:
        percent = item["progress"]
        if type(percent) is not int or not 0 <= percent <= 100:
            return None
        values["progress"] = percent
    if "closed_at" in item:
        closed = item["closed_at"]
        if closed is not None:
            try:
                closed = datetime.fromisoformat(closed).replace(microsecond=0, tzinfo=None).isoformat()
            except (TypeError, ValueError):
                return None
        values["closed_at"] = closed
    uid = item.get("uid")
    if uid is not None and (type(uid) is not str or not _UID.fullmatch(uid)):
        return None
    rec = Record(row=0, values=values, problem=description, code=code, uid=uid)
    history = item.get("history")
    if history:
        if type(history) is not list:
            return None
        events = []
        for ev in history:
            if type(ev) is not dict or type(ev.get("at")) is not str or type(ev.get("action")) is not str:
                return None
            event = tuple(map(ev.get, _HISTORY_KEYS))
            if not _TEXT_OR_NONE.issuperset(map(type, event)):
                event = tuple(None if v is None else str(v) for v in event)
            events.append(event)
        rec.history = events
    created = item.get("created")
    if type(created) is str:
        try:
            rec.created = datetime.fromisoformat(created).replace(microsecond=0, tzinfo=None).isoformat()
        except ValueError:
            pass
    evidence = item.get("evidence")
    if evidence:
        if type(evidence) is not list:
            return None
        rec.evidence = [str(e.get("name") or e.get("note")) for e in evidence
                        if type(e) is dict and (e.get("name") or e.get("note"))]
    return rec


def read_json(source: Source, items: list, today: date) -> None:
    unmapped: set = set()
    present: set = set()
    for index, item in enumerate(items, start=1):
        rec = _json_fast(item)
        if rec is not None:
            rec.row = index
            source.records.append(rec)
            if len(present) < len(_JSON_FIELDS) + 2:
                present.update(k for k in item if k in _JSON_FIELDS or k in ("problem", "evidence"))
            continue
        try:
            rec = _json_record(item, index, today, unmapped)
        except RowError as e:
            source.bad.append((index, str(e)))
            continue
        source.records.append(rec)
        if len(present) < len(_JSON_FIELDS) + 2:
            present.update(k for k in item if k in _JSON_FIELDS or k in ("problem", "evidence"))
    present.discard("uid")
    source.present = present | {"title"}
    source.unmapped = sorted(unmapped)


# -- reading a file ------------------------------------------------------------


def read_source(path: Path, *, sheet: str | None = None, today: date | None = None) -> Source:
    """Read and check every row of an xlsx, csv or json file."""
    path = Path(path)
    today = today or dates.today()
    if not path.is_file():
        raise InputError(_("No such file: {path}").format(path=path))
    suffix = path.suffix.lower()
    if suffix in (".json",):
        from rectify.exchange import json_io

        source = Source(path.name, "json", set())
        read_json(source, json_io.read(path), today)
        return source
    if suffix in (".csv", ".txt", ".tsv"):
        from rectify.exchange import csv_io

        if sheet is not None:
            raise InputError(_("--sheet applies to xlsx workbooks only."))
        source = Source(path.name, "csv", set())
        if not read_grid(source, csv_io.read(path), [], today):
            raise _no_header(path.name)
        return source
    if suffix in (".xlsx", ".xlsm"):
        from rectify.exchange import xlsx

        for ws in xlsx.sheets(xlsx.load(path), sheet):
            source = Source(path.name, "xlsx", set(), sheet=ws.name)
            if read_grid(source, ws.rows, ws.merges, today):
                return source
        raise _no_header(path.name)
    if suffix == ".xls":
        raise ImportFileError(_("{name} is an old-style .xls workbook: open it in Excel or WPS and save it as .xlsx.").format(
            name=path.name))
    raise InputError(_("Cannot tell the format of {name}: use a .xlsx, .csv or .json file.").format(name=path.name))


def _no_header(name: str) -> ImportFileError:
    return ImportFileError(
        _("{name}: no header row found in the first {n} rows; expected headers such as 整改措施, 问题描述, 整改时限, "
          "责任单位 (or the English headers of `rectify export`).").format(name=name, n=HEADER_SCAN_ROWS))


# -- the plan --------------------------------------------------------------------


@dataclass
class Plan:
    adds: list[Record] = field(default_factory=list)
    updates: list[tuple[Record, dict, dict]] = field(default_factory=list)  # (record, old task row, changes)
    unchanged: list[tuple[Record, int]] = field(default_factory=list)
    bad: list[tuple[int, str]] = field(default_factory=list)
    new_problems: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)  # text -> (category, code)
    progress_notes: list[tuple[int, str]] = field(default_factory=list)  # (task id, note) on existing tasks
    evidence: list[tuple[int, str]] = field(default_factory=list)  # (task id, note) on existing tasks

    def changed_ids(self) -> set[int]:
        return ({old["id"] for _r, old, _c in self.updates} | {t for t, _n in self.progress_notes}
                | {t for t, _n in self.evidence})


_SELECT_TASKS = ("SELECT id, uid, title, target, kind, unit, leader, owner, helpers, due, note, category, status, "
                 "progress, closed_at, closed_by, problem_id FROM task")


def build_plan(ledger, source: Source) -> Plan:
    """Decide for every record: add, update or leave; no SQL writes, no per-row SELECT."""
    plan = Plan(bad=list(source.bad))
    conn = ledger.conn
    problems = {desc: pid for pid, desc in conn.execute("SELECT id, description FROM problem")}
    problem_text = {pid: desc for desc, pid in problems.items()}
    tasks: dict[str, dict] = {}
    by_key: dict[tuple, list[str]] = {}
    by_title: dict[str, list[str]] = {}
    cursor = conn.execute(_SELECT_TASKS)
    names = [d[0] for d in cursor.description]
    for values in cursor:
        row = dict(zip(names, values))
        tasks[row["uid"]] = row
        by_key.setdefault((problem_text.get(row["problem_id"]), row["title"]), []).append(row["uid"])
        by_title.setdefault(row["title"], []).append(row["uid"])
    notes = _latest_notes(ledger) if "progress_note" in source.present else {}
    evidence = _evidence_texts(ledger) if "evidence" in source.present else {}
    has_problem = "problem" in source.present
    seen_uid: dict[str, int] = {}
    seen_key: dict[tuple, int] = {}
    seen_task: dict[int, int] = {}
    unit = _("item") if source.format == "json" else _("row")
    for rec in source.records:
        title = rec.values["title"]
        key = (rec.problem if has_problem else None, title)
        if rec.uid:
            if rec.uid in seen_uid:
                plan.bad.append((rec.row, _("uid {uid} is also on {unit} {row}.").format(
                    uid=rec.uid, unit=unit, row=seen_uid[rec.uid])))
                continue
            seen_uid[rec.uid] = rec.row
            old = tasks.get(rec.uid)
        else:
            if key in seen_key:
                plan.bad.append((rec.row, _("same problem and measure as {unit} {row}; give each a uid or merge them.").format(
                    unit=unit, row=seen_key[key])))
                continue
            seen_key[key] = rec.row
            matches = by_key.get(key, []) if has_problem else by_title.get(title, [])
            if len(matches) > 1:
                plan.bad.append((rec.row, _("{n} tasks in the ledger have this measure{problem}; add the uid column to say which.").format(
                    n=len(matches), problem=_(" and problem") if has_problem else "")))
                continue
            old = tasks[matches[0]] if matches else None
        if old is None:
            plan.adds.append(rec)
            if rec.problem and rec.problem not in problems and rec.problem not in plan.new_problems:
                plan.new_problems[rec.problem] = (rec.values.get("category"), rec.code)
            continue
        if old["id"] in seen_task:
            plan.bad.append((rec.row, _("updates the same task as {unit} {row}.").format(unit=unit, row=seen_task[old["id"]])))
            continue
        seen_task[old["id"]] = rec.row
        changes = _changes(rec, old, has_problem, problem_text)
        if has_problem and rec.problem and rec.problem not in problems and rec.problem not in plan.new_problems:
            if "problem_id" in changes:
                plan.new_problems[rec.problem] = (rec.values.get("category"), rec.code)
        touched = False
        if rec.progress_note and rec.progress_note != notes.get(old["id"]):
            plan.progress_notes.append((old["id"], rec.progress_note))
            touched = True
        known = evidence.get(old["id"], set())
        for line in rec.evidence:
            if line not in known:
                plan.evidence.append((old["id"], line))
                known = known | {line}
                touched = True
        if changes or touched:
            plan.updates.append((rec, old, changes))
        else:
            plan.unchanged.append((rec, old["id"]))
    return plan


def is_empty(ledger) -> bool:
    return not ledger.conn.execute("SELECT EXISTS (SELECT 1 FROM task) OR EXISTS (SELECT 1 FROM problem)").fetchone()[0]


def _changes(rec: Record, old: dict, has_problem: bool, problem_text: dict) -> dict:
    want = dict(rec.values)
    status = want.get("status")
    if status and status != old["status"] and "closed_at" not in want:
        if status == "closed":
            want["closed_at"] = dates.timestamp()
        elif old["status"] == "closed":
            want.update(closed_at=None, closed_by=None)
    if status is None:
        want.pop("status", None)
    changes = {k: v for k, v in want.items() if old.get(k) != v}
    if has_problem and problem_text.get(old["problem_id"]) != rec.problem:
        changes["problem_id"] = rec.problem  # a text here; the id is known when applied
    return changes


def _latest_notes(ledger) -> dict[int, str]:
    return dict(ledger.conn.execute(
        "SELECT task_id, note FROM event WHERE id IN (SELECT max(id) FROM event WHERE action = 'progress' "
        "AND note IS NOT NULL GROUP BY task_id)"))


def _evidence_texts(ledger) -> dict[int, set]:
    out: dict[int, set] = {}
    for task_id, name, note in ledger.conn.execute("SELECT task_id, name, note FROM evidence"):
        out.setdefault(task_id, set()).update(x for x in (name, note) if x)
    return out


# -- applying it -------------------------------------------------------------------

_INSERT_TASK = ("INSERT INTO task (id, uid, problem_id, title, target, kind, category, unit, leader, owner, helpers, "
                "due, status, progress, note, created, updated, closed_at, closed_by) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
_INSERT_EVENT = "INSERT INTO event (task_id, at, action, field, old, new, note, actor) VALUES (?,?,?,?,?,?,?,?)"
_INSERT_EVIDENCE = "INSERT INTO evidence (task_id, added, note) VALUES (?,?,?)"


def _next_id(conn, table: str) -> int:
    seq = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = ?", (table,)).fetchone()
    top = conn.execute(f"SELECT max(id) FROM {table}").fetchone()[0]
    return max(seq[0] if seq else 0, top or 0) + 1


BULK_ROWS = 20000  # from this many new tasks on, indexes are rebuilt once rather than kept up row by row
CHUNK = 5000  # rows written between two ticks of the progress bar


@contextmanager
def _indexes_rebuilt(conn, bulk: bool):
    """Drop the task and event indexes, and build them again at the end: for a
    bulk add, one sort beats a hundred thousand B-tree updates. Inside the
    import's transaction, so a failure restores them with everything else."""
    if not bulk:
        yield
        return
    saved = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                         "AND tbl_name IN ('task', 'event')").fetchall()
    for name, _sql in saved:
        conn.execute(f'DROP INDEX "{name}"')
    yield
    for _name, sql in saved:
        conn.execute(sql)


def apply_plan(ledger, plan: Plan, source_name: str, progress=None) -> None:
    """Write the plan. Call inside ``ledger.transaction()``: all or nothing."""
    conn = ledger.conn
    # Room for the indexes a large import touches: without it SQLite spills
    # pages to the WAL again and again inside the one transaction.
    conn.execute("PRAGMA cache_size = -262144")  # KiB: 256 MiB at most, used only as needed
    now = dates.timestamp()
    who = L.actor()
    note = _("import {name}").format(name=source_name)
    problems = _add_problems(conn, plan, now)
    total = len(plan.adds) + len(plan.updates)
    existing = conn.execute("SELECT count(*) FROM task").fetchone()[0]
    done = 0
    tid = _next_id(conn, "task")
    with _indexes_rebuilt(conn, len(plan.adds) >= BULK_ROWS and len(plan.adds) > existing):
        for start in range(0, len(plan.adds), CHUNK):
            task_rows, events, evidence = [], [], []
            for rec in plan.adds[start:start + CHUNK]:
                task_rows.append(_task_row(rec, tid, problems, now))
                _add_events(rec, tid, task_rows[-1][13], now, note, who, events, evidence)
                tid += 1
            conn.executemany(_INSERT_TASK, task_rows)
            conn.executemany(_INSERT_EVENT, events)
            conn.executemany(_INSERT_EVIDENCE, evidence)
            done += len(task_rows)
            if progress is not None:
                progress(done, total)
        for rec, old, changes in plan.updates:
            if "problem_id" in changes:
                changes = {**changes, "problem_id": problems.get(changes["problem_id"]) if changes["problem_id"] else None}
            L._apply_changes(ledger, old["id"], old, changes, "import", note=note)
            done += 1
            if progress is not None and done % CHUNK == 0:
                progress(done, total)
        _add_notes(conn, plan, now, who)
    if progress is not None:
        progress(total, total)


def _add_problems(conn, plan: Plan, now: str) -> dict[str, int]:
    """Insert the new problems; return every problem's id by its text."""
    problems = {desc: pid for pid, desc in conn.execute("SELECT id, description FROM problem")}
    pid = _next_id(conn, "problem")
    rows = []
    for desc, (category, code) in plan.new_problems.items():
        problems[desc] = pid
        rows.append((pid, str(uuid.uuid4()), code, desc, category, now))
        pid += 1
    conn.executemany("INSERT INTO problem (id, uid, code, description, category, created) VALUES (?,?,?,?,?,?)", rows)
    return problems


def _task_row(rec: Record, tid: int, problems: dict, now: str) -> tuple:
    v = rec.values
    status = v.get("status") or "open"
    percent = v.get("progress")
    if percent is None:
        percent = 100 if status == "closed" else 0
    closed_at = v.get("closed_at")
    if status == "closed" and "closed_at" not in v:
        closed_at = now
    return (tid, rec.uid or str(uuid.uuid4()), problems.get(rec.problem) if rec.problem else None,
            v["title"], v.get("target"), v.get("kind"), v.get("category"), v.get("unit"),
            v.get("leader"), v.get("owner"), v.get("helpers"), v.get("due"), status, percent,
            v.get("note"), rec.created or now, now, closed_at, v.get("closed_by"))


def _add_events(rec: Record, tid: int, percent: int, now: str, note: str, who, events: list, evidence: list) -> None:
    """A new task's events: its copied history (JSON), else an ``add``; then
    its progress note and evidence lines."""
    title = rec.values["title"]
    if rec.history:
        events.extend((tid, *ev) for ev in rec.history)
    else:
        events.append((tid, now, "add", None, None, title, note, who))
        if rec.progress_note:
            events.append((tid, now, "progress", "progress", str(percent), str(percent), rec.progress_note, who))
    for line in rec.evidence:
        evidence.append((tid, now, line))
        events.append((tid, now, "evidence", None, None, None, line, who))


def _add_notes(conn, plan: Plan, now: str, who) -> None:
    """Progress notes and evidence lines that the file adds to existing tasks."""
    events, evidence = [], []
    ids = ",".join(str(t) for t, _n in plan.progress_notes)
    percent = dict(conn.execute(f"SELECT id, progress FROM task WHERE id IN ({ids})")) if ids else {}
    for task_id, text in plan.progress_notes:
        events.append((task_id, now, "progress", "progress", str(percent[task_id]), str(percent[task_id]), text, who))
    for task_id, text in plan.evidence:
        evidence.append((task_id, now, text))
        events.append((task_id, now, "evidence", None, None, None, text, who))
    conn.executemany(_INSERT_EVENT, events)
    conn.executemany(_INSERT_EVIDENCE, evidence)
