"""The report commands: summary, weekly, sheets.

``register`` adds them to the app (``rectify.cli.app``). Like the rest of the CLI: no SQL and no layout here, and the heavy
modules (rich, the reports themselves) load inside the commands.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Optional

import typer

from rectify.cli.common import (
    closing,
    command,
    find_round,
    guard_output,
    ledger_path,
    open_ledger,
    out,
    output_file,
    plain_text,
    read_and_show,
    say,
    write_text,
)
from rectify.cli.common import register as add_commands
from rectify.cli.context import Run
from rectify.cli.options import JSON_HELP, ROUND_HELP
from rectify.errors import InputError
from rectify.i18n import N_, _, reason

FORMATS = ("text", "md", "html")
SUFFIXES = {"text": ".txt", "md": ".md", "html": ".html"}
DEFAULT_LIMIT = 100

AS_OF_HELP = N_("The day to report on, in any form `add --due` takes: 2026-11-20, last friday, 3 days ago ...")
STALE_HELP = N_("A long-term task with no progress note for this many days is stale (default: the ledger's setting stale_days, see `rectify config`).")


# Words for --format and --by in either language (the ledger's words, as for kinds).
FORMAT_WORDS = {"markdown": "md", "txt": "text", "文本": "text", "文字": "text", "网页": "html"}
BREAKDOWN_WORDS = {"单位": "unit", "责任单位": "unit", "部门": "unit", "责任部门": "unit", "类别": "category",
                   "问题类别": "category", "类型": "kind", "整改类型": "kind", "领导": "leader", "责任领导": "leader",
                   "责任人": "owner"}


def _format(value: str) -> str:
    fmt = value.strip().lower()
    fmt = FORMAT_WORDS.get(fmt, fmt)
    if fmt not in FORMATS:
        raise InputError(_("Unknown format {value!r}: use text, md or html.").format(value=value))
    return fmt


def _stale(days: int | None) -> int | None:
    if days is not None and days < 1:
        raise InputError(_("--stale-days must be 1 or more, not {days}.").format(days=days))
    return days


def _context(run: Run) -> dict:

    return {"ledger": ledger_path(run).name, "printed": run.now().replace(second=0, microsecond=0)}


# -- summary --------------------------------------------------------------------


@command("summary", help=N_(
    "Progress summary: totals by state, the completion rate (closed / (all − cancelled)) overall and for "
    "immediate and long-term tasks, overdue and due within 7 days, the colour bands, stale long-term tasks, "
    "and a breakdown with a progress bar per row. --as-of gives the figures as they stood at the end of a "
    "past day, rebuilt from the history.\n\n"
    "Example: rectify summary --by category · rectify summary --as-of 2026-10-31 --json"))
def summary_cmd(
    run: Run,
    as_of: Optional[str] = typer.Option(None, "--as-of", metavar=N_("DATE"), help=AS_OF_HELP),
    by: str = typer.Option("unit", "--by", metavar=N_("unit|category|kind|leader|owner"), show_default=N_("unit"),
                           help=N_("The breakdown: unit, category, kind, leader or owner.")),
    stale_days: Optional[int] = typer.Option(None, "--stale-days", metavar="N", help=STALE_HELP, show_default=False),
    round_: Optional[str] = typer.Option(None, "--round", "-r", metavar=N_("ROUND"), help=ROUND_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    print_summary(run, as_of=as_of, by=by, stale_days=stale_days, as_json=as_json, round_name=round_)


def print_summary(run: Run, *, as_of: str | None = None, by: str = "unit", stale_days: int | None = None,
                  as_json: bool = False, round_name: str | None = None) -> None:
    """``rectify summary``: also shown by ``rectify demo``."""
    from rectify import reports

    _stale(stale_days)
    at = reports.as_of(as_of)
    breakdown = BREAKDOWN_WORDS.get(by.strip(), by.strip().lower())
    read_and_show(run, lambda led: reports.summary(led, at, by=breakdown, stale_days=stale_days,
                                                   round=find_round(led, round_name)),
                  "report_text.show_summary", as_json)


# -- weekly -----------------------------------------------------------------------


@command("weekly", help=N_(
    "The weekly progress report for one ISO week (Monday to Sunday; default this week): headline figures "
    "and the change since the week before; tasks new and closed this week; overdue at the week's end by "
    "unit; due next week; extensions; stale long-term tasks; rules and institutions established; the trend "
    "over 8 weeks. A past week gives the same figures whenever it is asked for. Formats: text, md "
    "(Markdown), html (self-contained, printable on A4).\n\n"
    "Example: rectify weekly --week 2026-W48 --format html --output weekly.html"))
def weekly_cmd(
    run: Run,
    week: Optional[str] = typer.Option(None, "--week", "-w", metavar=N_("WEEK"),
                                       help=N_("2026-W48, last week, this week, or any date in the week.")),
    as_of: Optional[str] = typer.Option(None, "--as-of", metavar=N_("DATE"),
                                        help=N_("Report the week of DATE, as it stood at the end of DATE.")),
    fmt: str = typer.Option("text", "--format", "-f", metavar=N_("text|md|html"), show_default=N_("text"), help=N_("text, md or html.")),
    output: Optional[str] = typer.Option(None, "--output", metavar=N_("FILE"),
                                         help=N_("Write to FILE instead of the screen.")),
    limit: int = typer.Option(DEFAULT_LIMIT, "--limit", "-n", metavar="N",
                              help=N_("At most N rows in each list of text, md and html (0: all). JSON lists all.")),
    stale_days: Optional[int] = typer.Option(None, "--stale-days", metavar="N", help=STALE_HELP, show_default=False),
    round_: Optional[str] = typer.Option(None, "--round", "-r", metavar=N_("ROUND"), help=ROUND_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    from rectify import reports

    fmt = _format(fmt)
    path = output_file(run, output)
    _stale(stale_days)
    if limit < 0:
        raise InputError(_("--limit must be 0 or more."))
    monday, at = reports.report_week(week, as_of)
    with closing(open_ledger(run)) as led:
        data = reports.weekly(led, monday, at, stale_days=stale_days, limit=None if as_json else (limit or None),
                              round=find_round(led, round_))
    if as_json:
        from rectify.text import json_safe

        text = json_safe(json.dumps(data, ensure_ascii=False, indent=2)) + "\n"
    elif fmt == "md":
        from rectify.render import markdown

        text = markdown.weekly(data, context=_context(run))
    elif fmt == "html":
        from rectify.render import html

        text = html.weekly(data, context=_context(run))
    else:
        from rectify.render.report_text import show_weekly

        if path is None:
            show_weekly(data, context=_context(run))
            return
        text = plain_text(lambda con: show_weekly(data, con, context=_context(run)))
    if path is None:
        sys.stdout.write(text)
    else:
        write_text(path, text)
        say(_("Wrote {path}.").format(path=path))


# -- sheets ------------------------------------------------------------------------


@command("sheets", help=N_(
    "Supervision sheets: one per responsible unit, listing its overdue tasks and those due within "
    "7 days in the colour bands (red overdue, yellow behind, blue due soon), with the leader and person "
    "responsible. Hand them out in place of reminder e-mails. With --output DIR, one file per unit.\n\n"
    "Example: rectify sheets --format html --output sheets/"))
def sheets_cmd(
    run: Run,
    unit: Optional[str] = typer.Option(None, "--unit", "-u", metavar=N_("UNIT"), help=N_("Only this responsible unit.")),
    fmt: str = typer.Option("text", "--format", "-f", metavar=N_("text|md|html"), show_default=N_("text"), help=N_("text, md or html.")),
    output: Optional[Path] = typer.Option(None, "--output", metavar=N_("DIR"),
                                          help=N_("Write one file per unit into DIR (created if missing).")),
    round_: Optional[str] = typer.Option(None, "--round", "-r", metavar=N_("ROUND"), help=ROUND_HELP),
    issue: bool = typer.Option(False, "--issue", help=N_(
        "Issue the sheets as numbered notices, recorded in the ledger: a reminder for tasks due within the lead "
        "time, a supervision notice with a reply-by date for overdue tasks, a warning for those whose supervision "
        "notice's reply-by date has passed (see `rectify config`, `rectify notice`).")),
    kind: Optional[str] = typer.Option(None, "--kind", metavar=N_("reminder|supervision|warning"),
                                       help=N_("With --issue: only notices of this kind.")),
) -> None:
    from rectify import reports
    from rectify.render.layout import label

    fmt = _format(fmt)
    if kind and not issue:
        raise InputError(_("--kind goes with --issue."))
    if output is not None:
        guard_output(run, output)
    with closing(open_ledger(run, write=issue)) as led:
        chosen = find_round(led, round_)
        if issue:
            from rectify import supervision
            from rectify.settings import settings_at

            only = supervision.parse_notice_kind(kind) if kind else None
            values = settings_at(led)
            data = reports.sheets(led, unit, chosen, within=max(values["blue_days"], values["reminder_lead_days"]))
            data = supervision.issue(led, data, only)
        else:
            data = reports.sheets(led, unit, chosen)
    if not data["sheets"]:
        say(label("no_notices") if issue else label("no_sheets", days=data["due_within"]))
        return
    if output is None:
        if fmt == "text":
            from rectify.render.report_text import show_sheets

            show_sheets(data)
        else:
            sys.stdout.write(_render_sheets(data, fmt))
        return
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise InputError(_("Cannot create the folder {path}: {reason}.").format(path=output, reason=reason(e))) from None
    names: set[str] = set()
    for sheet in data["sheets"]:
        stem = sheet["notice"]["number"] if sheet.get("notice") else sheet["unit"]
        path = guard_output(run, output / _file_name(stem, SUFFIXES[fmt], names))
        write_text(path, _render_sheets({**data, "sheets": [sheet]}, fmt))
        out(str(path))
    say(_("Wrote {n} sheets to {path}.").format(n=len(data["sheets"]), path=output))


def _render_sheets(data: dict, fmt: str) -> str:
    if fmt == "md":
        from rectify.render import markdown

        return markdown.sheets(data)
    if fmt == "html":
        from rectify.render import html

        return html.sheets(data)
    from rectify.render.report_text import show_sheets

    return plain_text(lambda con: show_sheets(data, con))


def _file_name(unit: str | None, suffix: str, taken: set[str]) -> str:
    """``sheet-<unit><suffix>`` (in Chinese ``督办单-<unit><suffix>``): the unit
    made safe as a file name, and unique."""
    from rectify.render.layout import label

    prefix = label("sheet_file")
    stem = re.sub(r'[\\/:*?"<>|\x00-\x1f\x7f]+', "_", (unit or "").strip()).strip(". ") or label("sheet_file_no_unit")
    name, n = f"{prefix}-{stem[:80]}{suffix}", 1
    while name.casefold() in taken:
        n += 1
        name = f"{prefix}-{stem[:80]}-{n}{suffix}"
    taken.add(name.casefold())
    return name


def register(app: typer.Typer) -> None:
    add_commands(app, summary_cmd, weekly_cmd, sheets_cmd)
