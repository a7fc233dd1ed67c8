"""Office ledgers as offices keep them (issue 14): each file of the corpus in
tests/fixtures/office/ (made by tests/fixtures/make_office_ledgers.py, from
PRACTICE.md "The paper flow") is imported WITHOUT OPTIONS into a new ledger,
and what each cell meant is checked field by field. Each test says which
features its file exercises. A last test checks, for every file, that no
cell is lost: each one is in the ledger as text, named in the summary, or a
value the importer understood (a date, a state, a deadline word)."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import pytest

from fixtures import make_office_ledgers as M

OFFICE = Path(__file__).parent / "fixtures" / "office"
NOW = "2026-11-25T09:00:00"  # conftest's clock: "today" for 12月底前


def imported(cli, name: str) -> tuple[dict, dict[str, dict]]:
    """Import the file with no option; (the --json report, the tasks by measure)."""
    report = cli.ok("import", OFFICE / name, "--json").json()
    tasks = {t["title"]: t for t in cli.json("list", "--all")}
    assert len(tasks) == report["added"], "two tasks with one measure: the test would miss one"
    return report, tasks


def meaning(cli, task: dict) -> dict:
    """Everything a task holds, as a person reads it in `show`."""
    shown = cli.json("show", task["id"])
    problem = shown["problem"] or {}
    return {
        **{k: shown[k] for k in ("kind", "status", "due", "unit", "leader", "owner", "helpers", "category", "target",
                                 "progress", "note", "closed_by")},
        "closed_at": (shown["closed_at"] or "")[:10] or None,
        "problem": problem.get("description"),
        "code": problem.get("code"),
        "notes": [e["note"] for e in shown["history"] if e["action"] == "progress"],
        "evidence": [e["note"] for e in shown["evidence"]],
        "kept": [(k["header"], k["text"], k["review"]) for k in shown["kept"]],
        "said": next(e["note"] for e in shown["history"] if e["action"] == "add"),
    }


def check(cli, tasks: dict[str, dict], expected: dict[str, dict]) -> None:
    """Each measure's fields as the test says they are (the fields not named: unset, no notes, nothing kept)."""
    assert sorted(tasks) == sorted(expected)
    blank = {"kind": None, "due": None, "unit": None, "leader": None, "owner": None, "helpers": None,
             "category": None, "target": None, "note": None, "closed_by": None, "closed_at": None, "problem": None,
             "code": None, "notes": [], "evidence": [], "kept": [], "status": "open", "progress": 0}
    for title, fields in expected.items():
        got = meaning(cli, tasks[title])
        said = fields.pop("said", None)
        want = {**blank, **fields}
        assert {k: got[k] for k in want} == want, title
        if said:
            assert said in got["said"], (title, got["said"])


# -- 1 ---------------------------------------------------------------------------------


def test_county_xuncha_ledger(cli):
    """Title and 填报单位 rows; group rows (一、…方面（共2个问题）) are categories
    where the category column is blank... and here the column is filled; a
    problem, its number and its leader merged over two measures; deadlines as
    a date cell, 2026年12月底前, 长期坚持, 立行立改, 2027年3月底前; 已完成 without a
    checker is a claim (submitted), 正在推进 / 正在整改 in progress; 具体问题 and
    整改进展情况 headers; a 注： note and a signature line under the table."""
    report, tasks = imported(cli, "county_xuncha.xlsx")
    assert report["header_rows"] == [3, 3] and report["unmapped"] == [] and report["skipped"] == []
    assert report["columns"]["具体问题"] == "problem" and report["columns"]["整改进展情况"] == "progress_note"
    assert [g["row"] for g in report["group_rows"]] == [4, 8]
    assert report["above"][1]["text"] == "填报单位：XX县财政局（盖章）  填报日期：2026年11月20日"
    assert [b["row"] for b in report["below"]] == [12, 13] and "填表人：陈六" in report["below"][1]["text"]
    assert report["problems_added"] == 3
    p1 = "学习贯彻上级决策部署不够深入，理论学习中心组学习流于形式"
    p3 = "公务用车管理不规范，存在私车公养问题"
    check(cli, tasks, {
        "制定年度理论学习中心组学习计划，每月集中学习不少于1次": dict(
            problem=p1, category="政治建设", leader="李局长", unit="办公室", owner="张三", due="2026-12-31",
            status="in_progress", progress=100, notes=["已制定2027年度学习计划"], said="已完成"),
        "建立学习考勤和研讨发言通报制度": dict(
            problem=p1, category="政治建设", leader="李局长", unit="办公室", owner="张三", kind="long_term",
            status="in_progress", notes=["正在推进"], note="按季度报送"),
        "开展意识形态领域风险隐患排查": dict(
            problem="意识形态工作责任制落实不到位", category="政治建设", leader="王副局长", unit="机关党委", owner="李四",
            due="2026-12-31", status="in_progress", notes=["已排查风险点6个"]),
        "全面清查2024年以来公务用车费用报销凭证": dict(
            problem=p3, category="全面从严治党", leader="赵副局长", unit="财务股", owner="王五", kind="immediate",
            status="in_progress", progress=100, notes=["已清退违规报销费用1.2万元"]),
        "修订《公务用车管理办法》": dict(
            problem=p3, category="全面从严治党", leader="赵副局长", unit="财务股", owner="王五", due="2027-03-31"),
    })


# -- 2 ---------------------------------------------------------------------------------


def test_university_audit_workbook_takes_the_ledger_sheet(cli):
    """Three sheets (说明, 汇总 active, 台账): the ledger sheet is taken and the
    summary says why; 审计发现问题 / 整改成效 / 配合部门 / 销号情况 / 销号日期
    headers; 序号 SJ-01 kept as the problem's code; 已销号 with a checker and a
    date arrives closed on that date (carried over); 限期整改 names no kind and
    is kept as text; 已完成 with no checker is submitted; evidence on two lines."""
    report, tasks = imported(cli, "university_audit.xlsx")
    assert report["sheet"] == "台账"
    assert report["choice"][0].startswith("Read '台账': 4 data rows")
    assert "Not read '汇总': no header row." in report["choice"] and "Not read '说明': no header row." in report["choice"]
    assert report["kept"] == {"review": {}, "text": {"整改类型": 1}}
    check(cli, tasks, {
        "逐笔核查2025年科研经费支出，超范围支出全部追回": dict(
            problem="部分科研经费报销超范围列支", code="SJ-01", target="超范围支出全部追回", kind="immediate",
            unit="财务处", helpers="科研处", due="2026-10-31", notes=["已追回资金8.6万元"],
            evidence=["追缴凭证.pdf", "核查报告.docx"], status="closed", progress=100, closed_by="审计处刘审",
            closed_at="2026-11-10"),
        "修订《科研经费管理办法》，明确开支范围": dict(
            problem="部分科研经费报销超范围列支", code="SJ-01", target="出台新办法", unit="财务处", helpers="科研处",
            due="2027-06-30", notes=["未销号"], status="in_progress", kept=[("整改类型", "限期整改", False)]),
        "开展全校资产清查，账实核对": dict(
            problem="固定资产账实不符", code="SJ-02", target="账实相符", kind="long_term", unit="资产管理处",
            due="2027-06-30", notes=["已完成清查60%"], evidence=["清查方案.pdf"], status="submitted", progress=100),
        "建立结算审核台账，逐月跟踪": dict(
            problem="基建项目结算审核不及时", code="SJ-03", target="按期结算", kind="immediate", unit="基建处",
            helpers="审计处", due="2026-12-31"),
    })


def test_sheet_chosen_by_name_or_number(cli):
    """--sheet takes a name or a number from 1; an unknown one is a one-line error naming them all."""
    res = cli("import", OFFICE / "university_audit.xlsx", "--sheet", "汇总")
    assert res.exit_code == 6 and "no header row" in res.stderr
    assert cli.ok("import", OFFICE / "university_audit.xlsx", "--sheet", "3", "--dry-run", "--json").json()["sheet"] == "台账"
    res = cli("import", OFFICE / "university_audit.xlsx", "--sheet", "台帐")
    assert res.exit_code == 2 and "1 说明, 2 汇总, 3 台账" in res.stderr and len(res.stderr.splitlines()) == 1


# -- 3 ---------------------------------------------------------------------------------


def test_state_firm_two_row_header(cli):
    """A two-row header: 责任主体 over 责任领导 / 责任单位 / 责任人, the other
    headers merged down both rows; 序号 1-1, 1-2, 2-1 (positions, not codes);
    the problem merged over two measures; deadlines 2026年第四季度 and
    2027年上半年 (their last days) and 立行立改; 基本完成 and 阶段性完成 are
    work in progress, their words kept as the progress note."""
    report, tasks = imported(cli, "state_firm.xlsx")
    assert report["header_rows"] == [2, 3] and report["header_groups"] == ["责任主体"]
    problem = "“三重一大”决策制度执行不严格"
    check(cli, tasks, {
        "修订“三重一大”决策事项清单": dict(problem=problem, leader="党委书记", unit="党委办公室", owner="周七",
                                    due="2026-12-31", status="in_progress", notes=["基本完成"]),
        "建立决策事项会前合法性审查机制": dict(problem=problem, leader="党委书记", unit="法务部", owner="吴八",
                                        due="2027-06-30", status="in_progress", notes=["阶段性完成"]),
        "对2023年以来干部选拔任用工作开展专项检查": dict(
            problem="选人用人工作不规范", leader="组织部部长", unit="人力资源部", owner="郑九", kind="immediate",
            status="in_progress", progress=100, notes=["已完成"], note="已形成检查报告"),
    })


# -- 4 ---------------------------------------------------------------------------------


def test_wps_sheet_with_same_as_above_and_several_units(cli):
    """No merged cells (WPS): a blank problem, category, leader, unit and owner
    cell means "as above" within a problem; 同上 copies the cell above (the
    deadline too, across problems); 同左 copies the cell to its left; several
    units in one cell (、 ， newline space): the first is the unit, the rest
    helpers; 序号 一 / (1) / ①."""
    report, tasks = imported(cli, "wps_same_above.xlsx")
    assert report["kept"] == {"review": {}, "text": {}}
    check(cli, tasks, {
        "精简会议文件，严控篇幅": dict(problem="会议文件过多过长", category="作风建设", leader="孙书记", unit="党政办公室",
                                helpers="宣传部", owner="钱一", due="2026-12-31", kind="immediate"),
        "建立发文计划审批制度": dict(problem="会议文件过多过长", category="作风建设", leader="孙书记", unit="党政办公室",
                               helpers="宣传部", owner="钱一", due="2026-12-31", kind="long_term"),
        "统筹年度督查检查计划": dict(problem="督查检查考核过多", category="作风建设", leader="孙书记", unit="党政办公室",
                               helpers="督查室", owner="钱一", due="2027-06-30", kind="immediate"),
        "清理2025年公务接待凭证": dict(problem="公务接待超标准", category="财务管理", leader="李校长", unit="财务处",
                                 helpers="审计处", owner="周二", kind="immediate"),
        "梳理分散采购项目": dict(problem="采购程序不规范", category="财务管理", leader="李校长", unit="采购中心",
                             helpers="国资处", owner="吴三", kind="long_term"),
    })
    # Two measures of one problem share it: a blank problem cell is not a problem of its own.
    assert sorted(p["tasks"] for p in cli.json("problems")) == [1, 1, 1, 2]


def test_same_as_above_with_nothing_above_is_kept_for_review(cli, tmp_path):
    """同上 in the first data row has nothing to copy: kept for review, never stored as a name."""
    f = tmp_path / "first.csv"
    f.write_text("整改措施,责任单位\n建立台账,同上\n", encoding="utf-8")
    cli.ok("import", f)
    (task,) = cli.json("list", "--review")
    assert task["unit"] is None
    assert [(k["header"], k["text"], k["review"]) for k in cli.json("show", task["id"])["kept"]] == [("责任单位", "同上", True)]


# -- 5 ---------------------------------------------------------------------------------


def test_chinese_excel_csv_in_gb18030(cli):
    """GB18030 bytes with a title row; 存在问题 / 整改举措 / 牵头单位 / 配合单位 /
    进展情况 / 状态 headers; 完成时间 is the deadline, not the closing date;
    deadlines 2026.12, 12月底前, 每季度 (a standing duty: long-term, no date) and
    已完成 in the deadline column (no date, a claim of done); 推进中, 未开始,
    持续推进 in the status column."""
    raw = (OFFICE / "excel_gb18030.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    report, tasks = imported(cli, "excel_gb18030.csv")
    assert report["columns"]["完成时间"] == "due" and report["above"] == [{"row": 1, "text": "XX区审计整改台账（2026年11月）"}]
    check(cli, tasks, {
        "建立专项资金拨付进度月报制度": dict(problem="专项资金拨付滞后", unit="区财政局", helpers="各街道", due="2026-12-31",
                                      status="in_progress", notes=["已起草制度"]),
        "对出租资产逐项清理，重新公开招租": dict(problem="国有资产出租未公开招租", unit="区国资中心", due="2026-12-31",
                                        notes=["未开始"]),
        "开展超概算项目专项审计": dict(problem="政府投资项目超概算", unit="区审计局", helpers="区发改委", status="in_progress",
                                  progress=100, notes=["审计报告已印发"], said="已完成"),
        "按季度报送债务风险监测报告": dict(problem="债务风险监测不到位", unit="区财政局", kind="long_term",
                                     status="in_progress", notes=["持续推进"]),
    })


# -- 6, 7, 11: formats of the reader layer ------------------------------------------------


def test_word_document_ledger_table(cli):
    """A Word document: a heading, a contacts table, then the ledger table with
    the problem and its number merged over two measures; 反馈问题 / 整改进展
    headers; deadlines 2026年12月底前, 长期坚持, 2027年底前; the contacts table is
    not the ledger."""
    report, tasks = imported(cli, "word_table.docx")
    assert any("no header row" in line or "no measure column" in line for line in report["choice"])
    check(cli, tasks, {
        "开展药品集中采购专项检查": dict(problem="医疗机构药品采购监管不严", unit="医政医管处", owner="陈医",
                                   due="2026-12-31", notes=["已检查医院12家"], status="in_progress"),
        "建立药品采购动态监测机制": dict(problem="医疗机构药品采购监管不严", unit="药政处", owner="林药", kind="long_term"),
        "实施乡镇卫生院能力提升工程": dict(problem="基层医疗卫生服务能力不足", unit="基层卫生处", owner="黄基",
                                     due="2027-12-31"),
    })


def test_old_xls_workbook(cli):
    """An old .xls (BIFF): 问题表现 header, 每季度 as a standing duty, a date cell, 正在整改 / 已完成."""
    _report, tasks = imported(cli, "old_excel.xls")
    check(cli, tasks, {
        "督促各村按季度公开财务收支": dict(problem="村级财务公开不及时", unit="镇财政所", owner="何会计", kind="long_term",
                                     status="in_progress", notes=["正在整改"]),
        "对全镇低保对象逐户复核": dict(problem="低保评审程序不规范", unit="镇民政办", owner="罗干事", due="2026-12-15",
                                  status="in_progress", progress=100, notes=["已完成"]),
    })


def test_opendocument_sheet(cli):
    """An .ods from LibreOffice: 问题 / 整改举措 / 责任部门 / 整改状态; 2027年第一季度 and 2026年底前."""
    _report, tasks = imported(cli, "spreadsheet.ods")
    check(cli, tasks, {
        "完成核心系统等级保护测评": dict(problem="网络安全等级保护测评未完成", unit="信息中心", due="2027-03-31"),
        "制定数据备份与恢复管理制度": dict(problem="数据备份制度不健全", unit="信息中心", due="2026-12-31",
                                     status="in_progress"),
    })


# -- 8 ---------------------------------------------------------------------------------


def test_capa_log_in_english(cli):
    """A CAPA log: Ref / Finding / Corrective action / Action owner / Department /
    Due date / Status / Verified by / Date closed / Comments; Completed with a
    verifier arrives closed on its date; Q1 2027 is March 31; Ongoing is a
    standing duty; two departments split by a semicolon."""
    report, tasks = imported(cli, "capa_english.xlsx")
    assert report["unmapped"] == [] and report["header_rows"] == [2, 2]
    check(cli, tasks, {
        "Recalibrate gauges G-12 and G-15": dict(
            problem="Calibration records missing for two gauges", code="NC-01", owner="Ann Lee", unit="Quality",
            due="2026-12-15", status="closed", progress=100, closed_by="Bob Stone", closed_at="2026-11-18",
            notes=["Completed"], said="Completed"),
        "Add annual supplier review to the procurement procedure": dict(
            problem="Supplier evaluation not done annually", code="NC-02", owner="Carl Diaz", unit="Procurement",
            helpers="Quality", due="2027-03-31", status="in_progress", note="Draft procedure circulated"),
        "Review the training matrix every quarter": dict(
            problem="Training matrix out of date", code="OBS-03", owner="Dana Kim", unit="HR", kind="long_term",
            notes=["Not started"]),
    })


# -- 9 ---------------------------------------------------------------------------------

DEADLINE_MEANINGS = {  # measure -> (deadline, kind, status) as the office meant them
    "清理账外资产": ("2026-12-31", None, "open"),  # 2026年12月底前
    "补齐会议记录": ("2026-12-31", None, "open"),  # 2026年底
    "整改公务卡使用": ("2026-12-31", None, "open"),  # 2026年底前
    "完善合同审查流程": ("2026-12-31", None, "open"),  # 12月底前, this year
    "建设内控信息系统": ("2027-06-30", None, "open"),  # 2027年上半年
    "完成专项审计": ("2026-12-31", None, "open"),  # 2026年第四季度
    "更新岗位职责说明": ("2026-12-31", None, "open"),  # 2026.12
    "组织警示教育大会": ("2027-01-15", None, "open"),  # a date cell
    "退还违规收费": (None, "immediate", "open"),  # 立行立改
    "落实谈心谈话制度": (None, "long_term", "open"),  # 长期坚持
    "推进政务公开": (None, "long_term", "open"),  # 持续推进
    "开展廉政风险排查": (None, "long_term", "open"),  # 每季度
    "通报整改进展": (None, "long_term", "open"),  # 每半年
    "加强队伍建设": (None, "long_term", "open"),  # 长期
    "撤销违规设立的账户": (None, None, "in_progress"),  # 已完成 in the deadline column: a claim of done, no evidence
    "清退多发津贴": ("2026-12-15", "immediate", "open"),  # 立行立改，2026年12月15日前完成
    "建立轮岗交流制度": (None, "long_term", "open"),  # 长期坚持（2027年6月底前建立制度）: kept for review
    "整理历史档案": (None, None, "open"),  # 下个月中旬: names no day, kept for review
    "修订差旅费报销细则": ("2027-03-31", None, "open"),  # 2027年3月底前完成整改
}


def test_deadlines_in_every_wording(cli):
    """One measure per way offices write a deadline (PRACTICE.md), each read as
    meant; what names no day is kept verbatim and its task marked for review."""
    assert {m for _d, m in M.DEADLINES} == set(DEADLINE_MEANINGS)
    report, tasks = imported(cli, "deadline_words.xlsx")
    got = {title: (t["due"], t["kind"], t["status"]) for title, t in tasks.items()}
    assert got == DEADLINE_MEANINGS
    assert report["kept"]["review"] == {"整改时限": 2}
    review = {t["title"]: cli.json("show", t["id"])["kept"] for t in cli.json("list", "--review")}
    assert {title: [k["text"] for k in kept] for title, kept in review.items()} == {
        "建立轮岗交流制度": ["长期坚持（2027年6月底前建立制度）"], "整理历史档案": ["下个月中旬"]}
    assert "下个月中旬" in review["整理历史档案"][0]["reason"]


# -- 10 --------------------------------------------------------------------------------


def test_free_text_status_notes_and_signatures(cli):
    """完成情况 written as sentences: the first clause gives the state only when it
    is a state word (已完成。… is a claim of done; 正在整改，… in progress;
    部分小区已检查，… no state), the whole text a progress note beside 整改进展;
    a group row whose numeral stands in the 序号 column (一 | 基层治理方面);
    a column nobody maps (督办意见) kept as text on each task and named; title,
    报送单位 row, 注： and 填表人 / 审核人 lines named in the summary."""
    report, tasks = imported(cli, "free_text_status.xlsx")
    assert report["unmapped"] == ["督办意见"] and report["kept"]["text"] == {"督办意见": 2}
    assert [a["row"] for a in report["above"]] == [1, 2] and [b["row"] for b in report["below"]] == [10, 11]
    assert report["group_rows"] == [{"row": 4, "text": "一  基层治理方面"}]
    check(cli, tasks, {
        "清退违规发放的津贴补贴": dict(category="基层治理方面", problem="违规发放津贴补贴", owner="马主任", due="2026-12-31", status="in_progress",
                                 progress=100, notes=["已下发清退通知\n已完成。已清退8.6万元，涉及12人。"],
                                 kept=[("督办意见", "请补充清退凭证", False)], said="已完成"),
        "修订社区工作者招聘办法": dict(category="基层治理方面", problem="社区工作者招聘不规范", owner="牛科长", due="2027-03-31",
                                 status="in_progress", notes=["正在整改，已完成制度初稿。"]),
        "开展维修资金使用专项检查": dict(category="基层治理方面", problem="物业专项维修资金监管不到位", owner="羊科长", due="2026-12-31",
                                   notes=["部分小区已检查，其余正在推进"], status="in_progress"),
        "逐案制定化解方案": dict(category="基层治理方面", problem="信访积案化解不力", owner="朱科长", kind="long_term",
                             kept=[("督办意见", "列入重点督办", False)]),
    })
    # Under Chinese the summary speaks Chinese.
    zh = cli.ok("--lang", "zh", "import", OFFICE / "free_text_status.xlsx", "--dry-run")
    assert "督办意见" in zh.stderr and "Columns" not in zh.stderr


def test_reimporting_an_office_ledger_changes_nothing(cli, db):
    from conftest import dump

    for name in ("county_xuncha.xlsx", "wps_same_above.xlsx", "free_text_status.xlsx"):
        cli.ok("import", OFFICE / name)
    before = dump(db)
    for name in ("county_xuncha.xlsx", "wps_same_above.xlsx", "free_text_status.xlsx"):
        assert cli.ok("import", OFFICE / name, "--json").json()["updated"] == 0
    assert dump(db) == before


def test_strict_refuses_what_the_default_keeps(cli, db):
    res = cli("import", OFFICE / "deadline_words.xlsx", "--strict")
    assert res.exit_code == 6 and "row 18:" in res.stderr and "row 19:" in res.stderr and not db.exists()


# -- no cell lost ------------------------------------------------------------------------

_PIECES = re.compile(r"[\s、，,;；/]")


def _cells(path: Path, sheet: str | None) -> list[object]:
    """The non-blank cells of the table the import read."""
    from rectify.exchange.tables import read_tables

    grid = next(t.grid for t in read_tables(path) if sheet is None or t.name == sheet)
    return [v for row in grid for v in row if v is not None and str(v).strip()]


def _understood(value) -> bool:
    """A value the importer turns into a field: a date, a number, a deadline or state word, 同上."""
    from rectify.exchange import columns as C
    from rectify.exchange.records import _POSITIONAL, RowError, _due, _status

    if isinstance(value, (int, float, date, datetime)):
        return True
    text = str(value).strip()
    if text in C.SAME_ABOVE or text in C.SAME_LEFT or _POSITIONAL.fullmatch(text):
        return True
    try:
        due, kind, done = _due(text, "due", date(2026, 11, 25))
        if due or kind or done:
            return True
    except RowError:
        pass
    try:
        return _status(text, "status")[0] is not None
    except RowError:
        return False


@pytest.mark.parametrize("name", sorted(M.BUILDERS))
def test_no_cell_is_lost(cli, name):
    """Every cell of the table read is in the ledger as text (a field, a problem,
    a progress note, evidence, a kept cell), named in the summary (a header, a
    title, a group row, a note or signature line), or a value the importer
    understood. (Other sheets are named in the summary as not read.)"""
    path = OFFICE / name
    report = cli.ok("import", path, "--json").json()
    texts = [*report["columns"], *report["unmapped"], *report["header_groups"], *report["notes"],
             *report["choice"], *(x["text"] for key in ("above", "below", "group_rows") for x in report[key]),
             *(s["reason"] for s in report["skipped"])]
    for task in cli.json("list", "--all"):
        shown = cli.json("show", task["id"])
        texts += [str(v) for k, v in shown.items() if isinstance(v, str)]
        if shown["problem"]:
            texts += [shown["problem"]["description"], shown["problem"]["code"] or ""]
        texts += [e["note"] or "" for e in shown["history"]] + [e["note"] or "" for e in shown["evidence"]]
        texts += [k["text"] for k in shown["kept"]]
    blob = " ".join(" ".join(t.split()) for t in texts if t)
    lost = [value for value in _cells(path, report["sheet"])
            if not _understood(value) and not all(
                " ".join(piece.split()) in blob for piece in _PIECES.split(str(value)) if piece.strip())]
    assert lost == []


def test_a_claim_of_done_on_a_task_the_ledger_closed_changes_nothing(cli, db, tmp_path):
    """A returned sheet saying 已完成 for a task already closed (销号) leaves it closed, at 100%."""
    from conftest import dump

    imported(cli, "university_audit.xlsx")
    before = dump(db)
    back = tmp_path / "returned.csv"
    back.write_text("审计发现问题,整改措施,完成情况\n部分科研经费报销超范围列支,逐笔核查2025年科研经费支出，超范围支出全部追回,已完成\n",
                    encoding="utf-8")
    assert cli.ok("import", back, "--json").json()["unchanged"] == 1
    assert dump(db) == before
