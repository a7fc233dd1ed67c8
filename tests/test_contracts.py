"""The JSON contracts of rectify/contracts.py hold the real output: every
``--json`` object the commands print has exactly the keys its TypedDict
declares (its optional keys aside), each nested object and list item too.
A key added to the output without its type, or a type that promises a key
the output lacks, fails here."""

from __future__ import annotations

import json
import types
import typing
from pathlib import Path
from typing import Any, Union

import pytest

from conftest import Cli
from rectify import contracts
from test_bad_inputs import NAME, build_every_state


def _is_typeddict(tp: object) -> bool:
    return isinstance(tp, type) and issubclass(tp, dict) and hasattr(tp, "__required_keys__")


def mismatches(value: object, tp: object, where: str = "$") -> list[str]:
    """Where ``value`` (parsed JSON) does not have the keys ``tp`` declares."""
    origin = typing.get_origin(tp)
    if origin in (Union, types.UnionType):
        options = [a for a in typing.get_args(tp) if a is not type(None)]
        if value is None:
            return []
        found = [mismatches(value, a, where) for a in options]
        return [] if any(not f for f in found) else found[0]
    if origin is list:
        (item,) = typing.get_args(tp)
        if not isinstance(value, list):
            return [f"{where}: a list expected, found {type(value).__name__}"]
        return [m for i, v in enumerate(value) for m in mismatches(v, item, f"{where}[{i}]")]
    if origin is dict:
        _key, item = typing.get_args(tp)
        if not isinstance(value, dict):
            return [f"{where}: an object expected, found {type(value).__name__}"]
        return [m for k, v in value.items() for m in mismatches(v, item, f"{where}.{k}")]
    if _is_typeddict(tp):
        if not isinstance(value, dict):
            return [f"{where}: an object expected, found {type(value).__name__}"]
        hints = typing.get_type_hints(tp)
        required, optional = set(tp.__required_keys__), set(tp.__optional_keys__)  # type: ignore[attr-defined]
        out = [f"{where}: no key {k!r}" for k in sorted(required - set(value))]
        out += [f"{where}: key {k!r} not in {tp.__name__}" for k in sorted(set(value) - required - optional)]
        for k in sorted(set(value) & set(hints)):
            out += mismatches(value[k], hints[k], f"{where}.{k}")
        return out
    if tp is Any or tp is object:
        return []
    if tp is float:
        return [] if isinstance(value, (int, float)) and not isinstance(value, bool) else [f"{where}: {value!r} is not a number"]
    if isinstance(tp, type) and not isinstance(value, tp):
        return [f"{where}: {value!r} is not {tp.__name__}"]
    return []


@pytest.fixture
def full(tmp_path: Path) -> Cli:
    """A ledger with a task in every state, a problem, evidence and a progress
    note (the bad-input battery's), and one more task long overdue."""
    build_every_state(tmp_path)
    cli = Cli(tmp_path / NAME)
    cli.ok("add", "Unclassified and late", "--due", "2025-06-01", "--owner", "Qian")
    return cli


def _check(data: object, tp: object) -> None:
    found = mismatches(data, tp)
    assert not found, "\n".join(found[:20])


def test_task_objects(full) -> None:
    _check(full.json("list", "--all"), list[contracts.Task])
    _check(full.json("add", "One more", "--due", "2026-12-01"), contracts.Task)


def test_show_and_history(full) -> None:
    detail = full.json("show", "4")
    assert detail["evidence"] and detail["history"]  # the nested lists are checked, not only empty
    _check(detail, contracts.TaskDetail)
    _check(full.json("history", "4"), list[contracts.Event])
    _check(full.json("problems"), list[contracts.ProblemRow])


@pytest.mark.parametrize("by", ["unit", "kind", "category", "leader", "owner"])
def test_summary(full, by: str) -> None:
    data = full.json("summary", "--by", by)
    assert data["by_kind"] and data["by_unit"]
    _check(data, contracts.Summary)


def test_weekly(full) -> None:
    data = full.json("weekly")
    assert data["overdue"] and data["trend"]
    _check(data, contracts.Weekly)


def test_check_and_backup(full, tmp_path: Path) -> None:
    result = full.json("check")
    assert result["evidence_files"] == 2
    _check(result, contracts.CheckResult)
    _check(full.json("backup", str(tmp_path / "copy.db")), contracts.BackupResult)


def test_json_export(full) -> None:
    res = full.ok("export", "--format", "json")
    items = json.loads(res.stdout)
    assert any(item["evidence"] for item in items)
    _check(items, list[contracts.ExportedTask])


def test_the_check_is_able_to_fail() -> None:
    """A missing key, a key the type lacks, and a nested object wrong are each found."""
    fault = {"kind": "text", "message": "m", "task": None, "table": None, "row": None, "file": None}
    result = {"ledger": "x", "ok": False, "tasks": 1, "problems": 0, "events": 2, "evidence_files": 0,
              "evidence_bytes": 0, "faults": [fault]}
    assert mismatches(result, contracts.CheckResult) == []
    assert mismatches({**result, "new_key": 1}, contracts.CheckResult) == ["$: key 'new_key' not in CheckResult"]
    assert mismatches({k: v for k, v in result.items() if k != "ok"}, contracts.CheckResult) == ["$: no key 'ok'"]
    bad = {**result, "faults": [{k: v for k, v in fault.items() if k != "file"}]}
    assert mismatches(bad, contracts.CheckResult) == ["$.faults[0]: no key 'file'"]
