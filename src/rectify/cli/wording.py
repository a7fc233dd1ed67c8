"""The words typer and click say themselves, in the interface language.

typer 0.28 vendors click with click's gettext calls taken out: its usage
errors ("Missing option", "No such option"), its "Usage: " and its help
option's help are English literals, and typer's rich help reads its panel
titles ("Options", "Commands") from module constants of ``typer.rich_utils``.
There is no gettext domain to bind, so rectify reaches them through public
surfaces only, at the places they pass through:

- the command classes below (``Group``, ``Command``) override click's public
  ``format_usage`` (the "Usage: " prefix), ``get_help_option`` (its help) and
  ``format_help``, which sets ``typer.rich_utils``'s public constants for the
  language before typer draws the help;
- ``localize`` translates, once per built command tree, the help texts,
  metavars and shown defaults that the command modules mark with ``N_``, and
  names the parameter types (``<text>``) in the language;
- ``click_message`` rebuilds a usage error in the language from its English
  template (``TEMPLATES``); the one-line error boundary calls it. An unknown
  message stays as it is rather than being lost.

Rich's line breaking for Chinese is the one private patch left, in
``rectify.rich_cjk``. Nothing here imports rich: ``typer.rich_utils`` loads
only when help is drawn.
"""

from __future__ import annotations

import copy
import functools
import re
import string
from typing import TYPE_CHECKING, Any

from typer.core import TyperCommand, TyperGroup

from rectify.i18n import N_, _, is_zh

# Every message typer 0.28 and its vendored click raise for bad command lines,
# longest first where one template is a prefix of another. ``{message}`` is
# itself a message, translated in turn.
TEMPLATES = (
    N_("Missing argument {hint}. {message}"),
    N_("Missing option {hint}. {message}"),
    N_("Missing parameter {hint}. {message}"),
    N_("Missing argument {hint}."),
    N_("Missing option {hint}."),
    N_("Missing parameter {hint}."),
    N_("Missing parameter: {name}"),
    N_("Choose from:\n\t{choices}"),
    N_("No such option: {name} (Possible options: {options})"),
    N_("No such option: {name}"),
    N_("No such command {name}. Did you mean {suggestions}?"),
    N_("No such command {name}."),
    N_("Option {name} requires an argument."),
    N_("Option {name} requires {n} arguments."),
    N_("Option {name} does not take a value."),
    N_("Argument {name} takes {n} values."),
    N_("Got unexpected extra argument(s) ({args})"),
    N_("Invalid value for {hint}: {message}"),
    N_("Invalid value: {message}"),
    N_("{value} is not a valid boolean. Recognized values: {values}"),
    N_("{value} is not a valid {type}."),
    N_("{value} is not in the range {range}."),
    N_("{value} is not one of {choices}."),
    N_("{value} does not match the formats {formats}."),
    N_("Takes {n} values but {given} given."),
    N_("{n} values are required, but {given} given."),
    N_("Value must be an iterable."),
    N_("Could not open file {name}: {message}"),
)

# Parameter types by the name click gives them, as help and errors show them.
TYPE_NAMES = {
    "str": N_("text"),
    "int": N_("integer"),
    "int range": N_("integer"),
    "float": N_("number"),
    "float range": N_("number"),
    "datetime": N_("date and time"),
    "uuid": N_("UUID"),
    "filename": N_("file"),
    "choice": N_("choice"),
}

# ``typer.rich_utils``'s constants, with their English (typer's own).
HELP_WORDS = (
    ("DEPRECATED_STRING", N_("(deprecated) ")),
    ("DEFAULT_STRING", N_("[default: {}]")),
    ("ENVVAR_STRING", N_("[env var: {}]")),
    ("REQUIRED_LONG_STRING", N_("[required]")),
    ("ARGUMENTS_PANEL_TITLE", N_("Arguments")),
    ("OPTIONS_PANEL_TITLE", N_("Options")),
    ("COMMANDS_PANEL_TITLE", N_("Commands")),
    ("ERRORS_PANEL_TITLE", N_("Error")),
    ("ABORTED_TEXT", N_("Aborted.")),
    ("RICH_HELP", N_("Try [blue]'{command_path} {help_option}'[/] for help.")),
)


@functools.cache
def _templates() -> list[tuple[re.Pattern[str], str]]:
    compiled = []
    for template in TEMPLATES:
        regex = ""
        for literal, field, _spec, _conv in string.Formatter().parse(template):
            regex += re.escape(literal)
            if field is not None:
                regex += f"(?P<{field}>.+?)"
        compiled.append((re.compile(regex, re.DOTALL), template))
    return compiled


def click_message(message: str) -> str:
    """One of click's or typer's English messages, in the interface language."""
    if not is_zh():
        return message
    for pattern, template in _templates():
        m = pattern.fullmatch(message)
        if m:
            values = {k: click_message(v) if k == "message" else v for k, v in m.groupdict().items()}
            return _(template).format(**values)
    return message


def _translated(text: Any) -> Any:
    return _(text) if isinstance(text, str) and text else text


def localize(command: Any) -> None:
    """Translate the texts of ``command`` and of every command under it, in place.

    The command modules mark these texts with ``N_`` (they are built before
    the language is known); this is where they are put in the language of the
    run. A command tree is fresh for each run (typer builds it), so each is
    translated once."""
    if getattr(command, "localized", False):
        return
    command.localized = True
    for attr in ("help", "short_help", "epilog", "options_metavar", "subcommand_metavar"):
        setattr(command, attr, _translated(getattr(command, attr, None)))
    for param in command.params:
        param.help = _translated(getattr(param, "help", None))
        param.metavar = _translated(param.metavar)
        if isinstance(getattr(param, "show_default", None), str):
            param.show_default = _(param.show_default)
        if is_zh() and param.type.name in TYPE_NAMES:  # its own copy: click's types are shared
            param.type = copy.copy(param.type)
            param.type.name = _(TYPE_NAMES[param.type.name])
    for sub in getattr(command, "commands", {}).values():
        localize(sub)


if TYPE_CHECKING:
    _Base = TyperCommand
else:
    _Base = object


class _Words(_Base):
    """What both command classes say in the interface language."""

    def format_usage(self, ctx, formatter) -> None:
        formatter.write_usage(ctx.command_path, " ".join(self.collect_usage_pieces(ctx)), _("Usage: "))

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = _("Show this message and exit.")
        return option

    def format_help(self, ctx, formatter) -> None:
        import typer.rich_utils as ru

        for name, english in HELP_WORDS:
            setattr(ru, name, _(english))
        return super().format_help(ctx, formatter)


class Command(_Words, TyperCommand):
    """A command whose typer and click words are in the interface language."""


class Group(_Words, TyperGroup):
    """A command group whose typer and click words are in the interface language."""
