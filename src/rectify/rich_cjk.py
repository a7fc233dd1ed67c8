"""Chinese line breaking in rich: the patches of private surfaces rectify keeps.

rich wraps text at spaces, so a Chinese sentence is one long word: it jumps
whole to the next line or is chopped anywhere, and a line may start with "，"
or "。". rich has no public hook for how a line is divided into words: its
``Text.wrap`` calls ``rich._wrap.divide_line``, which splits with the module
function ``rich._wrap.words``. Under Chinese, ``install`` replaces that
function with ``cjk_words``, which breaks between Chinese characters, keeps
closing punctuation with the character before it and opening punctuation
with the one after (the usual 禁则), and leaves Latin words whole; under
English it gives rich's own answer.

typer's help draws each help text as a cell of a table whose columns cut an
overlong line with "…"; a Chinese line that fills the column to its last cell
is cut so (``outcome -h`` loses a letter of "--what"). typer has no public
setting for it: ``fold_help_texts`` makes the texts that
``typer.rich_utils._make_rich_text`` returns fold instead.

rich and typer.rich_utils load only for help and tables, so an import hook
waits for them instead of importing them: a plain ``rectify add`` stays cheap.

Tested with rich 15.0.0 and typer 0.28.0 (pyproject pins rich below 16 and
typer below 0.29): ``rich._wrap.words`` yields ``(start, end, word)`` and
``_make_rich_text`` takes keyword arguments there. If either changes, the
Chinese layout tests (tests/test_i18n.py) fail.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable
from functools import cache
from types import ModuleType
from typing import Any

from rectify.i18n import is_zh

_CJK = "\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
_CLOSING = "，。、；：！？）」』》〉】〕”’…,.;:!?)\\]"
_OPENING = "（「『《〈【〔“‘(\\["


@cache
def _word() -> re.Pattern[str]:
    """One piece a line may break after. Compiled when rich first wraps a
    line, not at start-up: its ranges of Chinese cost 10 to 20 ms to compile."""
    return re.compile(rf"\s*[{_OPENING}]*(?:(?![{_CLOSING}{_OPENING}])[{_CJK}]|[^\s{_CJK}]+|\S)[{_CLOSING}]*\s*")


def cjk_words(text: str) -> Iterable[tuple[int, int, str]]:
    """``rich._wrap.words`` for Chinese: (start, end, word) for each piece a
    line may break after, its trailing spaces included."""
    word = _word()
    position = 0
    match = word.match(text, position)
    while match is not None and match.end() > position:
        yield match.start(), match.end(), match.group(0)
        position = match.end()
        match = word.match(text, position)


def _patch(wrap: ModuleType) -> None:
    rich_words = getattr(wrap, "words")  # noqa: B009 (a private function of rich, see above)
    if getattr(rich_words, "rectify", False):
        return

    def words(text: str) -> Iterable[tuple[int, int, str]]:
        return cjk_words(text) if is_zh() else rich_words(text)

    words.rectify = True  # type: ignore[attr-defined]
    setattr(wrap, "words", words)  # noqa: B010


def _fold_help_texts(rich_utils: ModuleType) -> None:
    make_rich_text = getattr(rich_utils, "_make_rich_text")  # noqa: B009 (private to typer, see above)
    if getattr(make_rich_text, "rectify", False):
        return

    def folding_rich_text(**kwargs: Any) -> Any:
        text = make_rich_text(**kwargs)
        if is_zh() and hasattr(text, "overflow"):
            text.overflow = "fold"
        return text

    folding_rich_text.rectify = True  # type: ignore[attr-defined]
    setattr(rich_utils, "_make_rich_text", folding_rich_text)  # noqa: B010


class _AfterImport:
    """A meta-path finder that runs ``patch(module)`` once ``name`` is loaded."""

    def __init__(self, name: str, patch: Callable[[ModuleType], None]):
        self.name = name
        self.patch = patch

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname != self.name:
            return None
        import importlib.util

        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        load, patch = spec.loader.exec_module, self.patch

        def exec_module(module: ModuleType) -> None:
            load(module)
            patch(module)

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def _when_imported(name: str, patch: Callable[[ModuleType], None]) -> None:
    module = sys.modules.get(name)
    if module is not None:
        patch(module)
    elif not any(isinstance(f, _AfterImport) and f.name == name for f in sys.meta_path):
        sys.meta_path.insert(0, _AfterImport(name, patch))


def install() -> None:
    """Break rich's lines the Chinese way whenever the language is Chinese."""
    _when_imported("rich._wrap", _patch)
    _when_imported("typer.rich_utils", _fold_help_texts)
