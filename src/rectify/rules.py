"""The rule book: what a change to a task must satisfy, wherever it comes
from. The commands (ledger.py, lookback, supervision) and the importer call
these functions; no other module decides a rule.

- Validation of what a person types: text fields, percentages, names
  (``clean_text``, ``clean_percent``, ``person_key``).
- The transitions (model.TRANSITIONS) and what each verb needs: a reason for
  reject, reopen and cancel; evidence before submit; a checker who is not the
  person responsible, compared after Unicode normalisation, to close.
- No edits to a closed or cancelled task; a later deadline only by an
  extension, with a reason.
- What a status word in a returned sheet may do (``judge_claim``): it is a
  unit's claim, never an order. A sheet never closes, reopens, cancels or
  moves a task backwards; "done" submits only when the task has evidence.

Every function is plain: it reads the values it is given and raises
``RuleError`` / ``InputError`` (or returns a decision); writing is the
ledger's business (``ledger.apply_changes`` and ``Ledger.record``, the one
event writer).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal, NamedTuple, overload

from rectify import dates
from rectify.errors import InputError, RuleError
from rectify.i18n import _
from rectify.model import FINISHED, field_label, status_label, transition

MAX_TEXT = 4000  # characters in one field; a ledger cell, not a document
# Characters no field takes: controls, C0 (tab and newline aside), DEL and C1
# (U+0080..U+009F: U+009B is a terminal's one-byte CSI), and lone surrogates
# (what Python makes of bytes on the command line that are not UTF-8).
SUSPECT = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


@overload
def clean_text(value: str | None, field: str, *, required: Literal[True]) -> str: ...
@overload
def clean_text(value: str | None, field: str, *, required: bool = False) -> str | None: ...


def clean_text(value: str | None, field: str, *, required: bool = False) -> str | None:
    """Strip a text field; refuse control characters and absurd lengths."""
    if value is None:
        if required:
            raise InputError(_("The {field} must not be empty.").format(field=field_label(field)))
        return None
    text = value.strip()
    if not text:
        if required:
            raise InputError(_("The {field} must not be empty.").format(field=field_label(field)))
        return None
    bad = SUSPECT.search(text)
    if bad and "\ud800" <= bad.group() <= "\udfff":
        raise InputError(_("The {field} is not valid text: it holds bytes that are not UTF-8.").format(field=field_label(field)))
    if bad:
        raise InputError(_("The {field} contains a control character (such as NUL); remove it.").format(field=field_label(field)))
    if not visible(text):
        raise InputError(_("The {field} has no visible character (only spaces, zero-width or direction marks, "
                           "or combining accents); give a readable text.").format(field=field_label(field)))
    if len(text) > MAX_TEXT:
        raise InputError(
            _("The {field} is {n} characters long; the most a field takes is {max}.").format(
                field=field_label(field), n=len(text), max=MAX_TEXT
            )
        )
    return text


def visible(text: str) -> bool:
    """Whether the text shows anything: a letter, digit, sign or punctuation,
    not only format characters (zero-width spaces, direction marks, BOM),
    separators or combining marks."""
    return any(unicodedata.category(c)[0] not in "CZM" for c in text)


def person_key(name: str | None) -> str:
    """A name as compared when one person must not check another's work:
    NFKC (full-width letters as ASCII), case folded, with spaces, zero-width
    characters and direction marks removed ("Li Hua", "li\u200bhua" and
    "ＬＩ　ＨＵＡ" are one person)."""
    text = unicodedata.normalize("NFKC", name or "").casefold()
    return "".join(c for c in text if unicodedata.category(c)[0] not in "CZ")


def refuse_own_check(checker: str, owner: str | None, message: str) -> None:
    """RuleError ``message`` (with {owner}) when the checker is the person responsible."""
    if owner and person_key(checker) == person_key(owner):
        raise RuleError(message.format(owner=owner))


def needs_a_closer_look(text: str) -> bool:
    """A cheap pre-check for bulk imports: False for ordinary printable text,
    which ``clean_text`` would take as it is."""
    return not text.isprintable() or unicodedata.category(text[0])[0] == "M" or len(text) > MAX_TEXT


def clean_percent(value: int | None) -> int | None:
    if value is None:
        return None
    if not 0 <= value <= 100:
        raise InputError(_("Progress must be a percentage from 0 to 100, not {value}.").format(value=value))
    return value


# -- transitions ----------------------------------------------------------------

REASON_VERBS = ("reject", "reopen", "cancel")  # and an extension (``extend``)


def reason_for(verb: str, reason: str | None) -> str | None:
    """The reason, cleaned; required for reject, reopen, cancel."""
    return clean_text(reason, "reason", required=verb in REASON_VERBS)


def check_move(task_id: int, old: dict, verb: str, *, has_evidence: bool, checker: str | None = None) -> str:
    """The state ``verb`` moves the task ``old`` to, under every rule of the
    verb; a RuleError otherwise. ``checker`` is the one who closes."""
    target = transition(verb, old["status"])
    if verb == "submit" and not has_evidence:
        raise RuleError(_("Task {id} has no evidence yet: attach some with `rectify evidence {id} FILE` (or --note) "
                          "before submitting.").format(id=task_id))
    if verb == "close":
        refuse_own_check(checker or "", old["owner"], _("The checker must not be the person responsible ({owner}): "
                                                        "another person verifies and closes."))
    return target


def status_fields(verb: str, now: str, *, checker: str | None = None, recheck_due: str | None = None,
                  progress_before: int | None = None) -> dict:
    """The fields that go with a state change, besides the state: a closing's
    time (the close event's time), checker and 100%; a reopening clears them
    and puts the progress back to ``progress_before``, the last percentage
    noted before the close (0 when none was), not the 100% the close set.
    The one place ``closed_at`` is set."""
    if verb == "close":
        return {"closed_at": now, "closed_by": checker, "progress": 100, "recheck_due": recheck_due}
    if verb == "reopen":
        return {"closed_at": None, "closed_by": None, "recheck_due": None, "progress": progress_before or 0}
    return {}


def unfinished(task_id: int, old: dict, refusal: str) -> dict:
    """``old``, or ``refusal`` (a message with {id} and {status}) as a
    RuleError when the task is closed or cancelled."""
    if old["status"] in FINISHED:
        raise RuleError(refusal.format(id=task_id, status=status_label(old["status"])))
    return old


def check_due_edit(task_id: int, old: dict, due: str | None, before: str | None, reason: str | None) -> bool:
    """The rule of a deadline changed by ``edit`` (issue 18). ``before`` is
    the task's deadline, or the last it had when it has none now. A later
    deadline than that, or clearing one, puts the task off: an extension,
    which needs a reason and is recorded as ``extend`` (the weekly's list of
    extensions shows it): True. An earlier deadline, or a first one, is an
    edit: False. Without a reason, a RuleError."""
    if due is None and old["due"]:
        if not reason:
            raise RuleError(_("Clearing the deadline of task {id} puts it off without end: give --reason, "
                              "which is recorded as an extension.").format(id=task_id))
        return True
    if not (due and before and due > before):
        return False
    if not reason:
        raise RuleError(_("Moving the deadline of task {id} later is an extension: use `rectify extend {id} {due} "
                          "--reason ...`, or give --reason here.").format(id=task_id, due=due))
    return True


def check_extension(task_id: int, old: dict, due: str) -> dict:
    """The rule of an extension: an unfinished task, a later deadline.
    Returns the task's row; a RuleError otherwise."""
    if old["status"] in FINISHED:
        raise RuleError(_("Task {id} is {status}; only unfinished tasks are extended.").format(
            id=task_id, status=status_label(old["status"])))
    if old["due"] and due <= old["due"]:
        raise RuleError(_("An extension must move the deadline later than {due}; to bring it forward use `rectify edit {id} --due`.").format(
            due=dates.show_date(old["due"]), id=task_id))
    return old


# -- what a sheet's status word may do ---------------------------------------------

DONE_CLAIMS = ("done", "submitted", "closed")  # the words that say "finished" from a unit's side


class Judgement(NamedTuple):
    """What a status claim does to a task already in the ledger.

    ``outcome``: "none" (it says what the ledger says), "move" (``verb`` is
    applied through the rules: start or submit), "claim" (done without
    evidence: recorded as a claim, the task listed as claiming done),
    "refused" (a sheet does not do that; ``why`` says what would)."""

    outcome: str
    verb: str | None = None
    why: str | None = None


def judge_claim(claim: str | None, status: str, *, has_evidence: bool) -> Judgement:
    """What a sheet's status ``claim`` (open, in_progress, done, submitted,
    closed, cancelled) may do to a task whose state is ``status``."""
    if claim == "closed" and status == "submitted":
        return Judgement("refused", why="close")  # closing is a checker's: `close --by`
    if claim is None or claim == status or (claim in DONE_CLAIMS and status in ("submitted", "closed")):
        return Judgement("none")
    if status in FINISHED:
        return Judgement("refused", why="finished")  # a sheet never reopens nor revives
    if claim == "cancelled":
        return Judgement("refused", why="cancel")
    if claim in DONE_CLAIMS:
        return Judgement("move", "submit") if has_evidence else Judgement("claim", "start" if status == "open" else None)
    if claim == "in_progress" and status == "open":
        return Judgement("move", "start")
    return Judgement("refused", why="backwards")  # open after work began, or work after submitting


def unchanged_claim(claim: str | None, status: str | None) -> bool:
    """Whether a claim says what a state said (a sheet exported with 待验收
    and returned with 已完成 has not changed its status)."""
    return claim is None or claim == status or (claim in DONE_CLAIMS and status in ("submitted", "closed"))


def first_import_state(claim: str | None, *, checker: str | None, owner: str | None, has_evidence: bool) -> tuple[str | None, str | None]:
    """(state, flag) of a task new to the ledger, from its sheet's status
    word: the sheet is the office's existing record. A closed row (已销号, or
    done with a checker) arrives closed, carried over, when its checker is not
    the person responsible; with no checker it arrives closed and is flagged
    ("no_checker") for review; checked by its own person responsible it is
    not closed ("own_checker"): submitted with evidence, else a claim of done.
    Done or submitted without evidence is a claim ("claim"): in progress."""
    if claim in ("done", "closed") and checker:
        if owner and person_key(checker) == person_key(owner):
            return ("submitted", "own_checker") if has_evidence else ("in_progress", "own_checker")
        return "closed", None
    if claim == "closed":
        return "closed", "no_checker"
    if claim in ("done", "submitted"):
        return ("submitted", None) if has_evidence else ("in_progress", "claim")
    return claim, None
