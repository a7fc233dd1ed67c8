"""The commands of rounds, outcomes and the report: round, outcome, outcomes, report.

``register`` adds them to the app (``rectify.cli.app``).
The work is in ``rectify.rounds`` and ``rectify.reports``; the
documents are laid out in ``rectify.render.document`` and, for Word,
``rectify.render.docx_file`` (python-docx loads only there).
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from rectify.cli.common import (
    closing,
    command,
    emit_json,
    find_round,
    open_ledger,
    output_file,
    read_and_show,
    say,
)
from rectify.cli.common import register as add_commands
from rectify.cli.context import Run
from rectify.cli.options import JSON_HELP, ROUND_HELP
from rectify.errors import InputError
from rectify.i18n import N_, _

# The actions of `round` and `outcome`, as typed in either language.
ROUND_ACTIONS = {"add": "add", "list": "list", "edit": "edit", "添加": "add", "新增": "add", "列出": "list",
                 "查看": "list", "修改": "edit"}
OUTCOME_ACTIONS = {"add": "add", "withdraw": "withdraw", "添加": "add", "记录": "add", "撤回": "withdraw"}
REPORT_FORMATS = {"docx": "docx", "word": "docx", "md": "md", "markdown": "md", "html": "html", "网页": "html"}


def _action(value: str, allowed: dict[str, str], shown: str) -> str:
    word = value.strip().lower()
    if word not in allowed:
        raise InputError(_("Unknown action {value!r}: use {allowed}.").format(value=value, allowed=shown))
    return allowed[word]


# -- round ------------------------------------------------------------------------


@command("round", help=N_(
    "The rounds a ledger's problems come from: an inspection, an inspection tour, an audit, a "
    "supervision visit or a look-back, each with its kind, feedback date and issuing body. "
    "`round add NAME`, `round list`, `round edit ROUND` (by name or id). Problems join a round with "
    "`add --new-problem ... --round`, `import --round` or `edit --round`.\n\n"
    "Example: rectify round add \"Third inspection group feedback\" --kind inspection --fed-back 2026-09-15 "
    "--issuer \"District inspection office\""))
def round_cmd(
    run: Run,
    action: str = typer.Argument(..., metavar=N_("add|list|edit")),
    name: Optional[str] = typer.Argument(None, metavar=N_("NAME"), help=N_("The round's name (add) or the round (edit).")),
    kind: Optional[str] = typer.Option(None, "--kind", "-k", metavar=N_("KIND"), help=N_(
        "tour, inspection, audit, supervision, lookback or other; the Chinese words work too.")),
    fed_back: Optional[str] = typer.Option(None, "--fed-back", metavar=N_("DATE"), help=N_("The date of the feedback.")),
    issuer: Optional[str] = typer.Option(None, "--issuer", metavar=N_("BODY"), help=N_("The body that fed it back.")),
    new_name: Optional[str] = typer.Option(None, "--name", metavar=N_("NAME"), help=N_("A new name (edit).")),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    from rectify import rounds

    action = _action(action, ROUND_ACTIONS, _("add|list|edit"))
    if action == "list":
        if name is not None or kind is not None or fed_back is not None or issuer is not None or new_name is not None:
            raise InputError(_("`round list` takes no name or options but --json."))
        read_and_show(run, rounds.list_rounds, "terminal.round_table", as_json)
        return
    if not name:
        raise InputError(_("Give the round's name, e.g. `rectify round {action} NAME`.").format(action=action))
    if action == "add":
        if new_name is not None:
            raise InputError(_("--name renames a round: use it with `round edit`."))
        rounds._round_fields(kind, fed_back, issuer)  # bad input leaves no ledger file behind
        with closing(open_ledger(run, write=True)) as led:
            result = rounds.add_round(led, name, kind=kind, fed_back=fed_back, issuer=issuer)
        message = _("Added round {id}: {name}.")
    else:
        with closing(open_ledger(run, write=True)) as led:
            result = rounds.edit_round(led, name, name=new_name, kind=kind, fed_back=fed_back, issuer=issuer)
        message = _("Round {id} is now: {name}.")
    if as_json:
        emit_json(result)
    else:
        say(message.format(id=result["id"], name=result["name"]))


# -- outcome ------------------------------------------------------------------------


@command("outcome", help=N_(
    "Record what a task achieved, one entry at a time, each an event in its history: a rule "
    "established or revised (--rule TITLE, with --doc-no and --issued), money recovered, returned or saved "
    "(--money AMOUNT in yuan, --what, --type), people held to account (--people N, --form), or another "
    "result (--other TEXT). `outcome withdraw OUTCOME_ID --reason` withdraws an entry made in error.\n\n"
    "Example: rectify outcome add 12 --money 35000 --what \"Overpaid allowances\" --type returned"))
def outcome_cmd(
    run: Run,
    action: str = typer.Argument(..., metavar=N_("add|withdraw")),
    target: int = typer.Argument(..., metavar=N_("ID"), help=N_("The task (add) or the outcome (withdraw).")),
    rule: Optional[str] = typer.Option(None, "--rule", metavar=N_("RULE"), help=N_("A rule established or revised: its title.")),
    doc_no: Optional[str] = typer.Option(None, "--doc-no", metavar=N_("NUMBER"), help=N_("The rule's document number.")),
    issued: Optional[str] = typer.Option(None, "--issued", metavar=N_("DATE"), help=N_("The date the rule was issued.")),
    money: Optional[str] = typer.Option(None, "--money", metavar=N_("AMOUNT"), help=N_(
        "Money, in yuan: 12500 or 1,250.50; the Chinese unit of ten thousand works too.")),
    what: Optional[str] = typer.Option(None, "--what", metavar=N_("TEXT"), help=N_("What the money was.")),
    money_type: Optional[str] = typer.Option(None, "--type", metavar=N_("recovered|returned|saved"), help=N_(
        "recovered, returned or saved (the Chinese words work too); default recovered.")),
    people: Optional[int] = typer.Option(None, "--people", metavar="N", help=N_("People held to account.")),
    form: Optional[str] = typer.Option(None, "--form", metavar=N_("FORM"), help=N_(
        "How they were held to account, in the ledger's words.")),
    other: Optional[str] = typer.Option(None, "--other", metavar=N_("TEXT"), help=N_("Another result, in words.")),
    reason: Optional[str] = typer.Option(None, "--reason", "-r", help=N_("Why an entry is withdrawn.")),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    from rectify import rounds

    action = _action(action, OUTCOME_ACTIONS, _("add|withdraw"))
    entry = _entry(rule=rule, doc_no=doc_no, issued=issued, money=money, what=what, money_type=money_type,
                   people=people, form=form, other=other)
    if action == "withdraw":
        if entry is not None:
            raise InputError(_("`outcome withdraw` takes an outcome id and --reason only."))
        if not reason:
            raise InputError(_("Give --reason: why the entry is withdrawn."))
        with closing(open_ledger(run, write=True)) as led:
            result = rounds.withdraw_outcome(led, target, reason)
        say(_("Outcome {id} withdrawn.").format(id=target))
        if as_json:
            emit_json(result)
        return
    if entry is None:
        raise InputError(_("Give one of --rule, --money, --people or --other."))
    if reason is not None:
        raise InputError(_("--reason goes with `outcome withdraw`."))
    rounds._outcome_row(entry)  # bad input leaves no ledger file behind
    with closing(open_ledger(run, write=True)) as led:
        result = rounds.add_outcome(led, target, entry)
    if as_json:
        emit_json(result)
    else:
        say(_("Task {id}: outcome {outcome} recorded.").format(id=target, outcome=result["id"]))


def _entry(*, rule, doc_no, issued, money, what, money_type, people, form, other) -> dict | None:
    """The one outcome the options describe; options of another type are refused."""
    groups = {"rule": (rule, {"--doc-no": doc_no, "--issued": issued}),
              "money": (money, {"--what": what, "--type": money_type}),
              "people": (people, {"--form": form}),
              "other": (other, {})}
    chosen = [kind for kind, (main, _extra) in groups.items() if main is not None]
    if len(chosen) > 1:
        raise InputError(_("One outcome at a time: give one of --rule, --money, --people or --other."))
    for kind, (_main, extra) in groups.items():
        stray = [name for name, value in extra.items() if value is not None]
        if stray and kind not in chosen:
            main_option = {"rule": "--rule", "money": "--money", "people": "--people"}[kind]
            raise InputError(_("{option} goes with {main}.").format(option=stray[0], main=main_option))
    if not chosen:
        return None
    kind = chosen[0]
    if kind == "rule":
        return {"type": "rule", "title": rule, "doc_no": doc_no, "issued": issued}
    if kind == "money":
        return {"type": "money", "amount": money, "what": what, "money_type": money_type}
    if kind == "people":
        return {"type": "people", "people": people, "form": form}
    return {"type": "other", "text": other}


@command("outcomes", help=N_(
    "List the outcomes recorded (rules, money, people held to account, other results), with their task, "
    "unit and category, and their totals; --as-of gives them as they stood at the end of a past day.\n\n"
    "Example: rectify outcomes --round \"Third inspection group feedback\" --json"))
def outcomes_cmd(
    run: Run,
    round_: Optional[str] = typer.Option(None, "--round", "-r", metavar=N_("ROUND"), help=ROUND_HELP),
    as_of: Optional[str] = typer.Option(None, "--as-of", metavar=N_("DATE"), help=N_("The day to report on.")),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    from rectify import reports

    at = reports.as_of(as_of)
    read_and_show(run, lambda led: reports.outcomes(led, at, find_round(led, round_)), "terminal.outcome_list", as_json)


# -- report -------------------------------------------------------------------------


@command("report", help=N_(
    "The rectification report, or with --interim the interim progress report, for a "
    "round as of a date: the opening with the round and its feedback date, the problems done and in progress, "
    "the outcomes, one section per category with one item per problem (its measures, what was done, from the "
    "progress notes and outcomes), the open items with their deadlines, and a signature block. A draft in the "
    "ledger's own words, to finish by hand: as a Word document in the house style (docx), Markdown or HTML. "
    "Every figure equals that of `summary --json` for the same round and date.\n\n"
    "Example: rectify report --round \"Third inspection group feedback\" --output report.docx --unit-name \"City Bureau\""))
def report_cmd(
    run: Run,
    output: str = typer.Option(..., "--output", "-o", metavar=N_("FILE"), help=N_("The file to write.")),
    round_: Optional[str] = typer.Option(None, "--round", "-r", metavar=N_("ROUND"), help=ROUND_HELP),
    as_of: Optional[str] = typer.Option(None, "--as-of", metavar=N_("DATE"), help=N_("The day to report on.")),
    interim: bool = typer.Option(False, "--interim", help=N_("An interim progress report.")),
    fmt: Optional[str] = typer.Option(None, "--format", "-f", metavar="docx|md|html", help=N_(
        "docx, md or html (default: from the --output name).")),
    unit_name: Optional[str] = typer.Option(None, "--unit-name", metavar=N_("NAME"), help=N_(
        "The unit that reports, for the signature.")),
    addressee: Optional[str] = typer.Option(None, "--addressee", metavar=N_("NAME"), help=N_("To whom it is addressed.")),
    signer: Optional[str] = typer.Option(None, "--signer", metavar=N_("NAME"), help=N_("Who signs it.")),
) -> None:
    from rectify import reports
    from rectify.ledger import clean_text

    fmt = _report_format(fmt, output)
    path = output_file(run, output)
    assert path is not None
    people = {"unit_name": clean_text(unit_name, "unit"), "addressee": clean_text(addressee, "addressee"),
              "signer": clean_text(signer, "signer")}
    at = reports.as_of(as_of)
    with closing(open_ledger(run)) as led:
        data = reports.report(led, at, find_round(led, round_), interim=interim)
    data.update(people)
    from rectify.render import document

    doc = document.build(data)
    if fmt == "docx":
        from rectify.render import docx_file

        docx_file.write(doc, path)
    else:
        from rectify.exchange.exporter import atomic_write

        text = document.markdown(doc) if fmt == "md" else document.html(doc)
        atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    say(_("Wrote {path}.").format(path=path))


def _report_format(fmt: str | None, output: str) -> str:
    if fmt:
        word = fmt.strip().lower()
        if word not in REPORT_FORMATS:
            raise InputError(_("Unknown format {value!r}: use docx, md or html.").format(value=fmt))
        return REPORT_FORMATS[word]
    suffix = Path(output).suffix.lower().lstrip(".")
    if suffix in ("docx", "md", "html", "htm"):
        return "html" if suffix == "htm" else suffix
    raise InputError(_("Give --format docx, md or html, or an --output name ending in .docx, .md or .html."))


def register(app: typer.Typer) -> None:
    add_commands(app, round_cmd, outcome_cmd, outcomes_cmd, report_cmd)
