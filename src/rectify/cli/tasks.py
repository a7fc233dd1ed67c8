"""The task commands: add, list, show, edit, classify, progress, evidence,
the state changes (start, submit, close, reject, reopen, cancel), extend,
history, problems, where and demo.

No SQL and no layout here. Heavy modules (rich, sqlite-utils, dateutil's
parser, openpyxl) load inside the commands that need them; a test guards it.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import Callable, List, Optional

import typer

from rectify.cli.common import (
    closing,
    command,
    emit_json,
    find_round,
    guard_output,
    open_ledger,
    out,
    say,
)
from rectify.cli.common import register as add_commands
from rectify.cli.context import Run
from rectify.cli.options import JSON_HELP, AsJson, Round, TaskFields, TaskFilters
from rectify.errors import InputError
from rectify.i18n import N_, _


@command("add", help=N_(
    "Add a rectification task and print its id.\n\n"
    "Example: rectify add \"Clear the overdue reimbursements\" --kind immediate --due eom "
    "--unit Finance --owner \"Li Hua\" --new-problem \"Reimbursement backlog\" --category Finance"))
def add_cmd(
    run: Run,
    title: str = typer.Argument(..., metavar=N_("TITLE"), help=N_("The measure: what will be done.")),
    due: Optional[str] = typer.Option(None, "--due", "-d", help=N_("Deadline: 2026-12-31, +2w, eom, next friday ...")),
    task: TaskFields = TaskFields(),
    new_problem: Optional[str] = typer.Option(None, "--new-problem", help=N_("Record a new problem (a finding) with this text.")),
    round_: Round = None,
    as_json: AsJson = False,
) -> None:
    from rectify import ledger as L

    if task.problem is not None and new_problem:
        raise InputError(_("Give --problem or --new-problem, not both."))
    fields = {"title": title, "due": due, **task.given()}
    # Validate before the ledger file is created, so bad input leaves no file behind.
    L.prepare_fields(fields)
    if round_ is not None:  # an unknown round leaves no ledger file behind either
        with closing(open_ledger(run)) as led:
            find_round(led, round_)
    with closing(open_ledger(run, write=True)) as led:
        chosen = find_round(led, round_)
        task_id = L.add_task(led, fields, problem_id=task.problem, new_problem=new_problem,
                             round_id=chosen["id"] if chosen else None)
        added = L.get_task(led, task_id)
        if as_json:
            emit_json(added)
        elif added["due"]:
            from rectify.dates import show_date_weekday

            print(_("Added task {id}, due {date}.").format(id=task_id, date=show_date_weekday(added["due"])))
        else:
            print(_("Added task {id}.").format(id=task_id))
    _warn_past(added["due"])


def _warn_past(due: str | None) -> None:
    """A warning on stderr when a deadline just set is already past (it is taken: a ledger records what was fixed)."""
    from rectify import dates

    if due and due < dates.today().isoformat():
        say(_("Warning: the deadline {date} is already past; the task is overdue.").format(
            date=dates.show_date_weekday(due)))


@command("list", help=N_(
    "List tasks: open work by default (all but closed and cancelled), by deadline.\n\n"
    "Colours: red overdue; yellow behind (open or in progress, due within 30 days, no progress note "
    "for 14 days); blue due within 7 days.\n\n"
    "Example: rectify list --overdue --unit Finance"))
def list_cmd(
    run: Run,
    filters: TaskFilters = TaskFilters(),
    all_: bool = typer.Option(False, "--all", "-a", help=N_("Every state, closed and cancelled too.")),
    review: bool = typer.Option(False, "--review", help=N_(
        "Only tasks awaiting review: an import kept a cell of theirs it could not read (every state).")),
    claimed: bool = typer.Option(False, "--claimed", help=N_(
        "Only tasks a returned sheet says are done that have no evidence yet (claims done, awaiting evidence).")),
    sort: Optional[str] = typer.Option(None, "--sort", metavar=N_("KEY"), help=N_(
        "Order by due (default), late, unit, owner, status, kind, id or updated; -KEY reverses.")),
    reverse: bool = typer.Option(False, "--reverse", help=N_("Reverse the order.")),
    limit: Optional[int] = typer.Option(None, "--limit", "-n", help=N_("Page size (default 50 on screen; 0 = no limit).")),
    page: int = typer.Option(1, "--page", min=1, help=N_("Which page to show.")),
    as_json: bool = typer.Option(False, "--json", help=N_("Print a JSON array of tasks (no paging unless --limit).")),
) -> None:
    show_list(run, filters, all_=all_, review=review, claimed=claimed, sort=sort, reverse=reverse, limit=limit,
              page=page, as_json=as_json)


def show_list(run: Run, filters: TaskFilters, *, all_: bool = False, review: bool = False, claimed: bool = False,
              sort: str | None = None, reverse: bool = False, limit: int | None = None,
              page: int = 1, as_json: bool = False) -> None:
    """``rectify list``: also shown by ``rectify demo``."""
    from rectify import ledger as L

    wanted = filters.validated(all_=all_, review=review)
    wanted["claimed"] = claimed
    wanted["sort"], reversed_ = L.parse_sort(sort)
    wanted["reverse"] = reversed_ != reverse
    if limit is not None and limit < 0:
        raise InputError(_("--limit must be 0 or more."))
    size = limit if limit is not None else (None if as_json else 50)
    if size == 0:
        size = None
    offset = (page - 1) * size if size else 0
    with closing(open_ledger(run)) as led:
        from rectify import filters as F

        F.check(led, wanted)
        chosen = find_round(led, filters.round)
        wanted["round"] = chosen["id"] if chosen else None
        tasks, total = L.list_tasks(led, wanted, limit=size, offset=offset)
        empty = not total and F.is_empty(led)
    if as_json:
        emit_json(tasks)
        return
    if empty:
        say(F.empty_hint())
        return
    from rectify.render.terminal import task_table

    task_table(tasks, total, offset)


@command("show", help=N_("Show one task with its evidence and history.\n\nExample: rectify show 12"))
def show_cmd(run: Run, task_id: int = typer.Argument(..., metavar=N_("ID")),
             as_json: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    from rectify import ledger as L
    from rectify import lookback

    with closing(open_ledger(run)) as led:
        task = L.get_task(led, task_id, detail=True)
        task["lookback"] = lookback.links(led, task_id)
    if as_json:
        emit_json(task)
        return
    from rectify.render.terminal import task_detail

    task_detail(task)


@command("edit", help=N_(
    "Change fields of a task. An empty value clears a field. A later deadline, or clearing it, is an extension: "
    "use `extend`, or give --reason.\n\n"
    "Example: rectify edit 12 --owner \"Wang Fang\" --target \"All receipts filed\""))
def edit_cmd(
    run: Run,
    task_id: int = typer.Argument(..., metavar=N_("ID")),
    title: Optional[str] = typer.Option(None, "--title", help=N_("The measure: what will be done.")),
    due: Optional[str] = typer.Option(None, "--due", "-d", help=N_("Deadline (earlier, or where none was set).")),
    task: TaskFields = TaskFields(),
    new_problem: Optional[str] = typer.Option(None, "--new-problem", help=N_("Attach to a new problem with this text.")),
    round_: Optional[str] = typer.Option(None, "--round", "-r", metavar=N_("ROUND"), help=N_(
        "Move the task's problem, with all its tasks, to this round.")),
    reason: Optional[str] = typer.Option(None, "--reason", help=N_(
        "Why: needed to move the deadline later or clear it (recorded as an extension).")),
) -> None:
    from rectify import ledger as L

    given = {"title": title, "due": due, **task.given()}
    fields = {k: v for k, v in given.items() if v is not None}
    if task.helper == [""]:
        fields["helpers"] = None
    problem = task.problem
    if not fields and problem is None and not new_problem and round_ is None:
        raise InputError(_("Nothing to change: give at least one option, e.g. --owner or --due."))
    with closing(open_ledger(run, write=True)) as led:
        chosen = find_round(led, round_)
        changed = L.edit_task(led, task_id, fields, problem_id=problem, new_problem=new_problem,
                              round_id=chosen["id"] if chosen else None, reason=reason)
        after = L.get_task(led, task_id)
    if changed:
        from rectify.model import field_label

        say(_("Task {id}: changed {fields}.").format(id=task_id, fields=_(", ").join(field_label(f) for f in changed)))
        if "due" in changed:
            _say_due(task_id, after["due"])
    else:
        say(_("Task {id}: nothing changed.").format(id=task_id))


@command("classify", help=N_(
    "Set a task's kind: immediate or long_term.\n\n"
    "With --auto, propose a kind for every task that has none. The rule: wording about rules and "
    "institutions (policy, procedure, mechanism, regulation, and the same words in Chinese) "
    "or a deadline more than 90 days after the task was recorded means long_term; a deadline within "
    "90 days means immediate; otherwise no proposal. Proposals apply after you confirm, or at once with --yes.\n\n"
    "Examples: rectify classify 12 long_term · rectify classify --auto --yes"))
def classify_cmd(
    run: Run,
    task_id: Optional[int] = typer.Argument(None, metavar=N_("ID")),
    kind: Optional[str] = typer.Argument(None, metavar=N_("KIND")),
    auto: bool = typer.Option(False, "--auto", help=N_("Propose kinds for unclassified tasks.")),
    yes: bool = typer.Option(False, "--yes", "-y", help=N_("Apply the proposals without asking.")),
) -> None:
    from rectify import ledger as L

    if auto:
        if task_id is not None or kind:
            raise InputError(_("Use either `classify ID KIND` or `classify --auto`, not both."))
        return _classify_auto(run, yes)
    if task_id is None or not kind:
        raise InputError(_("Give a task id and a kind, e.g. `rectify classify 12 long_term`, or use --auto."))
    with closing(open_ledger(run, write=True)) as led:
        changed = L.classify(led, task_id, kind)
        task = L.get_task(led, task_id)
    from rectify.model import kind_label

    if changed:
        say(_("Task {id} is now {kind}.").format(id=task_id, kind=kind_label(task["kind"])))
    else:
        say(_("Task {id} was already {kind}.").format(id=task_id, kind=kind_label(task["kind"])))


def _classify_auto(run: Run, yes: bool) -> None:
    from rectify import classify as C
    from rectify.model import kind_label

    with closing(open_ledger(run)) as led:
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
    with closing(open_ledger(run, write=True)) as led:
        applied = C.apply(led, proposals)
    say(_("Classified {n} tasks.").format(n=applied))


@command("progress", help=N_(
    "Add a dated progress note to a task; an open task moves to in progress.\n\n"
    "Example: rectify progress 12 \"Draft rules sent for comment\" --percent 60"))
def progress_cmd(
    run: Run,
    task_id: int = typer.Argument(..., metavar=N_("ID")),
    note: str = typer.Argument(..., metavar=N_("NOTE")),
    percent: Optional[int] = typer.Option(None, "--percent", help=N_("Progress, 0 to 100.")),
) -> None:
    from rectify import ledger as L

    with closing(open_ledger(run, write=True)) as led:
        task = L.add_progress(led, task_id, note, percent)
    from rectify.render.confirmations import progress_noted

    say(progress_noted(task_id, percent, task["progress"]))


@command("evidence", help=N_(
    "Attach evidence: files are copied into the ledger's evidence folder with their sha256. "
    "Use --note for evidence that is not a file.\n\n"
    "Example: rectify evidence 12 minutes.pdf rules-2026.docx"))
def evidence_cmd(
    run: Run,
    task_id: int = typer.Argument(..., metavar=N_("ID")),
    files: Optional[List[str]] = typer.Argument(None, metavar=N_("FILE...")),
    note: Optional[str] = typer.Option(None, "--note", help=N_("A description, or evidence that is not a file.")),
) -> None:
    from rectify import ledger as L

    with closing(open_ledger(run, write=True)) as led:
        added = L.add_evidence(led, task_id, files or [], note)
    for ev in added:
        if ev.get("already"):
            say(_("Task {id}: {name} is already attached as {earlier} (evidence {n}, sha256 {sha}); not added again.").format(
                id=task_id, name=ev["name"], earlier=ev["already"]["name"], n=ev["already"]["id"], sha=ev["sha256"][:12]))
        elif ev["name"]:
            say(_("Task {id}: attached {name} (sha256 {sha}).").format(id=task_id, name=ev["name"], sha=ev["sha256"][:12]))
        else:
            say(_("Task {id}: evidence note recorded.").format(id=task_id))


IDS = typer.Argument(..., metavar=N_("ID..."), help=N_(
    "One task id or several: all change, or none (a refusal names the task)."))


def _status_command(run: Run, verb: str, task_ids: list[int], *, reason: str | None = None, checker: str | None = None,
                    recheck=None) -> None:
    """A state change of one task or several, all or nothing."""
    from rectify import ledger as L
    from rectify.model import status_label

    with closing(open_ledger(run, write=True)) as led:
        tasks = L.change_status_many(led, task_ids, verb, reason=reason, checker=checker, recheck=recheck)
    for task in tasks:
        say(_("Task {id} is now {status}.").format(id=task["id"], status=status_label(task["status"])))
        if verb == "close" and task["recheck_due"]:
            from rectify.dates import show_date

            say(_("To be checked again by {date} (`rectify recheck`).").format(date=show_date(task["recheck_due"])))


@command("start", help=N_("Mark tasks as in progress.\n\nExample: rectify start 12 13"))
def start_cmd(run: Run, task_ids: List[int] = IDS) -> None:
    _status_command(run, "start", task_ids)


@command("submit", help=N_(
    "Submit tasks for verification. Each needs at least one piece of evidence.\n\nExample: rectify submit 12"))
def submit_cmd(run: Run, task_ids: List[int] = IDS) -> None:
    _status_command(run, "submit", task_ids)


@command("close", help=N_(
    "Close a submitted task after checking its evidence. The checker must not be the person responsible. "
    "The task is to be checked again after the ledger's period for its kind (`rectify config`), "
    "unless --recheck-in, --recheck-on or --no-recheck says otherwise.\n\n"
    "Example: rectify close 12 13 --by \"Chen Jing\" --recheck-in 60d"))
def close_cmd(run: Run, task_ids: List[int] = IDS,
              by: str = typer.Option(..., "--by", help=N_("The checker, who verifies the evidence.")),
              note: Optional[str] = typer.Option(None, "--note", help=N_("The checker's remark.")),
              recheck_in: Optional[str] = typer.Option(None, "--recheck-in", metavar=N_("SPAN"),
                                                       help=N_("Check it again after this span: 60d, 3m.")),
              recheck_on: Optional[str] = typer.Option(None, "--recheck-on", metavar=N_("DATE"),
                                                       help=N_("Check it again on this day.")),
              no_recheck: bool = typer.Option(False, "--no-recheck", help=N_("Do not schedule a re-check.")),
              ) -> None:
    from rectify import dates

    if len([x for x in (recheck_in, recheck_on, no_recheck or None) if x is not None]) > 1:
        raise InputError(_("Give one of --recheck-in, --recheck-on and --no-recheck."))
    recheck: int | str | bool | None = None
    if recheck_in is not None:
        recheck = dates.parse_duration_days(recheck_in)
    elif recheck_on is not None:
        day = dates.parse_date(recheck_on)
        if day <= run.today():
            raise InputError(_("--recheck-on must be a day after today, not {date}.").format(date=dates.show_date(day)))
        recheck = day.isoformat()
    elif no_recheck:
        recheck = False
    _status_command(run, "close", task_ids, checker=by, reason=note, recheck=recheck)


def _reason_command(verb: str, help: str, reason_help: str) -> Callable[..., None]:
    """A state change that takes only an id and a reason: reject, reopen, cancel."""

    @command(verb, help=help)
    def cmd(run: Run, task_ids: List[int] = IDS,
            reason: str = typer.Option(..., "--reason", "-r", help=reason_help)) -> None:
        _status_command(run, verb, task_ids, reason=reason)

    return cmd


reject_cmd = _reason_command("reject", N_("Send a submitted task back to in progress, with a reason.\n\n"
                                       "Example: rectify reject 12 --reason \"Minutes not signed\""),
                               N_("Why it failed the check."))
reopen_cmd = _reason_command("reopen", N_("Reopen a closed task, with a reason; its history is kept.\n\n"
                                       "Example: rectify reopen 12 --reason \"Problem recurred in spot check\""),
                               N_("Why it is reopened."))
cancel_cmd = _reason_command("cancel", N_("Withdraw a task, e.g. a duplicate, with a reason.\n\n"
                                       "Example: rectify cancel 12 --reason \"Duplicate of 9\""),
                               N_("Why it is withdrawn."))


@command("extend", help=N_(
    "Grant an extension at once, or request one for approval.\n\n"
    "`extend ID NEW_DUE --reason R` (or `--to NEW_DUE`) grants one at once: a later deadline, "
    "with a reason; the old deadline stays in history. With --request it is only asked for, to be approved "
    "or refused by someone other than the person responsible: `extend approve REQ --by NAME`, "
    "`extend refuse REQ --by NAME --reason R`. A request made after the deadline is flagged late. "
    "`extend requests [--pending]` lists the requests.\n\n"
    "Example: rectify extend 12 --to 2027-03-31 --reason \"Awaiting the provincial rules\" --request"))
def extend_cmd(run: Run, target: str = typer.Argument(..., metavar=N_("ID|approve|refuse|requests")),
               value: Optional[str] = typer.Argument(None, metavar=N_("[NEW_DUE|REQ]")),
               to: Optional[str] = typer.Option(None, "--to", metavar=N_("DATE"), help=N_("The new deadline.")),
               reason: Optional[str] = typer.Option(None, "--reason", "-r", help=N_("Why the deadline moves (or, with refuse, why not).")),
               request: bool = typer.Option(False, "--request", help=N_("Ask for the extension, for approval.")),
               by: Optional[str] = typer.Option(None, "--by", help=N_("Who approves or refuses.")),
               pending: bool = typer.Option(False, "--pending", help=N_("With requests: only those pending.")),
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
        with closing(open_ledger(run, write=True)) as led:
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
        with closing(open_ledger(run)) as led:
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
        with closing(open_ledger(run, write=True)) as led:
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
    with closing(open_ledger(run, write=True)) as led:
        task = L.extend(led, task_id, new_due, reason)
    if as_json:
        emit_json(task)
        _warn_past(task["due"])
        return
    _say_due(task_id, task["due"])


def _say_due(task_id: int, due: str | None) -> None:
    """The deadline a command set, with its weekday; a warning when it is past."""
    from rectify.dates import show_date_weekday

    if due:
        say(_("Task {id} is now due {due}.").format(id=task_id, due=show_date_weekday(due)))
    else:
        say(_("Task {id} has no deadline now.").format(id=task_id))
    _warn_past(due)


@command("history", help=N_("Show every recorded change to a task.\n\nExample: rectify history 12"))
def history_cmd(run: Run, task_id: int = typer.Argument(..., metavar=N_("ID")),
                as_json: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    from rectify import ledger as L

    with closing(open_ledger(run)) as led:
        L.get_task(led, task_id)
        events = L.history(led, task_id)
    if as_json:
        emit_json(events)
        return
    from rectify.render.terminal import history_table

    history_table(events)


@command("problems", help=N_("List the problems (findings) with their task counts.\n\nExample: rectify problems"))
def problems_cmd(run: Run, as_json: bool = typer.Option(False, "--json", help=JSON_HELP)) -> None:
    from rectify import ledger as L

    with closing(open_ledger(run)) as led:
        problems = L.list_problems(led)
    if as_json:
        emit_json(problems)
        return
    from rectify.render.terminal import problem_table

    problem_table(problems)


@command("where", help=N_("Show the ledger file in use and where that choice came from.\n\nExample: rectify where"))
def where_cmd(run: Run) -> None:
    from rectify.paths import evidence_dir
    from rectify.paths import ledger_path as resolve

    path, source = resolve(run.db)
    out(str(path))
    shown = {"default": _("the default location")}.get(source, source)  # --db and RECTIFY_DB are typed as is
    say(_("(from {source}; evidence in {evidence}; {state})").format(
        source=shown, evidence=evidence_dir(path),
        state=_("exists") if path.exists() else _("not created yet")))
    say(user_line(run, path.exists()))


def user_line(run: Run, exists: bool) -> str:
    """Who the changes are recorded as, and where the name comes from
    (settings.current_user): the ledger's setting is read only from a ledger
    that exists (a missing one would be built in memory to say nothing)."""
    from rectify.errors import RectifyError
    from rectify.settings import current_user, user_source

    name, source = current_user()
    if exists:
        try:
            with closing(open_ledger(run)) as led:
                name, source = current_user(led)
        except RectifyError:  # a ledger that cannot be read: `where` still answers
            pass
    if name is None:
        return _("Changes are recorded without a name: set one with `rectify config user NAME` or RECTIFY_USER.")
    return _("Changes are recorded as {name} (from {source}).").format(name=name, source=user_source(source))


@command("demo", help=N_(
    "Build a demo ledger of a realistic inspection (never your real ledger), then show its list and summary.\n\n"
    "Example: rectify demo"))
def demo_cmd(run: Run, path: Optional[str] = typer.Argument(None, metavar=N_("PATH"),
                                                 help=N_("Where to write it (default: a fresh folder in your temp dir)."))) -> None:
    from rectify import demo
    from rectify.paths import evidence_dir

    if path:  # never the ledger in use, nor in its evidence folder
        guard_output(run, path)
        guard_output(run, evidence_dir(Path(path)))
    target = demo.build(Path(path) if path else None, now=run.now())
    out(_("Demo ledger: {path}").format(path=target))
    say(_("Try: rectify --db {path} list --overdue").format(path=target))
    demo_run = dataclasses.replace(run, db=str(target))
    show_list(demo_run, TaskFilters())
    from rectify.cli.reports import print_summary

    print()
    print_summary(demo_run)


def register(app: typer.Typer) -> None:
    add_commands(app, add_cmd, list_cmd, show_cmd, edit_cmd, classify_cmd, progress_cmd, evidence_cmd,
                 start_cmd, submit_cmd, close_cmd, reject_cmd, reopen_cmd, cancel_cmd, extend_cmd,
                 history_cmd, problems_cmd, where_cmd, demo_cmd)
