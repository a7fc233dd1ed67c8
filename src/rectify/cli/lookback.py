"""The look-back and supervision commands: config, recheck, lookback, notice.

``register`` adds them to the app (``rectify.cli.app``).
The work is in ``rectify.settings``, ``rectify.lookback`` and
``rectify.supervision``; here are the arguments, the output and the exit codes.
"""

from __future__ import annotations

import sys
from typing import List, Optional

import typer

from rectify.cli.common import (
    closing,
    command,
    command_group,
    emit_json,
    find_round,
    open_ledger,
    output_file,
    plain_text,
    read_and_show,
    say,
    write_text,
)
from rectify.cli.common import register as add_commands
from rectify.cli.context import Run
from rectify.cli.options import JSON_HELP, ROUND_HELP, parse_kind_filter
from rectify.errors import InputError
from rectify.i18n import N_, _

# -- config ---------------------------------------------------------------------------


@command("config", help=N_(
    "Show or change the ledger's settings: the colour bands, stale days, re-check periods, the lead times "
    "and numbering of notices. They are kept in the ledger itself, so every machine reading it agrees; "
    "each change is recorded, and reports of a past day use the settings of that day.\n\n"
    "Example: rectify config · rectify config blue_days 10 · rectify config notice_reply_days 7"))
def config_cmd(run: Run, key: Optional[str] = typer.Argument(None, metavar=N_("[KEY]")),
               value: Optional[str] = typer.Argument(None, metavar=N_("[VALUE]")),
               as_json: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    from rectify import ledger
    from rectify import settings

    if value is None:
        with closing(open_ledger(run)) as led:
            rows = settings.describe(led)
        if key is not None:
            wanted = settings.setting(key).key
            rows = [r for r in rows if r["key"] == wanted]
        if as_json:
            emit_json(rows if key is None else rows[0])
            return
        for r in rows:
            mark = "" if r["is_default"] else "  *"
            print(f"{r['key']:<26} {r['value']}{mark}")
            if key is not None:
                say(r["help"])
        return
    assert key is not None  # typer fills KEY before VALUE
    item = settings.setting(key)
    settings.validate(item, value)  # before the ledger file is created
    with closing(open_ledger(run, write=True)) as led:
        result = settings.change(led, item.key, value, ledger.actor(led))
    if as_json:
        emit_json(result)
    elif result["changed"]:
        say(_("{key}: {old} → {new}.").format(**result))
    else:
        say(_("{key} was {new} already; nothing changed.").format(**result))


# -- recheck --------------------------------------------------------------------------


@command("recheck", help=N_(
    "Re-checks of closed tasks (the look-back). Without an id: the tasks whose re-check is due. With an id: "
    "record the result of checking it again, --held or --relapsed, by a checker who is not the person "
    "responsible, with a note and any evidence. A relapse opens a new task linked to the original, whose "
    "closing stays in its history.\n\n"
    "Example: rectify recheck · rectify recheck 12 --relapsed --by \"Zhao Lei\" --note \"Receipts unfiled again\""))
def recheck_cmd(run: Run, task_id: Optional[int] = typer.Argument(None, metavar=N_("[ID]")),
                held: bool = typer.Option(False, "--held", help=N_("The fix held.")),
                relapsed: bool = typer.Option(False, "--relapsed", help=N_("The problem came back.")),
                by: Optional[str] = typer.Option(None, "--by", help=N_("The checker (not the person responsible).")),
                note: Optional[str] = typer.Option(None, "--note", help=N_("What was found.")),
                evidence: Optional[List[str]] = typer.Option(None, "--evidence", metavar=N_("FILE"),
                                                             help=N_("A file of evidence; repeat for more.")),
                due: Optional[str] = typer.Option(None, "--due", metavar=N_("DATE"),
                                                  help=N_("With --relapsed: the new task's deadline.")),
                within: Optional[str] = typer.Option(None, "--within", metavar=N_("SPAN"),
                                                     help=N_("Listing: also those due within this span, e.g. 30d.")),
                as_json: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    from rectify import lookback

    if task_id is None:
        if held or relapsed or by or note or evidence or due:
            raise InputError(_("Give the id of the task checked again: `rectify recheck ID --held ...`."))
        from rectify import dates

        days = dates.parse_duration_days(within) if within else 0
        with closing(open_ledger(run)) as led:
            tasks = lookback.due_rechecks(led, days)
        if as_json:
            emit_json(tasks)
            return
        from rectify.render.terminal import recheck_table

        recheck_table(tasks)
        return
    if held == relapsed:
        raise InputError(_("Give --held or --relapsed."))
    if not by:
        raise InputError(_("Give --by: the checker, who is not the person responsible."))
    if not note:
        raise InputError(_("Give --note: what the re-check found."))
    if due and not relapsed:
        raise InputError(_("--due is for a relapse's new task: use it with --relapsed."))
    with closing(open_ledger(run, write=True)) as led:
        result = lookback.record_recheck(led, task_id, "held" if held else "relapsed", by, note, evidence or [], due=due)
    if as_json:
        emit_json(result)
    elif held:
        say(_("Task {id}: the fix held (checked by {by}).").format(id=task_id, by=result["checker"]))
    else:
        say(_("Task {id}: relapsed; new task {new} opened for it.").format(id=task_id, new=result["relapse_task_id"]))


# -- lookback -------------------------------------------------------------------------

LOOKBACK_HELP = N_(
    "The look-back: samples of closed tasks, drawn at random for an on-site check, and their sheets.\n\n"
    "Example: rectify lookback sample --rate 20% --seed 2026 · rectify lookback sheet 1 --format html --output s.html")


@command("sample", help=N_(
    "Draw a sample of closed tasks at random: --rate (a share) or --n (how many), stratified by unit and kind so "
    "every unit is seen, reproducibly from --seed (the same seed and ledger give the same sample). The sample is "
    "recorded; check its tasks with `rectify recheck ID --held|--relapsed`.\n\n"
    "Example: rectify lookback sample --round \"Audit 2026\" --rate 20% --seed 2026"))
def sample_cmd(run: Run, rate: Optional[str] = typer.Option(None, "--rate", metavar="20%", help=N_("The share to sample.")),
               n: Optional[int] = typer.Option(None, "--n", metavar="N", help=N_("How many tasks to sample.")),
               seed: Optional[str] = typer.Option(None, "--seed", help=N_("The seed (default: a random one, recorded).")),
               round_: Optional[str] = typer.Option(None, "--round", "-r", metavar=N_("ROUND"), help=ROUND_HELP),
               unit: Optional[str] = typer.Option(None, "--unit", "-u", help=N_("Responsible unit.")),
               category: Optional[str] = typer.Option(None, "--category", "-c", help=N_("Problem category.")),
               kind: Optional[str] = typer.Option(None, "--kind", "-k", help=N_("immediate, long_term or none.")),
               start: Optional[str] = typer.Option(None, "--from", metavar=N_("DATE"), help=N_("Closed on or after this day.")),
               end: Optional[str] = typer.Option(None, "--to", metavar=N_("DATE"), help=N_("Closed on or before this day.")),
               note: Optional[str] = typer.Option(None, "--note", help=N_("Remarks.")),
               as_json: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    from rectify import dates
    from rectify import lookback

    scope = {k: v for k, v in {"unit": unit, "category": category, "kind": parse_kind_filter(kind),
                               "from": dates.parse_date(start).isoformat() if start else None,
                               "to": dates.parse_date(end).isoformat() if end else None}.items() if v}
    share = lookback.parse_rate(rate) if rate is not None else None
    with closing(open_ledger(run, write=True)) as led:
        if round_ is not None:
            scope["round"] = find_round(led, round_)["id"]
        sample = lookback.take_sample(led, scope, rate=share, n=n, seed=seed, note=note)
    if as_json:
        emit_json(sample)
        return
    say(_("Sample {id}: {n} of {population} closed tasks (seed {seed}).").format(
        id=sample["id"], n=sample["sampled"], population=sample["population"], seed=sample["seed"]))
    if sample["sampled"] > sample["wanted"]:
        say(_("{n} more than asked, so that every unit is seen.").format(n=sample["sampled"] - sample["wanted"]))
    say(_("Print its sheet: rectify lookback sheet {id}").format(id=sample["id"]))


@command("list", help=N_(
    "List the samples drawn, with how many of their tasks were checked, held and relapsed.\n\n"
    "Example: rectify lookback list --json"))
def samples_cmd(run: Run, as_json: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    from rectify import lookback

    read_and_show(run, lookback.list_samples, "terminal.sample_table", as_json)


@command("sheet", help=N_(
    "The sheet for checking a sample on site: each task with its unit, measure, target, closing and evidence, "
    "and room for the result. Formats: text, html (printable), xlsx.\n\n"
    "Example: rectify lookback sheet 1 --format xlsx --output lookback-1.xlsx"))
def sheet_cmd(run: Run, sample_id: int = typer.Argument(..., metavar=N_("ID")),
              fmt: str = typer.Option("text", "--format", "-f", metavar=N_("text|html|xlsx"), show_default=N_("text"),
                                      help=N_("text, html or xlsx.")),
              output: Optional[str] = typer.Option(None, "--output", metavar=N_("FILE"),
                                                   help=N_("Write to FILE instead of the screen (needed for xlsx).")),
              as_json: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    from rectify import lookback
    from rectify.cli.reports import FORMAT_WORDS

    word = FORMAT_WORDS.get(fmt.strip().lower(), fmt.strip().lower())
    if word not in ("text", "html", "xlsx"):
        raise InputError(_("Unknown format {value!r}: use text, html or xlsx.").format(value=fmt))
    path = output_file(run, output)
    if word == "xlsx" and path is None and not as_json:
        raise InputError(_("An xlsx sheet needs --output FILE."))
    with closing(open_ledger(run)) as led:
        sample = lookback.get_sample(led, sample_id, tasks=True)
    if as_json:
        emit_json(sample)
        return
    from rectify.render import lookback_sheet

    if word == "xlsx":
        from rectify.exchange.exporter import atomic_write

        assert path is not None  # refused above without --output
        atomic_write(path, lambda tmp: lookback_sheet.xlsx(tmp, sample, run.today().isoformat()))
        say(_("Wrote {path}.").format(path=path))
        return
    text = lookback_sheet.html(sample) if word == "html" else plain_text(lambda con: lookback_sheet.text(sample, con))
    if path is None:
        sys.stdout.write(text)
    else:
        write_text(path, text)
        say(_("Wrote {path}.").format(path=path))


# -- notice ---------------------------------------------------------------------------

NOTICE_HELP = N_(
    "Numbered notices: reminders, supervision notices and warnings, issued with `rectify sheets --issue`, "
    "and their replies.\n\n"
    "Example: rectify notice list --overdue · rectify notice reply 3 --note \"Done by Friday\"")


@command("list", help=N_(
    "List the notices issued: --awaiting those to be answered, --overdue those whose reply-by date has passed.\n\n"
    "Example: rectify notice list --awaiting"))
def notice_list_cmd(run: Run, awaiting: bool = typer.Option(False, "--awaiting", help=N_("Only notices awaiting a reply.")),
                    overdue: bool = typer.Option(False, "--overdue", help=N_("Only notices whose reply is overdue.")),
                    as_json: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    from rectify import supervision

    read_and_show(run, lambda led: supervision.list_notices(led, awaiting=awaiting, overdue=overdue),
                  "terminal.notice_table", as_json)


@command("show", help=N_(
    "Show one notice, by its number or id, with its tasks and reply.\n\nExample: rectify notice show 3"))
def notice_show_cmd(run: Run, ref: str = typer.Argument(..., metavar=N_("NUMBER|ID")),
                    as_json: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    from rectify import ledger
    from rectify import supervision

    with closing(open_ledger(run)) as led:
        notice = supervision.find_notice(led, ref)
        tasks = [ledger.get_task(led, t) for t in notice["tasks"]]
    if as_json:
        emit_json({**notice, "task_details": tasks})
        return
    from rectify.render.terminal import notice_detail

    notice_detail(notice, tasks)


@command("reply", help=N_(
    "Record the reply to a notice.\n\nExample: rectify notice reply 3 --note \"Receipts filed; minutes attached\""))
def notice_reply_cmd(run: Run, ref: str = typer.Argument(..., metavar=N_("NUMBER|ID")),
                     note: str = typer.Option(..., "--note", help=N_("The reply.")),
                     by: Optional[str] = typer.Option(None, "--by", help=N_("Who replied (default: you).")),
                     as_json: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    from rectify import supervision

    with closing(open_ledger(run, write=True)) as led:
        notice = supervision.reply(led, ref, note, by)
    if as_json:
        emit_json(notice)
        return
    say(_("Notice {number}: reply recorded.").format(number=notice["number"]))


def register(app: typer.Typer) -> None:
    add_commands(app, config_cmd, recheck_cmd)
    add_commands(command_group(app, "lookback", LOOKBACK_HELP), sample_cmd, samples_cmd, sheet_cmd)
    add_commands(command_group(app, "notice", NOTICE_HELP), notice_list_cmd, notice_show_cmd, notice_reply_cmd)
