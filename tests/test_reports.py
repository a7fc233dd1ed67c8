"""summary, weekly and sheets through the CLI: the JSON contracts, the figures
of a known ledger, past reports that stay the same, and every format."""

from __future__ import annotations

import sqlite3
from collections import Counter
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest

from conftest import NOW, dump

TODAY = date.fromisoformat(NOW[:10])  # Wednesday 2026-11-25, week 2026-W48
SUMMARY_KEYS = {"as_of", "total", "closed", "cancelled", "overdue", "due_soon", "completion_rate", "by_kind",
                "by_unit", "stale"}
GROUP_KEYS = {"total", "closed", "overdue"}
WEEKLY_LISTS = ("new", "closed", "overdue", "due_next_week", "extended", "stale")


def at(monkeypatch, moment: str) -> None:
    monkeypatch.setenv("RECTIFY_NOW", moment)


def close(cli, task: int, checker: str = "checker", note: str | None = None) -> None:
    cli.ok("evidence", task, "--note", "minutes")
    cli.ok("submit", task)
    cli.ok("close", task, "--by", checker, *(["--note", note] if note else []))


@pytest.fixture
def known(cli, monkeypatch):
    """A small ledger of known shape, built over four weeks before NOW."""
    at(monkeypatch, "2026-10-26T09:00:00")  # Monday of W44
    late = cli.add("late", "--kind", "immediate", "--unit", "财务处", "--owner", "张三", "--due", "2026-11-20")
    soon = cli.add("soon", "--kind", "long_term", "--unit", "财务处", "--owner", "李四", "--due", "2026-11-30")
    done = cli.add("done", "--kind", "immediate", "--unit", "采购中心", "--due", "2026-11-10")
    dropped = cli.add("dropped", "--kind", "immediate", "--unit", "采购中心")
    rule = cli.add("rule", "--kind", "long_term", "--unit", "采购中心", "--due", "2027-03-31",
                   "--target", "出台采购管理办法")
    loose = cli.add("loose")
    at(monkeypatch, "2026-11-02T10:00:00")
    cli.ok("progress", soon, "drafted", "--percent", "50")
    cli.ok("progress", rule, "surveyed")
    at(monkeypatch, "2026-11-05T10:00:00")
    close(cli, done)
    cli.ok("cancel", dropped, "--reason", "duplicate")
    at(monkeypatch, "2026-11-24T10:00:00")  # this week
    new = cli.add("new this week", "--kind", "immediate", "--unit", "财务处", "--due", "2026-12-01")
    cli.ok("extend", late, "2026-11-22", "--reason", "waiting")  # still overdue now
    close(cli, rule, note="办法已印发")
    at(monkeypatch, NOW)
    return {"late": late, "soon": soon, "done": done, "dropped": dropped, "rule": rule, "loose": loose, "new": new}


# -- summary --------------------------------------------------------------------


def test_summary_json_contract(cli, known):
    data = cli.json("summary")
    assert SUMMARY_KEYS <= set(data)
    assert set(data["by_kind"]) == {"immediate", "long_term"}
    for group in [*data["by_kind"].values(), *data["by_unit"].values()]:
        assert GROUP_KEYS <= set(group)
    assert isinstance(data["stale"], int) and 0 <= data["completion_rate"] <= 1
    assert data["as_of"] == TODAY.isoformat()


def test_summary_figures_of_a_known_ledger(cli, known):
    data = cli.json("summary")
    # 7 tasks: done and rule closed, dropped cancelled; late overdue; soon and new due within 7 days.
    assert (data["total"], data["closed"], data["cancelled"]) == (7, 2, 1)
    assert data["open"] == 4 and data["states"] == {"open": 3, "in_progress": 1, "submitted": 0, "closed": 2,
                                                    "cancelled": 1}
    assert (data["overdue"], data["due_soon"]) == (1, 2)
    assert data["completion_rate"] == pytest.approx(2 / 6)
    assert data["by_kind"]["immediate"] == {"total": 4, "open": 2, "closed": 1, "cancelled": 1, "overdue": 1,
                                            "completion_rate": pytest.approx(1 / 3)}
    assert data["by_kind"]["long_term"]["total"] == 2 and data["by_kind"]["long_term"]["completion_rate"] == 0.5
    assert data["unclassified"]["total"] == 1
    assert {u: g["total"] for u, g in data["by_unit"].items()} == {"财务处": 3, "采购中心": 3, "": 1}
    assert data["by_unit"]["财务处"]["overdue"] == 1
    assert data["bands"]["red"] == 1


def test_summary_agrees_with_list(cli, known):
    data = cli.json("summary")
    assert data["overdue"] == len(cli.json("list", "--overdue"))
    assert data["due_soon"] == len(cli.json("list", "--due-within", "7d"))
    bands = Counter(t["band"] for t in cli.json("list"))
    assert data["bands"] == {b: bands.get(b, 0) for b in ("red", "yellow", "blue")}


def test_stale_long_term_tasks(cli, known, monkeypatch):
    # "soon" and "rule" had their last notes on 2026-11-02; "rule" is closed since.
    assert cli.json("summary")["stale"] == 0
    at(monkeypatch, "2026-12-03T09:00:00")
    assert cli.json("summary")["stale"] == 1
    assert cli.json("summary", "--stale-days", "40")["stale"] == 0
    assert cli("summary", "--stale-days", "0").exit_code == 2


@pytest.mark.parametrize("by", ["unit", "category", "kind", "leader", "owner"])
def test_summary_breakdowns(cli, known, by):
    data = cli.json("summary", "--by", by)
    assert data["by"] == by
    if by not in ("unit", "kind"):
        groups = data[f"by_{by}"]
        assert sum(g["total"] for g in groups.values()) == data["total"]
        assert sum(g["overdue"] for g in groups.values()) == data["overdue"]
    out = cli.ok("summary", "--by", by).stdout
    assert "█" in out or "░" in out
    assert "Completion rate" in out


def test_summary_text_has_a_bar_per_row(cli, known):
    out = cli.ok("summary").stdout
    for unit in ("财务处", "采购中心"):
        line = next(line for line in out.splitlines() if line.startswith(unit))
        assert "█" in line or "░" in line
    assert "Overdue" in out and "Stale" in out


def test_summary_bad_options(cli, known, db):
    before = dump(db)
    assert cli("summary", "--by", "colour").exit_code == 2
    res = cli("summary", "--as-of", "someday")
    assert res.exit_code == 2 and "someday" in res.stderr and "Traceback" not in res.stderr
    res = cli("summary", "--as-of", "2026-12-01")
    assert res.exit_code == 2 and "future" in res.stderr
    assert dump(db) == before


@pytest.mark.parametrize("text", ["2026-11-20", "2026/11/20", "2026年11月20日", "11月20日", "20 Nov 2026",
                                  "last friday", "上周五", "-5d", "5 days ago"])
def test_as_of_takes_every_date_form(cli, known, text):
    from rectify import dates

    assert cli.json("summary", "--as-of", text)["as_of"] == dates.parse_date(text, TODAY).isoformat()


def test_summary_as_of_a_past_day(cli, known):
    data = cli.json("summary", "--as-of", "2026-11-03")
    # Then: six tasks, none closed; done was due on 11-10, late on 11-20.
    assert (data["total"], data["closed"], data["cancelled"], data["overdue"]) == (6, 0, 0, 0)
    assert cli.json("summary", "--as-of", "2026-11-12")["overdue"] == 0  # done was closed on 11-05
    assert cli.json("summary", "--as-of", "2026-11-21")["overdue"] == 1
    assert cli.json("summary", "--as-of", "2026-10-01")["total"] == 0


def test_past_summary_is_reproducible_after_changes(cli, known, monkeypatch):
    taken = {day: cli.json("summary", "--as-of", day, "--by", "owner") for day in ("2026-11-03", "2026-11-24")}
    now_then = cli.json("summary")
    # Change everything afterwards: close, extend, reopen, edit, add, cancel.
    at(monkeypatch, "2026-11-26T09:00:00")
    close(cli, known["late"])
    cli.ok("extend", known["soon"], "2027-01-31", "--reason", "scope grew")
    cli.ok("reopen", known["rule"], "--reason", "recurred")
    cli.ok("edit", known["new"], "--unit", "国资处", "--owner", "王五")
    cli.ok("classify", known["loose"], "long_term")
    cli.add("later", "--kind", "immediate", "--unit", "财务处", "--due", "2026-11-27")
    cli.ok("cancel", known["new"], "--reason", "merged")
    at(monkeypatch, "2026-12-20T09:00:00")
    assert cli.json("summary")["total"] == 8
    for day, data in taken.items():
        assert cli.json("summary", "--as-of", day, "--by", "owner") == data
    assert cli.json("summary", "--as-of", TODAY.isoformat()) == now_then


# -- weekly ------------------------------------------------------------------------


def test_weekly_json_contract(cli, known):
    data = cli.json("weekly")
    assert {"week", "from", "to", "trend", *WEEKLY_LISTS} <= set(data)
    assert (data["week"], data["from"], data["to"], data["as_of"]) == ("2026-W48", "2026-11-23", "2026-11-29",
                                                                       "2026-11-25")
    listed = cli.json("list", "--all")[0].keys()
    for name in WEEKLY_LISTS:
        for task in data[name]:
            assert listed <= task.keys()
    assert [p["week"] for p in data["trend"]] == [f"2026-W{w}" for w in range(41, 49)]
    assert all(set(p) == {"week", "open", "closed"} for p in data["trend"])
    assert data["counts"] == {name: len(data[name]) for name in data["counts"]}


def test_weekly_sections_of_a_known_week(cli, known):
    data = cli.json("weekly")
    ids = lambda name: [t["id"] for t in data[name]]  # noqa: E731
    assert ids("new") == [known["new"]]
    assert ids("closed") == [known["rule"]]
    assert ids("overdue") == [known["late"]] and data["overdue"][0]["days_late"] == 3
    assert ids("due_next_week") == [known["soon"], known["new"]]  # 11-30 and 12-01
    (ext,) = data["extended"]
    assert ext["id"] == known["late"]
    assert {k: ext["extension"][k] for k in ("from", "to", "reason")} == {"from": "2026-11-20", "to": "2026-11-22",
                                                                         "reason": "waiting"}
    (rule,) = data["established"]
    assert rule["id"] == known["rule"] and rule["outcome"] == "办法已印发" and rule["evidence"] == ["minutes"]
    assert data["overdue_by_unit"] == [{"unit": "财务处", "overdue": 1, "open": 3}]
    # The trend: one closed by W45, two by now.
    assert [p["closed"] for p in data["trend"]][-4:] == [1, 1, 1, 2]
    assert data["trend"][-1] == {"week": "2026-W48", "open": data["summary"]["open"],
                                 "closed": data["summary"]["closed"]}
    assert data["previous"] == cli.json("summary", "--as-of", "2026-11-22")


def test_weekly_stale_list(cli, known, monkeypatch):
    at(monkeypatch, "2026-12-09T09:00:00")
    data = cli.json("weekly")
    assert [t["id"] for t in data["stale"]] == [known["soon"]]
    assert data["stale"][0]["last_progress"] == "2026-11-02T10:00:00"
    assert data["summary"]["stale"] == 1


@pytest.mark.parametrize("week", ["2026-W47", "2026W47", "2026年第47周", "last week", "上周", "2026-11-18"])
def test_weekly_takes_every_week_form(cli, known, week):
    data = cli.json("weekly", "--week", week)
    assert (data["week"], data["from"], data["to"], data["as_of"]) == ("2026-W47", "2026-11-16", "2026-11-22",
                                                                       "2026-11-22")


def test_weekly_as_of_a_day(cli, known):
    data = cli.json("weekly", "--as-of", "上周三")
    assert (data["week"], data["as_of"]) == ("2026-W47", "2026-11-18")


def test_weekly_bad_options(cli, known):
    assert cli("weekly", "--week", "2026-W50").exit_code == 2
    assert cli("weekly", "--week", "2026-W60").exit_code == 2
    assert cli("weekly", "--week", "2026-W47", "--as-of", "2026-11-18").exit_code == 2
    assert cli("weekly", "--format", "pdf").exit_code == 2
    assert cli("weekly", "--limit", "-1").exit_code == 2


def test_past_weekly_is_reproducible_after_changes(cli, known, monkeypatch):
    this_week = cli.json("weekly")
    last_week = cli.json("weekly", "--week", "2026-W47")
    at(monkeypatch, "2026-11-27T09:00:00")
    close(cli, known["late"])
    cli.ok("extend", known["new"], "2026-12-24", "--reason", "holiday")
    cli.ok("reopen", known["rule"], "--reason", "recurred")
    cli.ok("edit", known["soon"], "--unit", "国资处", "--title", "renamed")
    cli.add("later", "--kind", "long_term", "--unit", "财务处", "--due", "2026-11-28")
    at(monkeypatch, "2027-01-20T09:00:00")
    assert cli.json("weekly", "--as-of", TODAY.isoformat()) == this_week
    assert cli.json("weekly", "--week", "2026-W47") == last_week
    assert cli.json("weekly", "--week", "2026-W48")["as_of"] == "2026-11-29"


def test_weekly_text_has_every_section(cli, known):
    out = cli.ok("weekly").stdout
    for title in ("Weekly rectification report", "2026-W48", "Headline figures", "New this week",
                  "Closed this week", "Overdue at the week's end, by unit", "Due next week", "Extensions granted",
                  "Stale long-term tasks", "Rules and institutions established", "Trend over the last 8 weeks"):
        assert title in out, title
    assert "new this week" in out and "2026-W41" in out and "█" in out


def test_weekly_markdown(cli, known):
    out = cli.ok("weekly", "--format", "md").stdout
    assert out.startswith("# Weekly rectification report")
    for title in ("## Headline figures", "## New this week", "## Overdue tasks", "## Extensions granted",
                  "## Trend over the last 8 weeks"):
        assert title in out
    assert "| ID | Measure |" in out and "| ---: |" in out and "```" in out


class _Balanced(HTMLParser):
    VOID = {"meta", "br", "img", "hr", "link", "input", "col", "area", "base", "wbr", "source", "track", "embed"}

    def __init__(self):
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.tags: Counter = Counter()

    def handle_starttag(self, tag, attrs):
        self.tags[tag] += 1
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags[tag] += 1

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1] if self.stack else 'nothing'}")
        else:
            self.stack.pop()


def well_formed(html: str) -> _Balanced:
    parser = _Balanced()
    parser.feed(html)
    parser.close()
    assert not parser.errors and not parser.stack, (parser.errors, parser.stack)
    return parser


def test_weekly_html_is_self_contained_and_printable(cli, known, tmp_path):
    out = tmp_path / "weekly.html"
    res = cli.ok("weekly", "--format", "html", "--output", str(out))
    assert res.stdout == "" and "weekly.html" in res.stderr
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in html
    parser = well_formed(html)
    assert parser.tags["svg"] == 1 and parser.tags["polyline"] == 2 and parser.tags["table"] >= 5
    assert "@page" in html and "A4" in html and "Noto Sans CJK SC" in html and "Microsoft YaHei" in html
    assert "page-break-inside" in html or "break-inside" in html
    assert "2026-W48" in html and "2026-11-25" in html and "ledger.db" in html
    assert "<script" not in html and "http://" not in html.replace("http://www.w3.org/2000/svg", "")


def test_weekly_escapes_html(cli, known):
    cli.add("<b>bold</b> & co", "--due", "2026-11-30")
    html = cli.ok("weekly", "--format", "html").stdout
    well_formed(html)
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; co" in html


def test_weekly_limit_notes_the_rest(cli, known):
    for i in range(4):
        cli.add(f"extra {i}", "--due", "2026-11-01")
    out = cli.ok("weekly", "--limit", "2").stdout
    assert "3 more" in out  # 5 overdue, 2 shown
    assert "more" not in cli.ok("weekly", "--limit", "0").stdout
    assert len(cli.json("weekly", "--limit", "2")["overdue"]) == 5  # JSON lists every one


def test_weekly_text_to_a_file_and_json_to_a_file(cli, known, tmp_path):
    text = tmp_path / "w.txt"
    cli.ok("weekly", "--output", str(text))
    assert "Headline figures" in text.read_text(encoding="utf-8")
    js = tmp_path / "w.json"
    cli.ok("weekly", "--json", "--output", str(js))
    import json

    assert json.loads(js.read_text(encoding="utf-8"))["week"] == "2026-W48"
    res = cli("weekly", "--output", str(tmp_path / "missing" / "w.txt"))
    assert res.exit_code == 2 and "does not exist" in res.stderr


def test_reports_on_an_empty_ledger(cli, db):
    data = cli.json("summary")
    assert data["total"] == 0 and data["completion_rate"] == 0 and data["by_unit"] == {}
    weekly = cli.json("weekly")
    assert all(weekly[name] == [] for name in WEEKLY_LISTS)
    assert all(p["open"] == p["closed"] == 0 for p in weekly["trend"])
    assert "Nothing is overdue" in cli.ok("sheets").stderr
    cli.ok("summary")
    well_formed(cli.ok("weekly", "--format", "html").stdout)
    assert not db.exists()


# -- sheets ------------------------------------------------------------------------


def test_sheets_per_unit(cli, known):
    out = cli.ok("sheets").stdout
    # Only 财务处 has overdue or soon-due tasks: late (red), soon and new (due within 7 days).
    assert out.count("Supervision sheet") == 1 and "财务处" in out and "采购中心" not in out
    assert "3 days late" in out and "late" in out and "soon" in out and "new this week" in out
    assert "张三" in out
    cli.add("采购 overdue", "--unit", "采购中心", "--due", "2026-11-01", "--leader", "孙副校长")
    out = cli.ok("sheets").stdout
    assert out.count("Supervision sheet") == 2 and "孙副校长" in out
    only = cli.ok("sheets", "--unit", "采购中心").stdout
    assert only.count("Supervision sheet") == 1 and "财务处" not in only


def test_sheets_unknown_unit_and_empty_sheet(cli, known):
    res = cli("sheets", "--unit", "no such unit")
    assert res.exit_code == 3 and "no such unit" in res.stderr
    out = cli.ok("sheets", "--unit", "采购中心").stdout
    assert "Nothing overdue or due within 7 days" in out


def test_sheets_markdown_and_html(cli, known):
    cli.add("采购 overdue", "--unit", "采购中心", "--due", "2026-11-01")
    md = cli.ok("sheets", "--format", "md").stdout
    assert md.count("# Supervision sheet") == 2 and "| Band | ID |" in md and "| red |" in md
    html = cli.ok("sheets", "--format", "html").stdout
    parser = well_formed(html)
    assert html.count('class="sheet"') == 2 and "page-break-after" in html
    assert parser.tags["table"] == 2 and "band-red" in html


def test_sheets_to_a_folder_one_file_per_unit(cli, known, tmp_path):
    cli.add("a/b unit", "--unit", "a/b", "--due", "2026-11-01")
    folder = tmp_path / "督办单"
    res = cli.ok("sheets", "--format", "html", "--output", str(folder))
    files = sorted(p.name for p in folder.iterdir())
    assert files == ["sheet-a_b.html", "sheet-财务处.html"]
    assert res.stdout.split() == [str(folder / name) for name in files]
    for name in files:
        well_formed((folder / name).read_text(encoding="utf-8"))
    cli.ok("sheets", "--format", "md", "--output", str(folder))
    assert (folder / "sheet-财务处.md").read_text(encoding="utf-8").startswith("# Supervision sheet")


# -- the rest ------------------------------------------------------------------------


def test_demo_prints_the_summary(cli, tmp_path):
    res = cli.ok("demo", str(tmp_path / "demo.db"), db=False)
    assert "Rectification summary" in res.stdout and "Completion rate" in res.stdout


def test_an_older_ledger_gains_the_report_indexes(cli, db):
    cli.add("x")
    conn = sqlite3.connect(db)
    assert "task_created" in {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    conn.close()


def test_reports_read_a_past_clock_truthfully(cli, known, monkeypatch):
    """RECTIFY_NOW set back reproduces the report of that day, later changes aside."""
    at(monkeypatch, "2026-11-03T09:00:00")
    assert cli.json("summary") == cli.json("summary", "--as-of", "2026-11-03")
    assert cli.json("summary")["total"] == 6


def test_every_report_help_has_an_example(cli):
    for name in ("summary", "weekly", "sheets"):
        assert "Example" in cli.ok(name, "--help", db=False).stdout


def test_labels_are_marked_once():
    from rectify.render import layout

    # A label is a message, or (context, message) for pgettext.
    assert all((isinstance(v, str) and v) or (isinstance(v, tuple) and len(v) == 2 and all(v))
               for v in layout.LABELS.values())
    assert layout.label("as_of", date="x") == "as of x"


def test_moment_of_today_is_now(monkeypatch):
    from rectify import reports

    monkeypatch.setenv("RECTIFY_NOW", NOW)
    assert reports.moment(TODAY) == reports.moment() == reports.Moment(TODAY, NOW)
    assert reports.moment(TODAY - timedelta(days=1)).until == "2026-11-24T23:59:59"


def test_the_cli_default_stale_days_is_the_ledgers(cli):
    cli.add("A task")
    assert cli.json("summary")["stale_days"] == 30
    cli.ok("config", "stale_days", "45")
    assert cli.json("summary")["stale_days"] == 45
    assert cli.json("summary", "--stale-days", "10")["stale_days"] == 10
