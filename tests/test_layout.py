"""The terminal layout (issue 18): the measure gets the width, the user's
text is never cut, the Late column stays in ``list --overdue``, the pager
pages only long output on a terminal, and the small wording fixes."""

from __future__ import annotations

import os
import pty
import subprocess
import sys

import pytest
from rich.cells import cell_len

# A measure, target and problem as an office writes them: long, Chinese, no spaces.
LONG_ZH = ("已对照上级文件逐条梳理采购内控手册，修订完善采购管理制度、合同管理办法和供应商评价细则，"
           "对近三年全部分散采购项目逐项复核并形成专项整改报告")
LONG_TARGET = "所有分散采购项目复核完毕，问题逐项销号，制度文件印发执行并组织全员培训学习"
LONG_EN = ("Review every hospitality voucher since 2025, complete the missing approvals and "
           "write a reimbursement guide that every department signs off")


def _squash(text: str) -> str:
    return "".join(text.split())


def _value(output: str, label: str) -> str:
    """The value of ``label`` in ``show``'s fields, its wrapped lines joined."""
    lines = output.splitlines()
    for n, line in enumerate(lines):
        if line.startswith(label + " "):
            start = len(line) - len(line[len(label):].lstrip())
            value = [line[start:]]
            for more in lines[n + 1:]:
                if not more.startswith(" " * start) or not more.strip():
                    break
                value.append(more.strip())
            return "".join(value)
    raise AssertionError(f"no {label} in {output}")


def _fits(output: str, width: int) -> None:
    for line in output.splitlines():
        assert cell_len(line) <= width, (cell_len(line), line)
        assert line == line.rstrip(), f"trailing spaces: {line!r}"


@pytest.mark.parametrize("width", [60, 80])
def test_english_mode_wraps_a_long_chinese_measure_in_show_and_history(cli, monkeypatch, width):
    task = cli.add(LONG_ZH, "--target", LONG_TARGET, "--unit", "采购与招标管理中心", "--new-problem", LONG_ZH + "问题")
    cli.ok("progress", task, LONG_TARGET, "--percent", "40")
    monkeypatch.setenv("COLUMNS", str(width))
    shown = cli.ok("--lang", "en", "show", task).stdout
    _fits(shown, width)
    assert "…" not in shown
    assert _value(shown, "Measure") == LONG_ZH
    assert _value(shown, "Target") == LONG_TARGET
    assert _squash(_value(shown, "Problem")).endswith(LONG_ZH + "问题")
    history = cli.ok("--lang", "en", "history", task).stdout
    _fits(history, width)
    lines = history.splitlines()
    start = lines[0].index("Change")  # the columns before it are ASCII here: one cell a character
    assert "…" not in history and LONG_TARGET in "".join(line[start:].strip() for line in lines[1:])


def test_english_words_are_never_broken_in_list(cli, monkeypatch):
    cli.add(LONG_EN, "--unit", "Procurement Center", "--owner", "Zhang Ming", "--due", "2026-11-20")
    cli.add("Shut down unmaintained department websites", "--unit", "IT Center", "--owner", "Yang Fan",
            "--due", "2026-11-17")
    words = set(LONG_EN.split()) | {"Shut", "down", "unmaintained", "department", "websites"}
    for width in (60, 80, 120):
        monkeypatch.setenv("COLUMNS", str(width))
        out = cli.ok("list", "--overdue").stdout
        _fits(out, width)
        seen = [w for line in out.splitlines() for w in line.split()]
        broken = [w for w in seen if w not in words and any(v != w and (v.startswith(w) or v.endswith(w))
                                                           for v in words if len(w) > 1)]
        assert not broken, (width, broken, out)
        assert out.splitlines()[0].split()[2] == "Late"


def test_a_unit_name_is_not_wrapped_when_there_is_room(cli, monkeypatch):
    cli.add("Check every split purchase of the last three years, one by one", "--unit", "IT Center 信息中心",
            "--owner", "Zhou Qiang", "--due", "2026-11-20")
    monkeypatch.setenv("COLUMNS", "160")
    out = cli.ok("list").stdout
    assert "IT Center 信息中心" in out and len(out.splitlines()) == 2


def test_the_late_column_stays_in_overdue_at_every_width(cli, monkeypatch):
    cli.add(LONG_ZH, "--unit", "采购与招标管理中心", "--owner", "欧阳明", "--due", "2026-11-20")
    for lang, late, days in (("zh", "逾期", "5天"), ("en", "Late", "5")):
        for width in (60, 80, 120, 200):
            monkeypatch.setenv("COLUMNS", str(width))
            out = cli.ok("--lang", lang, "list", "--overdue").stdout
            _fits(out, width)
            assert late in out.splitlines()[0].split(), out
            assert days in out.splitlines()[1 if width > 60 else 2], out


def test_kind_and_status_shorten_only_when_space_is_short(cli, monkeypatch):
    cli.add(LONG_EN, "--unit", "Finance Office", "--owner", "Zhang Ming", "--kind", "immediate", "--due", "2026-11-20")
    monkeypatch.setenv("COLUMNS", "200")
    wide = cli.ok("list").stdout
    assert "immediate" in wide and "open" in wide
    monkeypatch.setenv("COLUMNS", "80")
    narrow = cli.ok("list").stdout
    assert "imm." in narrow and "immediate" not in narrow
    assert "立改" in cli.ok("--lang", "zh", "list").stdout
    monkeypatch.setenv("COLUMNS", "200")
    assert "立行立改" in cli.ok("--lang", "zh", "list").stdout


def test_piped_output_has_no_trailing_spaces(cli, monkeypatch):
    task = cli.add("短", "--unit", "财务处", "--target", "x", "--new-problem", "问题")
    monkeypatch.setenv("COLUMNS", "120")
    for args in (("show", task), ("history", task), ("list",), ("problems",)):
        out = cli.ok(*args).stdout
        assert out.strip() and all(line == line.rstrip() for line in out.splitlines()), (args, out)


def test_progress_without_a_percent_says_the_note_was_recorded(cli):
    task = cli.add("Write the guide")
    res = cli.ok("progress", task, "Draft sent")
    assert res.stderr.strip() == f"Task {task}: progress note recorded."
    res = cli.ok("progress", task, "Draft agreed", "--percent", "60")
    assert res.stderr.strip() == f"Task {task}: progress note recorded; now 60%."
    res = cli.ok("progress", task, "Waiting for comments")
    assert res.stderr.strip() == f"Task {task}: progress note recorded; still 60%."
    assert "仍为 60%" in cli.ok("--lang", "zh", "progress", task, "继续").stderr


def test_weekly_as_of_last_friday_on_a_friday_reports_an_ended_week(cli, monkeypatch):
    cli.add("Write the guide", "--due", "2026-12-31")
    monkeypatch.setenv("RECTIFY_NOW", "2026-11-27T10:00:00")  # a Friday
    past = cli.ok("weekly", "--as-of", "last friday").stdout
    assert "2026-11-16 to 2026-11-22" in past
    assert "under way" not in past and "Figures as at the end of 2026-11-20" in past
    assert cli.ok("--lang", "zh", "weekly", "--as-of", "上周五").stdout.splitlines()[1] == "数据截至2026年11月20日24时"
    this = cli.ok("weekly", "--as-of", "2026-11-26").stdout
    assert "(the week is under way)" in this


# -- the pager ------------------------------------------------------------------


def _on_a_terminal(args: list[str], env: dict) -> str:
    """``python -m rectify ARGS`` with stdout on a pseudo-terminal: what reached it."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "rectify", *args], stdout=slave, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, env={**os.environ, **env})
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=60)
    os.close(master)
    assert proc.returncode == 0, proc.stderr.read() if proc.stderr else ""
    return b"".join(chunks).decode("utf-8", "replace")


PAGER = "sed s/^/PAGED:/"


@pytest.fixture
def tall(cli):
    for n in range(12):
        cli.add(f"Task number {n}", "--unit", "Finance")
    return {"RECTIFY_DB": str(cli.db), "LINES": "8", "COLUMNS": "100", "RECTIFY_PAGER": PAGER}


def test_long_output_on_a_terminal_goes_through_the_pager(tall):
    out = _on_a_terminal(["list"], tall)
    assert out.count("PAGED:") == 13, out


@pytest.mark.parametrize("case", ["no-pager", "json", "fits", "empty", "cat"])
def test_no_pager_for_short_output_json_or_when_turned_off(tall, case):
    env, args = dict(tall), ["list"]
    if case == "no-pager":
        args = ["--no-pager", "list"]
    elif case == "json":
        args = ["list", "--json"]
    elif case == "fits":
        env["LINES"] = "40"
    elif case == "empty":
        env["RECTIFY_PAGER"] = ""
    else:
        env.pop("RECTIFY_PAGER")
        env["PAGER"] = "cat"
    out = _on_a_terminal(args, env)
    assert "PAGED:" not in out and "Task number 11" in out


def test_no_pager_into_a_pipe(tall):
    from conftest import run_process

    res = run_process("list", env=tall)
    assert res.returncode == 0 and "PAGED:" not in res.stdout and "Task number 11" in res.stdout


def test_line_breaking_runs_match_the_unicode_classes_they_stand_for():
    """The runs a line breaks between (spaces, single wide characters, other
    runs) are found by code point, not by a regular expression (whose CJK
    ranges cost ~16 ms to compile on every start): the same runs as the
    expression over the same classes, on mixed Chinese, Korean, full-width,
    supplementary and Latin text with every kind of space."""
    import random
    import re

    from rectify.render.columns import _runs

    wide = r"\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003ffff"
    expression = re.compile(rf"\s+|[{wide}]|[^\s{wide}]+")
    alphabet = "ab 1,.;:，。、“”（）\t\u3000\u00a0\u200b中文字가ｆ\U00020001\u2e7f\u2e80\u9fff\ua000\n-%"
    rng = random.Random(7)
    for _ in range(5000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 24)))
        assert _runs(text) == expression.findall(text), repr(text)
