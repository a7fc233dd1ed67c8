"""The value filters (``--unit``, ``--owner``, ``--category``, ``--leader``)
checked one way for every command that takes them: a value that no task in
the ledger holds is an error naming the nearest values ("did you mean"),
never a silent empty list in one command and an error in another.

``suggest`` is also what ``sheets --unit`` and the completion use.
"""

from __future__ import annotations

import difflib
import unicodedata
from typing import TYPE_CHECKING

from rectify.errors import NotFoundError
from rectify.i18n import _

if TYPE_CHECKING:
    from rectify.store import Ledger

VALUE_FIELDS = ("unit", "owner", "category", "leader")


def values(ledger: Ledger, field: str) -> list[str]:
    """The distinct values of a task field in the ledger, sorted."""
    if field not in VALUE_FIELDS:
        raise KeyError(field)
    return [r[0] for r in ledger.query(
        f"SELECT DISTINCT {field} FROM task WHERE {field} IS NOT NULL AND {field} != '' ORDER BY {field}")]


def _key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold().strip()


def suggest(value: str, known: list[str], n: int = 3) -> list[str]:
    """The known values nearest to ``value``: those containing it or contained
    in it (a Chinese name typed short, 采购 for 采购中心), then the close
    spellings (difflib), at most ``n``."""
    typed = _key(value)
    if not typed:
        return []
    keyed = {_key(k): k for k in known}
    found = [k for key, k in keyed.items() if typed in key or key in typed]
    close = difflib.get_close_matches(typed, list(keyed), n=n, cutoff=0.6)
    for key in close:
        if keyed[key] not in found:
            found.append(keyed[key])
    return found[:n]


def check(ledger: Ledger, given: dict) -> None:
    """Refuse (NotFoundError, exit 3) a value filter that no task holds. An
    empty ledger is not checked: the command says how to begin instead."""
    wanted: dict[str, str] = {f: str(given[f]) for f in VALUE_FIELDS if given.get(f)}
    if not wanted or is_empty(ledger):
        return
    from rectify.model import field_label

    for field, value in wanted.items():
        if ledger.scalar(f"SELECT 1 FROM task WHERE {field} = ? LIMIT 1", (value,)):
            continue
        near = suggest(value, values(ledger, field))
        if near:
            raise NotFoundError(_("No task has the {field} '{value}'. Did you mean {names}?").format(
                field=field_label(field), value=value, names=_(" or ").join(_("'{value}'").format(value=v) for v in near)))
        raise NotFoundError(_("No task has the {field} '{value}'. See `rectify summary` for the values.").format(
            field=field_label(field), value=value))


def is_empty(ledger: Ledger) -> bool:
    """Whether the ledger has no task at all."""
    return not ledger.scalar("SELECT 1 FROM task LIMIT 1")


def empty_hint() -> str:
    """What to say instead of an empty list when the ledger has no task yet."""
    return _("No tasks yet. Add one: rectify add \"TITLE\" --due DATE --unit UNIT, "
             "or import a sheet: rectify import FILE.xlsx.")
