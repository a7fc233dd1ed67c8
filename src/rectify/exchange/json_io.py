"""JSON in and out.

Out: an array of task objects, each exactly as ``rectify list --json`` gives
it, plus ``"evidence"`` and ``"history"`` as ``rectify show --json`` gives them.

In: that array (or an object with a ``"tasks"`` array). Keys rectify derives
(``id``, ``overdue``, ``band``, ``updated``, and the look-back's
``recheck_due`` and ``relapse_of``) are read past; any other unknown
key is reported as unmapped. An object shaped as rectify exports it takes a
fast path (100,000 of them must import in seconds); anything else goes
through the careful path of ``records``, which words the error.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING

from rectify import dates
from rectify import ledger as L
from rectify.errors import ImportFileError
from rectify.exchange.records import ISO_DATE, UID, Record, RowError, Source, _text, convert, moment
from rectify.i18n import _
from rectify.model import ACTIONS, EVENT_FIELDS, allowed_change
from rectify.vocabulary import KINDS, STATES

if TYPE_CHECKING:
    from rectify.contracts import ExportedTask


def write(stream, tasks: list[ExportedTask]) -> None:
    json.dump(tasks, stream, ensure_ascii=False, indent=1)
    stream.write("\n")


def read(path: Path) -> list:
    name = Path(path).name
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise ImportFileError(_("Cannot read {path}: {reason}.").format(path=path, reason=e.strerror)) from None
    try:
        doc = json.loads(data)
    except (ValueError, RecursionError) as e:
        raise ImportFileError(_("{name} is not valid JSON: {reason}.").format(name=name, reason=e)) from None
    if isinstance(doc, dict) and isinstance(doc.get("tasks"), list):
        doc = doc["tasks"]
    if not isinstance(doc, list):
        raise ImportFileError(
            _("{name} must hold an array of task objects, as `rectify export --format json` writes.").format(name=name))
    return doc


# -- reading task objects -------------------------------------------------------

_JSON_FIELDS = ("title", "target", "kind", "status", "due", "unit", "leader", "owner", "helpers", "category",
                "note", "closed_at", "closed_by", "uid", "progress")
# The look-back's fields (recheck_due, relapse_of) are read past too: a
# relapse names a task of the exporting ledger, and a re-check is scheduled
# by the ledger that closed the task.
_JSON_IGNORED = ("id", "overdue", "days_late", "band", "updated", "created", "history", "evidence", "recheck_due", "relapse_of")
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
        rec.history = _history(history)
    created = item.get("created")
    if created is not None:
        if not isinstance(created, str):
            raise RowError(_("{key} must be text, not {type}.").format(key="created", type=type(created).__name__))
        rec.created = moment(created, "created")
    evidence = item.get("evidence")
    if isinstance(evidence, list):
        rec.evidence = [text for e in evidence if isinstance(e, dict) and (e.get("name") or e.get("note"))
                        and (text := _text(e.get("name") or e.get("note"), "evidence"))]
    return rec


def _history(history: list) -> list[tuple]:
    """The events of a task's history, checked as the commands write them: a
    valid time within the supported dates, never earlier than the event before
    it; a known action and field; a change of state the rules allow; text as a
    field takes it (no control character, at most ledger.MAX_TEXT characters)."""
    events = []
    last = ""
    for n, ev in enumerate(history, start=1):
        if not isinstance(ev, dict) or not isinstance(ev.get("at"), str) or not isinstance(ev.get("action"), str):
            raise RowError(_("history: every event needs text \"at\" and \"action\"."))
        where = _("history event {n}").format(n=n)
        at = moment(ev["at"], where)
        if at < last:
            raise RowError(_("{event}: its time {at} is earlier than the event before it ({last}).").format(
                event=where, at=at, last=last))
        last = at
        if ev["action"] not in ACTIONS:
            raise RowError(_("{event}: unknown action {action!r}.").format(event=where, action=ev["action"][:40]))
        field = ev.get("field")
        if field is not None and field not in EVENT_FIELDS:
            raise RowError(_("{event}: unknown field {field!r}.").format(event=where, field=str(field)[:40]))
        texts = []
        for key in ("old", "new", "note", "actor"):
            value = ev.get(key)
            if value is not None and not isinstance(value, (str, int, float)) or isinstance(value, bool):
                raise RowError(_("{key} must be text, not {type}.").format(key=f"{where}, {key}", type=type(value).__name__))
            text = None if value is None else str(value)
            if text is not None and L.needs_a_closer_look(text):
                _event_text(text, f"{where}, {key}")
            texts.append(text)
        if field == "status" and not allowed_change(ev["action"], texts[0], texts[1]):
            raise RowError(_("{event}: a change of state from {old} to {new} by {action}, which the ledger's rules do not allow.").format(
                event=where, old=repr(texts[0]), new=repr(texts[1]), action=repr(ev["action"])))
        events.append((at, ev["action"], field, *texts))
    return events


def _event_text(text: str, where: str) -> None:
    """Refuse what no command would record in a history: a control character
    (tab and newline aside), a lone surrogate, a text longer than a field."""
    bad = L.SUSPECT.search(text)
    if bad:
        raise RowError(_("{where} contains a control character (such as NUL); remove it.").format(where=where))
    if len(text) > L.MAX_TEXT:
        raise RowError(_("{where} is {n} characters long; the most a field takes is {max}.").format(
            where=where, n=len(text), max=L.MAX_TEXT))


_JSON_TEXT = ("title", "target", "unit", "leader", "owner", "helpers", "note", "category", "closed_by")
_JSON_KNOWN = frozenset(_JSON_FIELDS + _JSON_IGNORED + ("problem",))
_TEXT_OR_NONE = frozenset((str, type(None)))


def _json_fast(item) -> Record | None:
    """The common case, quickly: an object as rectify exports it. None means
    "not so simple": the careful path then reads it and words any error."""
    if type(item) is not dict or not _JSON_KNOWN.issuperset(item):
        return None
    values: dict[str, str | int | None] = {}
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
    texts = [v for v in values.values() if isinstance(v, str) and v]  # only text so far
    if description:
        texts.append(description)
    if code:
        texts.append(code)
    if any(map(L.needs_a_closer_look, texts)):
        return None
    if "kind" in item:
        kind = item["kind"]
        if kind is not None and kind not in KINDS:
            return None
        values["kind"] = kind
    if "status" in item:
        status = item["status"]
        if status not in STATES:
            return None
        values["status"] = status
    if "due" in item:
        due = item["due"]
        if due is not None:
            if type(due) is not str or not ISO_DATE.fullmatch(due):
                return None
            try:
                if not dates.in_range(date.fromisoformat(due)):
                    return None
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
            closed = _fast_moment(closed)
            if closed is None:
                return None
        values["closed_at"] = closed
    uid = item.get("uid")
    if uid is not None and (type(uid) is not str or not UID.fullmatch(uid)):
        return None
    rec = Record(row=0, values=values, problem=description, code=code, uid=uid)
    history = item.get("history")
    if history:
        if type(history) is not list:
            return None
        events = []
        last = ""
        for ev in history:
            if type(ev) is not dict or type(ev.get("at")) is not str or type(ev.get("action")) is not str:
                return None
            event = tuple(map(ev.get, _HISTORY_KEYS))
            if not _TEXT_OR_NONE.issuperset(map(type, event)):
                return None
            at = _fast_moment(event[0])
            if at is None or at < last or event[1] not in _ACTIONS or (event[2] is not None and event[2] not in _FIELDS):
                return None
            if any(v is not None and L.needs_a_closer_look(v) for v in event[3:]):
                return None
            if event[2] == "status" and not allowed_change(event[1], event[3], event[4]):
                return None
            last = at
            events.append((at, *event[1:]))
        rec.history = events
    created = item.get("created")
    if created is not None:
        rec.created = _fast_moment(created)
        if rec.created is None:
            return None
    evidence = item.get("evidence")
    if evidence:
        if type(evidence) is not list:
            return None
        rec.evidence = [text for e in evidence if type(e) is dict and (text := e.get("name") or e.get("note"))]
        if any(type(e) is not str or L.needs_a_closer_look(e) or not e.strip() for e in rec.evidence):
            return None
    return rec


_ACTIONS = frozenset(ACTIONS)
_FIELDS = frozenset(EVENT_FIELDS)


def _fast_moment(text) -> str | None:
    """A stored time from an ISO text, or None for anything ``moment`` would
    refuse or word (the careful path then says why)."""
    if type(text) is not str:
        return None
    try:
        value = datetime.fromisoformat(text).replace(microsecond=0, tzinfo=None)
    except ValueError:
        return None
    return value.isoformat() if MIN_MOMENT <= value <= MAX_MOMENT else None


MIN_MOMENT = datetime.combine(dates.MIN_DATE, time.min)
MAX_MOMENT = datetime.combine(dates.MAX_DATE, time.max)

_PRESENT = frozenset(_JSON_FIELDS + ("problem", "evidence"))


def read_records(source: Source, items: list, today: date) -> None:
    unmapped: set = set()
    seen: set = set()  # every key of every item; one C-level test per item
    for index, item in enumerate(items, start=1):
        rec = _json_fast(item)
        if rec is not None:
            rec.row = index
            source.records.append(rec)
            if not seen.issuperset(item):
                seen.update(item)
            continue
        try:
            rec = _json_record(item, index, today, unmapped)
        except RowError as e:
            source.bad.append((index, str(e)))
            continue
        source.records.append(rec)
        seen.update(item)
    present = seen & _PRESENT
    present.discard("uid")
    source.present = present | {"title"}
    source.unmapped = sorted(unmapped)
