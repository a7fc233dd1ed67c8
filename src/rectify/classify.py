"""``classify --auto``: propose a kind for each unclassified task.

The rule, also in ``rectify classify --help``: wording about rules and
institutions means long-term; otherwise the deadline horizon decides, more
than 90 days after the task was recorded meaning long-term and within 90 days
immediate; with neither, no proposal.
"""

from __future__ import annotations

from rectify import dates
from rectify.i18n import N_
from rectify.store import Ledger
from rectify.vocabulary import FINISHED_SQL, IMMEDIATE, LONG_TERM

HORIZON_DAYS = 90
LONG_TERM_WORDS = (
    "制度", "机制", "长效", "建章立制", "常态", "体系", "规章", "办法", "细则", "规范化",
    "policy", "policies", "procedure", "mechanism", "regulation", "institution", "framework",
)


def propose_kind(title: str, target: str | None, due: str | None, created: str) -> tuple[str, str] | None:
    """(kind, reason) for one task, or None."""
    text = f"{title} {target or ''}".lower()
    for word in LONG_TERM_WORDS:
        if word in text:
            return LONG_TERM, N_("wording about rules and institutions")
    due_day, created_day = dates.day_or_none(due), dates.day_or_none(created)
    if due_day and created_day:
        horizon = (due_day - created_day).days
        if horizon > HORIZON_DAYS:
            return LONG_TERM, N_("deadline more than 90 days out")
        return IMMEDIATE, N_("deadline within 90 days")
    return None


def propose(ledger: Ledger) -> list[dict]:
    out = []
    for row in ledger.query(
        "SELECT id, title, target, due, created FROM task WHERE kind IS NULL"
        f" AND status NOT IN {FINISHED_SQL} ORDER BY id"
    ):
        found = propose_kind(row["title"], row["target"], row["due"], row["created"])
        if found:
            out.append({"id": row["id"], "title": row["title"], "kind": found[0], "reason": found[1]})
    return out


def apply(ledger: Ledger, proposals: list[dict]) -> int:
    """Apply proposals in one transaction; a task classified meanwhile is left alone."""
    from rectify.ledger import apply_changes

    count = 0
    with ledger.transaction():
        for p in proposals:
            row = ledger.conn.execute("SELECT * FROM task WHERE id = ?", (p["id"],)).fetchone()
            if row is not None and row["kind"] is None:
                count += bool(apply_changes(ledger, p["id"], dict(row), {"kind": p["kind"]}, "classify",
                                             note="auto"))
    return count
