"""The ledger's vocabulary, once: the states a task is in and the kinds it is
of, their words in every language and every spelling a sheet uses, what a
unit's own status words claim, and the default thresholds of the colour bands
and of stale tasks. Plain data and the small readers of it; no I/O.

Everything else derives from here: the SQL fragments (``ACTIVE_SQL`` ...),
the importers' word tables, the labels the interface shows, the breakdowns of
reports. tests/test_vocabulary.py fails when a list of states or kinds, or a
table of their words, is written again elsewhere.

A *problem* (反馈问题) is a finding fed back by an inspection; a *task*
(整改任务) is one rectification measure (整改措施) for it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from enum import Enum
from typing import Final

from rectify.errors import InputError
from rectify.i18n import N_, NP_, _, pgettext

# -- kinds -------------------------------------------------------------------


class Kind(str, Enum):
    """immediate = 立行立改 (fix now); long_term = 长期坚持 (lasting rules)."""

    IMMEDIATE = "immediate"
    LONG_TERM = "long_term"


KINDS: Final[tuple[str, ...]] = tuple(k.value for k in Kind)
IMMEDIATE: Final = Kind.IMMEDIATE.value
LONG_TERM: Final = Kind.LONG_TERM.value

# `list --kind none`: the tasks no kind has been given yet (未分类).
NO_KIND: Final = "none"
NO_KIND_WORDS: Final[tuple[str, ...]] = ("none", "unset", "未分类")

# Labels are marked here once and translated where they are shown.
KIND_LABELS: Final[dict[str, str]] = {IMMEDIATE: N_("immediate"), LONG_TERM: N_("long-term")}

# A kind as a person types it (`add --kind`, `list --kind`, a kind cell).
_KIND_WORDS: Final[dict[str, tuple[str, ...]]] = {
    IMMEDIATE: ("immediate", "imm", "i", "now", "立行立改", "即知即改", "立即整改", "立查立改"),
    LONG_TERM: ("long_term", "long-term", "longterm", "long", "lt", "l", "长期坚持", "持续整改", "建章立制",
                "长期整改", "长期"),
}
KIND_WORDS: Final[dict[str, str]] = {word: kind for kind, words in _KIND_WORDS.items() for word in words}

# -- states ------------------------------------------------------------------


class Status(str, Enum):
    OPEN = "open"  # 未启动
    IN_PROGRESS = "in_progress"  # 整改中
    SUBMITTED = "submitted"  # 待验收
    CLOSED = "closed"  # 已销号
    CANCELLED = "cancelled"  # 已撤销


STATES: Final[tuple[str, ...]] = tuple(s.value for s in Status)
OPEN: Final = Status.OPEN.value
IN_PROGRESS: Final = Status.IN_PROGRESS.value
SUBMITTED: Final = Status.SUBMITTED.value
CLOSED: Final = Status.CLOSED.value
CANCELLED: Final = Status.CANCELLED.value

# Unfinished (still to be done, counted as open in reports) and finished.
ACTIVE: Final[tuple[str, ...]] = (OPEN, IN_PROGRESS, SUBMITTED)
FINISHED: Final[tuple[str, ...]] = (CLOSED, CANCELLED)
# Unfinished and not yet handed in for checking: the states the yellow band watches.
WORKING: Final[tuple[str, ...]] = (OPEN, IN_PROGRESS)

STATUS_LABELS: Final[dict[str, str]] = {
    OPEN: N_("open"),
    IN_PROGRESS: N_("in progress"),
    SUBMITTED: N_("submitted"),
    CLOSED: N_("closed"),
    CANCELLED: N_("cancelled"),
}

# A state as a person types it (`list --status`), beyond its name and label.
STATUS_ALIASES: Final[dict[str, str]] = {
    "未启动": OPEN, "整改中": IN_PROGRESS, "进行中": IN_PROGRESS,
    "待验收": SUBMITTED, "待销号": SUBMITTED, "已销号": CLOSED,
    "已完成": CLOSED, "完成": CLOSED, "已撤销": CANCELLED, "撤销": CANCELLED,
    "done": CLOSED, "progress": IN_PROGRESS, "started": IN_PROGRESS,
}

# The state of a problem (反馈问题), from the states of its tasks.
PROBLEM_STATES: Final[tuple[str, ...]] = ("done", IN_PROGRESS, "not_started", CANCELLED)

# -- the words of a sheet ----------------------------------------------------

# Ledger wording of the states and kinds a sheet is written in, per header
# language: a sheet says 已销号, not ``closed``, whatever language the program speaks.
SHEET_STATUS_WORDS: Final[dict[str, dict[str, str]]] = {
    "zh": {OPEN: "未启动", IN_PROGRESS: "整改中", SUBMITTED: "待验收", CLOSED: "已销号", CANCELLED: "已撤销"},
    "en": {OPEN: "open", IN_PROGRESS: "in progress", SUBMITTED: "submitted", CLOSED: "closed",
           CANCELLED: "cancelled"},
}
SHEET_KIND_WORDS: Final[dict[str, dict[str, str]]] = {
    "zh": {IMMEDIATE: "立行立改", LONG_TERM: "长期坚持"},
    "en": {IMMEDIATE: "immediate", LONG_TERM: "long-term"},
}
# Every word rectify writes for a state in a sheet.
SHEET_STATE_WORDS: Final[frozenset[str]] = frozenset(
    w for words in SHEET_STATUS_WORDS.values() for w in words.values())

# What a status cell claims, in the words units write (PRACTICE.md: "done"
# written by a unit is a claim, not a closing). A claim is a state, or DONE:
# the unit says the work is finished, and the import decides what that makes
# the task (records.settle_claim: closed when a checker other than the owner
# signed, else submitted). 基本完成 and 阶段性完成 claim work under way, not done.
DONE: Final = "done"
CLAIMS: Final[tuple[str, ...]] = (*STATES, DONE)
STATUS_CLAIMS: Final[dict[str, tuple[str, ...]]] = {
    OPEN: ("未启动", "未开始", "尚未启动", "尚未开始", "未整改", "not started", "open"),
    IN_PROGRESS: ("整改中", "正在整改", "推进中", "正在推进", "进行中", "持续推进", "持续整改", "长期坚持",
                  "阶段性完成", "基本完成", "部分完成", "未完成", "尚未完成", "整改推进中", "in progress",
                  "ongoing", "started", "underway", "partly done", "partially completed"),
    DONE: ("已完成", "完成", "已整改", "已完成整改", "整改完成", "已整改完成", "已办结", "办结", "已落实", "已解决",
           "done", "completed", "complete", "resolved", "implemented"),
    SUBMITTED: ("待验收", "待销号", "已提交", "待审核", "申请销号", "submitted", "awaiting verification"),
    CLOSED: ("已销号", "销号", "已验收", "closed", "verified", "verified and closed"),
    CANCELLED: ("已撤销", "撤销", "已取消", "cancelled", "canceled", "withdrawn"),
}
# word -> what it claims
STATUS_VARIANTS: Final[dict[str, str]] = {word: claim for claim, words in STATUS_CLAIMS.items() for word in words}

# Words a deadline or kind cell holds instead of, or beside, a date. A standing
# duty (长期坚持, 持续推进, 每季度 ...) is long-term with no date; 立行立改 is
# immediate; 已完成 in a deadline column is no date and a claim of done.
# 限期整改 ("by its deadline") is understood but names neither kind: the task
# keeps no kind (``classify --auto`` proposes one from the deadline).
LIMITED: Final = "limited"
DEADLINE_WORDS: Final[dict[str, tuple[str, ...]]] = {
    IMMEDIATE: ("立行立改", "即知即改", "立即整改", "立查立改", "立改立行", "马上就改", "immediate", "immediately",
                "at once"),
    LONG_TERM: ("长期坚持", "持续推进", "持续整改", "长期整改", "建章立制", "常态化推进", "常态长效", "长期推进",
                "长期", "持续", "常态化", "每季度", "每半年", "每月", "每年", "每周", "按季度", "按月", "按年度",
                "定期", "long-term", "long term", "long_term", "ongoing", "continuous", "quarterly", "monthly",
                "annually", "every quarter", "every six months"),
    LIMITED: ("限期整改", "限时整改", "分阶段整改", "分步整改", "按期整改", "time-bound"),
    DONE: ("已完成", "已整改", "已销号", "已办结", "已落实", "已完成整改", "completed", "done"),
}
# Fillers around those words in a deadline cell: 2026年底前完成, 每季度报送.
DEADLINE_FILLERS: Final[tuple[str, ...]] = (
    "之前完成", "前完成", "完成", "办结", "到位", "报送", "落实", "整改", "一次", "before", "by")

# -- thresholds --------------------------------------------------------------

# The colour bands (red overdue; yellow behind: open or in progress, due within
# the horizon and no progress note for the quiet days; blue due within the blue
# days) and stale long-term tasks (no progress note for so many days). These
# are the defaults; a ledger may set its own (settings.py, `rectify config`).
BAND_THRESHOLDS: Final[dict[str, int]] = {"blue_days": 7, "yellow_horizon_days": 30, "yellow_quiet_days": 14}
STALE_DAYS: Final = 30

# -- SQL ---------------------------------------------------------------------


def sql_list(values: Iterable[str]) -> str:
    """``('open', 'in_progress')``: words of this vocabulary as an SQL list."""
    words = tuple(values)
    if not words or any("'" in w for w in words):
        raise ValueError(f"not a list of vocabulary words: {words!r}")
    return "(" + ", ".join(f"'{w}'" for w in words) + ")"


ACTIVE_SQL: Final = sql_list(ACTIVE)
FINISHED_SQL: Final = sql_list(FINISHED)
WORKING_SQL: Final = sql_list(WORKING)
STATES_SQL: Final = sql_list(STATES)
KINDS_SQL: Final = sql_list(KINDS)

# -- reading and showing -----------------------------------------------------


# Short forms for a narrow terminal (立改/长期; imm./long), used only when space is short.
KIND_SHORT: Final = {"immediate": NP_("short", "imm."), "long_term": NP_("short", "long")}
STATUS_SHORT: Final = {
    "open": NP_("short", "open"),
    "in_progress": NP_("short", "doing"),
    "submitted": NP_("short", "review"),
    "closed": NP_("short", "closed"),
    "cancelled": NP_("short", "void"),
}


def kind_label(kind: str | None, *, short: bool = False) -> str:
    if not kind:
        return ""
    return pgettext(*KIND_SHORT[kind]) if short else _(KIND_LABELS[kind])


def status_label(status: str, *, short: bool = False) -> str:
    return pgettext(*STATUS_SHORT[status]) if short else _(STATUS_LABELS[status])


def find_kind(text: str | None) -> str | None:
    """The kind a word names, or None when it names none."""
    if text is None:
        return None
    word = unicodedata.normalize("NFKC", text).strip().lower()
    return KIND_WORDS.get(word)


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


def parse_kind_filter(text: str) -> str:
    """``--kind`` of a filter: a kind, or NO_KIND for the tasks without one."""
    return NO_KIND if text.strip().lower() in NO_KIND_WORDS else parse_kind(text)


def parse_status(text: str) -> str:
    word = text.strip().lower().replace("-", "_").replace(" ", "_")
    for status in Status:
        if word in (status.value, _(STATUS_LABELS[status.value]).lower()):
            return status.value
    if word in STATUS_ALIASES:
        return STATUS_ALIASES[word]
    raise InputError(
        _("Unknown status {text!r}: use open, in_progress, submitted, closed or cancelled.").format(text=text)
    )
