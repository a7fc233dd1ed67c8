"""Golden screens: list, show, history, summary and weekly of a fixed
demo ledger at 60, 80, 120 and 200 columns in both languages, compared with
the files in tests/golden/. After a change to the layout, look at the new
screens and regenerate them with RECTIFY_UPDATE_GOLDEN=1; `git diff
tests/golden` then shows what changed on screen.

Each screen is also checked for properties, so that a regenerated file
cannot hide a fault: no line wider than the terminal or ending in spaces,
no English word broken inside, no user text cut with "…", the Late column
in ``list --overdue``, a unit name whole when there is room.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import NOW, Cli, run_process
from rich.cells import cell_len

GOLDEN = Path(__file__).parent / "golden"
WIDTHS = (60, 80, 120, 200)
LANGS = ("zh", "en")
UID = "00000000-0000-4000-8000-000000000000"

# A task an office writes at length: its measure, target and progress note
# are long, in Chinese with no spaces, or in English with long words.
LONG = {
    "zh": (("已对照上级文件逐条梳理采购内控手册，修订完善采购管理制度、合同管理办法和供应商评价细则，"
            "对近三年全部分散采购项目逐项复核并形成专项整改报告"),
           "所有分散采购项目复核完毕，问题逐项销号，制度文件印发执行", "采购与招标管理中心（招标办公室）", "欧阳明"),
    "en": (("Review every procurement procedure against the internal-control handbook, revise the purchasing "
            "regulations and supplier-evaluation guidelines, and re-examine all decentralised purchases"),
           "All decentralised purchases re-examined; regulations issued and applied",
           "Procurement and Tendering Management Center", "Christopher Wang"),
}

SCREENS = {
    "list": ("list",),
    "list-overdue": ("list", "--overdue"),
    "show": ("show", "1"),
    "show-long": ("show", "LONG"),
    "history": ("history", "1"),
    "summary": ("summary",),
    "weekly": ("weekly",),
}


@pytest.fixture(scope="module")
def ledgers(tmp_path_factory) -> dict[str, tuple[Path, int]]:
    """The demo ledger in each language, built at the tests' fixed moment,
    with one long task added."""
    made = {}
    for lang in LANGS:
        db = tmp_path_factory.mktemp(f"golden-{lang}") / "ledger.db"
        env = {"RECTIFY_NOW": NOW, "RECTIFY_LANG": lang, "RECTIFY_USER": "demo", "RECTIFY_HOME": str(db.parent / "home"),
               "NO_COLOR": "1"}
        assert run_process("demo", str(db), env=env).returncode == 0
        title, target, unit, owner = LONG[lang]
        added = run_process("--db", str(db), "add", title, "--target", target, "--unit", unit, "--owner", owner,
                            "--kind", "long_term", "--due", "2026-11-10", "--json", env=env)
        task = int(json.loads(added.stdout)["id"])
        assert run_process("--db", str(db), "progress", str(task), target, "--percent", "40", env=env).returncode == 0
        made[lang] = (db, task)
    return made


def screen(db: Path, lang: str, width: int, args: tuple[str, ...], monkeypatch) -> str:
    monkeypatch.setenv("COLUMNS", str(width))
    monkeypatch.setenv("RECTIFY_USER", "demo")
    out = Cli(db).ok("--lang", lang, *args).stdout
    for line in out.splitlines():  # the uid is new in every build of the demo
        if line.startswith("UID "):
            out = out.replace(line.split()[-1], UID)
    return out


def check_properties(out: str, width: int, lang: str, name: str, wide: str) -> None:
    lines = out.splitlines()
    assert lines, name
    for line in lines:
        assert cell_len(line) <= width, f"{name}: {cell_len(line)} cells: {line!r}"
        assert line == line.rstrip(), f"{name}: trailing spaces: {line!r}"
    assert "…" not in out, name
    if lang == "en":  # a word either stands whole or is a word of the wide screen
        from rectify.vocabulary import KIND_SHORT, STATUS_SHORT

        known = set(wide.split()) | {short for _context, short in [*KIND_SHORT.values(), *STATUS_SHORT.values()]}
        for word in out.split():
            if word not in known and len(word) > 1:
                pieces = [k for k in known if k != word and (k.startswith(word) or k.endswith(word))]
                assert not pieces, f"{name} at {width}: {word!r} is part of {pieces[:3]}"
    if name == "list-overdue":
        assert ("逾期" if lang == "zh" else "Late") in lines[0].split()


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("width", WIDTHS)
def test_golden_screens(ledgers, monkeypatch, lang, width):
    db, long_task = ledgers[lang]
    update = os.environ.get("RECTIFY_UPDATE_GOLDEN") == "1"
    for name, args in SCREENS.items():
        args = tuple(str(long_task) if a == "LONG" else a for a in args)
        out = screen(db, lang, width, args, monkeypatch)
        wide = screen(db, lang, 1000, args, monkeypatch)
        check_properties(out, width, lang, name, wide)
        path = GOLDEN / f"{name}-{width}-{lang}.txt"
        if update:
            GOLDEN.mkdir(exist_ok=True)
            path.write_text(out, encoding="utf-8")
        assert path.exists(), f"{path} is missing: run with RECTIFY_UPDATE_GOLDEN=1"
        assert out == path.read_text(encoding="utf-8"), f"{name} at {width} ({lang}) differs from {path.name}"


def test_a_unit_name_is_whole_on_a_wide_terminal(ledgers, monkeypatch):
    for lang in LANGS:
        db, _task = ledgers[lang]
        units = {t["unit"] for t in Cli(db).json("list", "--all")}
        for width in (160, 200):
            out = screen(db, lang, width, ("list", "--all"), monkeypatch)
            for unit in units:
                assert unit in out, f"{unit} wrapped at {width} ({lang})"
