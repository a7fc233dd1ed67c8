"""A battery of bad inputs across the commands, against a ledger holding a task
in every state with an evidence file: each one is refused with the documented
exit code and exactly one line on stderr, and the ledger (its SQL dump and its
evidence folder) is byte-identical afterwards.

The template ledger is built once; each case runs in-process (typer's
CliRunner) on its own copy, which keeps the battery to a few seconds.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import json
import shutil
from pathlib import Path

import pytest

from conftest import NOW, Cli, dump

NAME = "ledger.db"
HUGE = "x" * 1_000_000
FILES = "{files}"  # stands for the folder of prepared input files
HERE = "{here}"  # stands for the ledger's folder, where no new file may appear


def build_every_state(folder: Path) -> None:
    """The pre-filled ledger: task 1 open, 2 in progress, 3 submitted, 4 closed,
    5 cancelled; evidence files on 3 and 4; one problem."""
    cli = Cli(folder / NAME)
    proof = folder / "proof.txt"
    proof.write_text("signed minutes\n")
    cli.ok("add", "Clear the backlog", "--due", "2026-12-31", "--kind", "immediate", "--unit", "Finance",
           "--owner", "Li Hua", "--new-problem", "Reimbursement backlog", "--category", "Finance")
    cli.ok("add", "Revise the rules", "--due", "2027-03-31", "--kind", "long_term", "--owner", "Wang", "--problem", "1")
    cli.ok("progress", "2", "Draft sent", "--percent", "40")
    cli.ok("add", "File receipts", "--due", "2026-11-01", "--owner", "Li Hua")
    cli.ok("evidence", "3", str(proof))
    cli.ok("submit", "3")
    cli.ok("add", "Sign minutes", "--owner", "Zhao")
    cli.ok("evidence", "4", str(proof), "--note", "minutes")
    cli.ok("submit", "4")
    cli.ok("close", "4", "--by", "Chen Jing")
    cli.ok("add", "Duplicate", "--owner", "Zhao")
    cli.ok("cancel", "5", "--reason", "duplicate of 4")
    proof.unlink()


def _inputs(folder: Path, ledger: Path) -> None:
    """The bad files the import cases read."""
    folder.mkdir()
    (folder / "a-folder.csv").mkdir()
    (folder / "binary.xlsx").write_bytes(bytes(range(256)) * 64)
    (folder / "empty.csv").write_bytes(b"")
    cli = Cli(ledger)
    cli.ok("export", "--format", "csv", "--output", str(folder / "full.csv"))
    header = (folder / "full.csv").read_bytes().splitlines()[0]
    (folder / "header-only.csv").write_bytes(header + b"\r\n")
    (folder / "not-a-list.json").write_text('{"title": "x"}')
    (folder / "wrong-types.json").write_text(json.dumps([{"title": ["a"], "due": 5, "progress": "half"}]))
    (folder / "nested.json").write_text("[" * 100_000 + "]" * 100_000)
    (folder / "gb18030.json").write_bytes('[{"title": "整改会议纪要"}]'.encode("gb18030"))
    (folder / "utf16-no-bom.csv").write_bytes("整改措施,责任单位\n报销清理,财务处\n".encode("utf-16-le"))
    cli.ok("export", "--format", "xlsx", "--output", str(folder / "full.xlsx"))
    data = (folder / "full.xlsx").read_bytes()
    (folder / "truncated.xlsx").write_bytes(data[: len(data) // 2])
    (folder / "bad-row.json").write_text(json.dumps([{"title": "x", "due": "2026-02-30"}]))
    (folder / "nul-title.json").write_text(json.dumps([{"title": "a\x00b"}]))
    (folder / "huge-title.json").write_text(json.dumps([{"title": HUGE}]))
    (folder / "minutes\\2026.pdf").write_text("a name with a backslash")
    (folder / "minutes\x1b[2J.pdf").write_text("a name with a terminal code")
    (folder / "line\nbreak.pdf").write_text("a name with a line break")
    if hasattr(os, "mkfifo"):
        os.mkfifo(folder / "fifo.db")
    (folder / "folder.db").mkdir()
    # hostile text, dates and times (issue 12: items 10 and 23)
    at = "2026-01-05T09:00:00"
    for name, item in {
        "history-nul": {"title": "x", "history": [{"at": at, "action": "add", "note": "a\x00b"}]},
        "history-escape": {"title": "x", "history": [{"at": at, "action": "add", "actor": "\x1b]8;;http://x\x07"}]},
        "history-at-not-a-time": {"title": "x", "history": [{"at": "not a time", "action": "add"}]},
        "history-at-year-9999": {"title": "x", "history": [{"at": "9999-12-31T00:00:00", "action": "add"}]},
        "history-backwards": {"title": "x", "history": [{"at": at, "action": "add"},
                                                        {"at": "2000-01-01T00:00:00", "action": "edit"}]},
        "history-note-5m": {"title": "x", "history": [{"at": at, "action": "add", "note": "n" * 5_000_000}]},
        "due-year-1": {"title": "x", "due": "0001-01-01"},
        "closed-at-year-9999": {"title": "x", "status": "closed", "closed_at": "9999-12-31T00:00:00", "closed_by": "C"},
        "evidence-escape": {"title": "x", "evidence": [{"name": "a\x1b[2Jb.pdf"}]},
        "title-c1": {"title": "x\x9b31my"},
    }.items():
        (folder / f"{name}.json").write_text(json.dumps([item]))
    (folder / "due-year-9999.csv").write_text("整改措施,整改时限\n甲,9999-12-31\n", encoding="utf-8")
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["整改措施", "整改时限"])
    wb.active.append(["甲", -5])
    wb.active["B2"].number_format = "yyyy-mm-dd"
    wb.save(folder / "serial-minus-5.xlsx")
    (folder / "notes.pdf").write_text("not a sheet")
    (folder / "notes.docx").write_text("not a Word file")


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("template")
    with pytest.MonkeyPatch.context() as mp:
        for var, value in {"RECTIFY_NOW": NOW, "RECTIFY_USER": "tester", "NO_COLOR": "1", "COLUMNS": "200",
                           "LANG": "en_US.UTF-8", "RECTIFY_HOME": str(folder / "home")}.items():
            mp.setenv(var, value)
        for var in ("RECTIFY_DB", "RECTIFY_LANG", "LC_ALL", "LC_MESSAGES"):
            mp.delenv(var, raising=False)
        build_every_state(folder)
        _inputs(folder / "files", folder / NAME)
    return folder


def state(ledger: Path) -> tuple[str, list]:
    """The ledger's SQL dump and its evidence folder: names and sha256."""
    folder = ledger.with_name(ledger.stem + ".evidence")
    files = sorted((str(p.relative_to(folder)), p.is_dir() or hashlib.sha256(p.read_bytes()).hexdigest())
                   for p in folder.rglob("*"))
    return dump(ledger), files


@pytest.fixture
def ledger(template, tmp_path) -> Path:
    """A copy of the template ledger, with its evidence folder."""
    shutil.copy(template / NAME, tmp_path / NAME)
    shutil.copytree(template / "ledger.evidence", tmp_path / "ledger.evidence")
    return tmp_path / NAME


def run(template: Path, ledger: Path, argv: list[str]):
    return Cli(ledger)(*[a.replace(FILES, str(template / "files")).replace(HERE, str(ledger.parent)) for a in argv])


def case(code, *argv, id=None):
    return pytest.param(code, list(argv), id=id)


# Exit codes: 2 bad input, 3 not found, 4 the ledger's rules, 5 ledger file refused, 6 import refused.
CASES = [
    # -- dates
    case(2, "add", "x", "--due", "2026-02-30", id="due-feb-30"),
    case(2, "add", "x", "--due", "2026-13-01", id="due-month-13"),
    case(2, "add", "x", "--due", "next blursday", id="due-blursday"),
    case(2, "add", "x", "--due", " ", id="due-blank"),
    case(2, "add", "x", "--due", "99999-01-01", id="due-year-99999"),
    case(2, "add", "x", "--due", "0000-01-01", id="due-year-0"),
    case(2, "add", "x", "--due", "+999999999999d", id="due-far-relative"),
    case(2, "add", "x", "--due", "2026-1-1-1", id="due-extra-part"),
    case(2, "edit", "1", "--due", "2026-02-29", id="edit-due-not-leap"),
    case(2, "extend", "1", "someday", "--reason", "r", id="extend-bad-date"),
    case(2, "list", "--due-within", "-3d", id="due-within-negative"),
    case(2, "list", "--due-within", "soon", id="due-within-word"),
    case(2, "list", "--due-within", "十十d", id="due-within-cn-ten-ten"),  # was an internal KeyError
    case(2, "add", "x", "--due", "someday", id="due-someday"),
    # -- ids
    case(3, "show", "0", id="show-0"),
    case(2, "show", "-1", id="show-minus-1"),
    case(3, "show", "99999", id="show-99999"),
    case(2, "show", "abc", id="show-abc"),
    case(2, "show", "1e3", id="show-1e3"),
    case(2, "show", "1.0", id="show-float"),
    case(2, "show", str(2**63), id="show-2-63"),
    case(2, "show", str(10**30), id="show-10-30"),
    case(2, "progress", str(-(2**64)), "note", id="progress-minus-2-64"),
    case(3, "history", "99999", id="history-99999"),
    case(3, "edit", "99999", "--owner", "a", id="edit-99999"),
    case(3, "start", "99999", id="start-99999"),
    case(3, "progress", "99999", "note", id="progress-99999"),
    case(3, "submit", "99999", id="submit-99999"),
    case(3, "add", "x", "--problem", "99", id="add-unknown-problem"),
    case(2, "add", "x", "--problem", str(2**70), id="add-huge-problem"),
    case(2, "list", "--problem", str(2**70), id="list-huge-problem"),
    case(2, "list", "--page", str(2**62), "--limit", "50", id="list-huge-page"),
    case(2, "list", "--limit", str(2**70), id="list-huge-limit"),
    case(2, "list", "--limit", "-1", id="list-limit-minus-1"),
    case(2, "list", "--page", "0", id="list-page-0"),
    # -- kinds and states
    case(2, "add", "x", "--kind", "sometimes", id="kind-unknown"),
    case(2, "classify", "1", "forever", id="classify-unknown-kind"),
    case(2, "classify", "1", id="classify-no-kind"),
    case(2, "list", "--kind", "soon", id="list-kind-unknown"),
    case(2, "list", "--status", "finished-ish", id="list-status-unknown"),
    case(2, "list", "--status", "", id="list-status-empty"),
    # -- forbidden transitions
    case(4, "close", "1", "--by", "Chen", id="close-open-task"),
    case(4, "close", "3", "--by", "Li Hua", id="close-by-owner"),
    case(4, "submit", "1", id="submit-without-evidence"),
    case(4, "reopen", "1", "--reason", "r", id="reopen-open-task"),
    case(4, "reject", "2", "--reason", "r", id="reject-in-progress"),
    case(4, "start", "4", id="start-closed"),
    case(4, "cancel", "5", "--reason", "r", id="cancel-cancelled"),
    case(4, "extend", "1", "2026-12-01", "--reason", "r", id="extend-earlier"),
    case(4, "extend", "1", "2026-12-31", "--reason", "r", id="extend-same-day"),
    case(4, "edit", "4", "--owner", "x", id="edit-closed"),
    case(4, "edit", "1", "--due", "2027-06-30", id="edit-later-due"),
    case(4, "progress", "5", "late note", id="progress-cancelled"),
    case(4, "evidence", "4", "--note", "more", id="evidence-closed"),
    case(2, "close", "3", "--by", " ", id="close-blank-checker"),
    case(2, "reject", "3", "--reason", "", id="reject-empty-reason"),
    case(2, "progress", "1", "n", "--percent", "101", id="percent-101"),
    case(2, "progress", "1", "n", "--percent", "-1", id="percent-minus-1"),
    # -- files
    case(2, "import", f"{FILES}/missing.xlsx", id="import-missing"),
    case(2, "import", f"{FILES}/a-folder.csv", id="import-directory"),
    case(2, "import", f"{FILES}/notes.pdf", id="import-unknown-format"),
    case(6, "import", f"{FILES}/notes.docx", id="import-docx-not-a-zip"),
    case(6, "import", f"{FILES}/binary.xlsx", id="import-binary-as-xlsx"),
    case(6, "import", f"{FILES}/truncated.xlsx", id="import-truncated-xlsx"),
    case(6, "import", f"{FILES}/empty.csv", id="import-empty-csv"),
    case(6, "import", f"{FILES}/not-a-list.json", id="import-json-not-a-list"),
    case(6, "import", f"{FILES}/wrong-types.json", id="import-json-wrong-types"),
    case(6, "import", f"{FILES}/nested.json", id="import-json-deeply-nested"),
    case(6, "import", f"{FILES}/gb18030.json", id="import-json-in-gb18030"),
    case(6, "import", f"{FILES}/utf16-no-bom.csv", id="import-utf16-without-bom"),
    case(6, "import", f"{FILES}/bad-row.json", id="import-bad-date-row"),
    case(6, "import", f"{FILES}/nul-title.json", id="import-nul-title"),
    case(6, "import", f"{FILES}/huge-title.json", id="import-huge-title"),
    case(2, "evidence", "1", f"{FILES}/missing.pdf", id="evidence-missing-file"),
    case(2, "evidence", "1", f"{FILES}/a-folder.csv", id="evidence-directory"),
    case(2, "evidence", "1", id="evidence-nothing"),
    *([case(2, "evidence", "1", "/proc/self/mem", id="evidence-unreadable-file")]  # a file whose read fails (EIO), even for root
      if os.path.exists("/proc/self/mem") else []),
    # -- huge strings, NUL bytes, odd Unicode
    case(2, "add", HUGE, id="title-1mb"),
    case(2, "add", "", id="title-empty"),
    case(2, "add", "x" * 4001, id="title-one-past-the-most"),  # ledger.MAX_TEXT is 4000
    case(2, "edit", "1", id="edit-nothing-to-change"),
    case(2, "add", "x", "--note", HUGE, id="note-1mb"),
    case(2, "progress", "1", HUGE, id="progress-note-1mb"),
    case(2, "add", "a\x00b", id="title-nul"),
    case(2, "add", "x", "--note", "a\x00b", id="note-nul"),
    case(2, "add", "x", "--unit", "\x00", id="unit-nul"),
    case(2, "edit", "1", "--owner", "Li\x00", id="edit-owner-nul"),
    case(2, "add", "x", "--due", "2026\x00-12-31", id="due-nul"),
    case(2, "add", "x", "--kind", "imm\x00", id="kind-nul"),
    case(2, "progress", "1", "ok\x1b[31m", id="progress-escape-sequence"),
    case(2, "add", "\u200b\u200b", id="title-zero-width-only"),
    case(2, "add", "\u200f\u200e", id="title-rtl-marks-only"),
    case(2, "add", "\u0301\u0308", id="title-combining-marks-only"),
    case(2, "add", "\u3000 \t", id="title-ideographic-space-only"),
    case(2, "add", "bad\udcffbyte", id="title-lone-surrogate"),
    case(2, "add", "x", "--owner", "\ud800", id="owner-lone-surrogate"),
    case(2, "edit", "1", "--title", "\ufeff", id="edit-title-bom-only"),
    # -- reports
    case(2, "weekly", "--week", "2026-W60", id="weekly-week-60"),
    case(2, "weekly", "--week", "garbage", id="weekly-week-garbage"),
    case(2, "weekly", "--format", "pdf", id="weekly-format-pdf"),
    case(2, "weekly", "--limit", "-1", id="weekly-limit-minus-1"),
    case(2, "weekly", "--limit", str(10**22), id="weekly-limit-huge"),
    case(2, "weekly", "--limit", str(2**63), id="weekly-limit-2-63"),  # one past SQLite's integers
    case(2, "summary", "--stale-days", str(10**20), id="summary-stale-huge"),
    case(2, "summary", "--as-of", "9999-12-31", id="summary-as-of-year-9999"),
    case(2, "weekly", "--week", "9999-W52", id="weekly-week-year-9999"),
    case(2, "summary", "--by", "nonsense", id="summary-by-nonsense"),
    case(2, "summary", "--as-of", "garbage", id="summary-as-of-garbage"),
    case(2, "summary", "--stale-days", "-5", id="summary-stale-negative"),
    case(2, "sheets", "--format", "pdf", id="sheets-format-pdf"),
    case(2, "export", "--format", "pdf", id="export-format-pdf"),
    # -- output files: a folder where a file name belongs writes nothing
    case(2, "weekly", "--output", f"{HERE}/new-folder/", id="weekly-output-trailing-slash"),
    case(2, "weekly", "--format", "html", "--output", f"{HERE}/ledger.evidence", id="weekly-output-a-folder"),
    case(2, "export", "--format", "csv", "--output", f"{HERE}/new-folder/", id="export-output-trailing-slash"),
    case(2, "export", "--format", "xlsx", "--output", f"{HERE}/ledger.evidence", id="export-output-a-folder"),
    case(2, "export", "--format", "json", "--output", f"{HERE}/no/such/folder.json", id="export-output-no-folder"),
    case(2, "backup", f"{HERE}/new-folder/", id="backup-trailing-slash"),
    case(2, "backup", f"{HERE}/ledger.evidence", id="backup-a-folder"),
    case(2, "backup", f"{HERE}/{NAME}", "--force", id="backup-onto-the-ledger"),
    case(2, "backup", f"{HERE}/no/such/backup.db", id="backup-no-folder"),
    # -- outputs that are the ledger, a file SQLite keeps beside it, or in its evidence folder
    case(2, "export", "--format", "json", "--output", f"{HERE}/{NAME}", id="export-output-the-ledger"),
    case(2, "export", "--format", "csv", "--output", f"{HERE}/{NAME}-wal", id="export-output-the-wal"),
    case(2, "export", "--format", "csv", "--output", f"{HERE}/{NAME}-journal", id="export-output-the-journal"),
    case(2, "export", "--format", "json", "--output", f"{HERE}/ledger.evidence/../{NAME}", id="export-output-dotdot-ledger"),
    case(2, "export", "--format", "json", "--output", f"{HERE}/Ledger.DB", id="export-output-ledger-other-case"),
    case(2, "weekly", "--output", f"{HERE}/{NAME}", id="weekly-output-the-ledger"),
    case(2, "weekly", "--output", f"{HERE}/{NAME}-shm", id="weekly-output-the-shm"),
    case(2, "weekly", "--format", "html", "--output", f"{HERE}/ledger.evidence/w.html", id="weekly-output-in-evidence"),
    case(2, "weekly", "--output", f"{HERE}/ledger.evidence/3/new.txt", id="weekly-output-in-a-task-folder"),
    case(2, "export", "--evidence", f"{HERE}/ledger.evidence/out.zip", id="export-evidence-zip-in-evidence"),
    case(2, "export", "--evidence", f"{HERE}/ledger.evidence/out", id="export-evidence-dir-in-evidence"),
    case(2, "export", "--evidence", f"{HERE}/{NAME}", id="export-evidence-onto-the-ledger"),
    case(2, "sheets", "--format", "html", "--output", f"{HERE}/ledger.evidence", id="sheets-output-evidence-folder"),
    case(2, "backup", f"{HERE}/ledger.evidence/b.db", id="backup-into-evidence"),
    case(2, "backup", f"{HERE}/{NAME}-wal", "--force", id="backup-onto-the-wal"),
    case(2, "demo", f"{HERE}/ledger.evidence/demo.db", id="demo-into-evidence"),
    # -- evidence names that would read as paths or echo terminal codes
    case(2, "evidence", "1", f"{FILES}/minutes\\2026.pdf", id="evidence-name-backslash"),
    case(2, "evidence", "1", f"{FILES}/minutes\x1b[2J.pdf", id="evidence-name-escape"),
    case(2, "evidence", "1", f"{FILES}/line\nbreak.pdf", id="evidence-name-line-break"),
    # -- a ledger path that is no regular file: refused at once, nothing made beside it
    *([case(5, "--db", f"{FILES}/fifo.db", "list", id="ledger-a-fifo"),
       case(5, "--db", f"{FILES}/fifo.db", "check", id="check-a-fifo")] if hasattr(os, "mkfifo") else []),
    *([case(5, "--db", "/dev/null", "add", "x", id="ledger-dev-null"),
       case(5, "--db", "/dev/null", "list", id="list-dev-null")] if os.path.exists("/dev/null") else []),
    case(5, "--db", f"{FILES}/folder.db", "add", "x", id="ledger-a-folder"),
    # -- hostile text, dates and times: refused, and quoted escaped
    case(2, "add", "x\x1b[2J", id="title-escape-clear-screen"),
    case(2, "add", "x", "--unit", "\x1b]8;;http://evil\x07link\x1b]8;;\x07", id="unit-osc8-link"),
    case(2, "add", "x", "--owner", "Li\x07", id="owner-bell"),
    case(2, "add", "x\x9b31m", id="title-c1-csi"),
    case(2, "edit", "1", "--note", "\x1b[31mred", id="edit-note-escape"),
    case(2, "close", "3", "--by", "Chen\x1b[2J", id="checker-escape"),
    case(2, "add", "x", "--due", "\x1b[2J", id="due-escape"),
    case(2, "add", "x", "--due", "1899-12-31", id="due-before-1900"),
    case(2, "add", "x", "--due", "3000-01-01", id="due-after-2999"),
    case(2, "extend", "1", "9999-12-31", "--reason", "r", id="extend-year-9999"),
    case(2, "show", "1\x1b[2J", id="show-id-escape"),
    case(2, "import", f"{FILES}/missing\x1b[2J\x07.csv", id="import-path-escape"),
    case(2, "evidence", "1", f"{FILES}/no\x1b]8;;x\x07.pdf", id="evidence-path-escape"),
    case(2, "weekly", "--output", f"{HERE}/no\x1b[2J/w.md", id="weekly-output-escape"),
    case(2, "weekly", "--week", "\x1b[2J", id="weekly-week-escape"),
    case(6, "import", f"{FILES}/history-nul.json", id="import-json-history-nul"),
    case(6, "import", f"{FILES}/history-escape.json", id="import-json-history-escape"),
    case(6, "import", f"{FILES}/history-at-not-a-time.json", id="import-json-history-at-not-a-time"),
    case(6, "import", f"{FILES}/history-at-year-9999.json", id="import-json-history-at-year-9999"),
    case(6, "import", f"{FILES}/history-backwards.json", id="import-json-history-backwards"),
    case(6, "import", f"{FILES}/history-note-5m.json", id="import-json-history-note-5m"),
    case(6, "import", f"{FILES}/due-year-1.json", id="import-json-due-year-1"),
    case(6, "import", f"{FILES}/closed-at-year-9999.json", id="import-json-closed-at-year-9999"),
    case(6, "import", f"{FILES}/evidence-escape.json", id="import-json-evidence-escape"),
    case(6, "import", f"{FILES}/title-c1.json", id="import-json-title-c1"),
    case(6, "import", f"{FILES}/due-year-9999.csv", "--strict", id="import-csv-due-year-9999"),
    case(6, "import", f"{FILES}/serial-minus-5.xlsx", "--strict", id="import-xlsx-serial-minus-5"),
    # -- the command line itself
    case(2, "frobnicate", id="unknown-command"),
    case(2, "list", "--bogus", id="unknown-option"),
    case(2, "show", id="missing-argument"),
    case(2, "close", "3", id="missing-required-option"),
    case(2, "add", "x", "--due", id="option-without-value"),
    case(2, "show", "1", "2", id="extra-argument"),
    case(2, "--lang", "fr", "list", id="unknown-language"),
]


@pytest.mark.parametrize("code,argv", CASES)
def test_bad_input_is_refused_cleanly_and_changes_nothing(template, ledger, code, argv):
    before = state(ledger)
    res = run(template, ledger, argv)
    assert res.exit_code == code, res
    lines = res.stderr.splitlines()
    if code == 6:  # a refused import first lists its unreadable items, one a line
        # (a sheet's import first says which row it took as the header)
        assert all(line.startswith(("item ", "row ", "Header row: ", "Columns read: ")) for line in lines[:-1]), res
        lines = lines[-1:]
    assert len(lines) == 1 and lines[0].startswith("rectify: error: ") and res.stderr.endswith("\n"), res
    assert "Traceback" not in res.stderr and res.stdout == "", res
    assert not any(ch in res.stderr for ch in "\x00\x07\x1b\x9b"), res  # quoted text is shown escaped
    assert state(ledger) == before
    assert sorted(p.name for p in ledger.parent.iterdir()) == [NAME, "ledger.evidence"]


@pytest.mark.parametrize("argv", [
    ["import", f"{FILES}/header-only.csv"],  # a sheet with no rows: nothing to do, said so
    ["list", "--search", "a\x00b"],  # a search is not stored: it finds nothing
])
def test_odd_but_harmless_inputs_change_nothing(template, ledger, argv):
    before = state(ledger)
    res = run(template, ledger, argv)
    assert res.exit_code == 0 and "Traceback" not in res.stderr, res
    assert state(ledger) == before


def test_bytes_that_are_not_utf8_on_the_command_line(ledger):
    """A real process, so the bytes reach rectify as the shell passes them."""
    before = state(ledger)
    res = subprocess.run([sys.executable, "-m", "rectify", "--db", str(ledger), "add", b"bad\xff\xfebytes"],
                         capture_output=True, env={**os.environ, "RECTIFY_DEBUG": ""})
    assert res.returncode == 2, res
    assert res.stderr.decode().startswith("rectify: error: The measure is not valid text"), res
    assert res.stderr.count(b"\n") == 1
    assert state(ledger) == before


@pytest.mark.parametrize("clock", ["9999-12-31", "0001-01-01", "1899-12-31T23:59:59", "3000-01-01T00:00:00"])
@pytest.mark.parametrize("argv", [["add", "x"], ["list"], ["show", "1"], ["summary"], ["weekly"], ["sheets"],
                                  ["progress", "2", "note"], ["export", "--format", "json"]])
def test_a_clock_outside_the_dates_is_refused_cleanly(template, ledger, monkeypatch, clock, argv):
    before = state(ledger)
    monkeypatch.setenv("RECTIFY_NOW", clock)
    res = run(template, ledger, argv)
    assert res.exit_code == 2, res
    assert res.stderr.startswith("rectify: error: The clock") and res.stderr.count("\n") == 1, res
    assert "Traceback" not in res.stderr and res.stdout == "", res
    assert state(ledger) == before
