"""The command-line app itself: the language chosen in one place, the app
built per language in one process, export's sheet language, and the shape of
the cli package (no cycle, no private imports, no module-level state)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from conftest import run_process

CJK = re.compile(r"[\u4e00-\u9fff]")
CLI = Path(__file__).resolve().parent.parent / "src" / "rectify" / "cli"


# -- one interface language, chosen once --------------------------------------------


def test_export_sheet_lang_does_not_switch_the_interface():
    # The reported defect: `export --lang en` (the sheet's headers) turned the
    # whole interface English. The old name still names the sheet language.
    for option in ("--lang", "--sheet-lang"):
        res = run_process("export", "--format", "bogus", option, "en", env={"RECTIFY_LANG": "zh"})
        assert res.returncode == 2, res
        assert res.stderr.startswith("rectify：错误：") and "bogus" in res.stderr, res.stderr


def test_sheet_lang_sets_the_headers_and_only_them(cli):
    cli.add("清理超期报销单据", "--unit", "财务处")
    en_sheet = cli.zh("export", "-f", "csv", "--sheet-lang", "en")
    assert en_sheet.exit_code == 0, en_sheet
    header = en_sheet.stdout.lstrip("\ufeff").splitlines()[0]
    assert not CJK.search(header), header
    assert "清理超期报销单据" in en_sheet.stdout
    zh_sheet = cli.zh("export", "-f", "csv")
    assert zh_sheet.stdout.startswith("\ufeff序号")
    assert cli.zh("export", "-f", "csv", "--lang", "en").stdout == en_sheet.stdout  # the old name, hidden
    bad = cli.zh("export", "-f", "csv", "--sheet-lang", "fr")
    assert bad.exit_code == 2 and "rectify：错误：" in bad.stderr and "fr" in bad.stderr
    help_text = cli("export", "--help", db=False).stdout
    assert "--sheet-lang" in help_text and "--lang " not in help_text


@pytest.mark.parametrize("argv, expected", [
    (["export", "--lang", "en"], "zh"),  # a command's own option is not the interface language
    (["--lang", "en", "export"], "en"),
    (["--db", "x.db", "--lang=en", "list"], "en"),
    (["--db", "x.db", "list"], "zh"),
    (["--lang", "fr", "list"], "zh"),  # refused later, by the root option
])
def test_the_interface_language_is_chosen_before_the_command(argv, expected):
    from rectify.cli.app import choose_language

    assert choose_language(argv, {"RECTIFY_LANG": "zh"}) == expected


# -- the app is built per language, in one process ------------------------------


def test_one_process_builds_the_app_in_either_language(cli):
    first = cli("add", "--help", db=False).stdout
    zh = cli.zh("add", "--help", db=False).stdout
    again = cli("add", "--help", db=False).stdout
    assert "Usage:" in first and "Options" in first and not CJK.search(first)
    assert "用法：" in zh and "选项" in zh and "显示本帮助并退出" in zh
    assert not re.search(r"\b(Usage|Options|Arguments|Show this message)\b", zh), zh
    assert again == first


def test_chinese_usage_errors_in_process(cli):
    res = cli.zh("list", "--bogus")
    assert res.exit_code == 2 and res.stderr == "rectify：错误：没有这个选项：--bogus（参见 `rectify list -h`）\n"
    res = cli.zh("close", "1")
    assert res.exit_code == 2 and "缺少选项 '--by'" in res.stderr
    res = cli.zh("show", "abc")
    assert res.exit_code == 2 and "不是有效的整数" in res.stderr, res.stderr


def test_chinese_messages_in_process(cli):
    task = cli.add("A task")
    res = cli.zh("start", task)
    assert res.exit_code == 0 and "整改中" in res.stderr and not re.search(r"[A-Za-z]{3}", res.stderr), res


# -- the shape of the package ----------------------------------------------------------


def _modules() -> dict[str, ast.Module]:
    return {p.stem: ast.parse(p.read_text(encoding="utf-8")) for p in CLI.glob("*.py")}


def _imports(tree: ast.Module) -> list[tuple[str, list[str]]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.module, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            found += [(a.name, []) for a in node.names]
    return found


def test_the_cli_modules_import_one_way():
    graph = {name: set() for name in _modules()}
    for name, tree in _modules().items():
        for module, names in _imports(tree):
            if module.startswith("rectify.cli."):
                graph[name].add(module.split(".")[2])
            elif module == "rectify.cli":
                graph[name].update(n for n in names if n in graph)
    seen: dict[str, int] = {}

    def visit(node: str, path: tuple[str, ...]) -> None:
        assert node not in path, f"import cycle: {' -> '.join(path + (node,))}"
        if seen.get(node):
            return
        for child in graph[node]:
            visit(child, path + (node,))
        seen[node] = 1

    for node in graph:
        visit(node, ())


def test_the_cli_imports_no_private_name():
    for name, tree in _modules().items():
        for module, names in _imports(tree):
            parts = module.split(".") + names
            # `_` is gettext's translation function, by convention, not a private name.
            private = [p for p in parts if p.startswith("_") and p != "_" and not (p.startswith("__") and p.endswith("__"))]
            assert not private, (name, module, names)


def test_the_cli_keeps_no_module_level_state():
    mutable = (ast.Dict, ast.List, ast.Set, ast.DictComp, ast.ListComp, ast.SetComp)
    for name, tree in _modules().items():
        assert not any(isinstance(n, ast.Global) for n in ast.walk(tree)), f"cli/{name}.py uses global"
        for node in tree.body:
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and isinstance(node.value, mutable):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    # A constant (UPPER_CASE) table is read, never written.
                    assert isinstance(target, ast.Name) and target.id.isupper(), f"cli/{name}.py: {ast.unparse(target)}"


# -- option sets declared once; the clock given, not set ---------------------------


def _options(name: str) -> dict[str, str]:
    import typer.main

    from rectify.cli.app import build_app

    command = typer.main.get_command(build_app()).commands[name]
    return {opt: param.help for param in command.params for opt in param.opts if opt.startswith("--")}


def test_export_takes_the_filters_of_list_and_edit_the_fields_of_add():
    listed, exported = _options("list"), _options("export")
    filters = {"--overdue", "--due-within", "--kind", "--status", "--unit", "--owner", "--leader", "--problem",
               "--category", "--search", "--round"}
    assert {o: listed[o] for o in filters} == {o: exported[o] for o in filters}
    added, edited = _options("add"), _options("edit")
    fields = {"--kind", "--unit", "--owner", "--leader", "--helper", "--target", "--note", "--category", "--problem"}
    assert {o: added[o] for o in fields} == {o: edited[o] for o in fields}


def test_export_filters_as_list_does(cli):
    cli.add("Finance one", "--unit", "Finance", "--kind", "immediate")
    cli.add("Audit one", "--unit", "Audit")
    listed = cli.json("list", "--unit", "Finance", "--kind", "immediate")
    exported = cli.ok("export", "-f", "json", "--unit", "Finance", "--kind", "immediate").json()
    assert [t["title"] for t in listed] == [t["title"] for t in exported] == ["Finance one"]


def test_the_demo_plays_its_story_on_the_clock_it_is_given(cli, tmp_path):
    import os
    import sqlite3

    from conftest import NOW

    path = tmp_path / "demo" / "ledger.db"
    res = cli("demo", path)
    assert res.exit_code == 0, res
    assert os.environ["RECTIFY_NOW"] == NOW  # the demo moved its own clock, not the environment
    conn = sqlite3.connect(path)
    first, last = conn.execute("SELECT min(at), max(at) FROM event").fetchone()
    conn.close()
    # The story spans the 70 days up to the clock, each step at its own moment.
    assert first.startswith("2026-09-16T") and "2026-11-01" < last <= NOW, (first, last)
