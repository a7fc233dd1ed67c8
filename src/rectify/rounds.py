"""Rounds and outcomes: where a problem came from, and what a task achieved.

A *round* (巡察轮次) is one inspection, audit or supervision visit and its
feedback: a name (区委第三巡察组巡察反馈), a kind, the feedback date and the
body that issued it. A ledger may hold several; each problem belongs to one.

An *outcome* (整改成效) is a typed entry recorded on a task: a rule
established or revised (title, document number 文号, date issued); money
recovered, returned or saved (in yuan, stored as whole fen); people held to
account (a number, and the form: 诫勉谈话, 党纪处分 ...); or another result as
text. Each entry is written with its event in the task's history, in one
transaction. Results are plain dicts: the JSON contract.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from decimal import Decimal, InvalidOperation
from typing import overload

from rectify import dates
from rectify.errors import InputError, NotFoundError, RuleError
from rectify.i18n import _
from rectify.ledger import _current, actor, clean_text, inserted_id
from rectify.model import OUTCOME_TYPES, parse_money_kind, parse_round_kind
from rectify.store import Ledger

MAX_FEN = 10**17  # a trillion yuan many times over, still exact in SQLite's 64 bits

# -- rounds ---------------------------------------------------------------------

ROUND_COLUMNS = "r.id, r.uid, r.name, r.kind, r.fed_back, r.issuer, r.created"


def _round_dict(row) -> dict:
    return {k: row[k] for k in ("id", "uid", "name", "kind", "fed_back", "issuer", "created")}


def list_rounds(ledger: Ledger) -> list[dict]:
    """Every round, in the order recorded, with its problem and task counts."""
    out = []
    for row in ledger.query(
            f"""SELECT {ROUND_COLUMNS},
                       (SELECT count(*) FROM problem p WHERE p.round_id = r.id) AS problems,
                       (SELECT count(*) FROM task t WHERE t.round_id = r.id) AS tasks
                FROM round r ORDER BY r.id"""):
        out.append({**_round_dict(row), "problems": row["problems"], "tasks": row["tasks"]})
    return out


@overload
def find_round(ledger: Ledger, text: str | int) -> dict: ...
@overload
def find_round(ledger: Ledger, text: None) -> None: ...
@overload
def find_round(ledger: Ledger, text: str | int | None) -> dict | None: ...


def find_round(ledger: Ledger, text: str | int | None) -> dict | None:
    """The round a user names, by its name or its id; None for None. An
    unknown name is a NotFoundError that lists the names there are."""
    if text is None:
        return None
    key = unicodedata.normalize("NFKC", str(text)).strip()
    row = ledger.conn.execute(f"SELECT {ROUND_COLUMNS} FROM round r WHERE r.name = ?", (str(text).strip(),)).fetchone()
    if row is None and key.isdigit():
        row = ledger.conn.execute(f"SELECT {ROUND_COLUMNS} FROM round r WHERE r.id = ?", (int(key),)).fetchone()
    if row is None:
        row = ledger.conn.execute(f"SELECT {ROUND_COLUMNS} FROM round r WHERE r.name = ?", (key,)).fetchone()
    if row is None:
        names = [r[0] for r in ledger.query("SELECT name FROM round ORDER BY id")]
        if not names:
            raise NotFoundError(_("No round {text!r}: the ledger has no rounds yet; add one with `rectify round add NAME`.").format(
                text=str(text)))
        raise NotFoundError(_("No round {text!r}; the rounds are: {names}.").format(
            text=str(text), names=_(", ").join(names)))
    return _round_dict(row)


def _round_fields(kind: str | None, fed_back: str | None, issuer: str | None) -> dict:
    fields: dict = {}
    if kind is not None:
        fields["kind"] = parse_round_kind(kind) if kind.strip() else None
    if fed_back is not None:
        fields["fed_back"] = dates.parse_date(fed_back).isoformat() if fed_back.strip() else None
    if issuer is not None:
        fields["issuer"] = clean_text(issuer, "issuer")
    return fields


def _name_free(ledger: Ledger, name: str, but: int | None = None) -> None:
    if ledger.scalar("SELECT 1 FROM round WHERE name = ? AND id IS NOT ?", (name, but)):
        raise RuleError(_("A round named {name!r} exists already.").format(name=name))


def add_round(ledger: Ledger, name: str, *, kind: str | None = None, fed_back: str | None = None,
              issuer: str | None = None) -> dict:
    name = clean_text(name, "round", required=True)
    fields = _round_fields(kind, fed_back, issuer)
    with ledger.transaction():
        _name_free(ledger, name)
        cur = ledger.conn.execute(
            "INSERT INTO round (uid, name, kind, fed_back, issuer, created) VALUES (?,?,?,?,?,?)",
            (str(uuid.uuid4()), name, fields.get("kind"), fields.get("fed_back"), fields.get("issuer"),
             ledger.timestamp()))
        round_id = inserted_id(cur)
    return find_round(ledger, round_id)


def edit_round(ledger: Ledger, which: str, *, name: str | None = None, kind: str | None = None,
               fed_back: str | None = None, issuer: str | None = None) -> dict:
    """Rename a round or change its kind, feedback date or issuing body. These
    describe the round; the problems in it are unchanged."""
    fields = _round_fields(kind, fed_back, issuer)
    if name is not None:
        fields["name"] = clean_text(name, "round", required=True)
    if not fields:
        raise InputError(_("Nothing to change: give --name, --kind, --fed-back or --issuer."))
    with ledger.transaction():
        found = find_round(ledger, which)
        assert found is not None
        if "name" in fields:
            _name_free(ledger, fields["name"], found["id"])
        sets = ", ".join(f"{k} = ?" for k in fields)
        ledger.conn.execute(f"UPDATE round SET {sets} WHERE id = ?", (*fields.values(), found["id"]))
    return find_round(ledger, found["id"])


# -- money -----------------------------------------------------------------------

_AMOUNT = re.compile(r"^(?P<number>\d[\d,]*(?:\.\d+)?|\.\d+)\s*(?P<unit>万元|万|元|yuan|rmb|cny)?$", re.IGNORECASE)


def parse_amount(text: str) -> int:
    """An amount in yuan as typed (12500, 1,250.50, 3.5万, 800元) -> whole fen.
    More than two decimals of a yuan is refused, never rounded."""
    raw = unicodedata.normalize("NFKC", str(text)).strip().replace(" ", "")
    for sign in ("¥", "￥"):
        raw = raw.removeprefix(sign)
    match = _AMOUNT.match(raw)
    if not match:
        raise InputError(_("Cannot read the amount {text!r}: give yuan, e.g. 12500 or 1,250.50.").format(text=text))
    try:
        yuan = Decimal(match["number"].replace(",", ""))
    except InvalidOperation:
        raise InputError(_("Cannot read the amount {text!r}: give yuan, e.g. 12500 or 1,250.50.").format(text=text)) from None
    if (match["unit"] or "").startswith("万"):
        yuan *= 10000
    fen = yuan * 100
    if fen != fen.to_integral_value():
        raise InputError(_("The amount {text!r} has fractions of a fen: give at most two decimals of a yuan.").format(text=text))
    if not 0 < fen <= MAX_FEN:
        raise InputError(_("The amount {text!r} must be more than 0 and at most {max} yuan.").format(
            text=text, max=MAX_FEN // 100))
    return int(fen)


def yuan(fen: int) -> str:
    """Whole fen as yuan, exactly: 1250050 -> "12500.50", 100 -> "1"."""
    whole, part = divmod(int(fen), 100)
    return f"{whole}.{part:02d}" if part else str(whole)


def wan(fen: int) -> str:
    """Whole fen as 万元 (ten thousand yuan), exactly, without trailing zeros: 35000000 -> "35"."""
    value = (Decimal(int(fen)) / Decimal(1000000)).normalize()
    text = format(value, "f")
    return text


# -- outcomes --------------------------------------------------------------------

OUTCOME_COLUMNS = "o.id, o.task_id, o.at, o.type, o.title, o.doc_no, o.issued, o.fen, o.money_kind, o.people, o.form, o.actor"


def outcome_dict(row) -> dict:
    """An outcome as the stable JSON object (see README, "Rounds, outcomes and the report")."""
    kind = row["type"]
    out = {"id": row["id"], "task_id": row["task_id"], "at": row["at"], "type": kind}
    if kind == "rule":
        out.update(title=row["title"], doc_no=row["doc_no"], issued=row["issued"])
    elif kind == "money":
        out.update(what=row["title"], money_type=row["money_kind"], fen=row["fen"], yuan=yuan(row["fen"]))
    elif kind == "people":
        out.update(people=row["people"], form=row["form"])
    else:
        out.update(text=row["title"])
    return out


def outcome_text(o: dict) -> str:
    """One line for the history: the entry in the user's own words and figures."""
    if o["type"] == "rule":
        return ", ".join(x for x in (o["title"], o["doc_no"], o["issued"]) if x)
    if o["type"] == "money":
        return f"{o['what']}: {o['yuan']}" if o.get("what") else o["yuan"]
    if o["type"] == "people":
        return f"{o['people']} {o['form']}" if o.get("form") else str(o["people"])
    return o["text"]


def add_outcome(ledger: Ledger, task_id: int, entry: dict) -> dict:
    """Record one outcome on a task, with its ``outcome`` event. ``entry`` is
    one of {"type": "rule", "title", "doc_no", "issued"}, {"type": "money",
    "amount", "what", "money_type"}, {"type": "people", "people", "form"},
    {"type": "other", "text"}."""
    row = _outcome_row(entry)
    with ledger.transaction():
        _current(ledger, task_id)
        now = ledger.timestamp()
        who = actor(ledger)
        cols = ("task_id", "at", "type", "title", "doc_no", "issued", "fen", "money_kind", "people", "form", "actor")
        values = {**dict.fromkeys(cols), **row, "task_id": task_id, "at": now, "actor": who}
        cur = ledger.conn.execute(f"INSERT INTO outcome ({','.join(cols)}) VALUES ({','.join('?' * len(cols))})",
                                  tuple(values[c] for c in cols))
        outcome = get_outcome(ledger, inserted_id(cur))
        ledger.record(task_id, "outcome", field="outcome", new=outcome["id"], note=outcome_text(outcome),
                      actor=who, at=now)
    return outcome


def _outcome_row(entry: dict) -> dict:
    kind = entry["type"]
    if kind not in OUTCOME_TYPES:
        raise KeyError(kind)
    if kind == "rule":
        issued = entry.get("issued")
        return {"type": kind, "title": clean_text(entry.get("title"), "rule", required=True),
                "doc_no": clean_text(entry.get("doc_no"), "document number"),
                "issued": dates.parse_date(issued).isoformat() if issued else None}
    if kind == "money":
        return {"type": kind, "fen": parse_amount(entry["amount"]), "title": clean_text(entry.get("what"), "what"),
                "money_kind": parse_money_kind(entry.get("money_type") or "recovered")}
    if kind == "people":
        n = entry.get("people")
        if n is None or n < 1:
            raise InputError(_("--people takes the number of people held to account, 1 or more."))
        return {"type": kind, "people": n, "form": clean_text(entry.get("form"), "form")}
    return {"type": kind, "title": clean_text(entry.get("text"), "outcome", required=True)}


def get_outcome(ledger: Ledger, outcome_id: int) -> dict:
    row = ledger.conn.execute(f"SELECT {OUTCOME_COLUMNS} FROM outcome o WHERE o.id = ?", (outcome_id,)).fetchone()
    if row is None:
        raise NotFoundError(_("No outcome with id {id}. See `rectify outcomes`.").format(id=outcome_id))
    return outcome_dict(row)


def withdraw_outcome(ledger: Ledger, outcome_id: int, reason: str) -> dict:
    """Withdraw an entry made in error: it stays in the ledger, marked, and
    counts no more from then on; the event says why."""
    reason = clean_text(reason, "reason", required=True)
    with ledger.transaction():
        outcome = get_outcome(ledger, outcome_id)
        if ledger.scalar("SELECT withdrawn FROM outcome WHERE id = ?", (outcome_id,)):
            raise RuleError(_("Outcome {id} was withdrawn already.").format(id=outcome_id))
        now = ledger.timestamp()
        ledger.conn.execute("UPDATE outcome SET withdrawn = ? WHERE id = ?", (now, outcome_id))
        ledger.record(outcome["task_id"], "withdraw", field="outcome", old=outcome_id, note=reason, actor=actor(ledger), at=now)
    return outcome
