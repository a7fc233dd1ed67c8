"""THE header table: every column rectify writes, and every wording of it that
ledger sheets in the wild use.

Each canonical field has the Chinese header rectify writes, the English header
it writes, and the variants an import accepts. Matching ignores full-width /
half-width differences (NFKC), spaces and line breaks inside a header, a
required-field star, and a trailing parenthetical: ``问题描述(具体表现)`` and
``整改时限\\n（立行立改/长期坚持）`` both match. The canonical field names
themselves (``title``, ``due`` ...) are accepted too, so a CSV made by another
program from rectify's JSON keys imports.

The ledger wording of states and kinds lives here as well: a sheet says 已销号,
not ``closed``, whatever language the program speaks.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple


class Column(NamedTuple):
    field: str  # the canonical name, as in the JSON of a task
    zh: str  # the header rectify writes in Chinese
    en: str  # the header rectify writes in English
    variants: tuple[str, ...] = ()  # other wordings an import accepts
    width: int = 12  # the width rectify gives it in a sheet, in Latin characters


# The sheet layout, in order (see DOMAIN.md: the columns of a typical ledger).
COLUMNS: tuple[Column, ...] = (
    Column("seq", "序号", "No.", ("编号", "问题序号", "问题编号", "No", "#", "Number", "code"), 6),
    Column("category", "问题类别", "Category", ("问题类型", "问题分类", "类别", "问题领域", "方面"), 12),
    Column("problem", "问题描述", "Problem",
           ("问题表现", "具体表现", "存在问题", "问题", "反馈问题", "问题清单", "主要问题", "问题内容", "巡察反馈问题",
            "Finding", "problem description"), 36),
    Column("title", "整改措施", "Measure",
           ("整改举措", "措施", "整改任务", "具体措施", "整改措施及要求", "Corrective action", "Action", "Task"), 36),
    Column("target", "整改目标", "Target", ("目标", "整改要求", "完成标准", "Goal"), 20),
    Column("kind", "整改类型", "Kind", ("整改分类", "类型", "整改方式", "分类", "Type"), 10),
    Column("leader", "责任领导", "Leader", ("牵头领导", "分管领导", "责任校领导", "领导", "Leader in charge"), 10),
    Column("unit", "责任单位", "Unit",
           ("责任部门", "牵头单位", "牵头部门", "责任处室", "承办单位", "主责单位", "Department", "Responsible unit"), 12),
    Column("owner", "责任人", "Owner", ("具体责任人", "经办人", "联系人", "Responsible", "Person responsible"), 10),
    Column("helpers", "配合人", "Helpers", ("配合单位", "配合部门", "协助人", "协办单位", "Helper"), 10),
    Column("due", "整改时限", "Due",
           ("完成时限", "时限要求", "整改期限", "完成期限", "时限", "截止时间", "截止日期", "计划完成时间", "Deadline",
            "Due date"), 12),
    Column("progress_note", "整改进展", "Progress",
           ("进展情况", "整改情况", "进展", "整改落实情况", "工作进展", "Progress note"), 30),
    Column("status", "完成情况", "Status", ("整改状态", "状态", "完成状态", "整改完成情况", "是否完成", "State"), 12),
    Column("evidence", "佐证材料", "Evidence", ("支撑材料", "佐证资料", "证明材料", "佐证", "Supporting documents"), 20),
    Column("closed_at", "销号时间", "Closed", ("完成时间", "销号日期", "实际完成时间", "Closed at", "Closed on"), 12),
    Column("closed_by", "复核人", "Checker", ("验收人", "销号人", "审核人", "Closed by", "Verifier"), 10),
    Column("note", "备注", "Note", ("说明", "Remarks", "Notes", "Comment"), 16),
    Column("uid", "uid", "uid", ("UID", "唯一编号"), 38),
)

# Columns an import understands that rectify does not write: the round a
# row's problem came from (its name, as in `rectify round list`).
IMPORT_ONLY: tuple[Column, ...] = (
    Column("round", "巡察轮次", "Round", ("轮次", "来源", "问题来源", "巡视轮次", "反馈来源", "巡察批次", "Source",
                                          "Inspection round", "Feedback round")),
)

BY_FIELD = {c.field: c for c in COLUMNS}

# Ledger wording of the states and kinds in a sheet, per header language.
STATUS_WORDS = {
    "zh": {"open": "未启动", "in_progress": "整改中", "submitted": "待验收", "closed": "已销号", "cancelled": "已撤销"},
    "en": {"open": "open", "in_progress": "in progress", "submitted": "submitted", "closed": "closed",
           "cancelled": "cancelled"},
}
KIND_WORDS = {
    "zh": {"immediate": "立行立改", "long_term": "长期坚持"},
    "en": {"immediate": "immediate", "long_term": "long-term"},
}
# More ways a status cell is filled in by hand; model.parse_status knows the rest.
STATUS_VARIANTS = {
    "未开始": "open", "尚未启动": "open", "正在整改": "in_progress", "推进中": "in_progress", "持续整改": "in_progress",
    "阶段性完成": "in_progress", "已提交": "submitted", "待审核": "submitted", "已完成整改": "closed",
    "整改完成": "closed", "已整改": "closed", "已办结": "closed", "已取消": "cancelled",
}


# The words of a sheet that are not headers: its title and the legend of the bands.
SHEET_TEXT = {
    "zh": {
        "sheet": "整改台账",
        "title": "整改台账（截至{date}，共{n}项）",
        "legend": "说明：红色为已逾期；黄色为进度滞后（30天内到期且14天无进展）；蓝色为7天内到期。",
    },
    "en": {
        "sheet": "Ledger",
        "title": "Rectification ledger (as of {date}, {n} tasks)",
        "legend": "Note: red = overdue; yellow = behind (due within 30 days, no progress note for 14 days); "
                  "blue = due within 7 days.",
    },
}


def header(field: str, lang: str) -> str:
    column = BY_FIELD[field]
    return column.zh if lang == "zh" else column.en


def _key(text: str) -> str:
    """A header reduced to what identifies it."""
    s = unicodedata.normalize("NFKC", text).casefold()
    s = re.sub(r"[\s*＊:：_\-]+", "", s)
    return s


def _build_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for column in (*COLUMNS, *IMPORT_ONLY):
        for name in (column.field, column.zh, column.en, *column.variants):
            index.setdefault(_key(name), column.field)
    return index


_INDEX = _build_index()
_TRAILING_PAREN = re.compile(r"[(（\[【].*?[)）\]】]$")


def field_for(text: object) -> str | None:
    """The canonical field a header cell names, or None."""
    if text is None:
        return None
    s = str(text)
    key = _key(s)
    if not key:
        return None
    if key in _INDEX:
        return _INDEX[key]
    stripped = _key(_TRAILING_PAREN.sub("", unicodedata.normalize("NFKC", s).strip()))
    if stripped and stripped in _INDEX:
        return _INDEX[stripped]
    return None
