"""THE header table: every column rectify writes, and every wording of it that
ledger sheets in the wild use.

Each canonical field has the Chinese header rectify writes, the English header
it writes, and the variants an import accepts. Matching ignores full-width /
half-width differences (NFKC), spaces and line breaks inside a header, a
required-field star, and a trailing parenthetical: ``问题描述(具体表现)`` and
``整改时限\\n（立行立改/长期坚持）`` both match. The canonical field names
themselves (``title``, ``due`` ...) are accepted too, so a CSV made by another
program from rectify's JSON keys imports.

The ledger wording of states and kinds, and the words a status or deadline
cell holds, are in rectify.vocabulary (SHEET_STATUS_WORDS, STATUS_CLAIMS,
DEADLINE_WORDS ...).
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
    Column("seq", "序号", "No.", ("编号", "问题序号", "问题编号", "序列", "No", "#", "Number", "code", "Ref", "ID No"), 6),
    Column("category", "问题类别", "Category",
           ("问题类型", "问题分类", "类别", "问题领域", "方面", "问题方面", "板块", "所属板块", "领域", "问题性质",
            "反馈问题类别", "Area", "Finding category"), 12),
    Column("problem", "问题描述", "Problem",
           ("问题表现", "具体表现", "具体问题", "存在问题", "存在的问题", "问题", "反馈问题", "问题清单", "主要问题",
            "问题内容", "巡察反馈问题", "巡察发现问题", "审计发现问题", "督查发现问题", "发现问题", "问题具体表现",
            "问题及表现", "反馈问题及具体表现", "突出问题", "问题摘要", "Finding", "problem description", "Issue",
            "Nonconformity", "Non-conformance", "Observation", "Finding description"), 36),
    Column("title", "整改措施", "Measure",
           ("整改举措", "措施", "整改任务", "具体措施", "具体整改措施", "整改措施及要求", "整改具体措施", "整改措施和要求",
            "主要措施", "工作措施", "整改思路及措施", "Corrective action", "Action", "Task", "Corrective action plan",
            "Action plan", "Planned action", "CAPA"), 36),
    Column("target", "整改目标", "Target",
           ("目标", "整改要求", "完成标准", "预期目标", "整改标准", "整改目标及要求", "Goal", "Expected outcome",
            "Expected result"), 20),
    Column("kind", "整改类型", "Kind",
           ("整改分类", "类型", "整改方式", "分类", "整改类别", "整改性质", "Type", "Action type"), 10),
    Column("leader", "责任领导", "Leader",
           ("牵头领导", "分管领导", "责任校领导", "领导", "分管校领导", "牵头校领导", "包保领导", "责任领导班子成员",
            "Leader in charge", "Sponsor", "Executive sponsor"), 10),
    Column("unit", "责任单位", "Unit",
           ("责任部门", "牵头单位", "牵头部门", "责任处室", "承办单位", "主责单位", "责任主体", "整改责任单位",
            "责任科室", "主办单位", "牵头责任单位", "Department", "Responsible unit", "Responsible department",
            "Function"), 12),
    Column("owner", "责任人", "Owner",
           ("具体责任人", "经办人", "联系人", "直接责任人", "整改责任人", "具体经办人", "Responsible",
            "Person responsible", "Action owner", "Assignee", "Assigned to"), 10),
    Column("helpers", "配合人", "Helpers",
           ("配合单位", "配合部门", "协助人", "协办单位", "协同单位", "参与单位", "协作单位", "配合责任单位", "Helper",
            "Supporting", "Supporting unit"), 10),
    # 完成时间 and 完成时限 are the deadline a unit commits to, not the day it was closed.
    Column("due", "整改时限", "Due",
           ("完成时限", "时限要求", "整改期限", "完成期限", "完成时间", "时限", "截止时间", "截止日期", "计划完成时间",
            "完成时间节点", "时间节点", "整改时间", "办结时限", "整改完成时限", "Deadline", "Due date", "Target date",
            "Target completion date"), 12),
    Column("progress_note", "整改进展", "Progress",
           ("整改进展情况", "进展情况", "整改情况", "进展", "整改落实情况", "工作进展", "落实情况", "推进情况",
            "整改成效", "整改结果", "整改推进情况", "Progress note", "Actions taken", "Update"), 30),
    Column("status", "完成情况", "Status",
           ("整改状态", "状态", "完成状态", "整改完成情况", "是否完成", "销号情况", "是否销号", "办结情况", "当前状态",
            "State"), 12),
    Column("evidence", "佐证材料", "Evidence",
           ("支撑材料", "佐证资料", "证明材料", "佐证", "佐证材料清单", "整改佐证材料", "佐证材料目录",
            "Supporting documents", "Attachments"), 20),
    Column("closed_at", "销号时间", "Closed",
           ("销号日期", "实际完成时间", "实际完成日期", "办结时间", "办结日期", "Closed at", "Closed on",
            "Actual completion date", "Date closed"), 12),
    Column("closed_by", "复核人", "Checker",
           ("验收人", "销号人", "审核人", "核查人", "复核验收人", "Closed by", "Verifier", "Verified by"), 10),
    Column("note", "备注", "Note", ("说明", "Remarks", "Notes", "Comment", "Comments"), 16),
    # Narrow and last: outside the print area, its text does not wrap (xlsx.Layout.nowrap).
    Column("uid", "uid", "uid", ("UID", "唯一编号"), 12),
)

# Columns an import understands that rectify does not write: the round a
# row's problem came from (its name, as in `rectify round list`).
IMPORT_ONLY: tuple[Column, ...] = (
    Column("round", "巡察轮次", "Round", ("轮次", "来源", "问题来源", "巡视轮次", "反馈来源", "巡察批次", "Source",
                                          "Inspection round", "Feedback round")),
)

BY_FIELD = {c.field: c for c in (*COLUMNS, *IMPORT_ONLY)}

# A cell that means "the same as the cell above" (or to the left).
SAME_ABOVE = ("同上", "同前", "同上。", "〃", "ditto", "same as above")
SAME_LEFT = ("同左", "同左。")


# The words of a sheet that are not headers: its title and the legend of the
# bands (filled with vocabulary.BAND_THRESHOLDS).
SHEET_TEXT = {
    "zh": {
        "sheet": "整改台账",
        "title": "整改台账（截至{date}，共{n}项）",
        "legend": "说明：红色为已逾期；黄色为进度滞后（{yellow_horizon_days}天内到期且{yellow_quiet_days}天无进展）；"
                  "蓝色为{blue_days}天内到期。",
        "footer": "第 &P 页，共 &N 页",
    },
    "en": {
        "sheet": "Ledger",
        "title": "Rectification ledger (as of {date}, {n} tasks)",
        "legend": "Note: red = overdue; yellow = behind (due within {yellow_horizon_days} days, no progress note "
                  "for {yellow_quiet_days} days); blue = due within {blue_days} days.",
        "footer": "Page &P of &N",
    },
}


# A fill-in workbook (`rectify export --fill-in`): the columns a unit fills
# in, the words of its drop-down list, its instructions sheet; and the key
# of the export stamp (a hidden sheet in xlsx, the last line in CSV).
FILL_IN_FIELDS = ("owner", "helpers", "progress_note", "status", "evidence", "note")
FILL_IN_STATUS = {"zh": ("未启动", "整改中", "已完成"), "en": ("not started", "in progress", "done")}
FILL_IN_TEXT = {
    "zh": {
        "sheet": "填报说明",
        "lines": (
            "填报说明",
            "1. 请在“整改台账”表中填写本单位的整改进展：绿色表头的列（责任人、配合人、整改进展、完成情况、佐证材料、备注）可以填写，其余列已锁定，请勿修改。",
            "2. 完成情况请从下拉列表中选择：未启动、整改中、已完成；可加百分比，如“整改中 60%”。",
            "3. 写“已完成”是本单位的申报，不是销号：请在“佐证材料”列列出佐证材料，并把材料报送牵头部门；销号由复核人审核后办理。",
            "4. 整改时限已锁定；确需延期的，请另行提出延期申请并写明理由。",
            "5. 请勿删除行、调整列的顺序或删除隐藏的工作表“rectify”（记录导出时间，用于比对）。",
            "6. 填好后按时报送牵头部门。",
        ),
    },
    "en": {
        "sheet": "Instructions",
        "lines": (
            "How to fill in this sheet",
            "1. Write your unit's progress in the sheet \"Ledger\": the columns with green headers (Owner, Helpers, "
            "Progress, Status, Evidence, Note) are yours to fill in; the others are locked, please leave them as they are.",
            "2. Choose the status from the drop-down list: not started, in progress, done; a percentage may follow "
            "(\"in progress 60%\").",
            "3. \"done\" is your unit's claim, not a closing: list the evidence in the Evidence column and send it to "
            "the coordinating office; a checker verifies and closes.",
            "4. The deadline is locked; to ask for more time, send an extension request with its reason.",
            "5. Do not delete rows, reorder columns or delete the hidden sheet \"rectify\" (it records when the sheet "
            "was exported, to compare your changes with the ledger).",
            "6. Send the sheet back to the coordinating office by the date asked.",
        ),
    },
}
STAMP_KEY = "rectify-export"  # words every interface language shows as they are (a name, a command)
STAMP_SHEET = "rectify"  # the hidden sheet of an exported workbook that holds the stamp (xlsx.py writes it)


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
