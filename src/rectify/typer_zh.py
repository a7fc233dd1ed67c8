"""typer's and click's own words in Chinese: help panels, usage lines, usage errors.

typer 0.28 vendors click as ``typer._click`` with click's gettext calls taken
out, so its messages ("Missing option", "No such option", "Usage: ") are plain
English literals, and typer's rich help reads its panel titles ("Options",
"Arguments", "Commands", "Error") from constants that ``typer.rich_utils``
evaluates once, when it is imported. There is no gettext domain to hook, so
under Chinese ``install()`` does this, once, before any output:

- every click error message is translated as it is formatted: each message
  typer and click can raise is listed below as its English template; the text
  is matched against the templates and rebuilt from the matching translation
  (an unknown message stays as it is, rather than being lost);
- the usage line's "Usage: ", the help option's help and the names of
  parameter types (``<str>``, ``<int>``) are translated;
- ``typer.rich_utils``'s titles and fixed strings are set, and its help
  texts fold instead of being cut off, when that module loads. It imports
  rich and loads only for help and errors, so an import hook waits for it
  instead of importing it: a plain ``rectify add`` stays cheap;
- rich breaks lines between Chinese characters rather than only at spaces
  (``cjk_words``), also through an import hook.

Nothing here runs under English. The templates are marked with ``N_`` and
translated in the catalog like every other message.
"""

from __future__ import annotations

import string
import sys

from rectify.i18n import N_, _

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

# Parameter type names as help and errors show them; bool stays: typer hides
# the type of a flag by looking for "bool" in its name.
TYPE_NAMES = {
    "StringParamType": N_("text"),
    "IntParamType": N_("integer"),
    "IntRange": N_("integer"),
    "FloatParamType": N_("number"),
    "FloatRange": N_("number"),
    "DateTime": N_("date and time"),
    "UUIDParameterType": N_("UUID"),
    "File": N_("file"),
    "TyperChoice": N_("choice"),
}

_patterns: list | None = None
_installed = False


def _compile():
    import re

    compiled = []
    for template in TEMPLATES:
        regex = ""
        for literal, field, _spec, _conv in string.Formatter().parse(template):
            regex += re.escape(literal)
            if field is not None:
                regex += f"(?P<{field}>.+?)"
        compiled.append((re.compile(regex, re.DOTALL), template))
    return compiled


def translate(message: str) -> str:
    """The Chinese for one of click's or typer's English messages."""
    global _patterns
    if _patterns is None:
        _patterns = _compile()
    for pattern, template in _patterns:
        m = pattern.fullmatch(message)
        if m:
            values = {k: (translate(v) if k == "message" else v) for k, v in m.groupdict().items()}
            return _(template).format(**values)
    return message


def _translating(format_message):
    def wrapper(self):
        return translate(format_message(self))

    wrapper.__wrapped__ = format_message
    return wrapper


def _patch_rich_utils(ru) -> None:
    ru.DEPRECATED_STRING = _("(deprecated) ")
    ru.DEFAULT_STRING = _("[default: {}]")
    ru.ENVVAR_STRING = _("[env var: {}]")
    ru.REQUIRED_LONG_STRING = _("[required]")
    ru.ARGUMENTS_PANEL_TITLE = _("Arguments")
    ru.OPTIONS_PANEL_TITLE = _("Options")
    ru.COMMANDS_PANEL_TITLE = _("Commands")
    ru.ERRORS_PANEL_TITLE = _("Error")
    ru.ABORTED_TEXT = _("Aborted.")
    ru.RICH_HELP = _("Try [blue]'{command_path} {help_option}'[/] for help.")

    # Chinese has no spaces to wrap at: a help text would be one long "word"
    # that rich cuts off with an ellipsis. Folding breaks it at the edge.
    make_rich_text = ru._make_rich_text

    def folding_rich_text(**kwargs):
        text = make_rich_text(**kwargs)
        if hasattr(text, "overflow"):
            text.overflow = "fold"
        return text

    ru._make_rich_text = folding_rich_text


# Line breaking. rich wraps at spaces, so a Chinese sentence is one long word:
# it jumps whole to the next line or is chopped anywhere, and a line may start
# with "，" or "。". Under Chinese, rich's word splitter breaks between Chinese
# characters instead, keeps closing punctuation with the character before it
# and opening punctuation with the one after (the usual 禁则), and leaves
# Latin words whole.
_CJK = "\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
_CLOSING = "，。、；：！？）」』》〉】〕”’…,.;:!?)\\]"
_OPENING = "（「『《〈【〔“‘(\\["
_word_pattern = None


def cjk_words(text: str):
    """``rich._wrap.words`` for Chinese: (start, end, word) for each piece a
    line may break after, its trailing spaces included."""
    global _word_pattern
    if _word_pattern is None:
        import re

        _word_pattern = re.compile(
            rf"\s*[{_OPENING}]*(?:(?![{_CLOSING}{_OPENING}])[{_CJK}]|[^\s{_CJK}]+|\S)[{_CLOSING}]*\s*")
    position = 0
    match = _word_pattern.match(text, position)
    while match is not None and match.end() > position:
        yield match.start(), match.end(), match.group(0)
        position = match.end()
        match = _word_pattern.match(text, position)


def _patch_rich_wrap(wrap) -> None:
    wrap.words = cjk_words


class _AfterImport:
    """A meta-path finder that runs ``patch(module)`` once ``name`` is loaded."""

    def __init__(self, name: str, patch):
        self.name = name
        self.patch = patch

    def find_spec(self, fullname, path=None, target=None):
        if fullname != self.name:
            return None
        import importlib.util

        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        load, patch = spec.loader.exec_module, self.patch

        def exec_module(module):
            load(module)
            patch(module)

        spec.loader.exec_module = exec_module
        return spec


def _when_imported(name: str, patch) -> None:
    module = sys.modules.get(name)
    if module is not None:
        patch(module)
    else:
        sys.meta_path.insert(0, _AfterImport(name, patch))


def install() -> None:
    """Put typer's and click's own words into Chinese, for this process."""
    global _installed
    if _installed:
        return
    _installed = True
    from typer import _types
    from typer._click import decorators, exceptions, formatting, types

    errors = (exceptions.ClickException, exceptions.BadParameter, exceptions.MissingParameter,
              exceptions.NoSuchOption, exceptions.FileError)
    # Each class that defines format_message (ClickException inherits typer's).
    for cls in {c for error in errors for c in error.__mro__ if "format_message" in vars(c)}:
        cls.format_message = _translating(cls.format_message)

    write_usage = formatting.HelpFormatter.write_usage

    def translated_write_usage(self, prog, args="", prefix=None):
        return write_usage(self, prog, args, _("Usage: ") if prefix is None else prefix)

    formatting.HelpFormatter.write_usage = translated_write_usage

    help_option = decorators.help_option

    def translated_help_option(param_decls):
        add = help_option(param_decls)

        def apply(command):
            command = add(command)
            command.params[-1].help = _("Show this message and exit.")
            return command

        return apply

    decorators.help_option = translated_help_option

    for owner in (types, _types):
        for cls_name, label in TYPE_NAMES.items():
            cls = getattr(owner, cls_name, None)
            if cls is not None:
                cls.name = _(label)

    _when_imported("typer.rich_utils", _patch_rich_utils)
    _when_imported("rich._wrap", _patch_rich_wrap)
