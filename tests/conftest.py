"""Every test gets its own ledger in a temp folder and a fixed clock; no test
touches a real home. Tests drive the real CLI (typer's CliRunner, or a
subprocess where the process boundary matters)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

NOW = "2026-11-25T09:00:00"  # a Wednesday

_CLEAN_VARS = ("RECTIFY_DB", "RECTIFY_LANG", "RECTIFY_NOW", "RECTIFY_USER", "LC_ALL", "LC_MESSAGES", "LANG",
               "RECTIFY_DEBUG")


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    for var in _CLEAN_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("RECTIFY_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("RECTIFY_NOW", NOW)
    monkeypatch.setenv("RECTIFY_USER", "tester")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    from rectify import i18n

    i18n.set_language(None)
    yield
    i18n.set_language(None)


class Result:
    def __init__(self, exit_code: int, stdout: str, stderr: str, exception=None):
        self.exit_code = exit_code
        self.stdout = stdout
        self.stderr = stderr
        self.exception = exception

    def json(self):
        return json.loads(self.stdout)

    def __repr__(self):
        return f"<Result {self.exit_code} stdout={self.stdout[:400]!r} stderr={self.stderr[:400]!r}>"


class Cli:
    """Runs ``rectify ARGS`` in-process against the test's ledger, in the
    language a real run would choose (``--lang``, RECTIFY_LANG, the locale);
    ``cli.zh(...)`` runs it under Chinese."""

    def __init__(self, db: Path, lang: str | None = None):
        self.db = db
        self.lang = lang
        self.runner = CliRunner()

    @property
    def zh(self) -> "Cli":
        """The same ledger, with the interface in Chinese."""
        return Cli(self.db, "zh")

    def __call__(self, *args: str, input: str | None = None, db: bool = True) -> Result:
        from rectify import i18n
        from rectify.cli.app import build_app, choose_language

        argv = (["--db", str(self.db)] if db else []) + [str(a) for a in args]
        app = build_app(self.lang or choose_language(argv))
        res = self.runner.invoke(app, argv, input=input, catch_exceptions=True)
        i18n.set_language(None)
        exc = res.exception if res.exception and not isinstance(res.exception, SystemExit) else None
        if exc is not None:
            raise exc
        return Result(res.exit_code, res.stdout, res.stderr)

    def ok(self, *args: str, **kw) -> Result:
        res = self(*args, **kw)
        assert res.exit_code == 0, res
        return res

    def json(self, *args: str) -> object:
        return self.ok(*args, "--json").json()

    def add(self, title: str = "A task", *args: str) -> int:
        return self.json("add", title, *args)["id"]


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "ledger.db"


@pytest.fixture
def cli(db) -> Cli:
    return Cli(db)


def run_process(*args: str, env: dict | None = None, input: str | None = None, timeout: float = 60):
    """``python -m rectify ARGS`` in a real process."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "rectify", *args], capture_output=True, text=True,
                          env=full_env, input=input, timeout=timeout)


def dump(path: Path, *, register: bool = False) -> str:
    """The ledger's whole content, as SQL text: equal dumps, equal ledgers.
    The return register (which files were imported, when) is left out unless
    ``register``: an import that changes no task still records its file."""
    conn = sqlite3.connect(path)
    try:
        return "\n".join(line for line in conn.iterdump()
                         if register or not ('"returned_sheet"' in line and line.startswith("INSERT")
                                             or "'returned_sheet'" in line))
    finally:
        conn.close()


def file_bytes(path: Path) -> bytes:
    return path.read_bytes() if path.exists() else b""
