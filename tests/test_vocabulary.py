"""The vocabulary stays one: no list of states or kinds, no table of their
words and no SQL list of them is written outside rectify/vocabulary.py.

It reads the source as Python (ast), so a comment or a docstring naming the
states does not count; a list written again, an alias table mapping words to
states or kinds, or an SQL ``IN ('open', ...)`` does. Migrations keep the SQL
of the schema as it was made, and are exempt from the SQL rule.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from rectify import vocabulary as vocab

SRC = Path(__file__).resolve().parent.parent / "src" / "rectify"
HOME = SRC / "vocabulary.py"
SQL_HOMES = {HOME, SRC / "migrations.py"}  # the schema's CHECK constraints, frozen with each migration

WORDS = frozenset((*vocab.STATES, *vocab.KINDS))
# The lists of the vocabulary, in any order: writing one again is a second copy.
# (Two states a rule names, as a transition's "from", are the rule's own.)
LISTS = {frozenset(vocab.STATES): "STATES", frozenset(vocab.KINDS): "KINDS", frozenset(vocab.ACTIVE): "ACTIVE",
         frozenset(vocab.FINISHED): "FINISHED",
         frozenset(vocab.PROBLEM_STATES): "PROBLEM_STATES"}
CLAIM_GROUPS = frozenset((vocab.DONE, vocab.LIMITED))  # the other keys of the word tables
_QUOTED = "|".join(re.escape(w) for w in sorted(WORDS))
SQL_LIST = re.compile(rf"(?:\bIN\s*|^\s*)\(\s*'(?:{_QUOTED})'", re.IGNORECASE)
CJK = re.compile(r"[\u4e00-\u9fff]")


def _strings(node: ast.AST) -> list[str] | None:
    """The string elements of a tuple, list or set literal, or None when it is
    not one made only of strings."""
    if not isinstance(node, (ast.Tuple, ast.List, ast.Set)) or not node.elts:
        return None
    out = []
    for elt in node.elts:
        if not (isinstance(elt, ast.Constant) and isinstance(elt.value, str)):
            return None
        out.append(elt.value)
    return out


def _texts(node: ast.AST) -> list[str]:
    """A string constant, or the strings of a literal list of them."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    return _strings(node) or []


def _text_parts(node: ast.AST) -> list[str]:
    """The literal text of a string constant or of an f-string's fixed parts."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        return ["".join(v.value if isinstance(v, ast.Constant) and isinstance(v.value, str) else "{}"
                        for v in node.values)]
    return []


def copies(path: Path, root: Path = SRC) -> list[str]:
    """Where ``path`` (a module under ``root``) writes the vocabulary again, as ``file:line what``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    name = path.relative_to(root.parent).as_posix()
    found = []
    in_fstring: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            in_fstring.update(id(v) for v in node.values)
    for node in ast.walk(tree):
        where = f"{name}:{getattr(node, 'lineno', '?')}"
        if path != HOME:
            words = _strings(node)
            if words and len(words) >= 2 and frozenset(words) in LISTS:
                found.append(f"{where} the list {LISTS[frozenset(words)]} written again: {words}")
            if isinstance(node, ast.Dict):
                values = [v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)]
                keys = [k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)]
                if len(values) >= 3 and len(values) == len(node.values) and set(values) <= WORDS | {vocab.DONE} \
                        and not set(keys) <= WORDS:
                    found.append(f"{where} a table of words for states or kinds: {dict(zip(keys, values))}")
                elif len(keys) >= 2 and len(keys) == len(node.keys) and set(keys) <= WORDS | CLAIM_GROUPS \
                        and any(CJK.search(text) for v in node.values for text in _texts(v)):
                    found.append(f"{where} the words of states or kinds, by state or kind: {keys}")
        if path not in SQL_HOMES and id(node) not in in_fstring:
            for text in _text_parts(node):
                if SQL_LIST.search(text):
                    found.append(f"{where} an SQL list of states or kinds: {text.strip()[:80]!r}")
    return found


def test_the_vocabulary_is_written_once() -> None:
    found = [line for path in sorted(SRC.rglob("*.py")) for line in copies(path)]
    assert not found, "use rectify.vocabulary instead:\n" + "\n".join(found)


@pytest.mark.parametrize("source, what", [
    ('STATES = ("open", "in_progress", "submitted", "closed", "cancelled")\n', "the list STATES"),
    ('KINDS = frozenset(("long_term", "immediate"))\n', "the list KINDS"),
    ('for s in ["submitted", "in_progress", "open"]: pass\n', "the list ACTIVE"),
    ('ALIASES = {"已销号": "closed", "整改中": "in_progress", "已完成": "done"}\n', "a table of words"),
    ('WORDS = {"immediate": "立行立改", "long_term": "长期坚持"}\n', "the words of states or kinds"),
    ('CLAIMS = {"closed": ("已销号", "销号"), "done": ("已完成",)}\n', "the words of states or kinds"),
    ('ACTIVE_SQL = "(\'open\', \'in_progress\', \'submitted\')"\n', "an SQL list"),
    ('q = "SELECT id FROM task WHERE status IN (\'open\', \'in_progress\', \'submitted\')"\n', "an SQL list"),
    ('q = f"SELECT id FROM {t} WHERE status NOT IN (\'closed\', \'cancelled\')"\n', "an SQL list"),
])
def test_the_lint_finds_a_copy(tmp_path: Path, source: str, what: str) -> None:
    """The rule is able to fail: each way of writing the vocabulary again is caught."""
    copy = tmp_path / "rectify" / "copy.py"
    copy.parent.mkdir()
    copy.write_text(source, encoding="utf-8")
    found = copies(copy, tmp_path / "rectify")
    assert len(found) == 1 and what in found[0], found


def test_what_is_not_a_copy_passes(tmp_path: Path) -> None:
    """A state named alone, a per-state style table, or some states for one rule are not copies."""
    fine = tmp_path / "rectify" / "fine.py"
    fine.parent.mkdir()
    fine.write_text('STYLES = {"closed": "green", "cancelled": "dim", "submitted": "magenta"}\n'
                    'if status in ("submitted", "closed"): pass\n'
                    'q = "SELECT id FROM task WHERE status = \'closed\'"\n', encoding="utf-8")
    assert copies(fine, tmp_path / "rectify") == []


def test_sql_lists_are_the_vocabulary_quoted() -> None:
    assert vocab.ACTIVE_SQL == "('open', 'in_progress', 'submitted')"
    assert vocab.FINISHED_SQL == "('closed', 'cancelled')"
    with pytest.raises(ValueError):
        vocab.sql_list(["o'brien"])


def test_every_state_and_kind_has_its_words() -> None:
    """A state or kind added to the enums without its words fails here, not in a user's sheet."""
    for lang in ("zh", "en"):
        assert set(vocab.SHEET_STATUS_WORDS[lang]) == set(vocab.STATES)
        assert set(vocab.SHEET_KIND_WORDS[lang]) == set(vocab.KINDS)
    assert set(vocab.STATUS_LABELS) == set(vocab.STATES) and set(vocab.KIND_LABELS) == set(vocab.KINDS)
    assert set(vocab.STATUS_CLAIMS) == set(vocab.CLAIMS)
    assert set(vocab.KIND_WORDS.values()) == set(vocab.KINDS)
    # each word a sheet is written with reads back as its own state or kind
    for lang in ("zh", "en"):
        for state, word in vocab.SHEET_STATUS_WORDS[lang].items():
            assert vocab.STATUS_VARIANTS.get(word) == state
        for kind, word in vocab.SHEET_KIND_WORDS[lang].items():
            assert vocab.find_kind(word) == kind


@pytest.mark.parametrize("word, claim", [
    ("已完成", "done"), ("基本完成", "in_progress"), ("已销号", "closed"), ("正在整改", "in_progress"),
    ("正在推进", "in_progress"), ("持续推进", "in_progress"), ("阶段性完成", "in_progress"), ("未启动", "open"),
])
def test_what_a_units_word_claims(cli, tmp_path: Path, word: str, claim: str) -> None:
    """A unit's status word, imported from a sheet, is the claim the vocabulary
    says. Done without evidence is a claim: the task is under way and listed
    by ``list --claimed`` (issue 15); 已销号 with no checker arrives closed,
    carried over, for review; the others are states."""
    sheet = tmp_path / "back.csv"
    sheet.write_text(f"整改措施,完成情况\n清理台账,{word}\n", encoding="utf-8")
    cli.ok("import", str(sheet))
    tasks = cli.json("list", "--all")
    assert [t["status"] for t in tasks] == ["in_progress" if claim == "done" else claim]
    claimed = [t["status"] for t in cli.json("list", "--claimed")]
    assert claimed == (["in_progress"] if claim == "done" else [])
