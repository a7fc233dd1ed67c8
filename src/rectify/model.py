"""The ledger's vocabulary: kinds, states, the allowed transitions, and the
task fields. Plain data only; no I/O.

A *problem* (反馈问题) is a finding fed back by an inspection; a *task*
(整改任务) is one rectification measure (整改措施) for it.
"""

from __future__ import annotations

import unicodedata
from enum import Enum

from rectify.errors import InputError, RuleError
from rectify.i18n import N_, _


class Kind(str, Enum):
    """immediate = 立行立改 (fix now); long_term = 长期坚持 (lasting rules)."""

    IMMEDIATE = "immediate"
    LONG_TERM = "long_term"


class Status(str, Enum):
    OPEN = "open"  # 未启动
    IN_PROGRESS = "in_progress"  # 整改中
    SUBMITTED = "submitted"  # 待验收
    CLOSED = "closed"  # 已销号
    CANCELLED = "cancelled"  # 已撤销


ACTIVE = (Status.OPEN.value, Status.IN_PROGRESS.value, Status.SUBMITTED.value)
FINISHED = (Status.CLOSED.value, Status.CANCELLED.value)

# Labels are marked here once and translated where they are shown.
KIND_LABELS = {"immediate": N_("immediate"), "long_term": N_("long-term")}
STATUS_LABELS = {
    "open": N_("open"),
    "in_progress": N_("in progress"),
    "submitted": N_("submitted"),
    "closed": N_("closed"),
    "cancelled": N_("cancelled"),
}

_KIND_WORDS = {
    "immediate": "immediate",
    "imm": "immediate",
    "i": "immediate",
    "now": "immediate",
    "立行立改": "immediate",
    "即知即改": "immediate",
    "立即整改": "immediate",
    "立查立改": "immediate",
    "long_term": "long_term",
    "long-term": "long_term",
    "longterm": "long_term",
    "long": "long_term",
    "lt": "long_term",
    "l": "long_term",
    "长期坚持": "long_term",
    "持续整改": "long_term",
    "建章立制": "long_term",
    "长期整改": "long_term",
    "长期": "long_term",
}


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
    "source": N_("source"),
    "code": N_("code"),
    "progress note": N_("progress note"),
    "evidence note": N_("evidence note"),
    "reason": N_("reason"),
    "checker": N_("checker"),
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


def kind_label(kind: str | None) -> str:
    return _(KIND_LABELS[kind]) if kind else ""


def status_label(status: str) -> str:
    return _(STATUS_LABELS[status])


def find_kind(text: str | None) -> str | None:
    """The kind a word names, or None when it names none."""
    if text is None:
        return None
    word = unicodedata.normalize("NFKC", text).strip().lower()
    return _KIND_WORDS.get(word)


def parse_kind(text: str) -> str:
    """Read a kind typed in English or Chinese; refuse anything else."""
    kind = find_kind(text)
    if kind is None:
        raise InputError(
            _("Unknown kind {text!r}: use immediate or long_term.").format(
                text=text
            )
        )
    return kind


def parse_status(text: str) -> str:
    word = text.strip().lower().replace("-", "_").replace(" ", "_")
    for status in Status:
        if word in (status.value, _(STATUS_LABELS[status.value]).lower()):
            return status.value
    aliases = {
        "未启动": "open", "整改中": "in_progress", "进行中": "in_progress",
        "待验收": "submitted", "待销号": "submitted", "已销号": "closed",
        "已完成": "closed", "完成": "closed", "已撤销": "cancelled", "撤销": "cancelled",
        "done": "closed", "progress": "in_progress", "started": "in_progress",
    }
    if word in aliases:
        return aliases[word]
    raise InputError(
        _("Unknown status {text!r}: use open, in_progress, submitted, closed or cancelled.").format(text=text)
    )


# The verbs that move a task between states: verb -> (allowed from, to).
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "start": (("open",), "in_progress"),
    "submit": (("open", "in_progress"), "submitted"),
    "close": (("submitted",), "closed"),
    "reject": (("submitted",), "in_progress"),
    "reopen": (("closed",), "in_progress"),
    "cancel": (("open", "in_progress", "submitted"), "cancelled"),
}


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


# Task fields a person may set with `add` / `edit`, in ledger order.
EDITABLE = ("title", "target", "kind", "unit", "leader", "owner", "helpers", "due", "note")
# Fields whose changes land in the event history, so past reports can be rebuilt.
TRACKED = EDITABLE + ("status", "progress", "problem_id")
