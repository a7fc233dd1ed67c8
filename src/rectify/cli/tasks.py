"""The task commands: add, list, show, edit, classify, progress, evidence,
the state changes (start, submit, close, reject, reopen, cancel), extend,
history, problems, where and demo.

No SQL and no layout here. Heavy modules (rich, sqlite-utils, dateutil's
parser, openpyxl) load inside the commands that need them; a test guards it.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable, List, Optional

import typer

from rectify.cli.common import (
    JSON_HELP,
    ROUND_HELP,
    chosen_ledger,
    closing,
    command,
    emit_json,
    find_round,
    guard_output,
    join_people,
    list_filters,
    open_ledger,
    out,
    say,
    use_ledger,
)
from rectify.cli.common import register as add_commands
from rectify.errors import InputError
from rectify.i18n import _


@command("add", help=_(
    "Add a rectification task and print its id.\n\n"
    "Example: rectify add \"Clear the overdue reimbursements\" --kind immediate --due eom "
    "--unit Finance --owner \"Li Hua\" --new-problem \"Reimbursement backlog\" --category Finance"))
def add_cmd(
    title: str = typer.Argument(..., metavar=_("TITLE"), help=_("The measure: what will be done.")),
    kind: Optional[str] = typer.Option(None, "--kind", "-k", help=_("immediate or long_term.")),
    due: Optional[str] = typer.Option(None, "--due", "-d", help=_("Deadline: 2026-12-31, +2w, eom, next friday ...")),
    unit: Optional[str] = typer.Option(None, "--unit", "-u", help=_("Responsible unit.")),
    owner: Optional[str] = typer.Option(None, "--owner", "-o", help=_("Person responsible.")),
    leader: Optional[str] = typer.Option(None, "--leader", help=_("Leader in charge.")),
    helper: Optional[List[str]] = typer.Option(None, "--helper", help=_("A helper; repeat for more.")),
    target: Optional[str] = typer.Option(None, "--target", "-t", help=_("Target: the result that counts as fixed.")),
    note: Optional[str] = typer.Option(None, "--note", help=_("Remarks.")),
    problem: Optional[int] = typer.Option(None, "--problem", "-p", help=_("Id of the problem this task answers.")),
    new_problem: Optional[str] = typer.Option(None, "--new-problem", help=_("Record a new problem (a finding) with this text.")),
    category: Optional[str] = typer.Option(None, "--category", "-c", help=_("Problem category.")),
    round_: Optional[str] = typer.Option(None, "--round", "-r", metavar=_("ROUND"), help=ROUND_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    from rectify import ledger as L

    if problem is not None and new_problem:
        raise InputError(_("Give --problem or --new-problem, not both."))
    fields = {"title": title, "kind": kind, "due": due, "unit": unit, "owner": owner, "leader": leader,
              "helpers": join_people(helper), "target": target, "note": note, "category": category}
    # Validate before the ledger file is created, so bad input leaves no file behind.
    L.prepare_fields(fields)
    if round_ is not None:  # an unknown round leaves no ledger file behind either
        with closing(open_ledger()) as led:
            find_round(led, round_)
    with closing(open_ledger(write=True)) as led:
        chosen = find_round(led, round_)
        task_id = L.add_task(led, fields, problem_id=problem, new_problem=new_problem,
                             round_id=chosen["id"] if chosen else None)
        if as_json:
            emit_json(L.get_task(led, task_id))
        else:
            print(_("Added task {id}.").format(id=task_id))


@command("list", help=_(
    "List tasks: open work by default (all but closed and cancelled), by deadline.\n\n"
    "Colours: red overdue; yellow behind (open or in progress, due within 30 days, no progress note "
    "for 14 days); blue due within 7 days.\n\n"
    "Example: rectify list --overdue --unit Finance"))
def list_cmd(
    overdue: bool = typer.Option(False, "--overdue", help=_("Only overdue tasks.")),
    due_within: Optional[str] = typer.Option(None, "--due-within", metavar=_("DAYS"), help=_("Only tasks due within this span: 7d, 2w.")),
    kind: Optional[str] = typer.Option(None, "--kind", "-k", help=_("immediate, long_term or none.")),
    status: Optional[List[str]] = typer.Option(None, "--status", "-s", help=_("open, in_progress, submitted, closed, cancelled; repeatable.")),
    unit: Optional[str] = typer.Option(None, "--unit", "-u", help=_("Responsible unit.")),
    owner: Optional[str] = typer.Option(None, "--owner", "-o", help=_("Person responsible.")),
    leader: Optional[str] = typer.Option(None, "--leader", help=_("Leader in charge.")),
    problem: Optional[int] = typer.Option(None, "--problem", "-p", help=_("Problem id.")),
    category: Optional[str] = typer.Option(None, "--category", "-c", help=_("Problem category.")),
    search: Optional[str] = typer.Option(None, "--search", "-S", help=_("Text in the measure, target, problem, unit or people.")),
    round_: Optional[str] = typer.Option(None, "--round", "-r", metavar=_("ROUND"), help=ROUND_HELP),
    all_: bool = typer.Option(False, "--all", "-a", help=_("Every state, closed and cancelled too.")),
    review: bool = typer.Option(False, "--review", help=_(
        "Only tasks awaiting review: an import kept a cell of theirs it could not read (every state).")),
    due_before: Optional[str] = typer.Option(None, "--due-before", metavar=_("DATE"), help=_(
        "Only tasks due on or before this day, in any form `add --due` takes: eom, next friday, 2027-03-31.")),
    due_after: Optional[str] = typer.Option(None, "--due-after", metavar=_("DATE"), help=_(
        "Only tasks due on or after this day.")),
    sort: Optional[str] = typer.Option(None, "--sort", metavar=_("KEY"), help=_(
        "Order by due (default), late, unit, owner, status, kind, id or updated; -KEY reverses.")),
    reverse: bool = typer.Option(False, "--reverse", help=_("Reverse the order.")),
    limit: Optional[int] = typer.Option(None, "--limit", "-n", help=_("Page size (default 50 on screen; 0 = no limit).")),
    page: int = typer.Option(1, "--page", min=1, help=_("Which page to show.")),
    as_json: bool = typer.Option(False, "--json", help=_("Print a JSON array of tasks (no paging unless --limit).")),
) -> None:
    from rectify import ledger as L

    filters = list_filters(overdue=overdue, due_within=due_within, kind=kind, status=status, unit=unit,
                           owner=owner, leader=leader, problem=problem, category=category, search=search, all_=all_,
                           review=review, due_before=due_before, due_after=due_after)
    filters["sort"], reversed_ = L.parse_sort(sort)
    filters["reverse"] = reversed_ != reverse
    if limit is not None and limit < 0:
        raise InputError(_("--limit must be 0 or more."))
    size = limit if limit is not None else (None if as_json else 50)
    if size == 0:
        size = None
    offset = (page - 1) * size if size else 0
    with closing(open_ledger()) as led:
        from rectify import filters as F

        F.check(led, filters)
        chosen = find_round(led, round_)
        filters["round"] = chosen["id"] if chosen else None
        tasks, total = L.list_tasks(led, filters, limit=size, offset=offset)
        empty = not total and F.is_empty(led)
    if as_json:
        emit_json(tasks)
        return
    if empty:
        say(F.empty_hint())
        return
    from rectify.render.terminal import task_table

    task_table(tasks, total, offset)


@command("show", help=_("Show one task with its evidence and history.\n\nExample: rectify show 12"))
def show_cmd(task_id: int = typer.Argument(..., metavar=_("ID")),
             as_json: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    from rectify import ledger as L
    from rectify import lookback

    with closing(open_ledger()) as led:
        task = L.get_task(led, task_id, detail=True)
        task["lookback"] = lookback.links(led, task_id)
    if as_json:
        emit_json(task)
        return
    from rectify.render.terminal import task_detail

    task_detail(task)


@command("edit", help=_(
    "Change fields of a task. An empty value clears a field. A later deadline is an extension: use `extend`.\n\n"
    "Example: rectify edit 12 --owner \"Wang Fang\" --target \"All receipts filed\""))
def edit_cmd(
    task_id: int = typer.Argument(..., metavar=_("ID")),
    title: Optional[str] = typer.Option(None, "--title", help=_("The measure: what will be done.")),
    kind: Optional[str] = typer.Option(None, "--kind", "-k", help=_("immediate or long_term.")),
    due: Optional[str] = typer.Option(None, "--due", "-d", help=_("Deadline (earlier, or where none was set).")),
    unit: Optional[str] = typer.Option(None, "--unit", "-u", help=_("Responsible unit.")),
    owner: Optional[str] = typer.Option(None, "--owner", "-o", help=_("Person responsible.")),
    leader: Optional[str] = typer.Option(None, "--leader", help=_("Leader in charge.")),
    helper: Optional[List[str]] = typer.Option(None, "--helper", help=_("A helper; repeat for more.")),
    target: Optional[str] = typer.Option(None, "--target", "-t", help=_("Target: the result that counts as fixed.")),
    note: Optional[str] = typer.Option(None, "--note", help=_("Remarks.")),
    category: Optional[str] = typer.Option(None, "--category", "-c", help=_("Problem category.")),
    problem: Optional[int] = typer.Option(None, "--problem", "-p", help=_("Id of the problem this task answers.")),
    new_problem: Optional[str] = typer.Option(None, "--new-problem", help=_("Attach to a new problem with this text.")),
    round_: Optional[str] = typer.Option(None, "--round", "-r", metavar=_("ROUND"), help=_(
        "Move the task's problem, with all its tasks, to this round.")),
) -> None:
    from rectify import ledger as L

    given = {"title": title, "kind": kind, "due": due, "unit": unit, "owner": owner, "leader": leader,
             "helpers": join_people(helper) if helper else None, "target": target, "note": note, "category": category}
    fields = {k: v for k, v in given.items() if v is not None}
    if helper == [""]:
        fields["helpers"] = None
    if not fields and problem is None and not new_problem and round_ is None:
        raise InputError(_("Nothing to change: give at least one option, e.g. --owner or --due."))
    with closing(open_ledger(write=True)) as led:
        chosen = find_round(led, round_)
        changed = L.edit_task(led, task_id, fields, problem_id=problem, new_problem=new_problem,
                              round_id=chosen["id"] if chosen else None)
    if changed:
        from rectify.model import field_label

        say(_("Task {id}: changed {fields}.").format(id=task_id, fields=_(", ").join(field_label(f) for f in changed)))
    else:
        say(_("Task {id}: nothing changed.").format(id=task_id))


@command("classify", help=_(
    "Set a task's kind: immediate or long_term.\n\n"
    "With --auto, propose a kind for every task that has none. The rule: wording about rules and "
    "institutions (policy, procedure, mechanism, regulation, and the same words in Chinese) "
    "or a deadline more than 90 days after the task was recorded means long_term; a deadline within "
    "90 days means immediate; otherwise no proposal. Proposals apply after you confirm, or at once with --yes.\n\n"
    "Examples: rectify classify 12 long_term · rectify classify --auto --yes"))
def classify_cmd(
    task_id: Optional[int] = typer.Argument(None, metavar=_("ID")),
    kind: Optional[str] = typer.Argument(None, metavar=_("KIND")),
    auto: bool = typer.Option(False, "--auto", help=_("Propose kinds for unclassified tasks.")),
    yes: bool = typer.Option(False, "--yes", "-y", help=_("Apply the proposals without asking.")),
) -> None:
    from rectify import ledger as L

    if auto:
        if task_id is not None or kind:
            raise InputError(_("Use either `classify ID KIND` or `classify --auto`, not both."))
        return _classify_auto(yes)
    if task_id is None or not kind:
        raise InputError(_("Give a task id and a kind, e.g. `rectify classify 12 long_term`, or use --auto."))
    with closing(open_ledger(write=True)) as led:
        changed = L.classify(led, task_id, kind)
        task = L.get_task(led, task_id)
    from rectify.model import kind_label

    if changed:
        say(_("Task {id} is now {kind}.").format(id=task_id, kind=kind_label(task["kind"])))
    else:
        say(_("Task {id} was already {kind}.").format(id=task_id, kind=kind_label(task["kind"])))


def _classify_auto(yes: bool) -> None:
    from rectify import classify as C
    from rectify.model import kind_label

    with closing(open_ledger()) as led:
        proposals = C.propose(led)
    if not proposals:
        say(_("Every task has a kind, or none could be proposed."))
        return
    for p in proposals:
        out(f"{p['id']:>6}  {kind_label(p['kind']):<8}  {p['title']}  ({_(p['reason'])})")
    if not yes:
        if not sys.stdin.isatty():
            say(_("{n} proposals shown, none applied: run again with --yes to apply them.").format(n=len(proposals)))
            return
        if not typer.confirm(_("Apply these {n} proposals?").format(n=len(proposals))):
            say(_("Nothing applied."))
            return
    with closing(open_ledger(write=True)) as led:
        applied = C.apply(led, proposals)
    say(_("Classified {n} tasks.").format(n=applied))


@command("progress", help=_(
    "Add a dated progress note to a task; an open task moves to in progress.\n\n"
    "Example: rectify progress 12 \"Draft rules sent for comment\" --percent 60"))
def progress_cmd(
    task_id: int = typer.Argument(..., metavar=_("ID")),
    note: str = typer.Argument(..., metavar=_("NOTE")),
    percent: Optional[int] = typer.Option(None, "--percent", help=_("Progress, 0 to 100.")),
) -> None:
    from rectify import ledger as L

    with closing(open_ledger(write=True)) as led:
        task = L.add_progress(led, task_id, note, percent)
    say(_("Task {id}: progress noted ({percent}%).").format(id=task_id, percent=task["progress"]))


@command("evidence", help=_(
    "Attach evidence: files are copied into the ledger's evidence folder with their sha256. "
    "Use --note for evidence that is not a file.\n\n"
    "Example: rectify evidence 12 minutes.pdf rules-2026.docx"))
def evidence_cmd(
    task_id: int = typer.Argument(..., metavar=_("ID")),
    files: Optional[List[str]] = typer.Argument(None, metavar=_("FILE...")),
    note: Optional[str] = typer.Option(None, "--note", help=_("A description, or evidence that is not a file.")),
) -> None:
    from rectify import ledger as L

    with closing(open_ledger(write=True)) as led:
        added = L.add_evidence(led, task_id, files or [], note)
    for ev in added:
        if ev["name"]:
            say(_("Task {id}: attached {name} (sha256 {sha}).").format(id=task_id, name=ev["name"], sha=ev["sha256"][:12]))
        else:
            say(_("Task {id}: evidence note recorded.").format(id=task_id))


IDS = typer.Argument(..., metavar=_("ID..."), help=_(
    "One task id or several: all change, or none (a refusal names the task)."))


def _status_command(verb: str, task_ids: list[int], *, reason: str | None = None, checker: str | None = None,
                    recheck=None) -> None:
    """A state change of one task or several, all or nothing."""
    from rectify import ledger as L
    from rectify.model import status_label

    with closing(open_ledger(write=True)) as led:
        tasks = L.change_status_many(led, task_ids, verb, reason=reason, checker=checker, recheck=recheck)
    for task in tasks:
        say(_("Task {id} is now {status}.").format(id=task["id"], status=status_label(task["status"])))
        if verb == "close" and task["recheck_due"]:
            from rectify.dates import show_date

            say(_("To be checked again by {date} (`rectify recheck`).").format(date=show_date(task["recheck_due"])))


@command("start", help=_("Mark tasks as in progress.\n\nExample: rectify start 12 13"))
def start_cmd(task_ids: List[int] = IDS) -> None:
    _status_command("start", task_ids)


@command("submit", help=_(
    "Submit tasks for verification. Each needs at least one piece of evidence.\n\nExample: rectify submit 12"))
def submit_cmd(task_ids: List[int] = IDS) -> None:
    _status_command("submit", task_ids)


@command("close", help=_(
    "Close a submitted task after checking its evidence. The checker must not be the person responsible. "
    "The task is to be checked again after the ledger's period for its kind (`rectify config`), "
    "unless --recheck-in, --recheck-on or --no-recheck says otherwise.\n\n"
    "Example: rectify close 12 13 --by \"Chen Jing\" --recheck-in 60d"))
def close_cmd(task_ids: List[int] = IDS,
              by: str = typer.Option(..., "--by", help=_("The checker, who verifies the evidence.")),
              note: Optional[str] = typer.Option(None, "--note", help=_("The checker's remark.")),
              recheck_in: Optional[str] = typer.Option(None, "--recheck-in", metavar=_("SPAN"),
                                                       help=_("Check it again after this span: 60d, 3m.")),
              recheck_on: Optional[str] = typer.Option(None, "--recheck-on", metavar=_("DATE"),
                                                       help=_("Check it again on this day.")),
              no_recheck: bool = typer.Option(False, "--no-recheck", help=_("Do not schedule a re-check.")),
              ) -> None:
    from rectify import dates

    if len([x for x in (recheck_in, recheck_on, no_recheck or None) if x is not None]) > 1:
        raise InputError(_("Give one of --recheck-in, --recheck-on and --no-recheck."))
    recheck: int | str | bool | None = None
    if recheck_in is not None:
        recheck = dates.parse_duration_days(recheck_in)
    elif recheck_on is not None:
        day = dates.parse_date(recheck_on)
        if day <= dates.today():
            raise InputError(_("--recheck-on must be a day after today, not {date}.").format(date=dates.show_date(day)))
        recheck = day.isoformat()
    elif no_recheck:
        recheck = False
    _status_command("close", task_ids, checker=by, reason=note, recheck=recheck)


def _reason_command(verb: str, help: str, reason_help: str) -> Callable[..., None]:
    """A state change that takes only an id and a reason: reject, reopen, cancel."""

    @command(verb, help=help)
    def cmd(task_ids: List[int] = IDS,
            reason: str = typer.Option(..., "--reason", "-r", help=reason_help)) -> None:
        _status_command(verb, task_ids, reason=reason)

    return cmd


reject_cmd = _reason_command("reject", _("Send a submitted task back to in progress, with a reason.\n\n"
                                       "Example: rectify reject 12 --reason \"Minutes not signed\""),
                               _("Why it failed the check."))
reopen_cmd = _reason_command("reopen", _("Reopen a closed task, with a reason; its history is kept.\n\n"
                                       "Example: rectify reopen 12 --reason \"Problem recurred in spot check\""),
                               _("Why it is reopened."))
cancel_cmd = _reason_command("cancel", _("Withdraw a task, e.g. a duplicate, with a reason.\n\n"
                                       "Example: rectify cancel 12 --reason \"Duplicate of 9\""),
                               _("Why it is withdrawn."))


@command("extend", help=_(
    "Grant an extension at once, or request one for approval.\n\n"
    "`extend ID NEW_DUE --reason R` (or `--to NEW_DUE`) grants one at once: a later deadline, "
    "with a reason; the old deadline stays in history. With --request it is only asked for, to be approved "
    "or refused by someone other than the person responsible: `extend approve REQ --by NAME`, "
    "`extend refuse REQ --by NAME --reason R`. A request made after the deadline is flagged late. "
    "`extend requests [--pending]` lists the requests.\n\n"
    "Example: rectify extend 12 --to 2027-03-31 --reason \"Awaiting the provincial rules\" --request"))
def extend_cmd(target: str = typer.Argument(..., metavar=_("ID|approve|refuse|requests")),
               value: Optional[str] = typer.Argument(None, metavar=_("[NEW_DUE|REQ]")),
               to: Optional[str] = typer.Option(None, "--to", metavar=_("DATE"), help=_("The new deadline.")),
               reason: Optional[str] = typer.Option(None, "--reason", "-r", help=_("Why the deadline moves (or, with refuse, why not).")),
               request: bool = typer.Option(False, "--request", help=_("Ask for the extension, for approval.")),
               by: Optional[str] = typer.Option(None, "--by", help=_("Who approves or refuses.")),
               pending: bool = typer.Option(False, "--pending", help=_("With requests: only those pending.")),
               as_json: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    from rectify import ledger as L
    from rectify import supervision as S
    from rectify.dates import show_date

    word = target.strip().lower()
    if word in ("approve", "refuse"):
        if value is None or not value.strip().isdigit():
            raise InputError(_("Give the request's number: `rectify extend {verb} REQ --by NAME`.").format(verb=word))
        if not by:
            raise InputError(_("Give --by: who approves or refuses (not the person responsible)."))
        with closing(open_ledger(write=True)) as led:
            req = S.decide(led, int(value), approve=word == "approve", by=by, note=reason)
        if as_json:
            emit_json(req)
        elif word == "approve":
            say(_("Request {id} approved: task {task} is now due {due}.").format(id=req["id"], task=req["task_id"],
                                                                                  due=show_date(req["new_due"])))
        else:
            say(_("Request {id} refused: task {task} stays due {due}.").format(id=req["id"], task=req["task_id"],
                                                                                due=show_date(req["due"])))
        return
    if word == "requests":
        with closing(open_ledger()) as led:
            requests = S.list_requests(led, pending=pending)
        if as_json:
            emit_json(requests)
            return
        from rectify.render.terminal import request_table

        request_table(requests)
        return
    try:
        task_id = int(target)
    except ValueError:
        raise InputError(_("{value!r} is not a task id; use `extend ID --to DATE --reason ...`, `extend approve REQ`, "
                           "`extend refuse REQ` or `extend requests`.").format(value=target)) from None
    if value and to:
        raise InputError(_("Give the new deadline once: as NEW_DUE or as --to."))
    new_due = value or to
    if not new_due:
        raise InputError(_("Give the new deadline: `rectify extend {id} --to DATE --reason ...`.").format(id=task_id))
    if not reason:
        raise InputError(_("Give --reason: why the deadline moves."))
    if request:
        with closing(open_ledger(write=True)) as led:
            req = S.request_extension(led, task_id, new_due, reason)
        if as_json:
            emit_json(req)
            return
        say(_("Extension requested for task {task} to {due}: request {id}, awaiting approval.").format(
            task=task_id, due=show_date(req["new_due"]), id=req["id"]))
        if req["late"]:
            say(_("Note: the request was made after the deadline ({due}); it is flagged late.").format(
                due=show_date(req["old_due"])))
        return
    with closing(open_ledger(write=True)) as led:
        task = L.extend(led, task_id, new_due, reason)
    if as_json:
        emit_json(task)
        return
    say(_("Task {id} is now due {due}.").format(id=task_id, due=show_date(task["due"])))


@command("history", help=_("Show every recorded change to a task.\n\nExample: rectify history 12"))
def history_cmd(task_id: int = typer.Argument(..., metavar=_("ID")),
                as_json: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    from rectify import ledger as L

    with closing(open_ledger()) as led:
        L.get_task(led, task_id)
        events = L.history(led, task_id)
    if as_json:
        emit_json(events)
        return
    from rectify.render.terminal import history_table

    history_table(events)


@command("problems", help=_("List the problems (findings) with their task counts.\n\nExample: rectify problems"))
def problems_cmd(as_json: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    from rectify import ledger as L

    with closing(open_ledger()) as led:
        problems = L.list_problems(led)
    if as_json:
        emit_json(problems)
        return
    from rectify.render.terminal import problem_table

    problem_table(problems)


@command("where", help=_("Show the ledger file in use and where that choice came from.\n\nExample: rectify where"))
def where_cmd() -> None:
    from rectify.paths import evidence_dir
    from rectify.paths import ledger_path as resolve

    path, source = resolve(chosen_ledger())
    out(str(path))
    shown = {"default": _("the default location")}.get(source, source)  # --db and RECTIFY_DB are typed as is
    say(_("(from {source}; evidence in {evidence}; {state})").format(
        source=shown, evidence=evidence_dir(path),
        state=_("exists") if path.exists() else _("not created yet")))


@command("demo", help=_(
    "Build a demo ledger of a realistic inspection (never your real ledger), then show its list and summary.\n\n"
    "Example: rectify demo"))
def demo_cmd(path: Optional[str] = typer.Argument(None, metavar=_("PATH"),
                                                 help=_("Where to write it (default: a fresh folder in your temp dir)."))) -> None:
    from rectify import demo
    from rectify.paths import evidence_dir

    if path:  # never the ledger in use, nor in its evidence folder
        guard_output(path)
        guard_output(evidence_dir(Path(path)))
    target = demo.build(Path(path) if path else None)
    out(_("Demo ledger: {path}").format(path=target))
    say(_("Try: rectify --db {path} list --overdue").format(path=target))
    use_ledger(str(target))
    list_cmd.__wrapped__(overdue=False, due_within=None, kind=None, status=None, unit=None, owner=None,
                         leader=None, problem=None, category=None, search=None, round_=None, all_=False, review=False,
                         due_before=None, due_after=None, sort=None, reverse=False, limit=None, page=1, as_json=False)
    from rectify.cli.reports import print_summary

    print()
    print_summary()


def register(app: typer.Typer) -> None:
    add_commands(app, add_cmd, list_cmd, show_cmd, edit_cmd, classify_cmd, progress_cmd, evidence_cmd,
                 start_cmd, submit_cmd, close_cmd, reject_cmd, reopen_cmd, cancel_cmd, extend_cmd,
                 history_cmd, problems_cmd, where_cmd, demo_cmd)
