"""Export and import through the real CLI: office sheets as they are made,
the merge rules, hostile cells, evidence, and round trips."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import sqlite3
import zipfile

import pytest

from conftest import dump
from fixtures import make_sheets as M

DERIVED = ("id", "created", "updated", "band")


def comparable(tasks: list[dict]) -> dict[str, dict]:
    """Tasks by uid, without what a new ledger numbers or dates afresh."""
    out = {}
    for t in tasks:
        t = {k: v for k, v in t.items() if k not in DERIVED}
        if t["problem"]:
            t["problem"] = {k: v for k, v in t["problem"].items() if k != "id"}
        out[t["uid"]] = t
    return out


@pytest.fixture
def sheets(tmp_path):
    return M.build_all(tmp_path / "sheets")


# -- office sheets ---------------------------------------------------------------


def test_office_sheet_imports_problems_tasks_kinds_and_dues(cli, sheets):
    res = cli.ok("import", sheets["office"])
    assert "added 6" in res.stdout
    assert "督办意见" in res.stderr  # the column nobody maps is named
    assert "Header rows: 3-4" in res.stderr
    tasks = {t["title"]: t for t in cli.json("list", "--all")}
    assert len(tasks) == len(M.EXPECTED)
    for title, problem, kind, due, unit, category, status in M.EXPECTED:
        t = tasks[title]
        assert (t["problem"]["description"], t["kind"], t["due"], t["unit"], t["category"], t["status"]) == (
            problem, kind, due, unit, category, status), title
    # Tasks sharing a problem text share one problem; the merged leader cell fills every row.
    problems = cli.json("problems")
    assert sorted(p["tasks"] for p in problems) == [1, 2, 3]
    assert {tasks[t[0]]["leader"] for t in M.EXPECTED if t[1] == M.P1} == {"王校长"}
    assert tasks["完善公务接待审批清单"]["progress"] == 40
    assert tasks["梳理近三年分散采购项目，逐项核查"]["progress"] == 100
    shown = cli.json("show", tasks["梳理近三年分散采购项目，逐项核查"]["id"])
    assert [e["note"] for e in shown["evidence"]] == ["核查报告.docx", "整改通知.pdf"]
    first = cli.json("show", tasks["全面清理2025年以来公务接待报销凭证"]["id"])
    assert [e["note"] for e in first["history"] if e["action"] == "progress"] == ["已完成2025年度凭证清查"]


def test_footnotes_and_blank_rows_under_the_table_are_skipped_with_a_note(cli, sheets):
    res = cli.ok("import", sheets["office"], "--json")
    report = json.loads(res.stdout)
    assert report["unmapped"] == M.UNMAPPED
    assert any("under the table" in n for n in report["notes"])
    assert report["added"] == len(M.EXPECTED) and report["skipped"] == []


def test_wps_csv_in_gb18030_with_variant_headers(cli, sheets, db):
    assert sheets["wps"].read_bytes().decode("gb18030")  # really GB18030, not UTF-8
    with pytest.raises(UnicodeDecodeError):
        sheets["wps"].read_bytes().decode("utf-8")
    cli.ok("import", sheets["wps"])
    tasks = {t["title"]: t for t in cli.json("list", "--all")}
    assert [(tasks[r[3]]["kind"], tasks[r[3]]["due"], tasks[r[3]]["unit"]) for r in M.WPS_ROWS] == [
        ("immediate", "2026-12-31", "党政办公室"), ("long_term", None, "党政办公室"), ("long_term", "2027-06-30", "宣传部")]
    assert tasks["修订讲座论坛管理办法"]["note"] == "+请于月底前报送"
    assert tasks["精简会议文件，严控篇幅"]["category"] == "作风建设"
    # The same rows saved as UTF-8 without a BOM match by problem and measure: nothing changes.
    before = dump(db)
    assert "added 0, updated 0, 3 unchanged" in cli.ok("import", sheets["utf8"]).stdout
    assert dump(db) == before


def test_strict_bad_rows_are_listed_with_their_row_numbers_and_nothing_is_written(cli, sheets, db):
    cli.add("An existing task")
    before = dump(db)
    res = cli("import", sheets["bad"], "--strict")
    assert res.exit_code == 6, res
    for row, word in M.BAD_ROWS.items():
        line = next(line for line in res.stderr.splitlines() if line.startswith(f"row {row}:"))
        assert word in line
    assert "nothing was written" in res.stderr
    assert dump(db) == before


def test_strict_bad_rows_into_a_new_ledger_create_no_file(cli, sheets, db):
    assert cli("import", sheets["bad"], "--strict").exit_code == 6
    assert not db.exists()


def test_by_default_unreadable_cells_are_kept_for_review_and_only_a_row_without_measure_is_skipped(cli, sheets):
    res = cli.ok("import", sheets["bad"], "--json")
    report = res.json()
    assert report["added"] == len(M.EXPECTED) - 1
    assert report["skipped"] == [{"row": 11, "reason": "整改举措 is empty: every row needs a measure."}]
    assert report["kept"]["review"] == {"完成时限": 1, "整改分类": 1}
    review = {t["title"]: t for t in cli.json("list", "--review")}
    assert sorted(review) == ["修订《公务接待管理办法》", "梳理近三年分散采购项目，逐项核查"]
    # The unreadable cells are kept verbatim; the fields they were for stay unset.
    late = cli.json("show", review["修订《公务接待管理办法》"]["id"])
    assert late["due"] is None and [(k["header"], k["text"], k["review"]) for k in late["kept"]] == [
        ("完成时限", "下个月中旬", True)]
    odd = cli.json("show", review["梳理近三年分散采购项目，逐项核查"]["id"])  # its deadline says 立行立改
    assert odd["kind"] == "immediate" and ("整改分类", "马上办", True) in [(k["header"], k["text"], k["review"]) for k in odd["kept"]]
    shown = cli.ok("show", str(odd["id"])).stdout
    assert "马上办" in shown and "to review" in shown
    # Reviewed by a person: off the list, the cells kept, the history says so.
    cli.ok("reviewed", str(odd["id"]))
    assert [t["id"] for t in cli.json("list", "--review")] == [late["id"]]
    assert cli.json("show", odd["id"])["kept"][0]["text"] == "马上办"
    assert cli.json("history", odd["id"])[-1]["action"] == "reviewed"


def test_skip_bad_imports_the_rest_and_lists_what_it_skipped(cli, sheets):
    res = cli.ok("import", sheets["bad"], "--strict", "--skip-bad")
    assert "added 3" in res.stdout
    assert all(f"row {row}:" in res.stderr for row in M.BAD_ROWS)
    assert len(cli.json("list", "--all")) == len(M.EXPECTED) - len(M.BAD_ROWS)


def test_dry_run_shows_the_plan_and_writes_nothing(cli, sheets, db):
    cli.add("An existing task")
    before = dump(db)
    res = cli.ok("import", sheets["office"], "--dry-run")
    assert "would add 6, update 0, leave 0 unchanged" in res.stdout
    assert "row 5: 全面清理2025年以来公务接待报销凭证" in res.stdout
    assert dump(db) == before


def test_reimport_is_idempotent(cli, sheets, db):
    cli.ok("import", sheets["office"])
    before = dump(db)
    res = cli.ok("import", sheets["office"])
    assert "added 0, updated 0, 6 unchanged" in res.stdout
    assert dump(db) == before


def test_a_row_without_uid_updates_the_task_with_the_same_problem_and_measure(cli, sheets, tmp_path):
    cli.ok("import", sheets["office"])
    changed = [(row, list(values)) for row, values in M.DATA]
    changed[0][1][8] = "王强"  # row 5: a new person responsible
    changed[0][1][11] = "待验收"
    M.office_xlsx(tmp_path / "changed.xlsx", changed)
    res = cli.ok("import", tmp_path / "changed.xlsx", "--dry-run")
    assert "update  row 5" in res.stdout and "owner" in res.stdout
    cli.ok("import", tmp_path / "changed.xlsx")
    task = next(t for t in cli.json("list", "--all") if t["title"] == M.EXPECTED[0][0])
    assert (task["owner"], task["status"]) == ("王强", "submitted")
    assert len(cli.json("list", "--all")) == len(M.EXPECTED)


def test_a_row_with_a_uid_updates_that_task_and_history_records_it(cli, tmp_path):
    task_id = cli.add("修订采购管理办法", "--owner", "张三", "--unit", "采购中心")
    uid = cli.json("show", task_id)["uid"]
    out = tmp_path / "ledger.csv"
    cli.ok("export", "--format", "csv", "--output", out, "--lang", "zh")
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    head = rows[0]
    rows[1][head.index("责任人")] = "李四"
    rows[1][head.index("完成情况")] = "整改中 30%"
    rows[1][head.index("整改措施")] = "修订《采购管理办法》"
    with open(out, "w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(rows)
    res = cli.ok("import", out)
    assert "updated 1" in res.stdout
    task = cli.json("show", task_id)
    assert (task["uid"], task["title"], task["owner"], task["status"], task["progress"]) == (
        uid, "修订《采购管理办法》", "李四", "in_progress", 30)
    events = {e["field"]: e for e in task["history"] if e["action"] == "import"}
    assert (events["owner"]["old"], events["owner"]["new"]) == ("张三", "李四")
    assert events["title"]["note"] == "import ledger.csv"
    # The state moves by its verb, through the rule book, as `rectify start` moves it.
    (started,) = [e for e in task["history"] if e["field"] == "status"]
    assert (started["action"], started["old"], started["new"]) == ("start", "open", "in_progress")
    assert len(cli.json("list", "--all")) == 1


def test_a_later_deadline_from_a_sheet_is_an_extension_request_not_an_extension(cli, tmp_path):
    """A unit cannot grant itself more time: a later deadline in its returned
    sheet is filed as an extension request (reason: the sheet), which the
    office approves or refuses; an earlier one is an edit."""
    later = cli.add("补齐审批手续", "--due", "2026-11-27", "--unit", "财务处")
    earlier = cli.add("开展专题培训", "--due", "2026-12-20", "--unit", "财务处")
    out = tmp_path / "back.csv"
    cli.ok("export", "--format", "csv", "--output", out, "--lang", "zh")
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    head = rows[0]
    for row in rows[1:-1]:  # the last line is the export stamp
        row[head.index("整改时限")] = {"补齐审批手续": "2026年12月31日", "开展专题培训": "2026-12-10"}[
            row[head.index("整改措施")]]
    with open(out, "w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(rows)
    cli.ok("import", out)
    assert cli.json("weekly")["extended"] == []
    assert cli.json("show", later)["due"] == "2026-11-27"
    (request,) = cli.json("extend", "requests")
    assert (request["task_id"], request["old_due"], request["new_due"], request["reason"]) == (
        later, "2026-11-27", "2026-12-31", "later deadline asked in the returned sheet back.csv")
    moved_up = [e for e in cli.json("show", earlier)["history"] if e["field"] == "due"]
    assert [(e["action"], e["old"], e["new"]) for e in moved_up] == [("import", "2026-12-20", "2026-12-10")]


def test_import_never_deletes(cli, tmp_path):
    cli.add("kept")
    other = tmp_path / "other.json"
    other.write_text(json.dumps([{"title": "new one"}]), encoding="utf-8")
    cli.ok("import", other)
    assert sorted(t["title"] for t in cli.json("list", "--all")) == ["kept", "new one"]


def test_sheet_choice(cli, sheets):
    assert cli("import", sheets["office"], "--sheet", "填表说明").exit_code == 6
    res = cli("import", sheets["office"], "--sheet", "no such sheet")
    assert res.exit_code == 2 and "整改台账" in res.stderr
    assert cli.ok("import", sheets["office"], "--sheet", "整改台账", "--dry-run")


@pytest.mark.parametrize("content,code", [(b"not json", 6), (b'{"a": 1}', 6), (b'[{"title": ""}]', 6),
                                          (b'[{"title": "x", "due": "next blue moon"}]', 6),
                                          (b'[{"title": "x", "kind": "sometimes"}]', 6)])
def test_unreadable_json_is_refused(cli, tmp_path, db, content, code):
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    assert cli("import", bad).exit_code == code
    assert not db.exists()


def test_import_of_unknown_formats_and_missing_files(cli, tmp_path):
    assert cli("import", tmp_path / "nope.xlsx").exit_code == 2
    (tmp_path / "notes.pdf").write_text("x")
    assert cli("import", tmp_path / "notes.pdf").exit_code == 2
    (tmp_path / "notes.docx").write_text("x")  # a format read, but not a Word file
    assert cli("import", tmp_path / "notes.docx").exit_code == 6
    (tmp_path / "fake.xlsx").write_text("not a zip")
    assert cli("import", tmp_path / "fake.xlsx").exit_code == 6


# -- export ----------------------------------------------------------------------


def test_xlsx_export_needs_an_output_and_a_known_format(cli):
    cli.add("x")
    res = cli("export", "--format", "xlsx")
    assert res.exit_code == 2 and "--output" in res.stderr
    assert cli("export", "--format", "pdf").exit_code == 2
    assert cli("export").exit_code == 2


def test_xlsx_layout(cli, tmp_path):
    from openpyxl import load_workbook

    overdue = cli.add("逾期任务", "--due", "2026-11-01", "--unit", "财务处")
    cli.add("长期任务", "--kind", "长期坚持", "--unit", "财务处")
    cli.add("Other unit", "--unit", "组织部")
    out = tmp_path / "ledger.xlsx"
    res = cli.ok("export", "--output", out, "--lang", "zh", "--unit", "财务处")
    assert "Exported 2 tasks" in res.stderr
    ws = load_workbook(out).active
    assert "整改台账" in ws["A1"].value
    heads = [c.value for c in ws[2]]
    assert heads[:4] == ["序号", "问题类别", "问题描述", "整改措施"] and heads[-1] == "uid"
    assert ws.freeze_panes == "A3" and ws["A2"].font.b
    col = {h: i for i, h in enumerate(heads)}
    rows = {r[col["整改措施"]].value: r for r in ws.iter_rows(min_row=3, max_row=4)}
    due = rows["逾期任务"][col["整改时限"]]
    assert due.is_date and due.value.date().isoformat() == "2026-11-01"
    assert due.fill.fgColor.rgb.endswith("FFC7CE")  # red band
    assert rows["长期任务"][col["整改时限"]].value == "长期坚持"
    assert rows["长期任务"][col["整改类型"]].value == "长期坚持"
    assert rows["逾期任务"][col["完成情况"]].value == "未启动"
    assert rows["逾期任务"][col["uid"]].value == cli.json("show", overdue)["uid"]
    assert rows["逾期任务"][col["整改措施"]].alignment.wrap_text
    # Room for Chinese text, which takes two columns a character; long text wraps.
    assert 2 * len("逾期任务") < ws.column_dimensions["D"].width <= 46


def test_english_headers_and_words(cli, tmp_path):
    cli.add("Fix it", "--kind", "immediate", "--due", "2026-12-01")
    out = cli.ok("export", "--format", "csv", "--lang", "en").stdout
    assert out.startswith("\ufeffNo.,Category,Problem,Measure")
    row = list(csv.reader(io.StringIO(out.lstrip("\ufeff"))))[1]
    assert "immediate" in row and "open" in row


def test_header_language_follows_the_interface_language(cli):
    cli.add("x")
    assert cli.ok("--lang", "zh", "export", "-f", "csv").stdout.startswith("\ufeff序号")
    assert cli.ok("export", "-f", "csv").stdout.startswith("\ufeffNo.")


def test_csv_is_utf8_with_a_bom(cli, tmp_path):
    cli.add("整改")
    out = tmp_path / "l.csv"
    cli.ok("export", "--output", out)
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    assert "整改" in out.read_bytes().decode("utf-8-sig")


def test_json_export_has_history_and_the_list_fields(cli):
    t = cli.add("x", "--due", "2026-12-01")
    cli.ok("progress", t, "begun", "--percent", "10")
    exported = json.loads(cli.ok("export", "-f", "json").stdout)
    listed = cli.json("list", "--all")
    assert [{k: v for k, v in e.items() if k not in ("history", "evidence")} for e in exported] == listed
    assert [h["action"] for h in exported[0]["history"]] == ["add", "progress", "start"]


def test_export_filters_are_those_of_list(cli):
    cli.add("a", "--unit", "财务处")
    cli.add("b", "--unit", "组织部")
    exported = json.loads(cli.ok("export", "-f", "json", "--unit", "组织部").stdout)
    assert [t["title"] for t in exported] == ["b"]


# -- hostile cells ---------------------------------------------------------------

HOSTILE = ["=1+1", "+cmd|' /C calc'!A0", "-2", "@SUM(A1:A2)", "'quoted", "=HYPERLINK(\"http://evil\",\"x\")"]


@pytest.fixture
def hostile(cli):
    for text in HOSTILE:
        cli.ok("add", f"--note={text}", f"--unit={text}", "--", text)
    return HOSTILE


def test_hostile_cells_are_text_in_csv(cli, hostile):
    out = cli.ok("export", "-f", "csv").stdout
    rows = list(csv.reader(io.StringIO(out.lstrip("\ufeff"))))
    assert rows[-1][0].startswith("rectify-export ")  # the last line: when it was exported
    titles = [r[3] for r in rows[1:-1]]
    for text in hostile:
        assert "'" + text in titles  # a spreadsheet shows the text, never evaluates it
    assert not any(t.startswith(("=", "+", "-", "@")) for row in rows for t in row)


def test_hostile_cells_are_strings_not_formulas_in_xlsx(cli, hostile, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "h.xlsx"
    cli.ok("export", "--output", out)
    ws = load_workbook(out).active  # not data_only: a formula would show as one
    cells = [c for row in ws.iter_rows(min_row=3) for c in row if c.value in hostile]
    assert {c.value for c in cells} == set(hostile)
    for c in cells:
        assert c.data_type == "s", (c.value, c.data_type)
        if c.value[0] in "=+-@":
            assert c.quotePrefix
    raw = zipfile.ZipFile(out).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in raw


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_hostile_cells_round_trip(cli, hostile, tmp_path, fmt):
    out = tmp_path / f"h.{fmt}"
    cli.ok("export", "--output", out)
    fresh = type(cli)(tmp_path / "fresh.db")
    fresh.ok("import", out)
    assert comparable(fresh.json("list", "--all")) == comparable(cli.json("list", "--all"))


def test_leading_tab_or_cr_in_a_csv_import_stays_text(cli, tmp_path):
    f = tmp_path / "t.csv"
    f.write_text("整改措施,备注\r\n\"\t=cmd()\",\"\r=2+3\"\r\n", encoding="utf-8")
    cli.ok("import", f)
    task = cli.json("list")[0]
    assert (task["title"], task["note"]) == ("=cmd()", "=2+3")


# -- evidence --------------------------------------------------------------------


def test_evidence_zip_has_the_files_and_a_manifest_with_their_sha256(cli, tmp_path):
    a = cli.add("a")
    b = cli.add("b")
    files = {"纪要.txt": "会议纪要".encode(), "photo.bin": bytes(range(256)) * 40}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    cli.ok("evidence", a, tmp_path / "纪要.txt")
    cli.ok("evidence", b, tmp_path / "photo.bin")
    cli.ok("evidence", b, "--note", "现场检查")
    out = tmp_path / "ev.zip"
    res = cli.ok("export", "--evidence", out)
    assert "2 evidence files" in res.stderr
    with zipfile.ZipFile(out) as zf:
        manifest = list(csv.DictReader(io.StringIO(zf.read("manifest.csv").decode("utf-8-sig"))))
        assert len(manifest) == 3
        for entry in manifest:
            if not entry["file"]:
                assert entry["note"] == "现场检查"
                continue
            data = zf.read(entry["file"])
            assert data == files[entry["name"]]
            assert entry["sha256"] == hashlib.sha256(data).hexdigest()
            assert entry["check"] == "ok" and entry["date"].startswith("2026-11-25")
        assert {e["task"] for e in manifest} == {str(a), str(b)}


def test_evidence_to_a_folder_and_a_tampered_file_is_flagged(cli, tmp_path, db):
    a = cli.add("a")
    (tmp_path / "r.txt").write_text("report")
    cli.ok("evidence", a, tmp_path / "r.txt")
    stored = next((db.parent / "ledger.evidence").rglob("*r.txt"))
    stored.write_text("changed")
    out = tmp_path / "ev"
    res = cli.ok("export", "--evidence", out)
    assert "no longer matches" in res.stderr
    manifest = list(csv.DictReader(io.StringIO((out / "manifest.csv").read_text(encoding="utf-8-sig"))))
    assert manifest[0]["check"] == "changed"
    assert (out / manifest[0]["file"]).read_text() == "changed"
    assert cli("export", "--evidence", out).exit_code == 2  # never written into a folder that has files


def test_evidence_export_never_follows_a_path_out_of_the_evidence_folder(cli, tmp_path, db):
    """A ledger may come from anywhere: a recorded path such as ../secret is
    left out, with a warning, in a folder and in a zip; an unreadable file
    likewise, and no part of it is written."""
    a = cli.add("a")
    b = cli.add("b")
    (tmp_path / "r.txt").write_text("report")
    (tmp_path / "secret.txt").write_text("not evidence")
    cli.ok("evidence", a, tmp_path / "r.txt")
    cli.ok("evidence", b, tmp_path / "r.txt")
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE evidence SET path = '../secret.txt' WHERE task_id = ?", (a,))
    conn.close()
    (stored,) = (db.parent / "ledger.evidence" / str(b)).iterdir()
    unreadable = os.path.exists("/proc/self/mem")
    if unreadable:  # a file whose every read fails (EIO), even for root
        stored.unlink()
        stored.symlink_to("/proc/self/mem")
    for out in (tmp_path / "ev", tmp_path / "ev.zip"):
        res = cli.ok("export", "--evidence", out)
        assert f"warning: task {a}: the recorded evidence path ../secret.txt leads out of the evidence folder; it is left out." in res.stderr
        if out.suffix == ".zip":
            with zipfile.ZipFile(out) as zf:
                names = zf.namelist()
                manifest = zf.read("manifest.csv").decode("utf-8-sig")
        else:
            names = [p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()]
            manifest = (out / "manifest.csv").read_text(encoding="utf-8-sig")
        checks = {int(e["task"]): e["check"] for e in csv.DictReader(io.StringIO(manifest))}
        if unreadable:
            assert f"warning: task {b}: evidence file {stored.relative_to(db.parent / 'ledger.evidence').as_posix()} cannot be read" in res.stderr
            assert names == ["manifest.csv"] and checks == {a: "outside", b: "unreadable"}
        else:
            assert checks == {a: "outside", b: "ok"}
        assert "not evidence" not in manifest
        if unreadable and out.suffix != ".zip":
            assert sorted(p.name for p in out.iterdir()) == ["manifest.csv"]  # not even an empty folder


# -- more shapes of sheet ------------------------------------------------------------


def test_utf16_tab_separated_text_as_excel_saves_it(cli, tmp_path):
    f = tmp_path / "unicode.txt"
    f.write_bytes("\ufeff整改措施\t责任部门\t完成时限\r\n清理凭证\t财务处\t2026年12月31日\r\n".encode("utf-16-le"))
    cli.ok("import", f)
    task = cli.json("list")[0]
    assert (task["title"], task["unit"], task["due"]) == ("清理凭证", "财务处", "2026-12-31")


def test_english_capa_headers(cli, tmp_path):
    f = tmp_path / "capa.csv"
    f.write_text("Finding,Corrective action,Owner,Due date,Type\n"
                 "Calibration records missing,Recalibrate gauges,Ann,31 Dec 2026,immediate\n", encoding="utf-8")
    cli.ok("import", f)
    task = cli.json("list")[0]
    assert (task["problem"]["description"], task["title"], task["owner"], task["due"], task["kind"]) == (
        "Calibration records missing", "Recalibrate gauges", "Ann", "2026-12-31", "immediate")


def test_a_kind_that_contradicts_the_deadline_word_is_kept_for_review(cli, tmp_path):
    f = tmp_path / "k.csv"
    f.write_text("整改措施,整改类型,整改时限\nA,立行立改,长期坚持\nB,长期坚持,2027年6月底\n", encoding="utf-8")
    cli.ok("import", f)
    (a,) = cli.json("list", "--review")
    assert (a["title"], a["kind"]) == ("A", "immediate")  # the kind column says so; the deadline cell is kept
    assert [(k["header"], k["text"]) for k in cli.json("show", a["id"])["kept"]] == [("整改时限", "长期坚持")]


def test_strict_a_kind_that_contradicts_the_deadline_word_is_a_bad_row(cli, tmp_path):
    f = tmp_path / "k.csv"
    f.write_text("整改措施,整改类型,整改时限\nA,立行立改,长期坚持\nB,长期坚持,2027年6月底\n", encoding="utf-8")
    res = cli("import", f, "--strict")
    assert res.exit_code == 6 and "row 2:" in res.stderr and "row 3:" not in res.stderr


def test_a_sheet_without_measures_makes_each_problem_a_task(cli, tmp_path):
    f = tmp_path / "p.csv"
    f.write_text("序号,问题描述,责任单位\n1,会风文风不实,党政办\n2,经费管理不严,财务处\n", encoding="utf-8")
    res = cli.ok("import", f)
    assert "measure" in res.stderr
    assert sorted((t["title"], t["problem"]["description"]) for t in cli.json("list")) == [
        ("会风文风不实", "会风文风不实"), ("经费管理不严", "经费管理不严")]


def test_repeated_header_rows_are_skipped(cli, tmp_path):
    f = tmp_path / "r.csv"
    f.write_text("整改措施,责任单位\nA,财务处\n整改措施,责任单位\nB,组织部\n", encoding="utf-8")
    res = cli.ok("import", f)
    assert "repeated header" in res.stderr
    assert sorted(t["title"] for t in cli.json("list")) == ["A", "B"]


def test_a_file_without_a_header_row_is_refused(cli, tmp_path):
    f = tmp_path / "x.csv"
    f.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    res = cli("import", f)
    assert res.exit_code == 6 and "header" in res.stderr


def test_a_sheet_never_closes_a_task_in_the_ledger(cli, tmp_path, db):
    """Closing comes from a checker (`close --by`), never from a unit's
    sheet: 已销号 with any checker, the owner's or another's, is a claim of
    done. Without evidence the task stays in progress, listed as claiming
    done; with evidence in the ledger it is submitted, never closed."""
    task_id = cli.add("清理凭证", "--owner", "张三")
    out = tmp_path / "ledger.csv"
    cli.ok("export", "--format", "csv", "--output", out, "--lang", "zh")
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    head = rows[0]

    def write(status: str, checker: str) -> None:
        rows[1][head.index("完成情况")] = status
        rows[1][head.index("复核人")] = checker
        with open(out, "w", encoding="utf-8-sig", newline="") as f:
            csv.writer(f).writerows(rows)

    for checker in ("", "张三", "李四"):
        write("已销号", checker)
        res = cli.ok("import", out, "--strict")
        task = cli.json("show", task_id)
        assert (task["status"], task["closed_by"], task["closed_at"]) == ("in_progress", None, None), res
    assert [t["id"] for t in cli.json("list", "--claimed")] == [task_id]
    assert sum(e["action"] == "claim" for e in cli.json("show", task_id)["history"]) == 1
    cli.ok("evidence", task_id, "--note", "凭证清单")
    cli.ok("import", out)
    task = cli.json("show", task_id)
    assert (task["status"], task["closed_by"]) == ("submitted", None)
    assert cli.json("list", "--claimed") == []
    cli.ok("check")


def test_a_first_import_never_closes_a_task_by_its_owner_in_another_spelling(cli, db, tmp_path):
    """The checker is compared with the person responsible as `close` compares
    them (NFKC, case, spaces and zero-width characters): a first import whose
    row says 已完成 with the owner as 复核人, in full-width letters or with a
    zero-width space, is not closed (no evidence: in progress, claiming done,
    marked for review); one checked by another person arrives closed, carried
    over; and `check` names a closing by the owner however the name is spelled."""
    sheet = tmp_path / "carried.csv"
    sheet.write_text("整改措施,责任人,完成情况,复核人\n"
                     "清理凭证,Li Hua,已完成,ＬＩ　ＨＵＡ\n"
                     "修订制度,Li Hua,已完成,Li\u200bHua\n"
                     "签订承诺书,Li Hua,已销号,Li\u00a0Hua\n"
                     "归档材料,Li Hua,已完成,Chen Jing\n", encoding="utf-8")
    cli.ok("import", sheet)
    status = {t["title"]: (t["status"], t["closed_by"]) for t in cli.json("list", "--all")}
    assert status == {"清理凭证": ("in_progress", None), "修订制度": ("in_progress", None),
                      "签订承诺书": ("in_progress", None), "归档材料": ("closed", "Chen Jing")}
    assert len(cli.json("list", "--review")) == 3
    assert cli.ok("check").stdout == "ok\n"
    task = cli.add("Sign the minutes", "--owner", "Li Hua")
    cli.ok("evidence", task, "--note", "minutes")
    cli.ok("submit", task)
    cli.ok("close", task, "--by", "Chen Jing")
    conn = sqlite3.connect(db)
    with conn:  # the closing rewritten by hand as the owner's, behind the append-only triggers
        triggers = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'event'").fetchall()
        for name, _sql in triggers:
            conn.execute(f'DROP TRIGGER "{name}"')
        conn.execute("UPDATE event SET actor = 'ＬＩ　ＨＵＡ' WHERE task_id = ? AND action = 'close'", (task,))
        conn.execute("UPDATE task SET closed_by = 'ＬＩ　ＨＵＡ' WHERE id = ?", (task,))
        for _name, sql in triggers:
            conn.execute(sql)
    conn.close()
    res = cli("check")
    assert res.exit_code == 7 and "closed by its own person responsible" in res.stdout, res
