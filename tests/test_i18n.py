"""Both languages, in full: the catalog is complete and current, the language is
chosen as documented, a Chinese user sees no English they did not type, an
English user sees no Chinese but their own data, and what programs read (JSON,
exit codes) is the same in both."""

from __future__ import annotations

import functools
import hashlib
import io
import json
import os
import re
import string
import subprocess
import sys
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import NOW

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "rectify"
LOCALE = PACKAGE / "locale"
PO = LOCALE / "zh_CN" / "LC_MESSAGES" / "rectify.po"
MO = LOCALE / "zh_CN" / "LC_MESSAGES" / "rectify.mo"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2),
            "NP_": ((1, "c"), 2)}  # as scripts/i18n.sh extracts

CJK = re.compile(r"[\u2e80-\u2fff\u3000-\u303f\u3040-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]")


# -- the catalog ---------------------------------------------------------------


def _extracted() -> dict:
    """(context, msgid or (singular, plural)) -> where, extracted from the source now."""
    from babel.messages.extract import extract_from_dir

    found = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(PACKAGE), method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        found.setdefault((context, message), f"{filename}:{lineno}")
    return found


def _key(msgid) -> str:
    return msgid[0] if isinstance(msgid, tuple) else msgid


def _catalog():
    from babel.messages.pofile import read_po

    with open(PO, "rb") as f:
        return read_po(f, locale="zh_CN")


def _strings(msgstr) -> tuple:
    return (msgstr,) if isinstance(msgstr, str) else tuple(msgstr)


def test_every_message_in_the_source_has_a_chinese_translation():
    catalog = _catalog()
    missing = []
    for (context, msgid), where in _extracted().items():
        entry = catalog.get(_key(msgid), context=context)
        if entry is None or entry.fuzzy or not all(s.strip() for s in _strings(entry.string)):
            missing.append(f"{where}: {msgid!r}")
    assert not missing, "untranslated (run scripts/i18n.sh, translate, run it again):\n" + "\n".join(missing)


def test_the_catalog_holds_no_stale_messages():
    in_source = {(context, _key(m)) for context, m in _extracted()}
    stale = [(m.context, m.id) for m in _catalog() if m.id and (m.context, _key(m.id)) not in in_source]
    assert not stale, f"in rectify.po but no longer in the source (run scripts/i18n.sh): {stale}"


def test_the_committed_mo_is_the_compiled_po():
    """Compared as catalogs, not bytes: the header names the Babel version that
    compiled it, which differs between machines without the messages differing."""
    import gettext

    from babel.messages.mofile import write_mo

    compiled = io.BytesIO()
    write_mo(compiled, _catalog(), use_fuzzy=False)
    compiled.seek(0)

    def messages(f) -> dict:
        return {k: v for k, v in gettext.GNUTranslations(f)._catalog.items() if k != ""}

    with MO.open("rb") as committed:
        assert messages(committed) == messages(compiled), "rectify.mo is stale: run scripts/i18n.sh compile"


def _fields(text: str) -> list[str]:
    return sorted(f"{{{name}{'!' + conv if conv else ''}}}"
                  for _lit, name, _spec, conv in string.Formatter().parse(text) if name is not None)


def test_translations_keep_the_placeholders_of_their_message():
    wrong = []
    for entry in _catalog():
        if not entry.id:
            continue
        ids = _strings(entry.id)
        for text in _strings(entry.string):
            if text and _fields(text) not in [_fields(i) for i in ids]:
                wrong.append(f"{ids[0]!r} -> {text!r}")
    assert not wrong, "\n".join(wrong)


def test_english_source_messages_hold_no_chinese():
    chinese = [f"{where}: {m!r}" for m, where in _extracted().items() if CJK.search(str(m[1]))]
    assert not chinese, "an English user would see Chinese:\n" + "\n".join(chinese)


# -- choosing the language -----------------------------------------------------


@pytest.mark.parametrize("env, expected", [
    ({}, "en"),
    ({"LANG": "zh_CN.UTF-8"}, "zh"),
    ({"LANG": "zh_TW.UTF-8"}, "zh"),
    ({"LANG": "en_US.UTF-8"}, "en"),
    ({"LANG": "C"}, "en"),
    ({"LC_ALL": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),
    ({"LC_MESSAGES": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),
    ({"LC_ALL": "en_US.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),
    ({"RECTIFY_LANG": "en", "LANG": "zh_CN.UTF-8"}, "en"),
    ({"RECTIFY_LANG": "zh", "LC_ALL": "en_US.UTF-8"}, "zh"),
    ({"RECTIFY_LANG": "中文"}, "zh"),
])
def test_detect(env, expected):
    from rectify.i18n import detect

    assert detect(env) == expected


def _env(lang: str | None = None, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("RECTIFY_LANG", "LC_ALL", "LC_MESSAGES", "LANG")}
    if lang:
        env["LANG"] = lang
    env.update(extra)
    return env


def test_lang_option_beats_the_environment_even_for_help(cli, monkeypatch):
    # In-process: the app is built in the language the run chooses, and its
    # help texts and typer's own words are translated then, not at import.
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    zh = cli("--lang", "zh", "add", "--help", db=False)
    assert zh.exit_code == 0 and "用法：" in zh.stdout and "选项" in zh.stdout and "示例" in zh.stdout
    assert "Usage" not in zh.stdout and "Options" not in zh.stdout
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    en = cli("--lang=en", "add", "--help", db=False)
    assert en.exit_code == 0 and "Usage:" in en.stdout and not CJK.search(en.stdout)


def test_rectify_lang_beats_the_locale_and_errors_follow(cli, monkeypatch):
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    monkeypatch.setenv("RECTIFY_LANG", "en")
    res = cli("lst")
    assert res.exit_code == 2 and "No such command" in res.stderr
    monkeypatch.delenv("RECTIFY_LANG")
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    monkeypatch.setenv("LC_ALL", "zh_CN.UTF-8")
    res = cli("lst")
    assert res.exit_code == 2 and "没有这个命令" in res.stderr and "Did you mean" not in res.stderr


def test_the_language_of_a_process_is_chosen_by_the_entry_point():
    # The same choice through the real entry point: --lang before the command.
    zh = subprocess.run([sys.executable, "-m", "rectify", "--lang", "zh", "add", "--help"],
                        capture_output=True, text=True, env=_env("en_US.UTF-8"))
    assert zh.returncode == 0 and "用法：" in zh.stdout and "Usage" not in zh.stdout


def test_catalogs_load_lazily_and_only_for_chinese():
    code = ("import sys; from rectify import i18n; from rectify.cli.app import build_app, choose_language;"
            " build_app(choose_language([])); i18n._('Due');"
            " print(i18n._translation is not None, 'rectify.rich_cjk' in sys.modules)")
    for lang, loaded in (("en_US.UTF-8", "False"), ("zh_CN.UTF-8", "True")):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=_env(lang))
        assert out.stdout.split() == [loaded, loaded], out


# -- dates for people ------------------------------------------------------------


def test_dates_read_as_iso_in_english_and_as_chinese_in_chinese():
    from rectify import dates, i18n

    today = date(2026, 11, 25)
    i18n.set_language("en")
    assert dates.show_date("2026-12-31") == "2026-12-31"
    assert dates.show_day(date(2026, 12, 31), today) == "2026-12-31"
    assert dates.show_time("2026-11-25T09:05:33") == "2026-11-25 09:05"
    assert dates.show_late(1) == "overdue by 1 day" and dates.show_late(3) == "overdue by 3 days"
    i18n.set_language("zh")
    assert dates.show_date("2026-12-31") == "2026年12月31日"
    assert dates.show_day("2026-12-31", today) == "12月31日(周四)"
    assert dates.show_day("2026-12-31", today, weekday=False) == "12月31日"
    assert dates.show_day("2027-01-05", today) == "2027年1月5日"
    assert dates.show_time("2026-11-25T09:05:33") == "2026年11月25日 09:05"
    assert dates.show_late(3) == "逾期3天"
    assert dates.days_late("2026-11-22", today) == 3 and dates.days_late("2026-11-26", today) == 0
    assert dates.show_date(None) == dates.show_day("") == ""


def test_show_and_list_speak_chinese_dates(cli):
    t = cli.add("整改", "--due", "2026-11-20")
    out = cli.ok("--lang", "zh", "show", t).stdout
    assert "11月20日(周五)" in out and "逾期5天" in out and "2026-11-20" not in out
    listing = cli.ok("--lang", "zh", "list").stdout
    assert "11月20日(周五)" in listing and "5天" in listing.splitlines()[1]
    assert "2026-11-20" in cli.ok("list").stdout and "5 days" in cli.ok("list").stdout


# -- layout: mixed Chinese and Latin text lines up ----------------------------------

MIXED = [
    ("修订《Procurement Policy》并组织全员学习培训，建立长效机制 with quarterly review", "IT信息中心",
     "Zhang三", "2026-11-20"),
    ("Close the overdue reimbursements", "财务处", "李华", "2027-03-31"),
    ("清理", "Finance & Audit Office", "Christopher Wang", "2026-12-02"),
    ("全面清理2025年以来公务接待报销凭证，补齐审批手续，逐项对账销号，形成专项整改报告", "党委办公室（校长办公室）",
     "欧阳明", None),
]


def _cells(line: str, stops: list[int]) -> list[str]:
    """Cut ``line`` at display columns ``stops``; a stop inside a wide character fails."""
    from rich.cells import cell_len

    pieces, current, column, stops = [], "", 0, list(stops)
    for ch in line:
        if stops and column == stops[0]:
            pieces.append(current)
            current, stops = "", stops[1:]
        assert not (stops and column < stops[0] < column + cell_len(ch)), f"a wide character straddles a column: {line!r}"
        current += ch
        column += cell_len(ch)
    pieces.append(current)
    return pieces + [""] * len(stops)


def _mixed_cases(db: str) -> list[dict]:
    return [{"argv": ["--db", db, "add", title, "--unit", unit, "--owner", owner, "--kind", "immediate",
                      *(["--due", due] if due else [])]} for title, unit, owner, due in MIXED]


def check_layout(output: str, width: int, lang: str) -> None:
    """``list`` of MIXED at ``width`` columns: no line too wide, every row's
    cells in their columns, every text whole across its folded lines. On a
    narrow terminal the measure may stand on its own lines under its row."""
    from rich.cells import cell_len

    lines = output.rstrip("\n").splitlines()
    assert all(cell_len(line) <= width for line in lines), [cell_len(x) for x in lines]
    assert all(line == line.rstrip() for line in lines)
    # Where each column starts: left-aligned ones where their header starts;
    # the right-aligned % column (every task at 0%) one cell before its end.
    header, starts, pos = lines[0], [], 0
    labels = header.split()
    stacked = lines[1].startswith(" ") and lines[1].strip() in ("Measure", "整改措施")
    for label in labels[1:-1]:
        at = header.index(label, pos)
        starts.append(cell_len(header[:at]))
        pos = at + len(label)
    starts.append(cell_len(header.rstrip()) - cell_len(labels[-1]))
    rows: list[list[str]] = []
    measures: list[str] = []
    for line in lines[2 if stacked else 1:]:
        if stacked and cell_len(line) - cell_len(line.lstrip()) == starts[0]:  # the measure, under its row
            measures += [""] * (len(rows) - len(measures))
            measures[-1] += line.strip()
            continue
        pieces = [p.strip() for p in _cells(line, starts)]
        for stop in starts:  # a blank cell parts each column from the one before
            padded = line + " " * max(0, width - cell_len(line))  # lines carry no trailing spaces
            assert _cells(padded, [stop - 1, stop])[1] == " ", f"column at {stop} is not apart in {line!r}"
        if pieces[0]:
            rows.append(pieces)
        else:  # a continuation line: folded text carries on in its own column
            assert all(not p for p in pieces[1:3]), line
            rows[-1] = [a + b for a, b in zip(rows[-1], pieces)]
    assert [int(r[0]) for r in rows] == [1, 3, 2, 4]  # by deadline, undated last
    for n, row in enumerate(rows):
        title, unit, owner, due = MIXED[int(row[0]) - 1]
        shown = row[-3:-1] + [measures[n]] if stacked else row[-4:-1]
        assert [v.replace(" ", "") for v in (unit, owner, title)] == [c.replace(" ", "") for c in shown], row
        assert row[-1] == "0"
    if width == 200:
        assert rows[0][2] == ("5天" if lang == "zh" else "5 days")  # the Late column
        assert rows[0][1] == ("11月20日(周五)" if lang == "zh" else "2026-11-20")


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("width", [80, 200])
def test_list_lines_up_mixed_width_text(cli, monkeypatch, lang, width):
    # In-process: under zh the app is built in Chinese, and rich breaks lines
    # between Chinese characters (rectify.rich_cjk); the Chinese batch below
    # checks the same layout in a process of its own.
    for case in _mixed_cases(str(cli.db)):
        cli.ok(*case["argv"][2:])
    monkeypatch.setenv("COLUMNS", str(width))
    check_layout(cli.ok("--lang", lang, "list").stdout, width, lang)


# -- what people see, in each language ----------------------------------------------

DEMO_EVIDENCE = "会议纪要.txt"
EN_EVIDENCE = "minutes.txt"


@functools.cache
def _commands() -> tuple[str, ...]:
    from rectify.cli.app import build_app
    import typer.main

    return tuple(sorted(typer.main.get_command(build_app()).commands))


def _subcommands() -> set[str]:
    """The names of the commands inside command groups (lookback sample, notice reply ...)."""
    from rectify.cli.app import build_app
    import typer.main

    groups = typer.main.get_command(build_app()).commands.values()
    return {name for group in groups for name in getattr(group, "commands", {})}


def _batch(cases: list[dict], lang: str, tmp: Path) -> list[dict]:
    env = _env(lang, RECTIFY_NOW=NOW, RECTIFY_HOME=str(tmp / "home"), RECTIFY_USER="tester", NO_COLOR="1",
               COLUMNS="200")
    env.pop("RECTIFY_DB", None)
    res = subprocess.run([sys.executable, str(Path(__file__).parent / "cli_batch.py")], input=json.dumps(cases),
                         capture_output=True, text=True, env=env, timeout=240)
    assert res.returncode == 0, res.stderr[-3000:]
    results = json.loads(res.stdout)
    for case, result in zip(cases, results):
        result["argv"] = case["argv"]
        result["expect"] = case.get("expect", 0)
        result["parity"] = case.get("parity", False)
        result["env"] = case.get("env", {})
        result["layout"] = case.get("layout")
        result["report_layout"] = case.get("report_layout")
        result["mixed"] = case.get("mixed", False)  # the other language's data: not for the stray-language checks
        result["typed"] = case.get("typed", [])  # what the user wrote in a file given
        assert result["exception"] is None, result
        assert result["code"] == result["expect"], result
    return results


def _help_cases() -> list[dict]:
    return ([{"argv": [], "expect": 2}, {"argv": ["--help"]}] + [{"argv": [name, "--help"]} for name in _commands()])


def _usage_errors(db: str) -> list[dict]:
    """Mistakes typer itself catches: the same in every ledger."""
    return [
        {"argv": ["lst"], "expect": 2},
        {"argv": ["--lang", "fr", "list"], "expect": 2},
        {"argv": ["--db", db, "list", "--bogus"], "expect": 2},
        {"argv": ["--db", db, "list", "--limit", "abc"], "expect": 2},
        {"argv": ["--db", db, "list", "--page", "0"], "expect": 2},
        {"argv": ["--db", db, "list", "--kind"], "expect": 2},
        {"argv": ["--db", db, "close", "1"], "expect": 2},
        {"argv": ["--db", db, "add"], "expect": 2},
        {"argv": ["--db", db, "show", "1", "2"], "expect": 2},
        {"argv": ["--db", db, "show", "x"], "expect": 2},
        {"argv": ["--db", db, "add", "x", "--json=yes"], "expect": 2},
    ]


def _ledger_errors(db: str, tmp: Path, kind_word: str) -> list[dict]:
    """Mistakes rectify catches: each leaves the ledger as it was."""
    not_a_ledger = tmp / "notes.txt"
    not_a_ledger.write_text("hello")
    return [
        {"argv": ["--db", db, "show", "999"], "expect": 3},
        {"argv": ["--db", db, "edit", "999", "--owner", "x"], "expect": 3},
        {"argv": ["--db", db, "add", "x", "--problem", "999"], "expect": 3},
        {"argv": ["--db", db, "add", "x", "--due", "someday"], "expect": 2},
        {"argv": ["--db", db, "add", "x", "--due", "03/04/2026"], "expect": 2},
        {"argv": ["--db", db, "add", "x", "--due", "2026-02-30"], "expect": 2},
        {"argv": ["--db", db, "add", "x", "--due", "3000-01-01"], "expect": 2},
        {"argv": ["--db", db, "add", "x", "--kind", "sometimes"], "expect": 2},
        {"argv": ["--db", db, "add", "  "], "expect": 2},
        {"argv": ["--db", db, "add", "x", "--problem", "1", "--new-problem", "y"], "expect": 2},
        {"argv": ["--db", db, "list", "--status", "finished"], "expect": 2},
        {"argv": ["--db", db, "list", "--due-within", "soon"], "expect": 2},
        {"argv": ["--db", db, "list", "--limit", "-1"], "expect": 2},
        {"argv": ["--db", db, "edit", "1"], "expect": 2},
        {"argv": ["--db", db, "edit", "1", "--due", "2099-12-31"], "expect": 4},
        {"argv": ["--db", db, "classify", "1"], "expect": 2},
        {"argv": ["--db", db, "classify", "1", kind_word, "--auto"], "expect": 2},
        {"argv": ["--db", db, "progress", "1", "x", "--percent", "101"], "expect": 2},
        {"argv": ["--db", db, "evidence", "1"], "expect": 2},
        {"argv": ["--db", db, "evidence", "1", str(tmp / "missing.pdf")], "expect": 2},
        {"argv": ["--db", db, "close", "1", "--by", "x"], "expect": 4},
        {"argv": ["--db", db, "reopen", "1", "--reason", "x"], "expect": 4},
        {"argv": ["--db", db, "reject", "1", "--reason", " "], "expect": 2},
        {"argv": ["--db", db, "extend", "1", "2000-01-01", "--reason", "x"], "expect": 4},
        {"argv": ["--db", db, "extend", "1", "2099-01-01", "--reason", ""], "expect": 2},
        {"argv": ["--db", db, "list"], "env": {"RECTIFY_NOW": "not-a-time"}, "expect": 2},
        {"argv": ["--db", str(not_a_ledger), "list"], "expect": 5},
        {"argv": ["--db", str(tmp), "list"], "expect": 5},
        {"argv": ["--db", str(not_a_ledger / "ledger.db"), "add", "x"], "expect": 5},
        {"argv": ["--db", str(tmp / "empty.db"), "list", "--search", "nothing"]},
        {"argv": ["--db", str(tmp / "empty.db"), "problems"]},
    ]


def _parity_cases(db: str, tmp: Path) -> list[dict]:
    """Read-only and refused commands on one ledger: JSON and exit codes must
    not depend on the language."""
    reads = [["list", "--json"], ["list", "--all", "--json"], ["list", "--overdue", "--json"],
             ["show", "1", "--json"], ["show", "2", "--json"], ["history", "1", "--json"], ["problems", "--json"]]
    cases = [{"argv": ["--db", db, *argv], "parity": True} for argv in reads]
    errors = _ledger_errors(db, tmp, "long_term") + _usage_errors(db)
    return cases + [dict(c, parity=True) for c in errors]


def _walkthrough(db: str, evidence: Path, words: dict) -> list[dict]:
    """A working day on a ledger: every command that changes it, and reads."""
    a = ["--db", db]
    return [
        {"argv": a + ["add", words["title"], "--kind", words["immediate"], "--due", words["due"], "--unit",
                      words["unit"], "--owner", words["owner"], "--helper", words["helper"], "--helper",
                      words["owner2"], "--new-problem", words["problem"], "--category", words["category"]]},
        {"argv": a + ["add", words["title2"], "--due", "+10d", "--problem", "1"]},
        {"argv": a + ["add", words["title3"]]},
        {"argv": a + ["classify", "--auto"]},
        {"argv": a + ["classify", "--auto", "--yes"]},
        {"argv": a + ["classify", "--auto"]},
        {"argv": a + ["classify", "3", words["long_term"]]},
        {"argv": a + ["classify", "3", words["long_term"]]},
        {"argv": a + ["edit", "1", "--target", words["target"], "--leader", words["leader"], "--due", "2026-11-18"]},
        {"argv": a + ["edit", "1", "--target", words["target"]]},
        {"argv": a + ["start", "1"]},
        {"argv": a + ["progress", "1", words["note"], "--percent", "40"]},
        {"argv": a + ["evidence", "1", str(evidence), "--note", words["note"]]},
        {"argv": a + ["evidence", "2", "--note", words["note"]]},
        {"argv": a + ["submit", "1"]},
        {"argv": a + ["close", "1", "--by", words["owner"]], "expect": 4},
        {"argv": a + ["reject", "1", "--reason", words["reason"]]},
        {"argv": a + ["submit", "1"]},
        {"argv": a + ["close", "1", "--by", words["checker"], "--note", words["note"]]},
        {"argv": a + ["reopen", "1", "--reason", words["reason"]]},
        {"argv": a + ["submit", "2"]},
        {"argv": a + ["close", "2", "--by", words["checker"]]},
        {"argv": a + ["extend", "3", "2027-06-30", "--reason", words["reason"]]},
        {"argv": a + ["cancel", "3", "--reason", words["reason"]]},
        {"argv": a + ["progress", "3", words["note"]], "expect": 4},
        {"argv": a + ["list"]},
        {"argv": a + ["list", "--all"]},
        {"argv": a + ["list", "--all", "-n", "1", "--page", "2"]},
        {"argv": a + ["list", "--overdue"]},
        {"argv": a + ["show", "1"]},
        {"argv": a + ["show", "2"]},
        {"argv": a + ["show", "3"]},
        {"argv": a + ["history", "1"]},
        {"argv": a + ["problems"]},
        {"argv": a + ["where"]},
    ]


def _exchange(db: str, tmp: Path, lang: str) -> list[dict]:
    """export and import, in the language's own sheet layout, good and bad files."""
    a, out = ["--db", db], tmp
    out.mkdir(parents=True)
    bad = out / "bad.csv"
    bad.write_text({"zh": "整改措施,整改类型,整改时限,奇怪的列\nA,立行立改,长期坚持\n,x,y\nC,sometimes,2026-12-01\n",
                    "en": "Measure,Kind,Due,Strange column\nA,immediate,long-term\n,x,y\nC,sometimes,2026-12-01\n"}[lang],
                   encoding="utf-8")
    other = ["--db", str(out / "imported.db")]
    return [
        {"argv": a + ["export", "--format", "csv"]},
        {"argv": a + ["export", "--output", str(out / "ledger.xlsx"), "--evidence", str(out / "evidence.zip")]},
        {"argv": a + ["export", "--format", "json", "--output", str(out / "ledger.json"), "--status", "closed"]},
        {"argv": a + ["export", "--output", str(out / "ledger.xlsx")]},
        {"argv": a + ["export"], "expect": 2},
        {"argv": a + ["export", "--format", "xlsx"], "expect": 2},
        {"argv": a + ["export", "--format", "pdf"], "expect": 2},
        {"argv": a + ["export", "--format", "csv", "--lang", "fr"], "expect": 2},
        {"argv": other + ["import", str(out / "ledger.xlsx"), "--dry-run"]},
        {"argv": other + ["import", str(out / "ledger.xlsx")]},
        {"argv": other + ["import", str(out / "ledger.xlsx")]},
        {"argv": other + ["import", str(out / "ledger.json"), "--dry-run"]},
        {"argv": other + ["import", str(bad), "--strict"], "expect": 6, "typed": ["sometimes"]},
        {"argv": other + ["import", str(bad), "--strict", "--skip-bad"], "typed": ["sometimes"]},
        {"argv": other + ["import", str(bad), "--dry-run"], "typed": ["sometimes"]},
        {"argv": other + ["import", str(bad)], "typed": ["sometimes"]},
        {"argv": other + ["list", "--review"]},
        {"argv": other + ["list", "--claimed"]},
        {"argv": a + ["export", "--fill-in", "--output", str(out / "1")]},
        {"argv": other + ["returns"]},
        {"argv": other + ["returns", "--since", "x"], "expect": 2},
        {"argv": other + ["import", str(out / "missing.xlsx")], "expect": 2},
        {"argv": other + ["import", str(bad), "--sheet", "x"], "expect": 2},
    ]


def _reports(db: str, tmp: Path, lang: str) -> list[dict]:
    """summary, weekly (every format) and sheets, good and refused."""
    # A folder named by digits: a word in a path would count as English shown.
    a, out = ["--db", db], tmp / str(int(hashlib.sha256(f"{lang}{db}".encode()).hexdigest(), 16) % 10**8)
    out.mkdir(parents=True)
    (tmp / "notes.txt").write_text("hello")
    text_word, by_word = {"zh": ("文本", "类别"), "en": ("text", "category")}[lang]
    return [
        {"argv": a + ["summary"]},
        *({"argv": a + ["summary", "--by", by]} for by in ("kind", "category", "leader", "owner")),
        {"argv": a + ["summary", "--by", by_word, "--as-of", "2026-10-31"]},
        {"argv": a + ["weekly"]},
        {"argv": a + ["weekly", "--week", "2026-W46", "--format", text_word, "--limit", "1"]},
        {"argv": a + ["weekly", "--week", "2026-W46", "--format", "md"]},
        {"argv": a + ["weekly", "--format", "html"]},
        {"argv": a + ["weekly", "--format", "html", "--output", str(out / "weekly.html")]},
        {"argv": a + ["sheets"]},
        {"argv": a + ["sheets", "--format", "md"]},
        {"argv": a + ["sheets", "--format", "html"]},
        {"argv": a + ["sheets", "--format", "html", "--output", str(out / "sheets")]},
        {"argv": a + ["sheets", "--unit", "no such unit"], "expect": 3},
        {"argv": a + ["summary", "--by", "colour"], "expect": 2},
        {"argv": a + ["summary", "--as-of", "someday"], "expect": 2},
        {"argv": a + ["summary", "--stale-days", "0"], "expect": 2},
        {"argv": a + ["weekly", "--format", "pdf"], "expect": 2},
        {"argv": a + ["weekly", "--week", "2099-W01"], "expect": 2},
        {"argv": a + ["weekly", "--week", "2026-W40", "--as-of", "2026-10-01"], "expect": 2},
        {"argv": a + ["weekly", "--limit", "-1"], "expect": 2},
        {"argv": a + ["weekly", "--format", "html", "--output", str(tmp / "notes.txt" / "w.html")], "expect": 2},
    ]


ROUND_WORDS = {
    "zh": {"round": "区委第三巡察组巡察反馈", "kind": "巡察", "fed_back": "2026年9月15日", "issuer": "区委第三巡察组",
           "rule": "报销管理办法", "doc_no": "财发〔2026〕3号", "money": "3.5万", "what": "违规报销款",
           "type": "清退", "form": "诫勉谈话", "other": "开展财务培训", "unit": "区财政局", "reason": "录入有误",
           "add": "添加", "withdraw": "撤回", "unknown": "第九巡察组"},
    "en": {"round": "Third inspection group feedback", "kind": "inspection", "fed_back": "2026-09-15",
           "issuer": "District inspection office", "rule": "Reimbursement rules", "doc_no": "Fin [2026] 3",
           "money": "35000", "what": "Overpaid allowances", "type": "returned", "form": "admonition",
           "other": "Trained the finance staff", "unit": "City Finance Bureau", "reason": "Entered in error",
           "add": "add", "withdraw": "withdraw", "unknown": "Ninth group"},
}


def _rounds(db: str, tmp: Path, lang: str) -> list[dict]:
    """round, outcome, outcomes and report on a ledger of the walkthrough, good and refused."""
    w = ROUND_WORDS[lang]
    a = ["--db", db]
    out = tmp / str(int(hashlib.sha256(f"rounds{lang}{db}".encode()).hexdigest(), 16) % 10**8)
    out.mkdir(parents=True)
    return [
        {"argv": a + ["round", "list"]},
        {"argv": a + ["round", "add", w["round"], "--kind", w["kind"], "--fed-back", w["fed_back"],
                      "--issuer", w["issuer"]]},
        {"argv": a + ["round", "add", w["round"]], "expect": 4},
        {"argv": a + ["round", "edit", "1", "--issuer", w["issuer"]]},
        {"argv": a + ["round", "list"]},
        {"argv": a + ["edit", "1", "--round", w["round"]]},
        {"argv": a + ["list", "--all", "--round", w["round"]]},
        {"argv": a + ["summary", "--round", w["unknown"]], "expect": 3},
        {"argv": a + ["outcome", w["add"], "1", "--rule", w["rule"], "--doc-no", w["doc_no"], "--issued", w["fed_back"]]},
        {"argv": a + ["outcome", w["add"], "1", "--money", w["money"], "--what", w["what"], "--type", w["type"]]},
        {"argv": a + ["outcome", w["add"], "2", "--people", "2", "--form", w["form"]]},
        {"argv": a + ["outcome", w["add"], "2", "--other", w["other"]]},
        {"argv": a + ["outcome", w["add"], "2", "--money", "1.234"], "expect": 2},
        {"argv": a + ["outcome", w["add"], "2"], "expect": 2},
        {"argv": a + ["outcome", w["withdraw"], "4", "--reason", w["reason"]]},
        {"argv": a + ["outcomes"]},
        {"argv": a + ["outcomes", "--round", w["round"]]},
        {"argv": a + ["history", "1"]},
        {"argv": a + ["summary", "--round", w["round"]]},
        {"argv": a + ["weekly", "--round", w["round"]]},
        {"argv": a + ["report", "--round", w["round"], "--output", str(out / "report.docx"), "--unit-name", w["unit"]]},
        {"argv": a + ["report", "--interim", "--output", str(out / "report.md")]},
        {"argv": a + ["report", "--output", str(out / "report.html")]},
        {"argv": a + ["report", "--output", str(out / "report.pdf")], "expect": 2},
    ]


def _report_layouts(db: str) -> list[dict]:
    """The reports at 80 and 200 columns, for check_report_layout."""
    return [{"argv": ["--db", db, *argv], "env": {"COLUMNS": str(w)}, "report_layout": w}
            for w in (80, 200)
            for argv in (["summary"], ["summary", "--by", "owner"], ["weekly"], ["weekly", "--week", "2026-W46"],
                         ["sheets"])]


def _report_parity(db: str) -> list[dict]:
    reads = [["summary", "--json"], ["summary", "--by", "category", "--json"],
             ["summary", "--as-of", "2026-11-20", "--json"], ["weekly", "--json"],
             ["weekly", "--week", "2026-W46", "--json"]]
    return [{"argv": ["--db", db, *argv], "parity": True} for argv in reads]


EN_WORDS = {
    "title": "Clear the overdue reimbursements", "title2": "Revise the reimbursement policy",
    "title3": "Hold a review meeting", "immediate": "immediate", "long_term": "long_term", "due": "2026-11-20",
    "unit": "Finance Office", "owner": "Li Hua", "owner2": "Wang Fang", "helper": "Zhao Lei",
    "problem": "Reimbursements pile up", "category": "Finance", "target": "All receipts filed",
    "leader": "Vice President Sun", "note": "Half of the receipts checked", "reason": "Minutes not signed",
    "checker": "Chen Jing",
}
ZH_WORDS = {
    "title": "全面清理超期未报销单据", "title2": "修订报销管理办法", "title3": "召开专题民主生活会",
    "immediate": "立行立改", "long_term": "长期坚持", "due": "11月20日", "unit": "财务处", "owner": "李华",
    "owner2": "王芳", "helper": "赵磊", "problem": "报销单据积压", "category": "财务管理",
    "target": "票据全部归档", "leader": "孙副校长", "note": "已核对一半票据", "reason": "会议纪要未签字",
    "checker": "陈静",
}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Two processes, one per language, run every case; then the tests read."""
    tmp = tmp_path_factory.mktemp("langs")
    en_db, demo_db, zh_db = str(tmp / "en.db"), str(tmp / "demo" / "demo.db"), str(tmp / "zh.db")
    (tmp / EN_EVIDENCE).write_text("minutes")
    (tmp / DEMO_EVIDENCE).write_text("纪要")
    en_demo = str(tmp / "en-demo" / "demo.db")
    mixed_en = str(tmp / "mixed-en.db")
    en_cases = ([{"argv": ["demo", en_demo]}] + [{"argv": ["--db", en_demo, *argv]} for argv in (
                    ["list", "--all"], ["problems"], ["show", "3"], ["show", "11"], ["show", "20"])]
                + _walkthrough(en_db, tmp / EN_EVIDENCE, EN_WORDS) + _exchange(en_db, tmp / "exchange-en", "en")
                + _ledger_errors(en_db, tmp, "long_term")
                + _usage_errors(en_db) + _help_cases() + _reports(en_demo, tmp, "en") + _reports(en_db, tmp, "en")
                + _rounds(en_db, tmp, "en")
                + _report_layouts(en_demo)
                + [dict(c, mixed=True) for c in _mixed_cases(mixed_en) + _report_layouts(mixed_en)])
    en = _batch(en_cases + _parity_cases(en_db, tmp) + _report_parity(en_demo), "en_US.UTF-8", tmp)
    demo_reads = [{"argv": ["--db", demo_db, *argv]} for argv in (
        ["list"], ["list", "--all"], ["list", "--overdue"], ["list", "--due-within", "7天"],
        ["list", "--kind", "长期坚持"], ["list", "--status", "待验收"], ["list", "-n", "3"],
        ["list", "--search", "没有这样的任务"], ["problems"], ["where"], ["classify", "--auto"],
        *(["show", str(i)] for i in range(1, 21)))]
    mixed_db = str(tmp / "mixed.db")
    zh_cases = ([{"argv": ["demo", demo_db]}, {"argv": ["demo", demo_db], "expect": 2}] + demo_reads
                + _mixed_cases(mixed_db)
                + [{"argv": ["--db", mixed_db, "list"], "env": {"COLUMNS": str(w)}, "layout": w} for w in (80, 200)]
                + _walkthrough(zh_db, tmp / DEMO_EVIDENCE, ZH_WORDS) + _exchange(zh_db, tmp / "exchange-zh", "zh")
                + _exchange(demo_db, tmp / "exchange-demo", "zh") + _ledger_errors(zh_db, tmp, "长期坚持")
                + _usage_errors(zh_db) + _help_cases() + _reports(demo_db, tmp, "zh") + _reports(zh_db, tmp, "zh")
                + _rounds(zh_db, tmp, "zh")
                + _report_layouts(demo_db) + [dict(c, mixed=True) for c in _report_layouts(mixed_db)]
                + [dict(c, mixed=True) for c in _report_layouts(en_demo)])
    parity = _parity_cases(en_db, tmp) + _report_parity(en_demo)
    zh = _batch(zh_cases + parity, "zh_CN.UTF-8", tmp)
    return {"tmp": tmp, "en": en, "zh": zh, "dbs": (en_db, demo_db, zh_db)}


def _data_strings(db: str) -> set[str]:
    """Every text a user put into the ledger (and the demo's), from its JSON."""
    from conftest import Cli

    cli = Cli(Path(db))
    found: set[str] = set()

    def walk(value):
        if isinstance(value, str):
            found.add(value)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    tasks = cli.json("list", "--all")
    for task in tasks:
        walk(cli.json("show", str(task["id"])))
        walk(json.loads(cli.ok("show", str(task["id"]), "--json").stdout))
    walk(cli.json("problems"))
    return found


class _Visible(HTMLParser):
    """The text a browser shows (and reads out) of an HTML page: no markup, no styles."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        self.skip += tag in ("style", "script")
        self.parts += [value for name, value in attrs if name in ("aria-label", "title", "alt") and value]

    def handle_endtag(self, tag):
        self.skip -= tag in ("style", "script")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def _visible(text: str) -> str:
    if not text.lstrip().startswith("<!DOCTYPE html>"):
        return text
    parser = _Visible()
    parser.feed(text)
    return "\n".join(parser.parts)


def _shown(result: dict) -> str:
    return _visible(result["stdout"]) + "\n" + result["stderr"]


ALLOWED = [
    r"[^\s'\"(（：:]+\.(?:txt|pdf|docx|xlsx|csv|json|zip|md|html|db)\b",  # file names and paths
    r"(?<![\w-])--?[A-Za-z][\w-]*",  # option names
    r"\b(?:rectify|sha256|UID|uid|JSON|SQLite|README|zh|en|xlsx|csv|json|zip|CSV|UTF|BOM|GB18030|WPS|Excel)\b",
    r"\b(?:html|md|docx|Markdown)\b",  # report formats, named as typed
    r"\b(?:bash|zsh|fish|Tab)\b|~/\.(?:bashrc|zshrc)\b",  # the shells `completion` serves, their files, the key
    r"\bRECTIFY_\w+",
    r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b",  # uid
    r"\b[0-9a-f]{12,64}\b",  # sha256
    r"\b(?:%s)\b" % "|".join(__import__("rectify.settings").settings.BY_KEY),  # the ledger's setting names, typed as is
]


def _english_left(text: str, typed: set[str]) -> list[str]:
    for pattern in ALLOWED:
        text = re.sub(pattern, " ", text)
    # What the user typed (shorter bits cannot hide an English word, and
    # taking out every "1" or "y" would break up other words).
    for value in sorted(typed, key=len, reverse=True):
        if len(value.strip()) >= 3:
            text = text.replace(value, " ")
    commands = set(_commands()) | _subcommands() | {"approve", "refuse", "requests"}  # extend's verbs
    return [w for w in re.findall(r"[A-Za-z]{3,}", text) if w not in commands]


def test_a_chinese_user_sees_no_english_they_did_not_type(runs):
    tmp = runs["tmp"]
    _en_db, demo_db, zh_db = runs["dbs"]
    typed = _data_strings(demo_db) | _data_strings(zh_db) | {str(tmp), "tester", "demo"}
    seen = []
    for result in runs["zh"]:
        if result["parity"] or result["layout"] or result["mixed"]:
            continue  # these show English data (the English ledger, MIXED)
        words = _english_left(_shown(result), typed | set(result["argv"]) | set(result["env"].values())
                              | set(result["typed"]))
        if words:
            seen.append(f"rectify {' '.join(result['argv'])}: {sorted(set(words))}\n{_shown(result)[:1500]}")
    assert not seen, "\n\n".join(seen[:5])


def test_an_english_user_sees_no_chinese(runs):
    # The whole output, markup and styles too: an English page names no Chinese font in Chinese.
    seen = [f"rectify {' '.join(r['argv'])}:\n{_shown(r)[:1500]}" for r in runs["en"]
            if not r["mixed"] and CJK.search(r["stdout"] + r["stderr"])]
    assert not seen, "\n\n".join(seen[:5])


def test_chinese_tables_line_up_with_chinese_line_breaking(runs):
    layouts = [r for r in runs["zh"] if r["layout"]]
    assert [r["layout"] for r in layouts] == [80, 200]
    for result in layouts:
        check_layout(result["stdout"], result["layout"], "zh")


def test_the_demo_speaks_english_to_an_english_user():
    from rectify import demo
    from rectify.demo_en import ENGLISH, in_english

    def strings(value):
        if isinstance(value, str):
            yield value
        elif isinstance(value, (list, tuple)):
            for v in value:
                yield from strings(v)

    chinese = {text for text in strings([demo.PLAN, demo.SOURCE]) if CJK.search(text)}
    assert chinese <= set(ENGLISH), f"demo text without English in demo_en.ENGLISH: {chinese - set(ENGLISH)}"
    assert not any(CJK.search(text) for text in strings(in_english(demo.PLAN)))
    assert not any(CJK.search(text) for text in ENGLISH.values())


def test_every_command_is_covered_in_both_languages(runs):
    for lang in ("en", "zh"):
        used = {arg for r in runs[lang] for arg in r["argv"] if arg in _commands()}
        assert used == set(_commands()), f"{lang}: no case runs {set(_commands()) - used}"


def test_json_and_exit_codes_are_the_same_in_both_languages(runs):
    en = [r for r in runs["en"] if r["parity"]]
    zh = [r for r in runs["zh"] if r["parity"]]
    assert [r["argv"] for r in en] == [r["argv"] for r in zh] and en
    for a, b in zip(en, zh):
        assert a["code"] == b["code"], a["argv"]
        if "--json" in a["argv"]:
            assert a["stdout"] == b["stdout"], a["argv"]
    everything = json.loads(en[1]["stdout"])
    assert {t["kind"] for t in everything} >= {"immediate", "long_term"}
    assert {t["status"] for t in everything} == {"in_progress", "closed", "cancelled"}
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d", t["due"]) for t in everything if t["due"])


def test_chinese_errors_are_one_line_and_chinese(runs):
    for result in runs["zh"]:
        if result["code"] in (3, 4, 5) or (result["code"] == 2 and "rectify：错误：" in result["stderr"]):
            assert result["stderr"].startswith("rectify：错误："), result
            assert result["stderr"].count("\n") == 1, result


# -- the reports, in each language -----------------------------------------------------


def _column_labels(lang: str) -> set[str]:
    """Every header a report's table may have, in ``lang``."""
    from rectify import i18n
    from rectify.render import layout

    i18n.set_language(lang)
    try:
        keys = [k for k in layout.LABELS if k.startswith("col_")] + [
            "figure", "this_week", "last_week", "change", "total", "closed", "overdue", "open", "completion_rate"]
        found = {layout.label(k) for k in keys}
        found |= {layout.label(k).capitalize() for k in ("unit", "category", "kind", "leader", "owner")}
        return found
    finally:
        i18n.set_language(None)


def _cell_marks(line: str) -> list[bool]:
    """One mark per terminal cell of ``line``: True where something is printed."""
    from rich.cells import cell_len

    marks: list[bool] = []
    for ch in line:
        marks += [ch != " "] * cell_len(ch)
    return marks


def _header_names(line: str, headers: set[str]) -> list[str]:
    """The column labels ``line`` is made of, one space or more apart (the
    longest label that fits first: some have spaces); [] when it is not a
    header line."""
    names, pos, text = [], 0, line.rstrip()
    ordered = sorted(headers, key=len, reverse=True)
    while pos < len(text):
        while pos < len(text) and text[pos] == " ":
            pos += 1
        found = next((h for h in ordered if h and text.startswith(h, pos)
                      and (pos + len(h) == len(text) or text[pos + len(h)] == " ")), None)
        if found is None:
            return []
        names.append(found)
        pos += len(found)
    return names


def check_report_layout(output: str, width: int, headers: set[str]) -> int:
    """No line of a report wider than ``width``; in every table (a header line
    of known column labels, up to a blank line), the columns apart: between
    each two headers, a cell that is blank in every line of the table (tables
    close up to one space on a narrow terminal). Returns the number of tables
    checked."""
    from rich.cells import cell_len

    lines = output.rstrip("\n").splitlines()
    assert all(cell_len(line) <= width for line in lines), [line for line in lines if cell_len(line) > width][:3]
    tables = 0
    for n, line in enumerate(lines):
        names = _header_names(line, headers)
        if len(names) < 2:
            continue
        block = [line]
        for following in lines[n + 1:]:
            if not following.strip() or following.lstrip().startswith(("…", "...")):
                break
            block.append(following)
        assert len(block) > 1, f"a header without rows: {line!r}"
        if block[1].startswith(" ") and len(_header_names(block[1], headers)) == 1:
            # a narrow terminal puts the measure under its row, at its header's indent: not a column
            indent = len(block[1]) - len(block[1].lstrip())
            block = [block[0]] + [x for x in block[2:] if len(x) - len(x.lstrip()) != indent]
        marks = [_cell_marks(x) for x in block]
        span = max(len(m) for m in marks)
        blank = [not any(m[x] for m in marks if x < len(m)) for x in range(span)]
        # where each header starts and ends, in cells
        spans, pos = [], 0
        for name in names:
            at = line.index(name, pos)
            spans.append((cell_len(line[:at]), cell_len(line[:at + len(name)])))
            pos = at + len(name)
        for (_a, end), (start, _b) in zip(spans, spans[1:]):
            between = "".join("x" if not b else " " for b in blank[end:start])
            assert " " in between, f"columns run together between {end} and {start}:\n" + "\n".join(block[:6])
        tables += 1
    return tables


def test_reports_line_up_at_80_and_200_columns(runs):
    checked = []
    for lang in ("en", "zh"):
        headers = _column_labels(lang)
        for result in runs[lang]:
            if result["report_layout"]:
                tables = check_report_layout(result["stdout"], result["report_layout"], headers)
                assert tables, f"no table found in rectify {' '.join(result['argv'])}:\n{result['stdout'][:800]}"
                checked.append((lang, result["report_layout"], result["argv"][-1], tables))
    assert {(lang, w) for lang, w, _c, _t in checked} == {(lang, w) for lang in ("en", "zh") for w in (80, 200)}
    assert sum(t for *_x, t in checked) >= 60


def test_the_chinese_reports_read_as_a_ledger(runs):
    by_argv = {tuple(r["argv"][2:]): r for r in runs["zh"] if r["argv"][:2] == ["--db", runs["dbs"][1]]}
    summary = by_argv[("summary",)]["stdout"]
    assert "完成率" in summary and "立行立改" in summary and "长期坚持" in summary
    assert all(state in summary for state in ("未启动", "整改中", "待验收", "已销号", "已撤销"))
    assert re.search(r"截至\d{4}年\d{1,2}月\d{1,2}日", summary)
    weekly = by_argv[("weekly", "--week", "2026-W46", "--format", "文本", "--limit", "1")]["stdout"]
    assert "2026年第46周" in weekly and "11月9日" in weekly and "2026-11" not in weekly
    sheets = by_argv[("sheets",)]["stdout"]
    assert re.search(r"逾期\d+天", sheets) and "督办单" in sheets and "红色" in sheets
    html = by_argv[("weekly", "--format", "html")]["stdout"]
    assert '<html lang="zh-CN">' in html
    fonts = re.search(r"font-family: ([^;]+);", html).group(1)
    assert fonts.startswith('"Noto Sans CJK SC"') and "Microsoft YaHei" in fonts and "SimSun" in fonts
    english = next(r["stdout"] for r in runs["en"] if r["argv"][2:] == ["weekly", "--format", "html"])
    assert '<html lang="en">' in english and "Noto Sans CJK SC" in english  # Chinese names in the data still print
    paths = next(r["stdout"] for r in runs["zh"] if r["argv"][2:4] == ["sheets", "--format"] and "--output" in r["argv"])
    assert "督办单-财务处.html" in paths


def test_report_json_is_the_same_in_both_languages(runs):
    en = {tuple(r["argv"]): r["stdout"] for r in runs["en"] if r["parity"] and r["argv"][2:3] in (["summary"], ["weekly"])}
    zh = {tuple(r["argv"]): r["stdout"] for r in runs["zh"] if r["parity"] and r["argv"][2:3] in (["summary"], ["weekly"])}
    assert en == zh and len(en) == 5
    assert json.loads(en[next(k for k in en if k[2:] == ("summary", "--json"))])["by_kind"].keys() == {
        "immediate", "long_term"}
