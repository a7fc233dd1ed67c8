"""The ledger's model: the allowed transitions, the task fields, the actions
of the history, rounds and outcomes. Plain data only; no I/O. The states and
kinds and their words are in rectify.vocabulary.

A *problem* (反馈问题) is a finding fed back by an inspection; a *task*
(整改任务) is one rectification measure (整改措施) for it.
"""

from __future__ import annotations

import unicodedata

from rectify.errors import InputError, RuleError
from rectify.i18n import N_, _
from rectify.vocabulary import (ACTIVE, FINISHED, KIND_LABELS, STATUS_LABELS, Kind, Status, find_kind,
                                kind_label, parse_kind, parse_status, status_label)

# The states and kinds and their words live in rectify.vocabulary; they are
# named here too for the modules that read them with the rest of the model.
__all__ = ["ACTIVE", "FINISHED", "KIND_LABELS", "STATUS_LABELS", "Kind", "Status", "find_kind", "kind_label",
           "parse_kind", "parse_status", "status_label"]


# Names of task fields as a person reads them (in messages and the history);
# also the names the validators use for the text they check.
FIELD_LABELS = {
    "title": N_("measure"),
    "target": N_("target"),
    "kind": N_("kind"),
    "unit": N_("unit"),
    "leader": N_("leader"),
    "owner": N_("owner"),
    "helpers": N_("helpers"),
    "due": N_("deadline"),
    "note": N_("note"),
    "status": N_("status"),
    "progress": N_("progress"),
    "problem_id": N_("problem"),
    "category": N_("category"),
    "closed_at": N_("closed on"),
    "closed_by": N_("closed by"),
    "problem description": N_("problem description"),
    "problem_description": N_("problem description"),  # an event's field: the text of the task's problem
    "source": N_("source"),
    "code": N_("code"),
    "progress note": N_("progress note"),
    "evidence note": N_("evidence note"),
    "reason": N_("reason"),
    "checker": N_("checker"),
    # columns of the stored records, as `rectify check` names them
    "uid": N_("uid"),
    "created": N_("creation time"),
    "updated": N_("update time"),
    "description": N_("description"),
    "at": N_("time"),
    "action": N_("action"),
    "field": N_("field"),
    "old": N_("old value"),
    "new": N_("new value"),
    "actor": N_("person recorded"),
    "added": N_("time added"),
    "name": N_("file name"),
    "path": N_("path"),
    "sha256": N_("sha256"),
    "round_id": N_("round"),
    "round": N_("round"),
    "issuer": N_("issuing body"),
    "rule": N_("rule"),
    "document number": N_("document number"),
    "what": N_("what the money was"),
    "form": N_("form of accountability"),
    "addressee": N_("addressee"),
    "signer": N_("signer"),
    "outcome": N_("outcome"),
    "recheck_due": N_("re-check due"),
    "relapse_of": N_("relapse of"),
}

# The verbs of TRANSITIONS, as words in messages.
VERB_LABELS = {
    "start": N_("start"),
    "submit": N_("submit"),
    "close": N_("close"),
    "reject": N_("reject"),
    "reopen": N_("reopen"),
    "cancel": N_("cancel"),
}


def field_label(field: str | None) -> str:
    """The translated name of a field; an unknown name is shown as it is."""
    if not field:
        return ""
    label = FIELD_LABELS.get(field)
    return _(label) if label else field


# The verbs that move a task between states: verb -> (allowed from, to).
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "start": (("open",), "in_progress"),
    "submit": (("open", "in_progress"), "submitted"),
    "close": (("submitted",), "closed"),
    "reject": (("submitted",), "in_progress"),
    "reopen": (("closed",), "in_progress"),
    "cancel": (ACTIVE, "cancelled"),
}


# The state changes `rectify undo` makes: each transition taken back (to the
# state it left), and a task just added withdrawn (an undone ``add`` is
# cancelled, its history kept).
UNDO_MOVES: frozenset[tuple[str, str]] = frozenset(
    [(target, old) for sources, target in TRANSITIONS.values() for old in sources]
    + [(old, TRANSITIONS["cancel"][1]) for old in TRANSITIONS["cancel"][0]])


def transition(verb: str, current: str) -> str:
    """The state ``verb`` leads to from ``current``, or a RuleError saying why not."""
    allowed, target = TRANSITIONS[verb]
    if current not in allowed:
        raise RuleError(
            _("Cannot {verb} a task that is {status}; {verb} applies to: {allowed}.").format(
                verb=_(VERB_LABELS.get(verb, verb)),
                status=status_label(current),
                allowed=_(", ").join(status_label(s) for s in allowed),
            )
        )
    return target


# What an event of the history records: its action (one per command that
# writes, and ``import``), and the task field it changed, if any.
# Every action an event of a task's history records, with its word in
# `rectify history`: the commands' verbs, an import, and what the look-back,
# rounds and outcomes record. A JSON import takes only these.
ACTION_LABELS = {
    "add": N_("created"), "edit": N_("edited"), "classify": N_("classified"), "progress": N_("progress note"),
    "evidence": N_("evidence"), "start": N_("started"), "submit": N_("submitted for checking"),
    "close": N_("closed"), "reject": N_("rejected"), "reopen": N_("reopened"), "cancel": N_("cancelled"),
    "extend": N_("extended"), "import": N_("imported"), "reviewed": N_("reviewed"),
    "outcome": N_("outcome"), "withdraw": N_("withdrawn"), "round": N_("round changed"),
    "recheck": N_("re-checked"), "relapse": N_("relapse"), "sample": N_("sampled"), "notice": N_("notice"),
    "notice_reply": N_("notice reply"), "extend_request": N_("extension requested"),
    "extend_approve": N_("extension approved"), "extend_refuse": N_("extension refused"),
    "claim": N_("claims done"),  # a returned sheet's word of done, awaiting evidence (rules.judge_claim)
    "undo": N_("undone"),
    "problem": N_("problem edited"),  # `rectify problem edit`: the problem's text or category  # `rectify undo`: a compensating change, the undone action named in its note
}
ACTIONS = tuple(ACTION_LABELS)

def allowed_change(action: str, old: str | None, new: str | None) -> bool:
    """Whether a recorded state change keeps the rules: a verb's, as
    TRANSITIONS allows it; an import's, any (a sheet records what happened
    elsewhere); an undo's, the way back of a transition (``UNDO_MOVES``);
    no other action changes the state."""
    if action == "import":
        return True
    if action == "undo":
        return (old, new) in UNDO_MOVES
    if action not in TRANSITIONS:
        return False
    allowed, target = TRANSITIONS[action]
    return old in allowed and new == target


# Task fields a person may set with `add` / `edit`, in ledger order.
EDITABLE = ("title", "target", "kind", "unit", "leader", "owner", "helpers", "due", "note")
# Fields whose changes land in the event history, so past reports can be rebuilt.
TRACKED = EDITABLE + ("status", "progress", "problem_id", "round_id")
# Every field an event may name.
EVENT_FIELDS = TRACKED + ("category", "closed_at", "closed_by", "recheck_due", "relapse_of", "outcome",
                          "problem_description")

# -- rounds and outcomes --------------------------------------------------------

# The kinds of round (巡察轮次): what kind of visit fed the problems back.
ROUND_KINDS = ("tour", "inspection", "audit", "supervision", "lookback", "other")
ROUND_KIND_LABELS = {
    "tour": N_("inspection tour"),  # 巡视
    "inspection": N_("inspection"),  # 巡察
    "audit": N_("audit"),  # 审计
    "supervision": N_("supervision visit"),  # 督查
    "lookback": N_("look-back"),  # 回头看
    "other": N_("other"),
}
_ROUND_KIND_WORDS = {
    "巡视": "tour", "巡视反馈": "tour", "tour": "tour", "inspection tour": "tour",
    "巡察": "inspection", "巡察反馈": "inspection", "inspection": "inspection",
    "审计": "audit", "审计整改": "audit", "audit": "audit",
    "督查": "supervision", "督察": "supervision", "督导": "supervision", "supervision": "supervision",
    "supervision visit": "supervision",
    "回头看": "lookback", "lookback": "lookback", "look-back": "lookback", "look back": "lookback",
    "其他": "other", "其它": "other", "other": "other",
}

# The types of outcome (整改成效) a task records.
OUTCOME_TYPES = ("rule", "money", "people", "other")
MONEY_KINDS = ("recovered", "returned", "saved")
MONEY_KIND_LABELS = {"recovered": N_("recovered"), "returned": N_("returned"), "saved": N_("saved")}
_MONEY_KIND_WORDS = {
    "recovered": "recovered", "recover": "recovered", "追缴": "recovered", "追回": "recovered", "收回": "recovered",
    "returned": "returned", "return": "returned", "refunded": "returned", "清退": "returned", "退还": "returned",
    "退回": "returned", "saved": "saved", "save": "saved", "节约": "saved", "挽回": "saved", "节省": "saved",
}


def _word(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).strip().lower().replace("_", " ").split())


def round_kind_label(kind: str | None) -> str:
    return _(ROUND_KIND_LABELS[kind]) if kind else ""


def parse_round_kind(text: str) -> str:
    """A round's kind typed in English or Chinese: 巡视/巡察/审计/督查/回头看/其他."""
    kind = _ROUND_KIND_WORDS.get(_word(text))
    if kind is None:
        raise InputError(_("Unknown round kind {text!r}: use tour, inspection, audit, supervision, lookback or other.").format(
            text=text))
    return kind


def money_kind_label(kind: str) -> str:
    return _(MONEY_KIND_LABELS[kind])


def parse_money_kind(text: str) -> str:
    kind = _MONEY_KIND_WORDS.get(_word(text))
    if kind is None:
        raise InputError(_("Unknown money type {text!r}: use recovered, returned or saved.").format(text=text))
    return kind
