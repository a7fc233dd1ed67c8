"""The one-line confirmations commands print on stderr, worded here (cheap
to import: no rich)."""

from __future__ import annotations

from rectify.i18n import _


def progress_noted(task_id: int, percent: int | None, progress: int) -> str:
    """What ``progress`` says: the note was recorded; the percent only when
    one was given, or the one the task keeps when it has one."""
    if percent is not None:
        return _("Task {id}: progress note recorded; now {percent}%.").format(id=task_id, percent=progress)
    if progress:
        return _("Task {id}: progress note recorded; still {percent}%.").format(id=task_id, percent=progress)
    return _("Task {id}: progress note recorded.").format(id=task_id)
