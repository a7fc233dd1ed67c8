"""History text that rectify itself writes (an import's reason, a carried-over
closing) is stored language-neutral: a code and its parameters, as
``rectify:CODE {"param": ...}``. It is shown in the reader's language by
``shown``; a note a person typed is shown as it is.
"""

from __future__ import annotations

import json

from rectify.i18n import N_, _

PREFIX = "rectify:"
TEXTS = {
    "import": N_("import {name}"),
    "import_said": N_("import {name}; the sheet says {word}"),
    "carried": N_("carried over as closed from {name} (the sheet says {word}): checked by {checker} on {date}"),
    "carried_unchecked": N_("carried over as closed from {name}, which names no checker: awaiting review"),
    "own_checker": N_("{name} names the person responsible as checker ({checker}): not closed; awaiting a checker"),
    "claim": N_("the returned sheet {name} says {word}: claims done, awaiting evidence"),
    "extension": N_("later deadline asked in the returned sheet {name}"),
    "undo": N_("takes back the {action} of {at}"),  # rectify.undo; params: command, action, at
}


_MEMO: dict[tuple, str] = {}  # (code, *params) -> stored form, for text parameters
_MEMO_SIZE = 4096


def note(code: str, **params: object) -> str:
    """The stored form of the generated text ``code`` with ``params``. Made
    once for each distinct text: an import writes the same note on thousands
    of tasks (JSON encoding it each time was 4% of a 5,000-row import)."""
    for v in params.values():  # a loop, not all(...): no generator on each call
        if v is not None and type(v) is not str:  # 1, 1.0 and True are one key
            return _stored(code, params)
    key = (code, *params.items())
    stored = _MEMO.get(key)
    if stored is None:
        if len(_MEMO) >= _MEMO_SIZE:
            _MEMO.clear()
        stored = _MEMO[key] = _stored(code, params)
    return stored


def _stored(code: str, params: dict[str, object]) -> str:
    return f"{PREFIX}{code} " + json.dumps(params, ensure_ascii=False, sort_keys=True)


def shown(stored: str | None) -> str | None:
    """A stored note in the reader's language (a person's note as it is)."""
    if not stored or not stored.startswith(PREFIX):
        return stored
    code, _sep, rest = stored[len(PREFIX):].partition(" ")
    text = TEXTS.get(code)
    if text is None:
        return stored
    try:
        params = json.loads(rest) if rest else {}
        if code == "undo":
            params = _undo_params(params)
        return _(text).format(**{k: ("" if v is None else v) for k, v in params.items()})
    except (ValueError, KeyError, IndexError, AttributeError, TypeError):
        return stored


# The actions an undo takes back, with the word for one in a message
# ("Undone: close of task 4"). What a command of any other action wrote
# lies beyond the task's fields (``undo.REFUSALS``).
UNDOABLE = {
    "add": N_("add"), "edit": N_("edit"), "classify": N_("classification"), "progress": N_("progress note"),
    "start": N_("start"), "submit": N_("submission"), "close": N_("close"), "reject": N_("rejection"),
    "reopen": N_("reopening"), "cancel": N_("cancellation"), "extend": N_("extension"),
}  # fmt: skip


def _undo_params(params: dict) -> dict:
    """The parameters of an undo's note as a reader sees them: the action as
    a word, the moment as the language writes it."""
    from rectify.dates import show_time

    action = params.get("action")
    word = UNDOABLE.get(action) if isinstance(action, str) else None
    return {**params, "action": _(word) if word else action,
            "at": show_time(params["at"]) if isinstance(params.get("at"), str) else params.get("at")}
