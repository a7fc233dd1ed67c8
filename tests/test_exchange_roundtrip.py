"""hypothesis: export then import into a new ledger is the identity, through
JSON, xlsx and CSV, in both header languages, for any text a ledger holds."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Cli, dump
from rectify.ledger import visible
from test_exchange import comparable

# Any text a field takes: no control characters but tab and newline, no
# surrogates or unassigned code points (not representable in XML), something
# visible, starting often with what a spreadsheet would evaluate.
_chars = st.characters(blacklist_categories=("Cs", "Cc", "Cn")) | st.sampled_from(list("=+-@'\t\n 长期坚持"))
_text = st.builds(lambda head, body: (head + body).strip(), st.sampled_from(["", "=", "+", "-", "@", "'", "''", "长期"]),
                  st.text(_chars, min_size=1, max_size=12)).filter(visible)
_maybe = st.none() | _text

task_strategy = st.fixed_dictionaries({
    "title": _text,
    "kind": st.sampled_from([None, "immediate", "long_term"]),
    "due": st.none() | st.dates(date(2020, 1, 1), date(2030, 12, 31)),
    "unit": _maybe, "owner": _maybe, "leader": _maybe, "target": _maybe, "note": _maybe, "category": _maybe,
    "problem": st.none() | st.sampled_from(["问题甲", "=问题乙", "Problem C"]) | _text,
    "progress": st.none() | st.tuples(_text, st.integers(0, 100)),
    "cancel": st.booleans(),
})


def build(cli: Cli, tasks: list[dict]) -> None:
    for t in tasks:
        args = ["add"]
        for key in ("kind", "unit", "owner", "leader", "target", "note", "category"):
            if t[key] is not None:
                args.append(f"--{key}={t[key]}")
        if t["due"]:
            args.append(f"--due={t['due'].isoformat()}")
        if t["problem"]:
            args.append(f"--new-problem={t['problem']}")
        task_id = cli.ok(*args, "--json", "--", t["title"]).json()["id"]
        if t["progress"]:
            note, percent = t["progress"]
            cli.ok("progress", str(task_id), f"--percent={percent}", "--", note)
        if t["cancel"]:
            cli.ok("cancel", str(task_id), "--reason=duplicate")


@pytest.mark.parametrize("fmt,lang", [("json", "en"), ("xlsx", "zh"), ("xlsx", "en"), ("csv", "zh"), ("csv", "en")])
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tasks=st.lists(task_strategy, min_size=1, max_size=5))
def test_export_then_import_is_the_identity(fmt, lang, tasks):
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        source = Cli(tmp / "source.db")
        build(source, tasks)
        out = tmp / f"ledger.{fmt}"
        source.ok("export", "--output", out, "--lang", lang)
        target = Cli(tmp / "target.db")
        target.ok("import", out)
        assert comparable(target.json("list", "--all")) == comparable(source.json("list", "--all"))
        # and importing the same file again changes nothing at all
        before = dump(tmp / "target.db")
        target.ok("import", out)
        assert dump(tmp / "target.db") == before
