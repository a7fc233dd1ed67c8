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
from datetime import date, datetime
from pathlib import Path

from rectify import ledger as L
from rectify.errors import ImportFileError
from rectify.exchange.records import (ISO_DATE, STATES, UID, Record, RowError, Source, _text,
                                      convert)
from rectify.i18n import _


def write(stream, tasks: list[dict]) -> None:
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
_JSON_IGNORED = ("id", "overdue", "band", "updated", "created", "history", "evidence", "recheck_due", "relapse_of")
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
    if any(map(L.needs_a_closer_look, texts)):
        return None
    if "kind" in item:
        kind = item["kind"]
        if kind is not None and kind not in _KINDS:
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
    if uid is not None and (type(uid) is not str or not UID.fullmatch(uid)):
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
