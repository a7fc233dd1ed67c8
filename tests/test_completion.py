"""Shell completion, through the real program: ``python -m rectify`` asked as a
shell asks it (click's protocol: ``_RECTIFY_COMPLETE=bash_complete
COMP_WORDS=... COMP_CWORD=...``, typer's ``_TYPER_COMPLETE_ARGS`` for zsh
and fish) against a real ledger; the scripts ``rectify completion SHELL``
prints, and bash itself running the bash one."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import dump, run_process
from rectify.vocabulary import KINDS, NO_KIND, STATES

LONG = "Revise the procurement rules [draft] so that every purchase above the threshold is tendered"


def bash_complete(words: str, *, db: Path | None = None, env: dict | None = None):
    """What rectify answers bash for the command line ``words`` (the cursor at its end)."""
    cwords = words.split(" ")
    if db is not None:
        cwords[1:1] = ["--db", str(db)]
    result = run_process(env={"_RECTIFY_COMPLETE": "bash_complete", "COMP_WORDS": " ".join(cwords),
                              "COMP_CWORD": str(len(cwords) - 1), **(env or {})})
    assert result.returncode == 0, result
    assert result.stderr == "", result
    return result.stdout.splitlines()


def menu(shell: str, words: str, db: Path, lang: str = "en") -> list[str]:
    """What rectify answers zsh or fish (candidates with their help)."""
    env = {"_RECTIFY_COMPLETE": f"{shell}_complete", "_TYPER_COMPLETE_ARGS": words,
           "_TYPER_COMPLETE_FISH_ACTION": "get-args", "RECTIFY_DB": str(db), "RECTIFY_LANG": lang}
    result = run_process(env=env)
    assert result.returncode == 0 and result.stderr == "", result
    return result.stdout.splitlines()


@pytest.fixture
def ledger(cli, db) -> Path:
    """Four tasks in four states, with units, owners and categories, one unit's name with a space."""
    cli.add(LONG, "--unit", "IT Center", "--owner", "Li Hua", "--category", "Procurement", "--kind", "long_term")
    cli.add("整改采购内控手册", "--unit", "采购中心", "--owner", "王芳", "--category", "内控")
    cli.ok("start", "2")
    cli.add("File the receipts", "--unit", "Finance", "--owner", "Li Hua")
    cli.ok("evidence", "3", "--note", "Receipts filed")
    cli.ok("submit", "3")
    cli.add("A duplicate", "--unit", "Finance")
    cli.ok("cancel", "4", "--reason", "Duplicate of 3")
    return db


def test_commands_and_options_complete(ledger):
    assert {"show", "sheets"} <= set(bash_complete("rectify sh"))
    assert "completion" in bash_complete("rectify ")
    assert "--overdue" in bash_complete("rectify list --ov", db=ledger)
    assert {"--unit", "--owner", "--category"} <= set(bash_complete("rectify list --", db=ledger))
    assert "add" in bash_complete("rectify round ")  # a command's own words (its add|list|edit)


def test_task_ids_complete_and_a_state_change_offers_only_the_tasks_it_applies_to(ledger):
    assert bash_complete("rectify show ", db=ledger) == ["1", "2", "3", "4"]
    assert bash_complete("rectify history ", db=ledger) == ["1", "2", "3", "4"]
    assert bash_complete("rectify start ", db=ledger) == ["1"]  # only the open task
    assert bash_complete("rectify close ", db=ledger) == ["3"]  # only the submitted one
    assert bash_complete("rectify cancel ", db=ledger) == ["1", "2", "3"]  # not the one already cancelled
    assert bash_complete("rectify reopen ", db=ledger) == []
    extend = bash_complete("rectify extend ", db=ledger)
    assert {"1", "2", "3", "approve", "refuse", "requests"} <= set(extend) and "4" not in extend
    assert bash_complete("rectify show x", db=ledger) == []


def test_extend_approve_offers_the_pending_requests(cli, db):
    cli.add("Revise the rules", "--due", "2026-12-31")
    cli.add("File the receipts", "--due", "2026-12-31")
    cli.ok("extend", "1", "--to", "2027-03-31", "--reason", "Awaiting the provincial rules", "--request")
    cli.ok("extend", "2", "--to", "2027-01-31", "--reason", "Auditor away", "--request")
    cli.ok("extend", "approve", "2", "--by", "Chen Jing")
    assert bash_complete("rectify extend approve ", db=db) == ["1"]
    assert bash_complete("rectify extend refuse ", db=db) == ["1"]
    assert bash_complete("rectify extend 1 ", db=db) == []  # a new deadline is typed, not offered
    assert menu("fish", "rectify extend approve ", db) == ["1\t#1 → 2027-03-31 · Revise the rules"]
    assert menu("fish", "rectify extend approve ", db, lang="zh") == ["1\t#1 → 2027年3月31日 · Revise the rules"]


def test_units_owners_categories_kinds_and_states_complete(ledger):
    assert bash_complete("rectify list --unit ", db=ledger) == ["Finance", "IT\\ Center", "采购中心"]
    assert bash_complete("rectify list --unit I", db=ledger) == ["IT\\ Center"]
    assert bash_complete("rectify list --owner ", db=ledger) == ["Li\\ Hua", "王芳"]
    assert bash_complete("rectify export --category ", db=ledger) == ["Procurement", "内控"]
    assert bash_complete("rectify edit 1 --unit ", db=ledger) == ["Finance", "IT\\ Center", "采购中心"]
    assert bash_complete("rectify list --status ", db=ledger) == list(STATES)
    assert bash_complete("rectify list --kind ", db=ledger) == [*KINDS, NO_KIND]
    assert bash_complete("rectify add X --kind ", db=ledger) == list(KINDS)


def test_the_ledger_is_the_one_the_run_would_use(ledger):
    assert bash_complete("rectify show ", env={"RECTIFY_DB": str(ledger)}) == ["1", "2", "3", "4"]
    # --db on the command line wins over RECTIFY_DB, as when the command runs
    assert bash_complete("rectify show ", db=ledger, env={"RECTIFY_DB": str(ledger.parent / "other.db")}) == [
        "1", "2", "3", "4"]


def test_zsh_and_fish_show_each_id_with_its_measure_cut_for_the_menu(ledger):
    fish = menu("fish", "rectify show ", ledger)
    first = fish[0].split("\t")
    assert first[0] == "1"
    assert first[1].startswith("Revise the procurement rules [draft]") and "…" in first[1]
    assert len(first[1]) < len(LONG)
    assert first[1].endswith("open")
    zsh = "\n".join(menu("zsh", "rectify show ", ledger))
    assert zsh.startswith("_arguments") and '"1":"Revise the procurement rules [draft]' in zsh
    zh = menu("fish", "rectify show ", ledger, lang="zh")
    assert zh[1].split("\t") == ["2", "整改采购内控手册 · 整改中"]
    assert menu("fish", "rectify list --unit ", ledger, lang="zh")[0] == "Finance\t2 项任务"


def test_commands_in_a_chinese_menu_show_their_help_cut_to_the_width(ledger):
    from rectify.render.layout import cells

    commands = [line.split("\t") for line in menu("fish", "rectify ", ledger, lang="zh")]
    assert {"show", "close", "completion"} <= {name for name, _help in commands}
    for name, help_ in commands:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in help_), (name, help_)  # not click's bare "..."
        assert cells(help_) <= 48, (name, help_)


def test_a_missing_or_foreign_ledger_completes_nothing_and_says_nothing(tmp_path):
    missing = tmp_path / "none" / "ledger.db"
    assert bash_complete("rectify show ", db=missing) == []
    assert bash_complete("rectify list --unit ", db=missing) == []
    assert not missing.parent.exists()  # nothing created for a completion
    foreign = tmp_path / "notes.db"
    foreign.write_text("not a ledger at all\n" * 10)
    assert bash_complete("rectify show ", db=foreign) == []
    assert foreign.read_text() == "not a ledger at all\n" * 10
    # commands still complete without a ledger
    assert "show" in bash_complete("rectify sh", db=missing)


def test_completing_changes_nothing_in_the_ledger(ledger):
    before = dump(ledger)
    for words in ("rectify show ", "rectify list --unit ", "rectify close "):
        assert bash_complete(words, db=ledger)
    assert dump(ledger) == before
    assert sorted(p.name for p in ledger.parent.iterdir() if p.name.startswith(ledger.name)) == [ledger.name]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_prints_the_script_to_source(shell):
    result = run_process("completion", shell)
    assert result.returncode == 0 and result.stderr == "", result
    assert "rectify" in result.stdout and "_RECTIFY_COMPLETE" in result.stdout
    # the same script through the environment, in click's order
    same = run_process(env={"_RECTIFY_COMPLETE": f"{shell}_source"})
    assert same.returncode == 0 and same.stdout == result.stdout, same


def test_an_unknown_shell_is_one_line_and_exit_2():
    result = run_process("completion", "tcsh")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("rectify: error:") and "tcsh" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    env = run_process(env={"_RECTIFY_COMPLETE": "tcsh_source"})
    assert env.returncode == 2 and env.stdout == ""
    assert env.stderr.startswith("rectify: error:") and len(env.stderr.strip().splitlines()) == 1


def test_completion_help_says_how_to_install_it_in_both_languages():
    en = run_process("completion", "--help", env={"COLUMNS": "200"})
    assert "~/.bashrc" in en.stdout and "~/.config/fish/completions/rectify.fish" in en.stdout
    zh = run_process("--lang", "zh", "completion", "--help", env={"COLUMNS": "200"})
    assert "只需安装一次" in zh.stdout and "~/.bashrc" in zh.stdout


@pytest.mark.skipif(shutil.which("bash") is None, reason="no bash here")
def test_bash_sources_the_script_and_completes_through_it(ledger, tmp_path):
    """bash itself: the script registers `rectify`, and its function, called as
    bash calls it on Tab, fills COMPREPLY from the ledger."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    program = bin_dir / "rectify"
    program.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m rectify "$@"\n')
    program.chmod(0o755)
    script = run_process("completion", "bash").stdout
    driver = (script + "\ncomplete -p rectify\n"
              'COMP_WORDS=(rectify list --unit ""); COMP_CWORD=3\n'
              "_rectify_completion rectify\n"
              'printf "<%s>\\n" "${COMPREPLY[@]}"\n')
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "RECTIFY_DB": str(ledger)}
    result = subprocess.run(["bash", "--norc", "--noprofile", "-c", driver], capture_output=True, text=True,
                            env=env, timeout=60)
    assert result.returncode == 0, result
    lines = result.stdout.splitlines()
    assert lines[0] == "complete -o default -F _rectify_completion rectify"
    assert lines[1:] == ["<Finance>", "<IT\\ Center>", "<采购中心>"]


@pytest.mark.parametrize("option", ["--install-completion", "--show-completion"])
def test_typers_own_completion_options_point_to_the_completion_command(option):
    result = run_process(option)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("rectify: error:") and "rectify completion bash" in result.stderr
    zh = run_process(option, env={"RECTIFY_LANG": "zh"})
    assert zh.returncode == 2 and "命令补全" in zh.stderr and "does not" not in zh.stderr
