"""One exception family. The CLI boundary turns each into one line on stderr
and the exit code documented here (and in README)."""

from __future__ import annotations


class ExitCode:
    OK = 0
    FAILURE = 1  # an unexpected internal error (a bug: please report it)
    USAGE = 2  # bad input: unknown option, unparseable date, unknown kind, empty title
    NOT_FOUND = 3  # unknown task, problem or evidence id
    RULE = 4  # forbidden by the ledger's rules: a state change, closing one's own task
    LEDGER = 5  # the ledger file is foreign, newer, unreadable or unwritable
    IMPORT = 6  # an import file has rows that cannot be read; nothing was written
    CHECK = 7  # `rectify check` found a problem
    INTERRUPTED = 130


class RectifyError(Exception):
    """Base of every error a user may see. The message is already translated."""

    exit_code = ExitCode.FAILURE

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InputError(RectifyError):
    exit_code = ExitCode.USAGE


class DateError(InputError):
    """A date the parser does not understand. Nothing is guessed."""


class NotFoundError(RectifyError):
    exit_code = ExitCode.NOT_FOUND


class RuleError(RectifyError):
    exit_code = ExitCode.RULE


class LedgerError(RectifyError):
    exit_code = ExitCode.LEDGER


class ImportFileError(RectifyError):
    exit_code = ExitCode.IMPORT


class CheckError(RectifyError):
    exit_code = ExitCode.CHECK
