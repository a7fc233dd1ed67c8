"""Rounds, problem-level figures, outcomes and `rectify report`, through the
real CLI against a real ledger: a ledger with two rounds (a 巡察 feedback and
an audit), outcomes of each type and a history over two months."""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Cli, dump

XC = "区委第三巡察组巡察反馈"
AUDIT = "2026年度经济责任审计"


@pytest.fixture
def ledger(cli, monkeypatch):
    """Two rounds; five problems in the first (one done, two in progress, one
    not started, one withdrawn), one in the second; outcomes of each type;
    the history spread from September to November."""

    def now(moment: str) -> None:
        monkeypatch.setenv("RECTIFY_NOW", moment)

    now("2026-09-16T09:00:00")
    cli.ok("round", "add", XC, "--kind", "巡察", "--fed-back", "2026-09-15", "--issuer", "区委第三巡察组")
    cli.ok("round", "add", AUDIT, "--kind", "audit", "--fed-back", "2026-09-20")
    t = {}
    t["a1"] = cli.add("清理积压报销单据", "--new-problem", "报销单据积压，超期未处理", "--category", "财务管理",
                      "--round", XC, "--unit", "财务处", "--owner", "李华", "--due", "2026-10-31", "--kind", "immediate")
    pa = cli.json("show", t["a1"])["problem"]["id"]
    t["a2"] = cli.add("建立报销时限制度", "--problem", pa, "--unit", "财务处", "--owner", "李华", "--due", "2027-03-31",
                      "--kind", "long_term", "--target", "制度印发执行")
    t["b1"] = cli.add("重新组织比选", "--new-problem", "采购程序不规范", "--category", "采购管理", "--round", XC,
                      "--unit", "采购中心", "--owner", "周杰", "--due", "2026-11-15")
    t["c1"] = cli.add("追缴违规发放的津贴", "--new-problem", "违规发放津贴补贴", "--category", "财务管理", "--round", XC,
                      "--unit", "人事处", "--owner", "王芳", "--due", "2026-12-31", "--target", "全部追回")
    t["d1"] = cli.add("规范会议记录", "--new-problem", "党委会议记录不规范", "--category", "党的建设", "--round", XC,
                      "--unit", "办公室", "--owner", "赵磊", "--due", "2026-12-15")
    t["e1"] = cli.add("重复录入的措施", "--new-problem", "重复反馈的问题", "--category", "党的建设", "--round", XC)
    t["f1"] = cli.add("整改审计发现的超预算支出", "--new-problem", "超预算支出", "--category", "预算管理",
                      "--round", AUDIT, "--unit", "财务处", "--owner", "陈静", "--due", "2026-12-20")
    now("2026-10-10T10:00:00")
    cli.ok("progress", t["a1"], "已清理积压单据312张", "--percent", "80")
    cli.ok("progress", t["b1"], "两个项目已重新比选")
    cli.ok("cancel", t["e1"], "--reason", "与问题1重复")
    cli.ok("outcome", "add", t["a1"], "--people", "2", "--form", "诫勉谈话")
    now("2026-10-28T15:00:00")
    cli.ok("evidence", t["a1"], "--note", "报销台账")
    cli.ok("submit", t["a1"])
    cli.ok("close", t["a1"], "--by", "张敏", "--note", "单据已全部处理")
    cli.ok("progress", t["a2"], "制度初稿已征求意见")
    cli.ok("outcome", "add", t["c1"], "--money", "12,500.50", "--what", "违规发放的津贴", "--type", "清退")
    now("2026-11-05T11:00:00")
    cli.ok("outcome", "add", t["a2"], "--rule", "报销管理办法", "--doc-no", "财发〔2026〕3号", "--issued", "2026-11-04")
    cli.ok("evidence", t["a2"], "--note", "印发文件")
    cli.ok("submit", t["a2"])
    cli.ok("close", t["a2"], "--by", "张敏")
    cli.ok("outcome", "add", t["f1"], "--money", "3.5万", "--what", "超预算支出", "--type", "recovered")
    cli.ok("outcome", "add", t["b1"], "--other", "开展采购业务培训2场")
    cli.ok("outcome", "add", t["f1"], "--money", "800", "--type", "saved")
    now("2026-11-25T09:00:00")
    return t


def states_by_problem(tasks: list[dict]) -> Counter:
    """Problem states counted from `list --all --json`, by the rule of the report."""
    groups: dict = {}
    for task in tasks:
        if task["problem"]:
            groups.setdefault(task["problem"]["id"], []).append(task["status"])
    count: Counter = Counter()
    for states in groups.values():
        if all(s in ("closed", "cancelled") for s in states):
            count["done" if "closed" in states else "cancelled"] += 1
        elif any(s != "open" for s in states):
            count["in_progress"] += 1
        else:
            count["not_started"] += 1
    return count


# -- rounds -------------------------------------------------------------------------


def test_rounds_are_listed_with_their_problems_and_tasks(cli, ledger):
    rounds = cli.json("round", "list")
    assert [(r["name"], r["kind"], r["fed_back"], r["problems"], r["tasks"]) for r in rounds] == [
        (XC, "inspection", "2026-09-15", 5, 6), (AUDIT, "audit", "2026-09-20", 1, 1)]
    assert rounds[0]["issuer"] == "区委第三巡察组"
    assert {t["round_id"] for t in cli.json("list", "--all", "--round", XC)} == {rounds[0]["id"]}
    assert len(cli.json("list", "--all", "--round", "2")) == 1  # by id as well
    edited = cli.json("round", "edit", AUDIT, "--name", "经济责任审计", "--issuer", "区审计局", "--kind", "审计")
    assert (edited["name"], edited["issuer"], edited["kind"]) == ("经济责任审计", "区审计局", "audit")


@pytest.mark.parametrize("command", [["list"], ["summary"], ["weekly"], ["sheets"], ["export", "--format", "json"],
                                     ["outcomes"], ["report", "--output", "r.md"]])
def test_an_unknown_round_is_one_line_naming_the_rounds(cli, ledger, db, command):
    before = dump(db)
    res = cli(*command, "--round", "第四巡察组")
    assert res.exit_code == 3 and res.stdout == ""
    assert res.stderr.count("\n") == 1 and XC in res.stderr and AUDIT in res.stderr
    assert dump(db) == before


def test_round_input_is_checked_and_nothing_changes(cli, ledger, db):
    before = dump(db)
    assert cli("round", "add", XC).exit_code == 4  # the name is taken
    assert cli("round", "add", "新一轮", "--kind", "巡游").exit_code == 2
    assert cli("round", "add", "新一轮", "--fed-back", "someday").exit_code == 2
    assert cli("round", "frobnicate").exit_code == 2
    assert cli("add", "x", "--problem", "1", "--round", AUDIT).exit_code == 4  # problem 1 is in the other round
    assert dump(db) == before


def test_moving_a_problem_to_another_round_moves_its_tasks_and_keeps_the_past(cli, ledger, monkeypatch):
    before = cli.json("summary", "--round", XC, "--as-of", "2026-11-20")
    cli.ok("edit", ledger["a1"], "--round", AUDIT)
    assert {t["id"] for t in cli.json("list", "--all", "--round", AUDIT)} == {ledger["a1"], ledger["a2"], ledger["f1"]}
    assert any(e["action"] == "round" and e["field"] == "round_id" for e in cli.json("history", ledger["a2"]))
    assert cli.json("summary", "--round", XC, "--as-of", "2026-11-20") == before
    assert cli.json("summary", "--round", XC)["problems"]["total"] == 4
    assert cli.ok("check").stdout == "ok\n"


# -- problem-level figures -----------------------------------------------------------


def test_problem_figures_follow_the_rule(cli, ledger):
    s = cli.json("summary", "--round", XC)
    assert s["round"]["name"] == XC
    p = s["problems"]
    assert (p["total"], p["done"], p["in_progress"], p["not_started"], p["cancelled"]) == (5, 1, 1, 2, 1)
    assert p["completion_rate"] == 1 / 4
    assert p["by_category"]["财务管理"]["total"] == 2 and p["by_category"]["党的建设"]["cancelled"] == 1
    assert Counter({k: p[k] for k in ("done", "in_progress", "not_started", "cancelled") if p[k]}) == \
        states_by_problem(cli.json("list", "--all", "--round", XC))
    everything = cli.json("summary")
    assert everything["round"] is None and everything["problems"]["total"] == 6
    weekly = cli.json("weekly", "--round", XC)
    assert weekly["summary"] == s and weekly["previous"]["round"]["name"] == XC


def test_problem_figures_for_a_past_day(cli, ledger):
    # On 20 October only the cancellation and progress notes had happened.
    p = cli.json("summary", "--round", XC, "--as-of", "2026-10-20")["problems"]
    assert (p["done"], p["in_progress"], p["not_started"], p["cancelled"]) == (0, 2, 2, 1)


def test_summary_and_weekly_print_problems_beside_tasks(cli, ledger, monkeypatch):
    text = cli.ok("summary", "--round", XC).stdout
    assert "Problems and tasks" in text and "Money returned (yuan)" in text and "12500.50" in text
    zh = cli.ok("--lang", "zh", "weekly", "--round", XC, "--format", "md").stdout
    assert "问题与整改任务" in zh and "清退资金（元）" in zh and f"轮次：{XC}" in zh
    html = cli.ok("weekly", "--format", "html").stdout
    assert "Problems and tasks" in html


# -- outcomes -----------------------------------------------------------------------


def test_outcomes_are_typed_exact_and_in_the_history(cli, ledger):
    data = cli.json("outcomes")
    types = Counter(o["type"] for o in data["outcomes"])
    assert types == {"rule": 1, "money": 3, "people": 1, "other": 1}
    money = {o["money_type"]: o["fen"] for o in data["outcomes"] if o["type"] == "money"}
    assert money == {"returned": 1250050, "recovered": 3500000, "saved": 80000}
    totals = data["totals"]
    assert totals["money_fen"] == {"recovered": 3500000, "returned": 1250050, "saved": 80000, "total": 4830050}
    assert (totals["rules"], totals["people"], totals["other"], totals["entries"]) == (1, 2, 1, 6)
    assert totals["by_unit"]["财务处"]["money_fen"]["total"] == 3580000
    rule = next(o for o in data["outcomes"] if o["type"] == "rule")
    assert (rule["title"], rule["doc_no"], rule["issued"]) == ("报销管理办法", "财发〔2026〕3号", "2026-11-04")
    history = cli.json("history", ledger["a2"])
    assert [e for e in history if e["action"] == "outcome"][0]["new"] == str(rule["id"])
    xc = cli.json("outcomes", "--round", XC)["totals"]
    assert xc["money_fen"]["total"] == 1250050 and cli.json("summary", "--round", XC)["outcomes"] == xc
    assert cli.ok("check").stdout == "ok\n"


def test_outcome_totals_for_a_past_day_and_a_withdrawal(cli, ledger, monkeypatch):
    before = cli.json("outcomes", "--as-of", "2026-10-31")
    assert before["totals"]["entries"] == 2 and before["totals"]["money_fen"]["returned"] == 1250050
    money = next(o["id"] for o in cli.json("outcomes")["outcomes"] if o.get("money_type") == "saved")
    cli.ok("outcome", "withdraw", money, "--reason", "录入有误")
    assert cli("outcome", "withdraw", money, "--reason", "again").exit_code == 4
    assert cli.json("outcomes")["totals"]["money_fen"]["saved"] == 0
    assert cli.json("outcomes", "--as-of", "2026-11-24")["totals"]["money_fen"]["saved"] == 80000
    assert cli.json("outcomes", "--as-of", "2026-10-31") == before
    assert cli.ok("check").stdout == "ok\n"


@pytest.mark.parametrize("args, code", [
    (["--money", "12.345"], 2), (["--money", "-5"], 2), (["--money", "lots"], 2), (["--money", "0"], 2),
    (["--money", "5", "--type", "stolen"], 2), (["--people", "0"], 2), (["--rule", "x", "--money", "5"], 2),
    (["--doc-no", "财发1号"], 2), (["--other", " "], 2), ([], 2), (["--rule", "x", "--issued", "someday"], 2),
])
def test_bad_outcomes_are_refused_and_nothing_changes(cli, ledger, db, args, code):
    before = dump(db)
    res = cli("outcome", "add", ledger["b1"], *args)
    assert res.exit_code == code and res.stderr.count("\n") == 1 and "Traceback" not in res.stderr
    assert dump(db) == before
    assert cli("outcome", "add", 999, "--other", "x").exit_code == 3


def test_amounts_read_as_offices_write_them():
    from rectify.rounds import parse_amount, wan, yuan

    assert [parse_amount(a) for a in ("12500", "1,250.50", "3.5万", "800元", "￥0.01", "2万元", ".5")] == [
        1250000, 125050, 3500000, 80000, 1, 2000000, 50]
    assert (yuan(125050), yuan(100), wan(4830050)) == ("1250.50", "1", "4.83005")


# -- the report ---------------------------------------------------------------------


def _docx_paragraphs(path: Path) -> list:
    import docx

    return docx.Document(str(path)).paragraphs


def _rate(rate: float) -> str:
    return f"{round(rate * 100, 1):g}%"


def test_the_docx_report_has_the_house_style_and_the_summary_figures(cli, ledger, tmp_path):
    import docx
    from docx.oxml.ns import qn

    path = tmp_path / "报告.docx"
    cli.ok("--lang", "zh", "report", "--round", XC, "--as-of", "2026-11-20", "--output", path,
           "--unit-name", "区财政局", "--addressee", "区委巡察工作领导小组办公室")
    s = cli.json("summary", "--round", XC, "--as-of", "2026-11-20")
    p, o = s["problems"], s["outcomes"]
    doc = docx.Document(str(path))
    texts = [para.text for para in doc.paragraphs]
    styles = [para.style.name for para in doc.paragraphs]
    assert texts[0] == f"关于{XC}整改情况的报告" and styles[0] == "Rectify Title"
    assert texts[1] == "区委巡察工作领导小组办公室："
    assert "2026年9月15日反馈" in texts[2] and "截至2026年11月20日" in texts[2]
    headline = next(t for t in texts if t.startswith("共反馈"))
    assert headline.startswith(f"共反馈{p['total']}个问题，已完成{p['done']}个、正在整改{p['in_progress']}个、"
                               f"尚未启动{p['not_started']}个、已撤销{p['cancelled']}个，完成率{_rate(p['completion_rate'])}。")
    assert f"细化整改措施{s['total']}项，已销号{s['closed']}项，完成率{_rate(s['completion_rate'])}。" in headline
    outcomes = next(t for t in texts if t.startswith("整改以来"))
    assert outcomes == (f"整改以来，建立完善制度{o['rules']}项、清退资金12500.50元、问责处理{o['people']}人、"
                        f"其他成效{o['other']}项。")
    assert [t for t, st in zip(texts, styles) if st == "Rectify Heading 1"] == [
        "一、总体情况", "二、整改落实情况", "三、尚未完成的整改事项"]
    assert [t for t, st in zip(texts, styles) if st == "Rectify Heading 2"] == [
        "（一）在财务管理方面", "（二）在采购管理方面", "（三）在党的建设方面"]
    items = [t for t, st in zip(texts, styles) if st == "Rectify Item"]
    assert len(items) == p["total"] and items[0] == "1.关于“报销单据积压，超期未处理”问题的整改"
    assert "工作进展：已清理积压单据312张；制度初稿已征求意见。" in texts
    assert "整改成效：问责处理2人（诫勉谈话）；《报销管理办法》（财发〔2026〕3号，2026年11月4日印发）。" in texts
    open_items = texts[texts.index("三、尚未完成的整改事项") + 1:]
    assert open_items[0] == f"尚有{s['open']}项整改措施未完成，具体如下："
    assert texts[-2:] == ["区财政局", "2026年11月20日"]
    # The house style: A4, the margins, the faces with their East Asian names, 三号 body, 二号 title.
    section = doc.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    assert [round(m.cm, 1) for m in (section.top_margin, section.bottom_margin, section.left_margin,
                                     section.right_margin)] == [3.7, 3.5, 2.8, 2.6]
    faces = {name: doc.styles[name].element.rPr.rFonts.get(qn("w:eastAsia"))
             for name in ("Rectify Title", "Rectify Heading 1", "Rectify Heading 2", "Normal")}
    assert faces == {"Rectify Title": "方正小标宋简体", "Rectify Heading 1": "黑体", "Rectify Heading 2": "楷体_GB2312",
                     "Normal": "仿宋_GB2312"}
    assert doc.styles["Normal"].font.size.pt == 16 and doc.styles["Rectify Title"].font.size.pt == 22
    footer = section.footer.paragraphs[0]._p.xml
    assert "PAGE" in footer and "—" in footer


def test_every_format_says_the_same(cli, ledger, tmp_path):
    for fmt in ("docx", "md", "html"):
        cli.ok("--lang", "zh", "report", "--round", XC, "--output", tmp_path / f"r.{fmt}", "--unit-name", "区财政局")
    paragraphs = [p.text for p in _docx_paragraphs(tmp_path / "r.docx")]
    md = (tmp_path / "r.md").read_text(encoding="utf-8")
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    for text in paragraphs:
        assert text.replace("“", "“") in html.replace("&quot;", '"')
        assert text in md.replace("\\", "")
    assert html.startswith("<!DOCTYPE html>") and '"仿宋_GB2312", "仿宋"' in html


def test_a_report_for_a_past_day_is_the_same_after_the_ledger_changes(cli, ledger, tmp_path, monkeypatch):
    def report(name: str, *extra: str) -> Path:
        cli.ok("--lang", "zh", "report", "--round", XC, "--as-of", "2026-11-01", "--output", tmp_path / name, *extra)
        return tmp_path / name

    md = report("a.md").read_text(encoding="utf-8")
    interim = report("a-interim.md", "--interim").read_text(encoding="utf-8")
    docx_text = [p.text for p in _docx_paragraphs(report("a.docx"))]
    assert "整改进展情况的报告" in interim and "整改进展情况报告如下" in interim
    assert "已完成0个、正在整改2个" in md  # the rule (the first problem's second task) closed on 5 November
    monkeypatch.setenv("RECTIFY_NOW", "2026-11-26T10:00:00")
    cli.ok("progress", ledger["c1"], "已追回大部分")
    cli.ok("outcome", "add", ledger["c1"], "--people", "1", "--form", "党纪处分")
    cli.ok("edit", ledger["d1"], "--round", AUDIT)
    cli.ok("cancel", ledger["b1"], "--reason", "并入其他问题")
    assert report("b.md").read_text(encoding="utf-8") == md
    assert [p.text for p in _docx_paragraphs(report("b.docx"))] == docx_text
    assert report("c.md").read_text(encoding="utf-8") == md


def test_the_english_report(cli, ledger, tmp_path):
    cli.ok("--lang", "en", "report", "--round", AUDIT, "--output", tmp_path / "r.md", "--interim")
    text = (tmp_path / "r.md").read_text(encoding="utf-8")
    assert text.startswith(f"# Interim report on the rectification of {AUDIT}")
    assert "1 problem was fed back: 0 done, 0 in progress, 1 not yet started; completion rate 0%." in text
    assert "35000 yuan recovered, 800 yuan saved" in text
    assert "(name of the unit)" in text


def test_report_input_is_checked(cli, ledger, tmp_path):
    assert cli("report", "--output", tmp_path / "r.pdf").exit_code == 2
    assert cli("report", "--output", tmp_path / "nowhere" / "r.md").exit_code == 2
    assert cli("report", "--output", tmp_path / "r.md", "--as-of", "2027-01-01").exit_code == 2
    assert not list(tmp_path.glob("r.*"))


# -- the schema, and random histories --------------------------------------------------


def test_a_new_ledger_has_the_rounds_and_outcomes_schema(cli, ledger, db):
    conn = sqlite3.connect(db)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"round", "outcome"} <= tables
        assert "round_id" in [r[1] for r in conn.execute("PRAGMA table_info(problem)")]
        assert "round_id" in [r[1] for r in conn.execute("PRAGMA table_info(task)")]
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute("UPDATE outcome SET fen = 1 WHERE type = 'money'")
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute("DELETE FROM outcome")
    finally:
        conn.close()


action = st.tuples(st.sampled_from(["add", "new", "progress", "finish", "close", "cancel", "reopen", "move"]),
                   st.integers(0, 30), st.integers(0, 1))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(st.lists(action, min_size=3, max_size=14))
def test_problem_counts_agree_with_list_under_random_histories(actions):
    with tempfile.TemporaryDirectory() as folder:
        cli = Cli(Path(folder) / "ledger.db")
        clock = datetime(2026, 10, 1, 9, 0)
        os.environ["RECTIFY_NOW"] = clock.isoformat()
        rounds = [cli.json("round", "add", name)["id"] for name in ("R1", "R2")]
        tasks: list[int] = []
        taken = []
        for verb, pick, side in actions:
            clock += timedelta(hours=10)
            os.environ["RECTIFY_NOW"] = clock.isoformat()
            task = tasks[pick % len(tasks)] if tasks else None
            if verb == "new" or task is None:
                tasks.append(cli.add("m", "--new-problem", f"p{len(tasks)}", "--round", str(rounds[side])))
            elif verb == "add":
                problem = cli.json("show", task)["problem"]["id"]
                tasks.append(cli.add("m2", "--problem", problem))
            else:
                commands = {"progress": [("progress", task, "n")], "finish": [("evidence", task, "--note", "e"), ("submit", task)],
                            "close": [("close", task, "--by", "c")], "cancel": [("cancel", task, "--reason", "r")],
                            "reopen": [("reopen", task, "--reason", "r")], "move": [("edit", task, "--round", str(rounds[side]))]}
                for args in commands[verb]:
                    assert cli(*args).exit_code in (0, 4)
            taken.append((clock.date().isoformat(), {r: cli.json("summary", "--round", str(r)) for r in rounds}))
        for r in rounds:
            summary = cli.json("summary", "--round", str(r))
            p = summary["problems"]
            counted = states_by_problem(cli.json("list", "--all", "--round", str(r)))
            assert {k: p[k] for k in ("done", "in_progress", "not_started", "cancelled") if p[k]} == dict(counted)
            assert p["total"] == sum(counted.values())
        os.environ["RECTIFY_NOW"] = (clock + timedelta(days=2)).isoformat()
        last_of_day = {day: figures for day, figures in taken}  # what each day ended with
        for day in sorted(last_of_day)[-3:]:
            for r, summary in last_of_day[day].items():
                past = cli.json("summary", "--round", str(r), "--as-of", day)
                assert (past["problems"], past["outcomes"], past["total"]) == (
                    summary["problems"], summary["outcomes"], summary["total"])
        assert json.loads(cli.ok("check", "--json").stdout)["ok"]


# -- import ---------------------------------------------------------------------------


def test_import_puts_rows_in_a_round_by_option_or_column(cli, ledger, tmp_path, db):
    sheet = tmp_path / "回头看.csv"
    sheet.write_text("序号,问题类别,问题描述,整改措施,责任单位,整改时限,巡察轮次\n"
                     f"1,财务管理,报销单据积压，超期未处理,复查报销单据,财务处,2026年12月底前,\n"
                     f"2,预算管理,超预算支出,压减预算,财务处,2026年12月底前,{AUDIT}\n", encoding="utf-8")
    cli.ok("round", "add", "回头看", "--kind", "回头看")
    before = dump(db)
    bad = sheet.with_name("bad.csv")
    bad.write_text("整改措施,轮次\n复查,第九巡察组\n", encoding="utf-8")
    res = cli("import", bad, "--strict")
    assert res.exit_code == 6 and "第九巡察组" in res.stderr and XC in res.stderr
    res = cli.ok("import", bad)  # an office's sheet: the row is skipped and named, the file not refused
    assert "row 2" in res.stderr and "第九巡察组" in res.stderr and "added 0" in res.stdout
    assert cli("import", sheet, "--round", "第九巡察组").exit_code == 3
    assert dump(db) == before
    cli.ok("import", sheet, "--round", "回头看")
    lookback = cli.json("list", "--all", "--round", "回头看")
    assert [t["title"] for t in lookback] == ["复查报销单据"]
    # The same problem text fed back again by the look-back is a problem of that round.
    first = cli.json("show", ledger["a1"])["problem"]["id"]
    assert lookback[0]["problem"]["id"] != first
    audit = cli.json("list", "--all", "--round", AUDIT)
    assert sorted(t["title"] for t in audit) == ["压减预算", "整改审计发现的超预算支出"]
    assert len({t["problem"]["id"] for t in audit}) == 1  # joined the audit's own problem
    assert cli.json("summary", "--round", "回头看")["problems"]["total"] == 1
    assert cli.ok("check").stdout == "ok\n"
