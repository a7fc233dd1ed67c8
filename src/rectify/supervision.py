"""The paper trail of supervision: numbered notices and extension requests.

A notice (提醒 reminder, 督办 supervision notice, 告诫 warning) is issued per
unit from the supervision sheets: a reminder names tasks due within the
lead time (setting ``reminder_lead_days``); a supervision notice names
overdue tasks and is to be answered by a date (``notice_reply_days``); a
warning names overdue tasks whose supervision notice's reply-by date has
passed. Each has a number such as 督办〔2026〕12号 (setting ``notice_number``),
counted per year and kind, and is recorded with its tasks; so is its reply.

An extension request (延期申请) asks for a later deadline with a reason; one
who is not the person responsible approves it (the extension is then granted
by the same rule as ``rectify extend``) or refuses it. A request made after
the deadline is flagged as late.
"""

from __future__ import annotations

from datetime import date, timedelta

from rectify import dates
from rectify.errors import InputError, NotFoundError, RuleError
from rectify.i18n import N_, _
from rectify.ledger import _current, actor, clean_text, grant_extension, inserted_id, refuse_own_check
from rectify.rules import check_extension
from rectify.settings import settings_at
from rectify.store import Ledger

KINDS = ("reminder", "supervision", "warning")
KIND_LABELS = {"reminder": N_("reminder"), "supervision": N_("supervision notice"), "warning": N_("warning")}
_KIND_WORDS = {"reminder": "reminder", "remind": "reminder", "提醒": "reminder", "提醒书": "reminder",
               "supervision": "supervision", "supervise": "supervision", "督办": "supervision", "督办通知": "supervision",
               "warning": "warning", "warn": "warning", "告诫": "warning", "告诫书": "warning"}


def kind_label(kind: str) -> str:
    return _(KIND_LABELS[kind])


def parse_notice_kind(text: str) -> str:
    kind = _KIND_WORDS.get(text.strip().lower())
    if kind is None:
        raise InputError(_("Unknown notice kind {text!r}: use reminder, supervision or warning.").format(text=text))
    return kind


# -- notices -------------------------------------------------------------------------


def _notice_kind(task: dict, today: str, lead_until: str, escalated: set[int]) -> str | None:
    """Which notice a task of a sheet calls for now, if any."""
    if task["due"] < today:
        return "warning" if task["id"] in escalated else "supervision"
    return "reminder" if task["due"] <= lead_until else None


def _already(ledger: Ledger, today: str) -> dict[str, set[int]]:
    """Per kind, the tasks a notice of that kind still covers: a reminder
    issued within the lead time, or a notice awaiting its reply-by date."""
    cfg = settings_at(ledger)
    since = (date.fromisoformat(today) - timedelta(days=cfg["reminder_lead_days"])).isoformat()
    covered: dict[str, set[int]] = {k: set() for k in KINDS}
    for kind, task_id in ledger.query(
            """SELECT n.kind, nt.task_id FROM notice n JOIN notice_task nt ON nt.notice_id = n.id
               WHERE (n.reply_by IS NULL AND n.issued >= :since)
                  OR (n.reply_by IS NOT NULL AND n.replied_at IS NULL AND n.reply_by >= :today)""",
            {"since": since, "today": today}):
        covered[kind].add(task_id)
    return covered


def _escalated(ledger: Ledger, today: str) -> set[int]:
    """Tasks named in a supervision notice whose reply-by date has passed."""
    return {r[0] for r in ledger.query(
        "SELECT nt.task_id FROM notice n JOIN notice_task nt ON nt.notice_id = n.id"
        " WHERE n.kind = 'supervision' AND n.reply_by < ?", (today,))}


def number(values: dict, kind: str, year: int, serial: int) -> str:
    return values["notice_number"].format(kind=values[f"notice_word_{kind}"], year=year, serial=serial)


def issue(ledger: Ledger, data: dict, only: str | None = None) -> dict:
    """Issue the sheets of ``data`` (``reports.sheets``) as numbered notices:
    per unit, one notice per kind its tasks call for. Returns ``data`` with
    one sheet per notice, each with its "notice"."""
    today = data["as_of"]
    with ledger.transaction():
        values = settings_at(ledger)
        lead_until = (date.fromisoformat(today) + timedelta(days=values["reminder_lead_days"])).isoformat()
        covered, escalated = _already(ledger, today), _escalated(ledger, today)
        year = int(today[:4])
        now = ledger.timestamp()
        who = actor(ledger)
        sheets = []
        for sheet in data["sheets"]:
            groups: dict[str, list[dict]] = {}
            for task in sheet["tasks"]:
                kind = _notice_kind(task, today, lead_until, escalated)
                if kind and (only is None or kind == only) and task["id"] not in covered[kind]:
                    groups.setdefault(kind, []).append(task)
            for kind in KINDS:
                tasks = groups.get(kind)
                if not tasks:
                    continue
                serial = 1 + (ledger.scalar("SELECT max(serial) FROM notice WHERE kind = ? AND year = ?",
                                            (kind, year)) or 0)
                text = number(values, kind, year, serial)
                if ledger.scalar("SELECT 1 FROM notice WHERE number = ?", (text,)):
                    raise RuleError(_("The notice number {number} is taken already: change the setting notice_number.").format(
                        number=text))
                reply_by = None if kind == "reminder" else (
                    date.fromisoformat(today) + timedelta(days=values["notice_reply_days"])).isoformat()
                cur = ledger.conn.execute(
                    "INSERT INTO notice (number, kind, year, serial, unit, issued, reply_by, actor) VALUES (?,?,?,?,?,?,?,?)",
                    (text, kind, year, serial, sheet["unit"], now, reply_by, who))
                notice_id = inserted_id(cur)
                for task in tasks:
                    ledger.conn.execute("INSERT INTO notice_task (notice_id, task_id) VALUES (?, ?)", (notice_id, task["id"]))
                    ledger.record(task["id"], "notice", new=text, note=kind, actor=who, at=now)
                ledger.record_ledger("notice", subject=text, new=kind, note=sheet["unit"], actor=who, at=now)
                sheets.append({**sheet, "tasks": tasks,
                               "overdue": sum(1 for t in tasks if t["overdue"]),
                               "due_soon": sum(1 for t in tasks if not t["overdue"]),
                               "notice": {"id": notice_id, "number": text, "kind": kind, "issued": now,
                                          "reply_by": reply_by}})
    return {**data, "sheets": sheets}


def _notice_dict(ledger: Ledger, row, today: str) -> dict:
    notice = dict(row)
    notice["tasks"] = [r[0] for r in ledger.query(
        "SELECT task_id FROM notice_task WHERE notice_id = ? ORDER BY task_id", (row["id"],))]
    notice["awaiting"] = bool(row["reply_by"] and not row["replied_at"])
    notice["reply_overdue"] = notice["awaiting"] and row["reply_by"] < today
    return notice


def find_notice(ledger: Ledger, ref: str) -> dict:
    """A notice by its number (as printed) or its id."""
    text = ref.strip()
    row = ledger.conn.execute("SELECT * FROM notice WHERE number = ?", (text,)).fetchone()
    if row is None and text.isdigit():
        row = ledger.conn.execute("SELECT * FROM notice WHERE id = ?", (int(text),)).fetchone()
    if row is None:
        raise NotFoundError(_("No notice {ref}. See `rectify notice list`.").format(ref=ref))
    return _notice_dict(ledger, row, dates.today().isoformat())


def list_notices(ledger: Ledger, *, awaiting: bool = False, overdue: bool = False) -> list[dict]:
    today = dates.today().isoformat()
    where = ""
    if awaiting:
        where = " WHERE reply_by IS NOT NULL AND replied_at IS NULL"
    if overdue:
        where = " WHERE reply_by IS NOT NULL AND replied_at IS NULL AND reply_by < :today"
    return [_notice_dict(ledger, r, today) for r in ledger.query(
        f"SELECT * FROM notice{where} ORDER BY issued, id", {"today": today})]


def reply(ledger: Ledger, ref: str, note: str, by: str | None = None) -> dict:
    """Record the unit's reply to a notice."""
    note = clean_text(note, "note", required=True)
    by = clean_text(by, "owner")
    with ledger.transaction():
        notice = find_notice(ledger, ref)
        if notice["replied_at"]:
            raise RuleError(_("Notice {number} was answered already, on {date}.").format(
                number=notice["number"], date=dates.show_date(notice["replied_at"][:10])))
        now = ledger.timestamp()
        who = by or actor(ledger)
        ledger.conn.execute("UPDATE notice SET replied_at = ?, reply_note = ?, replied_by = ? WHERE id = ?",
                            (now, note, who, notice["id"]))
        for task_id in notice["tasks"]:
            ledger.record(task_id, "notice_reply", new=notice["number"], note=note, actor=who, at=now)
        ledger.record_ledger("notice_reply", subject=notice["number"], note=note, actor=who, at=now)
    return find_notice(ledger, str(notice["id"]))


# -- extension requests --------------------------------------------------------------


def request_extension(ledger: Ledger, task_id: int, new_due: str, reason: str) -> dict:
    """Record a request for a later deadline; flagged late when made after the deadline."""
    reason = clean_text(reason, "reason", required=True)
    due = dates.parse_date(new_due).isoformat()
    with ledger.transaction():
        request_id = file_request(ledger, task_id, due, reason, actor(ledger))
    return get_request(ledger, request_id)


def file_request(ledger: Ledger, task_id: int, due: str, reason: str, who: str | None) -> int:
    """Record a request under the rule of an extension; its id. Inside a
    transaction (a returned sheet's later deadline comes here too)."""
    old = check_extension(task_id, _current(ledger, task_id), due)
    pending = ledger.scalar("SELECT id FROM extension_request WHERE task_id = ? AND status = 'pending'", (task_id,))
    if pending:
        raise RuleError(_("Task {id} has a request pending already (request {request}): approve or refuse it first.").format(
            id=task_id, request=pending))
    now = ledger.timestamp()
    late = bool(old["due"] and old["due"] < dates.today().isoformat())
    cur = ledger.conn.execute(
        "INSERT INTO extension_request (task_id, at, old_due, new_due, reason, requested_by, late) VALUES (?,?,?,?,?,?,?)",
        (task_id, now, old["due"], due, reason, who, int(late)))
    ledger.record(task_id, "extend_request", old=old["due"], new=due, note=reason, actor=who, at=now)
    return inserted_id(cur)


def decide(ledger: Ledger, request_id: int, *, approve: bool, by: str, note: str | None = None) -> dict:
    """Approve (the extension is granted) or refuse (a reason is needed) a pending request."""
    by = clean_text(by, "checker", required=True)
    note = clean_text(note, "reason", required=not approve)
    with ledger.transaction():
        req = get_request(ledger, request_id)
        if req["status"] != "pending":
            raise RuleError(_("Request {id} was {status} already.").format(id=request_id, status=_(STATUS_LABELS[req["status"]])))
        task = _current(ledger, req["task_id"])
        refuse_own_check(by, task["owner"], _("An extension is approved or refused by someone other than the person responsible ({owner})."))
        now = ledger.timestamp()
        if approve:
            reason = req["reason"] + (f" ({note})" if note else "")
            grant_extension(ledger, req["task_id"], req["new_due"], reason, who=by)
        status = "approved" if approve else "refused"
        ledger.conn.execute("UPDATE extension_request SET status = ?, decided_at = ?, decided_by = ?, decision_note = ? WHERE id = ?",
                            (status, now, by, note, request_id))
        ledger.record(req["task_id"], "extend_" + ("approve" if approve else "refuse"), new=req["new_due"],
                      note=note, actor=by, at=now)
    return get_request(ledger, request_id)


STATUS_LABELS = {"pending": N_("pending"), "approved": N_("approved"), "refused": N_("refused")}

_REQUEST = """SELECT r.*, t.title, t.unit, t.owner, t.due FROM extension_request r JOIN task t ON t.id = r.task_id"""


def _request_dict(row) -> dict:
    from rectify.notes import shown

    out = dict(row)
    out["late"] = bool(out["late"])
    out["reason"] = shown(out["reason"])
    return out


def get_request(ledger: Ledger, request_id: int) -> dict:
    row = ledger.conn.execute(f"{_REQUEST} WHERE r.id = ?", (request_id,)).fetchone()
    if row is None:
        raise NotFoundError(_("No extension request {id}. See `rectify extend requests`.").format(id=request_id))
    return _request_dict(row)


def list_requests(ledger: Ledger, *, pending: bool = False) -> list[dict]:
    where = " WHERE r.status = 'pending'" if pending else ""
    return [_request_dict(r) for r in ledger.query(f"{_REQUEST}{where} ORDER BY r.at, r.id")]


def pending_at(ledger: Ledger, until: str) -> list[dict]:
    """The requests pending at ``until``: made by then and not decided by then
    (the "extension_requests" of the weekly)."""
    rows = ledger.query(f"{_REQUEST} WHERE r.at <= :until AND (r.decided_at IS NULL OR r.decided_at > :until)"
                        " ORDER BY r.at, r.id", {"until": until})
    out = []
    for row in rows:
        req = _request_dict(row)
        req["status"] = "pending"
        for key in ("decided_at", "decided_by", "decision_note", "due"):
            req.pop(key)
        out.append(req)
    return out
