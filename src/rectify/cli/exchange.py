"""``rectify export`` and ``rectify import``: the ledger in and out as xlsx, CSV
and JSON (see rectify.exchange). ``register`` adds them to the app
(``rectify.cli.app``); openpyxl and rich load only inside the commands.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

import typer

from rectify.cli.common import (
    closing,
    command,
    emit_json,
    find_round,
    guard_output,
    ledger_path,
    open_ledger,
    out,
    output_file,
    progress_bar,
    say,
)
from rectify.cli.common import register as add_commands
from rectify.cli.context import Run
from rectify.cli.options import JSON_HELP, TaskFilters
from rectify.errors import ImportFileError, InputError
from rectify.i18n import N_, _, ngettext
from rectify.model import field_label
from rectify.vocabulary import ACTIVE

FORMATS = ("xlsx", "csv", "json")
SHOWN_ROWS = 50  # rows of each kind a dry run lists on screen


def _format(fmt: str | None, output: str | None) -> str | None:
    if fmt:
        fmt = fmt.strip().lower()
        if fmt not in FORMATS:
            raise InputError(_("Unknown format {fmt!r}: use xlsx, csv or json.").format(fmt=fmt))
        return fmt
    if output:
        suffix = Path(output).suffix.lower().lstrip(".")
        if suffix in FORMATS:
            return suffix
    return None


def _sheet_lang(lang: str | None, interface: str) -> str:
    """The language of the sheet's headers: as --sheet-lang says, else the interface's."""
    from rectify.i18n import normalize

    if lang:
        value = normalize(lang)
        if value is None:
            raise InputError(_("Unknown header language {lang!r}: use zh or en.").format(lang=lang))
        return value
    return interface


@command("export", help=N_(
    "Export tasks as an xlsx ledger in the house layout, as CSV (UTF-8 with BOM) or as JSON "
    "(the `list --json` objects with evidence and history; re-importable). Every state is exported "
    "unless --status says otherwise; the other filters are those of `list`. --evidence writes the "
    "evidence files with a manifest (task, file, sha256, date) to a folder or a .zip. Cells that a "
    "spreadsheet would evaluate (= + - @) are written as text.\n\n"
    "Example: rectify export --format xlsx --output ledger.xlsx --unit Finance --evidence evidence.zip"))
def export_cmd(
    run: Run,
    fmt: Optional[str] = typer.Option(None, "--format", "-f", metavar="xlsx|csv|json",
                                      help=N_("xlsx, csv or json (default: from the --output name).")),
    output: Optional[str] = typer.Option(None, "--output", metavar=N_("FILE"),
                                         help=N_("Write here (csv and json go to stdout without it).")),
    sheet_lang: Optional[str] = typer.Option(None, "--sheet-lang", metavar="zh|en",
                                             help=N_("Header language (default: zh when rectify speaks Chinese).")),
    old_sheet_lang: Optional[str] = typer.Option(None, "--lang", hidden=True),  # the old name of --sheet-lang
    evidence: Optional[str] = typer.Option(None, "--evidence", metavar=N_("DIR|FILE.zip"),
                                           help=N_("Also write the evidence files and a manifest here.")),
    filters: TaskFilters = TaskFilters(),
    fill_in: bool = typer.Option(False, "--fill-in", help=N_(
        "A workbook for a unit to fill in and send back: its unfinished tasks, an instructions sheet, a drop-down "
        "list of status words, the columns it must not change locked. With --unit: that unit, into --output "
        "FILE.xlsx; without: one file per unit into the folder --output DIR.")),
) -> None:
    from rectify.exchange import exporter, json_io

    if fill_in:
        return _fill_in(run, output, sheet_lang or old_sheet_lang, filters)
    fmt = _format(fmt, output)
    output_file(run, output)
    if evidence:
        guard_output(run, evidence)
    if fmt is None and not evidence:
        raise InputError(_("Give --format xlsx, csv or json (or an --output name ending in one of them), or --evidence."))
    if fmt == "xlsx" and not output:
        raise InputError(_("An xlsx export needs --output FILE.xlsx: a workbook is not written to the terminal."))
    lang = _sheet_lang(sheet_lang or old_sheet_lang, run.language)
    wanted = filters.validated(all_=True)
    today = run.today()
    with closing(open_ledger(run)) as led:
        from rectify.filters import check

        check(led, wanted)
        chosen = find_round(led, filters.round)
        wanted["round"] = chosen["id"] if chosen else None
        tasks = exporter.select(led, wanted, today)
        if fmt == "xlsx":
            assert output is not None  # refused above without --output
            exporter.write_xlsx(Path(output), led, tasks, lang, today)
        elif fmt == "json":
            objects = exporter.json_objects(led, tasks)
            if output:
                def write_json(tmp: Path) -> None:
                    with open(tmp, "w", encoding="utf-8") as f:
                        json_io.write(f, objects)

                exporter.atomic_write(Path(output), write_json)
            else:
                from rectify.text import JsonSafeStream

                json_io.write(JsonSafeStream(sys.stdout), objects)
        elif fmt == "csv":
            if output:
                def write_csv(tmp: Path) -> None:
                    with open(tmp, "w", encoding="utf-8-sig", newline="") as f:
                        exporter.write_csv(f, led, tasks, lang, filters.unit)

                exporter.atomic_write(Path(output), write_csv)
            else:
                _write_bytes_to_stdout(lambda f: exporter.write_csv(f, led, tasks, lang, filters.unit))
        if fmt and output:
            say(ngettext("Exported {n} task to {path}.", "Exported {n} tasks to {path}.", len(tasks)).format(
                n=len(tasks), path=output))
        if evidence:
            entries = exporter.write_evidence(led, tasks, Path(evidence))
            _report_evidence(entries, evidence)


def _fill_in(run: Run, output: str | None, sheet_lang: str | None, chosen_filters: TaskFilters) -> None:
    """`export --fill-in`: one unit's workbook, or one per unit into a folder."""
    from rectify.exchange import exporter

    unit = chosen_filters.unit
    if not output:
        raise InputError(_("--fill-in needs --output: FILE.xlsx with --unit, else a folder for one file per unit."))
    if unit and Path(output).suffix.lower() != ".xlsx":
        raise InputError(_("A fill-in workbook is an .xlsx file: give --output FILE.xlsx."))
    if not unit and Path(output).exists() and not Path(output).is_dir():
        raise InputError(_("{path} is a file: without --unit, --output names a folder for one file per unit.").format(
            path=output))
    lang = _sheet_lang(sheet_lang, run.language)
    filters = TaskFilters(status=chosen_filters.status or list(ACTIVE),
                          unit=unit).validated()
    today = run.today()
    with closing(open_ledger(run)) as led:
        chosen = find_round(led, chosen_filters.round)
        filters["round"] = chosen["id"] if chosen else None
        if unit:
            output_file(run, output)
            tasks = exporter.select(led, filters, today)
            exporter.write_xlsx(Path(output), led, tasks, lang, today, fill_in=True, unit=unit)
            written = [(unit, Path(output), len(tasks))]
        else:
            written = exporter.write_fill_in_all(Path(output), led, filters, lang, today)
    for name, path, n in written:
        say(ngettext("Wrote the fill-in workbook of {unit} ({n} task) to {path}.",
                     "Wrote the fill-in workbook of {unit} ({n} tasks) to {path}.", n).format(unit=name, n=n, path=path))
    if not written:
        say(_("No unit has unfinished tasks: no workbook written."))


def _write_bytes_to_stdout(write) -> None:
    """CSV text as UTF-8 with a BOM on stdout, whatever the console's encoding
    (a Chinese Windows console would otherwise choke on the BOM)."""
    import io

    buf = io.StringIO(newline="")
    write(buf)
    data = ("\ufeff" + buf.getvalue()).encode("utf-8")
    stream = getattr(sys.stdout, "buffer", None)
    sys.stdout.flush()
    if stream is None:
        sys.stdout.write(data.decode("utf-8"))
    else:
        stream.write(data)
        stream.flush()


def _report_evidence(entries: list[dict], target: str) -> None:
    files = sum(e["check"] in ("ok", "changed") for e in entries)
    say(ngettext("Wrote {files} evidence file and manifest.csv ({n} entries) to {path}.",
                 "Wrote {files} evidence files and manifest.csv ({n} entries) to {path}.", files).format(
        files=files, n=len(entries), path=target))
    for e in entries:
        if e["check"] == "missing":
            say(_("warning: task {task}: evidence file {file} is missing from the evidence folder.").format(
                task=e["task"], file=e["file"]))
        elif e["check"] == "changed":
            say(_("warning: task {task}: evidence file {file} no longer matches its recorded sha256.").format(
                task=e["task"], file=e["file"]))
        elif e["check"] == "unreadable":
            say(_("warning: task {task}: evidence file {file} cannot be read ({reason}); it is left out.").format(
                task=e["task"], file=e["file"], reason=e["reason"]))
        elif e["check"] == "outside":
            say(_("warning: task {task}: the recorded evidence path {file} leads out of the evidence folder; it is left out.").format(
                task=e["task"], file=e["file"]))


@command("import", help=N_(
    "Import tasks from an xlsx, CSV or JSON ledger, as offices keep them. In a workbook the sheet that "
    "reads as a ledger is taken (--sheet chooses); the header row is found (two-row headers too), header "
    "variants are understood in English and Chinese, group rows are categories, merged cells and "
    "\"same as above\" fill the rows they stand for, deadlines and states may be written in words (end of "
    "2026, long-term, done). A cell that cannot be read is kept as text and its task marked for review "
    "(`rectify list --review`); a row with no measure is skipped and named. With --strict, any unreadable "
    "cell or row refuses the whole file (exit 6) unless --skip-bad. A row with a uid updates that task; "
    "one without updates the task with the same problem and measure; other rows are added; nothing is "
    "deleted, and re-importing a file changes nothing.\n\n"
    "Example: rectify import finance-ledger.xlsx --dry-run"))
def import_cmd(
    run: Run,
    file: str = typer.Argument(..., metavar=N_("FILE")),
    dry_run: bool = typer.Option(False, "--dry-run", "-n", help=N_("Show what would change; write nothing.")),
    sheet: Optional[str] = typer.Option(None, "--sheet", metavar=N_("NAME|NUMBER"),
                                        help=N_("The sheet or table to read, by name or number (from 1).")),
    strict: bool = typer.Option(False, "--strict", help=N_(
        "All or nothing: refuse the file if any cell or row cannot be read (for scripts).")),
    skip_bad: bool = typer.Option(False, "--skip-bad", help=N_("With --strict: import the good rows; list the ones skipped.")),
    round_: Optional[str] = typer.Option(None, "--round", "-r", metavar=N_("ROUND"), help=N_(
        "The round the rows added belong to, unless a row names its own in a round column.")),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    import gc

    # A large file makes hundreds of thousands of objects and no cycles: the
    # cyclic collector would only rescan them, about a fifth of the run.
    gc.disable()
    try:
        _import(run, file, dry_run, sheet, skip_bad, as_json, strict, round_)
    finally:
        gc.enable()


def _import(run: Run, file: str, dry_run: bool, sheet: str | None, skip_bad: bool, as_json: bool, strict: bool,
            round_name: str | None = None) -> None:
    from rectify.exchange import importer

    round_id = None
    if round_name is not None:  # checked first: an unknown round reads no file and writes nothing
        with closing(open_ledger(run)) as led:
            round_id = find_round(led, round_name)["id"]
    source = importer.read_source(Path(file), sheet=sheet, strict=strict)
    _say_reading(source)
    skip_bad = skip_bad or not source.strict
    exists = ledger_path(run).exists()
    first = None  # a plan made before the write lock: against nothing, or for a dry run
    if dry_run or not exists or (source.bad and not skip_bad):
        with closing(open_ledger(run)) as led:
            first = importer.build_plan(led, source, round_id)
            blank = not led.exists
        _refuse_bad(source, first, skip_bad, dry_run, as_json)
        if dry_run:
            _report(source, first, dry_run=True, as_json=as_json)
            return
    with closing(open_ledger(run, write=True)) as led:
        with led.bulk_transaction(importer.is_bulk_load(led, source)):
            # A plan made against no ledger holds while the new ledger is still empty.
            if first is not None and blank and importer.is_empty(led):
                plan = first
            else:
                plan = importer.build_plan(led, source, round_id)
            _refuse_bad(source, plan, skip_bad, dry_run, as_json)
            total = len(plan.adds) + len(plan.updates)
            with progress_bar(total) as tick:
                importer.apply_plan(led, plan, _source_label(source), tick)
            from rectify import ledger
            from rectify import returns

            returns.record(led, source, plan, ledger.actor(led))
    _report(source, plan, dry_run=False, as_json=as_json)


def _source_label(source) -> str:
    return f"{source.name} [{source.sheet}]" if source.sheet else source.name


def _say_reading(source) -> None:
    """How the file was read, for a person: which sheet and why, the header,
    the columns, and every text that is not in a task."""
    from rectify.exchange import columns
    from rectify.i18n import is_zh

    for line in source.choice:
        say(line)
    for note in source.notes:
        say(note)
    if source.mapped:
        lang = "zh" if is_zh() else "en"
        say(_("Columns read: {names}.").format(names=_(", ").join(
            head if head == columns.header(field, lang) else f"{head} → {columns.header(field, lang)}"
            for head, field in source.mapped.items())))
    if source.header_groups:
        say(_("Group headers over the columns: {names}.").format(names=_(", ").join(source.header_groups)))
    if source.groups:
        say(ngettext("{n} group row read as the category of the rows under it: {names}.",
                     "{n} group rows read as the category of the rows under them: {names}.", len(source.groups)).format(
            n=len(source.groups), names=_(", ").join(text for _row, text in source.groups)))
    if source.unmapped:
        say(_("Columns not understood (their cells are kept as text on each task): {names}.").format(
            names=_(", ").join(source.unmapped)))
    for row, text in source.above:
        say(_("Above the table, row {row}: {text}").format(row=row, text=text))
    for row, text in source.below:
        say(_("Under the table, row {row}: {text}").format(row=row, text=text))


def _kept_counts(source) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {"review": {}, "text": {}}
    for rec in source.records:
        for cell in rec.kept:
            group = counts["review" if cell.review else "text"]
            group[cell.header] = group.get(cell.header, 0) + 1
    return counts


def _refuse_bad(source, plan, skip_bad: bool, dry_run: bool, as_json: bool) -> None:
    if not plan.bad or skip_bad:
        return
    if as_json:
        emit_json(_report_data(source, plan, dry_run))
    for row, reason in sorted(plan.bad):
        say(_("{unit} {row}: {reason}").format(unit=_row_word(source), row=row, reason=reason), newlines=False)
    raise ImportFileError(ngettext(
        "{name}: {n} {unit} cannot be read (listed above); nothing was written (--strict). Fix it, or use --skip-bad.",
        "{name}: {n} {unit}s cannot be read (listed above); nothing was written (--strict). Fix them, or use --skip-bad.",
        len(plan.bad)).format(name=source.name, n=len(plan.bad), unit=_row_word(source)))


def _row_word(source) -> str:
    return _("item") if source.format == "json" else _("row")


def _report_data(source, plan, dry_run: bool) -> dict:
    return {
        "file": source.name,
        "format": source.format,
        "sheet": source.sheet,
        "dry_run": dry_run,
        "added": len(plan.adds),
        "updated": len(plan.updates),
        "unchanged": len(plan.unchanged),
        "skipped": [{"row": row, "reason": reason} for row, reason in sorted(plan.bad)],
        "unmapped": source.unmapped,
        "notes": source.notes,
        "strict": source.strict,
        "choice": source.choice,
        "header_rows": list(source.header_rows) if source.header_rows else None,
        "columns": source.mapped,
        "header_groups": source.header_groups,
        "group_rows": [{"row": row, "text": text} for row, text in source.groups],
        "above": [{"row": row, "text": text} for row, text in source.above],
        "below": [{"row": row, "text": text} for row, text in source.below],
        "kept": _kept_counts(source),
        "problems_added": len(plan.new_problems),
        # The export stamp (null: none; the sheet was compared with the ledger as it is now), and per task
        # and field what the import does: change, conflict, claim, submit, start, extension, refused, note, evidence.
        "stamp": source.stamp,
        "changes": plan.findings,
        "rows": {
            "add": [{"row": r.row, "title": r.values["title"]} for r in plan.adds],
            "update": [{"row": r.row, "id": old["id"], "fields": _changed_fields(plan, r, old, changes)}
                       for r, old, changes in plan.updates],
            "unchanged": [{"row": r.row, "id": task_id} for r, task_id in plan.unchanged],
        },
    }


def _changed_fields(plan, rec, old, changes) -> list[str]:
    fields = [("problem" if k == "problem_id" else k) for k in changes]
    if any(t == old["id"] for t, _n in plan.progress_notes):
        fields.append("progress note")
    if any(t == old["id"] for t, _n in plan.evidence):
        fields.append("evidence")
    return fields


def _report(source, plan, *, dry_run: bool, as_json: bool) -> None:
    if as_json:
        emit_json(_report_data(source, plan, dry_run))
        return
    counts = {"added": len(plan.adds), "updated": len(plan.updates), "unchanged": len(plan.unchanged)}
    if dry_run:
        out(_("Dry run, nothing written: would add {added}, update {updated}, leave {unchanged} unchanged.").format(**counts))
        unit = _row_word(source)
        for rec in plan.adds[:SHOWN_ROWS]:
            out("  " + _("add     {unit} {row}: {title}").format(unit=unit, row=rec.row, title=_one_line(rec.values["title"])))
        _more(len(plan.adds))
        notes = {t for t, _n in plan.progress_notes} | {t for t, _n in plan.evidence}
        found: dict[int, set[str]] = {}
        for finding in plan.findings:
            found.setdefault(finding["task"], set()).add(finding["what"])
        for rec, old, changes in plan.updates[:SHOWN_ROWS]:
            fields = [field_label(k) for k in changes]
            what = found.get(old["id"], set())
            if old["id"] in notes:
                fields.append(_("progress note or evidence"))
            if what & {"start", "submit"} and "status" not in changes:
                fields.append(field_label("status"))
            if "claim" in what:
                fields.append(_("claims done, awaiting evidence"))
            if "extension" in what:
                fields.append(_("extension requested"))
            if not fields:  # only cells kept as text on the task
                fields.append(_("cells kept as text"))
            out("  " + _("update  {unit} {row}: task {id} ({fields})").format(
                unit=unit, row=rec.row, id=old["id"], fields=_(", ").join(fields)))
        _more(len(plan.updates))
        _say_findings(plan, out)
    else:
        out(_("Imported {name}: added {added}, updated {updated}, {unchanged} unchanged.").format(
            name=source.name, **counts))
    if not dry_run:
        _say_findings(plan, say, only=("conflict", "claim", "refused", "extension"))
    if plan.updates or plan.unchanged:
        if source.stamp:
            say(_("Compared with the ledger as it stood at the export ({at}): a field the unit did not change keeps "
                  "the ledger's newer value.").format(at=source.stamp["exported_at"].replace("T", " ")))
        else:
            say(_("The file carries no export stamp: it was compared with the ledger as it is now."))
    if plan.new_problems:
        say(ngettext("{n} problem added.", "{n} problems added.", len(plan.new_problems)).format(n=len(plan.new_problems)))
    kept = _kept_counts(source)
    if kept["review"]:
        n = sum(kept["review"].values())
        say(ngettext("{n} cell could not be read: kept as text, its task marked for review ({columns}). "
                     "See `rectify list --review`.",
                     "{n} cells could not be read: kept as text, their tasks marked for review ({columns}). "
                     "See `rectify list --review`.", n).format(
            n=n, columns=_(", ").join(f"{h} {k}" for h, k in kept["review"].items())))
    if kept["text"]:
        n = sum(kept["text"].values())
        say(ngettext("{n} cell kept as text on its task ({columns}).", "{n} cells kept as text on their tasks ({columns}).",
                     n).format(n=n, columns=_(", ").join(f"{h} {k}" for h, k in kept["text"].items())))
    if plan.bad:
        say(ngettext("Skipped {n} {unit}:", "Skipped {n} {unit}s:", len(plan.bad)).format(
            n=len(plan.bad), unit=_row_word(source)))
        for row, reason in sorted(plan.bad):
            say("  " + _("{unit} {row}: {reason}").format(unit=_row_word(source), row=row, reason=reason), newlines=False)


def _say_findings(plan, write, only: tuple[str, ...] | None = None) -> None:
    """Per task and field what the import does (``exchange.findings``)."""
    from rectify.exchange.findings import describe

    shown = [f for f in plan.findings if only is None or f["what"] in only]
    limit = SHOWN_ROWS * 4
    for f in shown[:limit]:
        write("  " + describe(f))
    if len(shown) > limit:
        write("  " + _("... and {n} more (see --json)").format(n=len(shown) - limit))


def _more(n: int) -> None:
    if n > SHOWN_ROWS:
        out("  " + _("... and {n} more (see --json)").format(n=n - SHOWN_ROWS))


def _one_line(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= 60 else line[:59] + "…"


@command("reviewed", help=N_(
    "Clear the review mark of tasks an import marked (see `rectify list --review`): you have read the "
    "cells it kept and set the fields by hand. The kept cells stay, as text; the history records it.\n\n"
    "Example: rectify reviewed 12 14"))
def reviewed_cmd(run: Run, task_ids: List[int] = typer.Argument(..., metavar=N_("ID..."))) -> None:
    from rectify import ledger

    with closing(open_ledger(run, write=True)) as led:
        for task_id in task_ids:
            if ledger.mark_reviewed(led, task_id):
                say(_("Task {id}: reviewed.").format(id=task_id))
            else:
                say(_("Task {id}: nothing awaited review.").format(id=task_id))


def register(app: typer.Typer) -> None:
    add_commands(app, export_cmd, import_cmd, reviewed_cmd)
