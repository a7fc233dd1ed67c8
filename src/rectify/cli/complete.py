"""Shell completion for bash, zsh and fish: ``rectify completion SHELL`` (``completion``)
prints the script to source, and the script asks ``rectify`` itself, through
click's protocol (``_RECTIFY_COMPLETE=bash_complete COMP_WORDS=...
COMP_CWORD=...``), what may follow on the command line.

The machinery is typer's: its completion classes and scripts
(``typer.completion``), click's resolution of the command line, and each
parameter's ``autocompletion`` callback. What is rectify's own is here:

- ``respond``, which the root command calls in place of typer's own answer,
  so that click's instruction order (``bash_source``, ``bash_complete``) is
  understood as well as typer's (``source_bash``, ``complete_bash``, what its
  scripts send), and so that nothing but candidates ever reaches the shell:
  an error while completing completes nothing, silently;
- the callbacks: task ids (with their measure, cut for the menu; for a state
  change only the tasks it applies to, by ``model.TRANSITIONS``), units,
  owners, leaders, categories, rounds and problems from the ledger, kinds and
  states from ``vocabulary``. The ledger is the one the run would use (--db,
  RECTIFY_DB, the default), read without writing and without waiting: a
  ledger that is missing, locked or unreadable completes nothing;
- ``declare``, which ``common.command`` calls on each parameter: a task id
  argument (``task_id``, ``task_ids``), or an option such as ``--unit``
  declared in a command itself, gets its completion without every command
  naming it.

Light at import (the command line imports it at every start): the ledger,
typer's completion classes and rich load only while completing.
"""

from __future__ import annotations

import copy
import os
import re
import sys
import typing
from collections.abc import Callable, Iterable, MutableMapping
from typing import Any, Optional

from typer.models import ArgumentInfo, OptionInfo, ParameterInfo

from rectify.i18n import _, is_zh, ngettext

SHELLS = ("bash", "zsh", "fish")
ACTIONS = ("source", "complete")
PROG_NAME = "rectify"
COMPLETE_VAR = "_RECTIFY_COMPLETE"
MENU_CELLS = 40  # the width of a task's measure in a completion menu
MOST = 1000  # candidates at most from one column of the ledger
WAIT_MS = 200  # a ledger locked longer than this completes nothing

Candidate = typing.Union[str, "tuple[str, str]"]
Completer = Callable[[Any, str], list[Candidate]]


# -- the answer to the shell --------------------------------------------------


def instruction_parts(instruction: str) -> tuple[str, str] | None:
    """(shell, action) of a completion instruction in either order: click's
    ``bash_complete`` or typer's ``complete_bash``; None when it is neither."""
    first, _sep, second = instruction.partition("_")
    if first in SHELLS and second in ACTIONS:
        return first, second
    if second in SHELLS and first in ACTIONS:
        return second, first
    return None


def respond(cli: Any, ctx_args: MutableMapping[str, Any], prog_name: str, complete_var: str | None = None) -> None:
    """Answer a completion request and exit, when the environment makes one
    (``_RECTIFY_COMPLETE``); otherwise return at once. Called by the root
    command before it parses the command line."""
    complete_var = complete_var or f"_{prog_name}_COMPLETE".replace("-", "_").upper()
    instruction = os.environ.get(complete_var)
    if not instruction:
        return
    parts = instruction_parts(instruction)
    if parts is None:
        from rectify.text import printable

        message = _("{name}={value} is not a completion instruction: use bash_source, zsh_source or fish_source "
                    "(or bash_complete, zsh_complete, fish_complete).").format(name=complete_var, value=instruction)
        sys.stderr.write(_("rectify: error: {message}").format(message=printable(message, newlines=False)) + "\n")
        sys.exit(2)
    shell, action = parts
    answer = completion_class(shell)(cli, ctx_args, prog_name, complete_var)
    if action == "source":
        sys.stdout.write(answer.source() + "\n")
        sys.exit(0)

    def complete() -> str:
        menu_helps(cli)
        return str(answer.complete())

    sys.stdout.write(quietly(complete))
    sys.exit(0)


def menu_helps(group: Any) -> None:
    """Each command's help in a menu, in Chinese too: click cuts a help to
    its first 45 characters at a space, and a Chinese sentence has none (it
    shows ``...`` or a line twice as wide); in Chinese the first sentence is
    cut here, by terminal cells."""
    for sub in getattr(group, "commands", {}).values():
        if is_zh() and not sub.short_help and sub.help:
            first = sub.help.strip().split("\n")[0]
            sub.short_help = menu_text(first.split("。")[0], 48)
        menu_helps(sub)


def quietly(complete: Callable[[], str]) -> str:
    """The candidates, or nothing: whatever goes wrong while completing (a
    usage error the partial command line raises, a bug), the shell gets no
    message and no traceback (RECTIFY_DEBUG=1 shows it)."""
    import contextlib
    import io

    if os.environ.get("RECTIFY_DEBUG"):
        text = complete()
        return text + "\n" if text else ""
    try:
        with contextlib.redirect_stderr(io.StringIO()):
            text = complete()
    except Exception:
        return ""
    return text + "\n" if text else ""


def completion_class(shell: str) -> Any:
    """typer's completion class for ``shell`` (its script and its answer
    format), with two changes: bash gets its candidates escaped as words (a
    unit named ``IT Center`` is one word on the command line), and the help
    zsh and fish show beside a candidate is put in their format as plain text,
    the way typer puts a candidate: typer would pass it through rich first
    (0.4 s more at each Tab, and a measure's brackets read as markup)."""
    from typer.completion import completion_init, shell_completion

    completion_init()
    base: Any = shell_completion.get_completion_class(shell)

    class Answer(base):
        def source(self) -> str:
            # typer's bash class runs `bash` to warn of a version older than
            # 4.4; its script needs none of 4.4's features.
            return str(self.source_template % self.source_vars()).strip()

        def format_completion(self, item: Any) -> str:
            def plain(value: str) -> str:
                return str(super(Answer, self).format_completion(type(item)(value, type=item.type)))

            value = shell_word(str(item.value)) if shell == "bash" else str(item.value)
            if not item.help or shell == "bash":
                return plain(value)
            shown = " ".join(str(item.help).split())
            return plain(value) + (":" + plain(shown) if shell == "zsh" else "\t" + shown)

    return Answer


SHELL_SPECIAL = set(" \t\n\"'\\$`!&|;<>()[]{}*?#~^")


def shell_word(value: str) -> str:
    """``value`` as one word for bash to insert: its special characters escaped."""
    return "".join("\\" + ch if ch in SHELL_SPECIAL else ch for ch in value)


# -- reading the ledger, without writing and without waiting ------------------


def ledger_rows(ctx: Any, sql: str, params: Iterable[object] = ()) -> list[tuple[Any, ...]]:
    """The rows of ``sql`` in the ledger the command line names, or none: no
    ledger yet, not a ledger, locked, damaged or of an older schema."""
    try:
        from pathlib import Path

        from rectify import ledgerfile, store
        from rectify.paths import ledger_path

        root = ctx.find_root() if ctx is not None else None
        path: Path = ledger_path(root.params.get("db") if root is not None else None)[0]
        if not path.is_file():
            return []
        header = store.read_header(path)
        if header is None or header[0] != store.APPLICATION_ID:
            return []
        conn = ledgerfile.connect_read_only(path, _connect)
        try:
            conn.execute(f"PRAGMA busy_timeout = {WAIT_MS}")
            conn.execute("PRAGMA query_only = 1")
            return [tuple(row) for row in conn.execute(sql, tuple(params)).fetchmany(MOST)]
        finally:
            conn.close()
    except Exception:
        return []


def _connect(target: str, **options: Any) -> Any:
    import sqlite3

    return sqlite3.connect(target, timeout=WAIT_MS / 1000, isolation_level=None, **options)


def menu_text(text: object, cells: int = MENU_CELLS) -> str:
    """A text on one line, cut to ``cells`` terminal cells for a menu."""
    from rectify.render.layout import cells as width

    line = " ".join(str(text or "").split())
    if width(line) <= cells:
        return line
    kept = ""
    for ch in line:
        if width(kept + ch) > cells - 1:
            break
        kept += ch
    return kept + "…"


def counted(rows: list[tuple[Any, ...]]) -> list[Candidate]:
    """Each value with the number of tasks that have it."""
    return [(str(value), ngettext("{n} task", "{n} tasks", n).format(n=n))
            for value, n in rows if value is not None and str(value).strip()]


# -- what a parameter takes ---------------------------------------------------


def task_ids(states: Optional[tuple[str, ...]] = None) -> Completer:
    """Task ids, each with its measure and state; only tasks in ``states`` when given."""

    def complete(ctx: Any, incomplete: str) -> list[Candidate]:
        if incomplete and not incomplete.isdigit():
            return []
        from rectify.model import status_label

        where = "CAST(id AS TEXT) LIKE ?"
        params: list[object] = [incomplete + "%"]
        if states:
            where += f" AND status IN ({', '.join('?' for _s in states)})"
            params += list(states)
        rows = ledger_rows(ctx, f"SELECT id, title, status FROM task WHERE {where} ORDER BY id", params)
        return [(str(i), f"{menu_text(title)} · {status_label(status)}") for i, title, status in rows]

    return complete


def for_verb(verb: str) -> Completer:
    """The task ids a command takes: for a state change, the tasks it applies to."""
    from rectify.model import TRANSITIONS

    allowed = TRANSITIONS.get(verb)
    return task_ids(tuple(allowed[0]) if allowed else None)


def units(ctx: Any, incomplete: str) -> list[Candidate]:
    return counted(ledger_rows(ctx, "SELECT unit, count(*) FROM task GROUP BY unit ORDER BY unit"))


def owners(ctx: Any, incomplete: str) -> list[Candidate]:
    return counted(ledger_rows(ctx, "SELECT owner, count(*) FROM task GROUP BY owner ORDER BY owner"))


def leaders(ctx: Any, incomplete: str) -> list[Candidate]:
    return counted(ledger_rows(ctx, "SELECT leader, count(*) FROM task GROUP BY leader ORDER BY leader"))


def categories(ctx: Any, incomplete: str) -> list[Candidate]:
    return counted(ledger_rows(ctx, "SELECT category, count(*) FROM task GROUP BY category ORDER BY category"))


def people(ctx: Any, incomplete: str) -> list[Candidate]:
    """Who might check or decide: the names the ledger holds as owners, leaders and checkers."""
    rows = ledger_rows(ctx, "SELECT name FROM (SELECT owner AS name FROM task UNION SELECT leader FROM task "
                            "UNION SELECT closed_by FROM task) WHERE name IS NOT NULL ORDER BY name")
    return [str(name) for (name,) in rows if str(name).strip()]


def rounds(ctx: Any, incomplete: str) -> list[Candidate]:
    rows = ledger_rows(ctx, "SELECT id, name FROM round ORDER BY id")
    return [(str(name), f"#{i}") for i, name in rows]


def problems(ctx: Any, incomplete: str) -> list[Candidate]:
    rows = ledger_rows(ctx, "SELECT id, description FROM problem ORDER BY id")
    return [(str(i), menu_text(text)) for i, text in rows]


def kinds(ctx: Any, incomplete: str) -> list[Candidate]:
    from rectify.vocabulary import KIND_LABELS, KINDS

    return [(k, _(KIND_LABELS[k])) for k in KINDS]


def kind_filters(ctx: Any, incomplete: str) -> list[Candidate]:
    from rectify.vocabulary import NO_KIND

    return [*kinds(ctx, incomplete), (NO_KIND, _("no kind yet"))]


def states(ctx: Any, incomplete: str) -> list[Candidate]:
    from rectify.vocabulary import STATES, STATUS_LABELS

    return [(s, _(STATUS_LABELS[s])) for s in STATES]


def extend_targets(ctx: Any, incomplete: str) -> list[Candidate]:
    """``extend``'s first word: a task not finished, or one of its own words."""
    from rectify.vocabulary import ACTIVE

    words: list[Candidate] = [("approve", _("Approve a request.")), ("refuse", _("Refuse a request.")),
                              ("requests", _("List the requests."))]
    return [*task_ids(ACTIVE)(ctx, incomplete), *words]


def words(metavar: str) -> Completer:
    """The words a metavar such as ``add|list|edit`` lists."""
    listed = metavar.split("|")
    return lambda ctx, incomplete: list(listed)


WORDS = re.compile(r"[a-z_]+(\|[a-z_]+)+")


def extend_values(ctx: Any, incomplete: str) -> list[Candidate]:
    """``extend approve|refuse REQ``: a request still pending, with its task and the deadline asked for."""
    if (ctx.params.get("target") or "").strip().lower() not in ("approve", "refuse"):
        return []
    rows = ledger_rows(ctx, "SELECT r.id, r.task_id, r.new_due, t.title FROM extension_request r "
                            "JOIN task t ON t.id = r.task_id WHERE r.status = 'pending' ORDER BY r.id")
    from rectify.dates import show_date

    return [(str(i), f"#{task} → {show_date(due)} · {menu_text(title, MENU_CELLS - 16)}")
            for i, task, due, title in rows]


def outcome_targets(ctx: Any, incomplete: str) -> list[Candidate]:
    """``outcome add ID``: a task (``withdraw`` takes an outcome's number, not completed)."""
    return task_ids()(ctx, incomplete) if (ctx.params.get("action") or "").strip().lower() == "add" else []


def round_names(ctx: Any, incomplete: str) -> list[Candidate]:
    """``round edit ROUND``: a round (``add`` takes a new name)."""
    return rounds(ctx, incomplete) if (ctx.params.get("action") or "").strip().lower() == "edit" else []


# An option a command declares itself, by its long name, as the shared ones
# in ``options`` declare it.
BY_OPTION: dict[str, Completer] = {
    "--unit": units, "--owner": owners, "--leader": leaders, "--category": categories, "--round": rounds,
}
# A parameter of one command: (command, parameter) -> what it takes.
BY_COMMAND: dict[tuple[str, str], Completer] = {
    ("extend", "target"): extend_targets,
    ("extend", "value"): extend_values,
    ("close", "by"): people,
    ("outcome", "target"): outcome_targets,
    ("round", "name"): round_names,
}
TASK_ID_PARAMETERS = ("task_id", "task_ids")


def completing() -> bool:
    """Whether this process answers a shell's Tab (``_RECTIFY_COMPLETE``).
    Completion is declared only then: typer inspects every completion
    function's parameters while it builds the commands, which doubled the
    work of every start (160 inspections instead of 81)."""
    return bool(os.environ.get(COMPLETE_VAR))


def when_completing(complete: Any) -> Any:
    """``complete`` for an option's ``autocompletion=``, or None when this
    process does not answer a shell (see ``completing``)."""
    return complete if completing() else None


def declare(command_name: str, name: str, default: Any) -> Any:
    """``default`` (a parameter's typer.Argument or typer.Option) with its
    completion, where it declares none and rectify knows what it takes;
    as it is when the process does not answer a shell."""
    if not completing() or not isinstance(default, ParameterInfo) or default.autocompletion is not None:
        return default
    complete = BY_COMMAND.get((command_name, name))
    if complete is None and name in TASK_ID_PARAMETERS and isinstance(default, ArgumentInfo):
        complete = for_verb(command_name)
    if complete is None and isinstance(default, OptionInfo):
        complete = next((BY_OPTION[d] for d in default.param_decls or () if d in BY_OPTION), None)
    if complete is None and isinstance(default.metavar, str) and WORDS.fullmatch(default.metavar):
        complete = words(default.metavar)
    if complete is None:
        return default
    declared = copy.copy(default)
    declared.autocompletion = complete
    return declared
