"""The weekly round trip through the real CLI (issue 15): the office exports a
fill-in workbook per unit, the unit edits it as units do (openpyxl for
Excel/WPS, or as CSV), the office imports it back. Every status word of a
returned sheet is a claim under the rule book; a stale copy cannot undo newer
work; a first import carries closed rows over; every return is registered.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import subprocess
from pathlib import Path

import pytest
from conftest import dump

openpyxl = pytest.importorskip("openpyxl")


def ledger_setup(cli) -> dict[str, int]:
    """Three tasks of 财务处 and one of 国资处."""
    ids = {
        "凭证": cli.add("清理凭证", "--owner", "张三", "--unit", "财务处", "--due", "2026-12-31"),
        "制度": cli.add("修订制度", "--owner", "李四", "--unit", "财务处", "--due", "2026-12-15"),
        "培训": cli.add("开展培训", "--owner", "王五", "--unit", "财务处", "--due", "2026-12-20"),
        "资产": cli.add("盘点资产", "--owner", "赵六", "--unit", "国资处", "--due", "2027-01-31"),
    }
    return ids


def edit_xlsx(path: Path, changes: dict[str, dict[str, object]]) -> None:
    """Edit the ledger sheet as a unit does in Excel: by measure, by header."""
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    head = [c.value for c in ws[2]]
    for row in ws.iter_rows(min_row=3):
        title = row[head.index("整改措施")].value
        for header, value in changes.get(title, {}).items():
            row[head.index(header)].value = value
    wb.save(path)


def edit_csv(path: Path, changes: dict[str, dict[str, object]], *, stamp: bool = True) -> None:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    head = rows[0]
    for row in rows[1:]:
        if len(row) == len(head):
            for header, value in changes.get(row[head.index("整改措施")], {}).items():
                row[head.index(header)] = value
    if not stamp:
        rows = [r for r in rows if not r[0].startswith("rectify-export")]
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(rows)


def at(monkeypatch, moment: str) -> None:
    monkeypatch.setenv("RECTIFY_NOW", moment)


# -- the fill-in workbook ----------------------------------------------------------


def test_fill_in_workbook_has_instructions_lists_locks_and_a_stamp(cli, tmp_path):
    ids = ledger_setup(cli)
    out = tmp_path / "财务处.xlsx"
    cli.ok("export", "--unit", "财务处", "--fill-in", "--output", out, "--lang", "zh")
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["整改台账", "填报说明", "rectify"]
    assert wb["rectify"].sheet_state == "hidden"
    assert dict(wb["rectify"].values) == {"rectify-export": "2026-11-25T09:00:00", "unit": "财务处"}
    assert "已完成" in " ".join(str(v[0]) for v in wb["填报说明"].values)
    ws = wb["整改台账"]
    assert ws.protection.sheet and not ws.protection.password
    head = [c.value for c in ws[2]]
    titles = sorted(ws.cell(row=r, column=head.index("整改措施") + 1).value for r in range(3, ws.max_row + 1)
                    if ws.cell(row=r, column=head.index("整改措施") + 1).value)
    assert titles == ["修订制度", "开展培训", "清理凭证"]  # that unit's tasks only
    locked = {h: ws.cell(row=3, column=i + 1).protection.locked for i, h in enumerate(head)}
    assert [h for h, is_locked in locked.items() if not is_locked] == ["责任人", "配合人", "整改进展", "完成情况", "佐证材料", "备注"]
    (rule,) = ws.data_validations.dataValidation
    status_col = openpyxl.utils.get_column_letter(head.index("完成情况") + 1)
    assert str(rule.sqref) == f"{status_col}3:{status_col}5" and rule.formula1 == '"未启动,整改中,已完成"'
    assert ids


def test_one_command_writes_one_workbook_per_unit(cli, tmp_path):
    ledger_setup(cli)
    res = cli.ok("export", "--fill-in", "--output", tmp_path / "out", "--lang", "en")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["国资处.xlsx", "财务处.xlsx"]
    assert "(3 tasks)" in res.stderr and "(1 task)" in res.stderr
    wb = openpyxl.load_workbook(tmp_path / "out" / "国资处.xlsx")
    assert wb.sheetnames == ["Ledger", "Instructions", "rectify"]
    assert cli("export", "--fill-in", "--unit", "财务处", "--output", tmp_path / "x.csv").exit_code == 2


def test_the_stamp_survives_a_libreoffice_save(cli, tmp_path):
    """A unit that opens the workbook in another office suite and saves it keeps the stamp."""
    import shutil

    if not shutil.which("soffice"):
        pytest.skip("LibreOffice is not installed")
    ids = ledger_setup(cli)
    out = tmp_path / "sent" / "finance.xlsx"
    out.parent.mkdir()
    cli.ok("export", "--unit", "财务处", "--fill-in", "--output", out, "--lang", "zh")
    profile = (tmp_path / "profile").as_uri()  # a profile of its own: another soffice running does not block it
    done = subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "xlsx",
                           "--outdir", str(tmp_path / "back"), str(out)], capture_output=True, text=True, timeout=300, check=False)
    assert (tmp_path / "back" / "finance.xlsx").exists(), done
    report = cli.json("import", tmp_path / "back" / "finance.xlsx", "--dry-run")
    assert report["stamp"] == {"exported_at": "2026-11-25T09:00:00", "unit": "财务处"}
    assert report["updated"] == 0 and ids


# -- claims, not orders -----------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_done_without_evidence_is_a_claim_and_with_evidence_a_submission(cli, tmp_path, fmt):
    ids = ledger_setup(cli)
    cli.ok("evidence", ids["制度"], "--note", "制度文件")
    out = tmp_path / f"back.{fmt}"
    if fmt == "xlsx":
        cli.ok("export", "--unit", "财务处", "--fill-in", "--output", out, "--lang", "zh")
        edit = edit_xlsx
    else:
        cli.ok("export", "--unit", "财务处", "--format", "csv", "--output", out, "--lang", "zh")
        edit = edit_csv
    edit(out, {"清理凭证": {"完成情况": "已完成", "整改进展": "已清理凭证300份"},
               "修订制度": {"完成情况": "已完成"},
               "开展培训": {"完成情况": "已销号", "复核人": "钱七"} if fmt == "csv" else {"完成情况": "已完成"}})
    dry = cli.ok("import", out, "--dry-run")
    assert f"claims done: task {ids['凭证']} (no evidence yet" in dry.stdout
    assert f"claims done: task {ids['制度']}, with evidence: submitted for checking" in dry.stdout
    # Every updated task says what changes for it: never an empty list of fields.
    assert "()" not in dry.stdout
    training = [line for line in dry.stdout.splitlines() if f"task {ids['培训']} (" in line]
    assert training and "claims done, awaiting evidence" in training[0], dry.stdout
    cli.ok("import", out)
    status = {k: cli.json("show", v)["status"] for k, v in ids.items()}
    assert status == {"凭证": "in_progress", "制度": "submitted", "培训": "in_progress", "资产": "open"}
    assert sorted(t["id"] for t in cli.json("list", "--claimed")) == sorted([ids["凭证"], ids["培训"]])
    shown = cli.json("show", ids["凭证"])
    assert [e["note"] for e in shown["history"] if e["action"] == "progress"] == ["已清理凭证300份"]
    assert shown["closed_by"] is None
    # The same sheet again: the claim is not recorded twice, the note not added twice.
    assert cli.json("import", out)["updated"] == 0
    assert sum(e["action"] == "claim" for e in cli.json("show", ids["凭证"])["history"]) == 1
    cli.ok("check")


def test_a_progress_note_starts_an_open_task_and_is_never_added_twice(cli, tmp_path):
    ids = ledger_setup(cli)
    cli.ok("progress", ids["制度"], "初稿已完成")
    cli.ok("progress", ids["制度"], "已征求意见")
    out = tmp_path / "back.csv"
    cli.ok("export", "--unit", "财务处", "--format", "csv", "--output", out, "--lang", "zh")
    edit_csv(out, {"清理凭证": {"整改进展": "已清理一半"}, "修订制度": {"整改进展": "初稿已完成"}})
    cli.ok("import", out)
    started = cli.json("show", ids["凭证"])
    assert started["status"] == "in_progress"
    assert [e["action"] for e in started["history"]][-2:] == ["progress", "start"]
    notes = [e["note"] for e in cli.json("show", ids["制度"])["history"] if e["action"] == "progress"]
    assert notes == ["初稿已完成", "已征求意见"]  # an older note, already in the ledger, is not added again


# -- stale copies and conflicts ------------------------------------------------------------


def test_a_stale_copy_cannot_undo_newer_work(cli, tmp_path, monkeypatch, db):
    """Last week's sheet imported after this week's work: the closed task
    stays closed, the deadline brought forward stays, no note is added again."""
    at(monkeypatch, "2026-11-17T09:00:00")
    ids = ledger_setup(cli)
    at(monkeypatch, "2026-11-18T09:00:00")
    old = tmp_path / "old.xlsx"
    cli.ok("export", "--unit", "财务处", "--fill-in", "--output", old, "--lang", "zh")
    at(monkeypatch, "2026-11-24T10:00:00")
    cli.ok("progress", ids["凭证"], "凭证已清理完毕", "--percent", "100")
    cli.ok("evidence", ids["凭证"], "--note", "清理台账")
    cli.ok("submit", ids["凭证"])
    cli.ok("close", ids["凭证"], "--by", "钱七")
    cli.ok("edit", ids["制度"], "--due", "2026-12-10")
    at(monkeypatch, "2026-11-25T09:00:00")
    before = dump(db)
    report = cli.json("import", old)
    assert (report["updated"], report["changes"]) == (0, []), report["changes"]
    assert dump(db) == before
    assert dump(db, register=True) != before  # the return itself is registered
    assert cli.json("show", ids["凭证"])["status"] == "closed"
    assert cli.json("show", ids["制度"])["due"] == "2026-12-10"


def test_without_a_stamp_the_sheet_is_compared_with_the_ledger_now(cli, tmp_path, monkeypatch):
    at(monkeypatch, "2026-11-17T09:00:00")
    ids = ledger_setup(cli)
    at(monkeypatch, "2026-11-18T09:00:00")
    old = tmp_path / "old.csv"
    cli.ok("export", "--unit", "财务处", "--format", "csv", "--output", old, "--lang", "zh")
    edit_csv(old, {}, stamp=False)
    at(monkeypatch, "2026-11-24T10:00:00")
    cli.ok("edit", ids["制度"], "--due", "2026-12-10")
    at(monkeypatch, "2026-11-25T09:00:00")
    res = cli.ok("import", old, "--dry-run")
    assert "no export stamp: it was compared with the ledger as it is now" in res.stderr
    assert f"extension requested: task {ids['制度']}: deadline 2026-12-10 → 2026-12-15" in res.stdout
    assert json.loads(cli.ok("import", old, "--dry-run", "--json").stdout)["stamp"] is None


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_field_changed_on_both_sides_is_a_conflict_and_the_ledger_wins(cli, tmp_path, monkeypatch, fmt):
    at(monkeypatch, "2026-11-17T09:00:00")
    ids = ledger_setup(cli)
    at(monkeypatch, "2026-11-18T09:00:00")
    out = tmp_path / f"back.{fmt}"
    if fmt == "xlsx":
        cli.ok("export", "--unit", "财务处", "--fill-in", "--output", out, "--lang", "zh")
        edit_xlsx(out, {"修订制度": {"责任人": "孙八"}, "开展培训": {"责任人": "周九"}})
    else:
        cli.ok("export", "--unit", "财务处", "--format", "csv", "--output", out, "--lang", "zh")
        edit_csv(out, {"修订制度": {"责任人": "孙八"}, "开展培训": {"责任人": "周九"}})
    at(monkeypatch, "2026-11-20T09:00:00")
    cli.ok("edit", ids["制度"], "--owner", "吴十")
    at(monkeypatch, "2026-11-25T09:00:00")
    report = cli.json("import", out, "--dry-run")
    conflict = [c for c in report["changes"] if c["what"] == "conflict"]
    assert conflict == [{"task": ids["制度"], "row": conflict[0]["row"], "what": "conflict", "field": "owner",
                         "old": "吴十", "new": "孙八", "exported": "李四"}]
    dry = cli.ok("import", out, "--dry-run").stdout
    assert f"conflict: task {ids['制度']}: owner changed in the ledger since the export (李四 → 吴十)" in dry
    assert f"task {ids['培训']}: owner 王五 → 周九" in dry
    cli.ok("import", out)
    assert cli.json("show", ids["制度"])["owner"] == "吴十"
    assert cli.json("show", ids["培训"])["owner"] == "周九"
    (returned,) = cli.json("returns")["returned"]
    assert (returned["unit"], returned["conflicts"]) == ("财务处", 1)


# -- every refusal of the commands has an import twin ---------------------------------------

# (name, set up the task, the command refused and its exit code, the sheet's cells, the JSON keys).
# What a sheet may still do besides: a claim of done starts an open task (as a
# progress note does), and a new person responsible is an edit of its own.
BESIDES = {"submit-without-evidence": {"status": "in_progress"}, "close-by-owner-reassigned": {"owner": "孙八"}}
TWINS = [
    ("close-by-owner", "submitted", (["close", "{id}", "--by", "张三"], 4),
     {"完成情况": "已销号", "复核人": "张三"}, {"status": "closed", "closed_by": "张三"}),
    ("close-by-owner-reassigned", "submitted", (["close", "{id}", "--by", "张三"], 4),
     {"完成情况": "已销号", "责任人": "孙八", "复核人": "孙八"}, {"status": "closed", "owner": "孙八", "closed_by": "孙八"}),
    ("submit-without-evidence", "open", (["submit", "{id}"], 4),
     {"完成情况": "待验收"}, {"status": "submitted"}),
    ("reopen-without-reason", "closed", (["reopen", "{id}"], 2),
     {"完成情况": "整改中"}, {"status": "in_progress"}),
    ("cancel-without-reason", "in_progress", (["cancel", "{id}"], 2),
     {"完成情况": "已撤销"}, {"status": "cancelled"}),
    ("revive-cancelled", "cancelled", (["start", "{id}"], 4),
     {"完成情况": "整改中"}, {"status": "in_progress"}),
    ("backwards-without-reason", "submitted", (["reject", "{id}"], 2),
     {"完成情况": "整改中"}, {"status": "in_progress"}),
    ("edit-closed", "closed", (["edit", "{id}", "--owner", "孙八"], 4),
     {"责任人": "孙八"}, {"owner": "孙八"}),
    ("edit-cancelled", "cancelled", (["edit", "{id}", "--note", "补记"], 4),
     {"备注": "补记"}, {"note": "补记"}),
    ("later-deadline", "in_progress", (["edit", "{id}", "--due", "2027-03-31"], 4),
     {"整改时限": "2027-03-31"}, {"due": "2027-03-31"}),
]


def _put_in_state(cli, task: int, state: str) -> None:
    if state in ("in_progress", "submitted", "closed"):
        cli.ok("start", task)
    if state in ("submitted", "closed"):
        cli.ok("evidence", task, "--note", "材料")
        cli.ok("submit", task)
    if state == "closed":
        cli.ok("close", task, "--by", "钱七")
    if state == "cancelled":
        cli.ok("cancel", task, "--reason", "合并")


def _task_fields(cli, task: int) -> dict:
    t = cli.json("show", task)
    return {k: t[k] for k in ("status", "owner", "due", "note", "closed_by", "closed_at")}


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
@pytest.mark.parametrize("name,state,command,cells,keys", TWINS, ids=[t[0] for t in TWINS])
def test_every_command_refusal_has_an_import_twin_never_applied(cli, tmp_path, fmt, name, state, command, cells, keys):
    task = cli.add("清理凭证", "--owner", "张三", "--unit", "财务处", "--due", "2026-12-31")
    _put_in_state(cli, task, state)
    args, code = command
    assert cli(*[a.format(id=task) for a in args]).exit_code == code
    before = _task_fields(cli, task)
    out = tmp_path / f"back.{fmt}"
    if fmt == "json":
        cli.ok("export", "--format", "json", "--output", out)
        items = json.loads(out.read_text(encoding="utf-8"))
        items[0].update(keys)
        out.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
        res = cli("import", out)
        assert res.exit_code == 6, res  # a program's file: refused whole, with the reason
        assert f"task {task}" in res.stderr
    else:
        if fmt == "xlsx":
            cli.ok("export", "--format", "xlsx", "--output", out, "--lang", "zh")
            edit_xlsx(out, {"清理凭证": cells})
        else:
            cli.ok("export", "--format", "csv", "--output", out, "--lang", "zh")
            edit_csv(out, {"清理凭证": cells})
        report = cli.json("import", out)
        kinds = {c["what"] for c in report["changes"]}
        skipped = [s["reason"] for s in report["skipped"]]
        # a claim, a request or a refusal, named; never the change itself
        assert kinds & {"claim", "refused", "extension"} or skipped, report
    after = _task_fields(cli, task)
    assert after == (before if fmt == "json" else {**before, **BESIDES.get(name, {})})
    cli.ok("check")


def test_a_json_import_cannot_close_a_new_task_by_its_own_owner(cli, tmp_path):
    f = tmp_path / "new.json"
    f.write_text(json.dumps([{"title": "清理凭证", "owner": "Li Hua", "status": "closed", "closed_by": "li\u200bhua",
                              "closed_at": "2026-11-20T10:00:00"}]), encoding="utf-8")
    res = cli("import", f)
    assert res.exit_code == 6 and "own person responsible" in res.stderr


# -- a first import carries closed rows over ---------------------------------------------------


def test_a_first_import_carries_closed_rows_over_and_says_so(cli, tmp_path):
    sheet = tmp_path / "master.csv"
    sheet.write_text("整改措施,责任人,完成情况,复核人,销号时间,整改进展\n"
                     "清理凭证,张三,已销号,钱七,2026-10-30,\n"
                     "修订制度,李四,已销号,,,\n"
                     "开展培训,王五,已完成,王五,,\n"
                     "盘点资产,赵六,已完成,,,\n"
                     "建立台账,孙八,,,,已建立初稿\n", encoding="utf-8")
    cli.ok("import", sheet)
    tasks = {t["title"]: t for t in cli.json("list", "--all")}
    got = {k: (t["status"], t["closed_by"], (t["closed_at"] or "")[:10] or None) for k, t in tasks.items()}
    assert got == {"清理凭证": ("closed", "钱七", "2026-10-30"), "修订制度": ("closed", None, "2026-11-25"),
                   "开展培训": ("in_progress", None, None), "盘点资产": ("in_progress", None, None),
                   "建立台账": ("in_progress", None, None)}
    carried = cli.json("show", tasks["清理凭证"]["id"])["history"][0]["note"]
    assert carried == "carried over as closed from master.csv (the sheet says 已销号): checked by 钱七 on 2026-10-30"
    assert sorted(t["title"] for t in cli.json("list", "--review")) == ["修订制度", "开展培训"]
    assert sorted(t["title"] for t in cli.json("list", "--claimed")) == ["开展培训", "盘点资产"]
    cli.ok("check")


def test_generated_history_is_stored_language_neutral_and_shown_in_the_readers(cli, tmp_path, db, monkeypatch):
    sheet = tmp_path / "master.csv"
    sheet.write_text("整改措施,完成情况,复核人,销号时间\n清理凭证,已销号,钱七,2026-10-30\n", encoding="utf-8")
    cli.ok("import", sheet)
    (stored,) = sqlite3.connect(db).execute("SELECT note FROM event WHERE action = 'add'").fetchone()
    assert stored.startswith("rectify:carried ") and "钱七" in stored
    from conftest import run_process

    res = run_process("--db", str(db), "show", "1", "--json", env={"RECTIFY_LANG": "zh"})
    note = json.loads(res.stdout)["history"][0]["note"]
    assert note == "从 master.csv 转入，已销号（表中填写为“已销号”）：复核人 钱七，2026-10-30"
    res = run_process("--db", str(db), "show", "1", "--json", env={"RECTIFY_LANG": "en"})
    assert json.loads(res.stdout)["history"][0]["note"].startswith("carried over as closed from master.csv")


# -- the register -------------------------------------------------------------------------------


def test_the_register_lists_who_returned_and_who_did_not(cli, tmp_path, monkeypatch):
    import hashlib

    ledger_setup(cli)
    cli.ok("export", "--fill-in", "--output", tmp_path / "sent", "--lang", "zh")
    back = tmp_path / "sent" / "财务处.xlsx"
    edit_xlsx(back, {"清理凭证": {"整改进展": "已启动清理"}})
    at(monkeypatch, "2026-11-26T15:00:00")
    cli.ok("import", back)
    data = cli.json("returns", "--since", "2026-11-23")
    (returned,) = data["returned"]
    assert (returned["unit"], returned["file"], returned["exported_at"], returned["updated"]) == (
        "财务处", "财务处.xlsx", "2026-11-25T09:00:00", 1)
    assert returned["sha256"] == hashlib.sha256(back.read_bytes()).hexdigest()
    assert data["missing"] == ["国资处"]
    assert cli.json("returns", "--since", "2026-11-27")["returned"] == []
    text = cli.ok("returns", "--since", "2026-11-23").stdout
    assert "财务处" in text and "国资处" in text
    # Nothing returned is "none" (无), not a field left unset (未设).
    quiet = cli.zh.ok("returns", "--since", "2026-11-27").stdout.splitlines()
    assert quiet[1].strip() == "无" and "未设" not in "".join(quiet), quiet
    assert cli("returns", "--since", "someday").exit_code == 2
