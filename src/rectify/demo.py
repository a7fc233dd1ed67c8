"""``rectify demo``: a realistic ledger to try the tool on.

A university's follow-up to an inspection (巡察) ten weeks ago: seven
problems, two dozen tasks across units, in every state, with progress notes,
evidence, a rejection, an extension and a cancellation, dated relative to
today so that some are overdue, some due this week, some closed. It is built
through the same functions the commands use, at past times on the one clock.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from rectify import dates
from rectify import ledger as L
from rectify.errors import InputError
from rectify.i18n import _, is_zh
from rectify.store import Ledger

SOURCE = "2026年第二轮校内巡察"

# (category, problem, [(measure, target, kind, unit, leader, owner, due in days from today, story)])
# A story is a list of (days ago, action, argument).
PLAN = [
    ("财务管理", "公务接待费用报销不规范，部分凭证缺少审批签字", [
        ("全面清理2025年以来公务接待报销凭证，补齐审批手续", "问题凭证全部整改到位", "immediate", "财务处", "王校长", "张明", -12,
         [(60, "progress", "已完成2025年度凭证清查，发现问题凭证37张"), (40, "progress", "已补齐审批手续29张")]),
        ("修订《公务接待管理办法》，明确报销审批流程", "出台新办法并执行", "long_term", "财务处", "王校长", "李华", 45,
         [(55, "progress", "起草修订稿"), (20, "progress", "征求各单位意见，收到反馈12条"), ]),
        ("对相关责任人进行提醒谈话", "谈话全覆盖", "immediate", "纪委办公室", "赵书记", "刘洋", -30,
         [(65, "progress", "完成提醒谈话5人"), (64, "evidence", "谈话记录.txt"), (63, "submit", None), (60, "close", "陈静")]),
    ]),
    ("采购管理", "政府采购程序执行不到位，存在化整为零规避招标问题", [
        ("梳理近三年分散采购项目，逐项核查", "形成核查报告", "immediate", "采购中心", "孙副校长", "周强", -5,
         [(50, "progress", "完成2024年项目核查"), (15, "progress", "2025年项目核查过半")]),
        ("建立采购需求归集和年度采购计划机制", "建立长效机制", "long_term", "采购中心", "孙副校长", "周强", 120,
         [(35, "progress", "调研兄弟高校做法")]),
        ("开展采购业务专题培训", "相关人员培训全覆盖", "immediate", "采购中心", "孙副校长", "吴芳", 5,
         []),
    ]),
    ("资产管理", "固定资产账实不符，部分资产长期闲置", [
        ("开展固定资产全面清查盘点", "账实相符率达到100%", "immediate", "国资处", "孙副校长", "郑伟", -20,
         [(58, "progress", "完成清查方案"), (30, "progress", "盘点完成80%")]),
        ("建立闲置资产调剂共享制度", "出台制度", "long_term", "国资处", "孙副校长", "郑伟", 90,
         [(25, "progress", "起草制度初稿")]),
        ("处置报废资产", "完成报废处置", "immediate", "国资处", "孙副校长", "冯磊", 3,
         [(33, "progress", "报废申请已报批"), (4, "progress", "已联系资质回收单位")]),
    ]),
    ("选人用人", "干部人事档案审核不严，个别档案信息不一致", [
        ("对中层干部档案开展专项审核", "审核全覆盖", "immediate", "组织部", "赵书记", "陈静", -40,
         [(62, "progress", "审核完成"), (61, "evidence", "档案审核报告.txt"), (59, "submit", None), (55, "close", "刘洋")]),
        ("完善干部档案管理工作规程", "规程印发", "long_term", "组织部", "赵书记", "褚红", 20,
         [(45, "progress", "规程已起草"), (10, "evidence", "档案管理规程（送审稿）.txt"), (9, "submit", None),
          (6, "reject", "缺少党委会审议记录"), (2, "progress", "已提交党委会审议"),
          # closed hours ago, so the weekly printout has a rule established this week
          (0.2, "evidence", "党委会会议纪要.txt"), (0.15, "submit", None), (0.1, "close", "王校长")]),
    ]),
    ("意识形态", "理论学习中心组学习制度落实不到位", [
        ("制定年度理论学习计划并严格执行", "按计划完成学习", "long_term", "宣传部", "赵书记", "卫东", 60,
         [(50, "progress", "年度计划已印发"), (5, "progress", "完成第三季度学习")]),
        ("补学补课，开展专题研讨", "完成专题研讨2次", "immediate", "宣传部", "赵书记", "卫东", -2,
         [(40, "progress", "完成第一次专题研讨"), (1, "evidence", "研讨记录.txt"), (0, "submit", None)]),
    ]),
    ("作风建设", "文山会海问题仍然存在，会议文件数量偏多", [
        ("精简会议文件，压减会议数量", "会议数量同比压减20%", "immediate", "党政办公室", "王校长", "蒋敏", 10,
         [(30, "progress", "本月会议数量同比下降15%")]),
        ("制定会议文件管理规定", "出台规定", "long_term", "党政办公室", "王校长", "蒋敏", 100,
         [(70, "progress", "启动起草")]),
        ("清理重复发文", "清理完毕", "immediate", "党政办公室", "王校长", "沈丽", -15,
         [(20, "cancel", "与“精简会议文件”任务重复")]),
    ]),
    ("信息安全", "门户网站存在安全漏洞，二级网站管理不规范", [
        ("修复门户网站高危漏洞", "高危漏洞清零", "immediate", "信息中心", "孙副校长", "韩冰", -45,
         [(64, "progress", "已修复高危漏洞6个"), (63, "evidence", "漏洞扫描复测报告.txt"), (62, "submit", None),
          (58, "close", "杨帆"), ]),
        ("关停无人维护的二级网站", "完成关停", "immediate", "信息中心", "孙副校长", "杨帆", -8,
         [(30, "progress", "已关停12个")]),
        ("建立网站安全定期检测机制", "每季度检测一次", "long_term", "信息中心", "孙副校长", "韩冰", 150,
         [(48, "progress", "制定检测方案")]),
        ("二级网站备案整改", "备案率100%", "immediate", "信息中心", "孙副校长", "杨帆", 2,
         [(0.3, "extend", 14)]),
    ]),
]


def default_path() -> Path:
    user = os.environ.get("USER") or os.environ.get("USERNAME") or "user"
    return Path(tempfile.gettempdir()) / f"rectify-demo-{user}" / "ledger.db"


def build(path: Path | None = None, now: datetime | None = None) -> Path:
    """Write a fresh demo ledger at ``path`` (default: a temp folder) and
    return it: a story of the 70 days up to ``now`` (default: the clock),
    each step recorded at its own moment (``dates.held_at``)."""
    explicit = path is not None
    path = path or default_path()
    if path.exists():
        if explicit:
            raise InputError(_("{path} exists; the demo writes only a new file.").format(path=path))
        shutil.rmtree(path.parent)
    now = now or dates.now()
    start = now - timedelta(days=70)
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="rectify-demo-evidence-"))
    users = ("RECTIFY_USER",)
    saved_user = {k: os.environ.get(k) for k in users}
    os.environ["RECTIFY_USER"] = "demo"
    try:
        ledger = Ledger.open(path, write=True)
        try:
            steps = []
            for p_index, (category, problem, tasks) in enumerate(_text(PLAN)):
                with dates.held_at(start + timedelta(minutes=p_index)):
                    problem_id = L.add_problem(ledger, problem, category=category, source=_text(SOURCE),
                                               code=f"XC-{p_index + 1:02d}")
                for t_index, (title, target, kind, unit, leader, owner, due_in, story) in enumerate(tasks):
                    due = (now + timedelta(days=due_in)).date()
                    with dates.held_at(start + timedelta(hours=2 + t_index, minutes=p_index)):
                        task_id = L.add_task(ledger, {"title": title, "target": target, "kind": kind, "unit": unit,
                                                      "leader": leader, "owner": owner, "due": due,
                                                      "category": category}, problem_id=problem_id)
                    for days_ago, action, arg in story:
                        steps.append((now - timedelta(days=days_ago, hours=-(p_index + t_index) % 5),
                                      task_id, action, arg))
            for moment, task_id, action, arg in sorted(steps, key=lambda s: (s[0], s[1])):
                with dates.held_at(min(moment, now)):
                    _play(ledger, scratch, task_id, action, arg)
        finally:
            ledger.close()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        for k, v in saved_user.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return path



def _text(value):
    """The demo's text in the user's language: written in Chinese, given in
    English by demo_en when the interface is English."""
    if is_zh():
        return value
    from rectify.demo_en import in_english

    return in_english(value)


def _play(ledger: Ledger, scratch: Path, task_id: int, action: str, arg) -> None:
    if action == "progress":
        done = L.get_task(ledger, task_id)["progress"]
        L.add_progress(ledger, task_id, arg, min(90, done + 30))
    elif action == "evidence":
        file = scratch / arg
        file.write_text(f"{arg}\n(demo evidence)\n", encoding="utf-8")
        L.add_evidence(ledger, task_id, [str(file)])
    elif action == "submit":
        L.change_status(ledger, task_id, "submit")
    elif action == "close":
        L.change_status(ledger, task_id, "close", checker=arg)
    elif action in ("reject", "cancel"):
        L.change_status(ledger, task_id, action, reason=arg)
    elif action == "extend":
        due = L.get_task(ledger, task_id)["due"]
        assert due is not None  # the script extends only tasks with a deadline
        new_due = dates.parse_date(due) + timedelta(days=arg)
        L.extend(ledger, task_id, new_due.isoformat(), _text("等待上级主管部门审核"))
