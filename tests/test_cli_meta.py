"""The shape of the command line itself: help, examples, start-up imports."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import run_process


def _commands():
    from rectify.cli.app import build_app
    import typer.main

    group = typer.main.get_command(build_app())
    return sorted(group.commands)


@pytest.mark.parametrize("name", _commands())
def test_every_command_has_help_with_an_example(cli, name):
    res = cli.ok(name, "--help", db=False)
    assert "Example" in res.stdout, f"`rectify {name} --help` lacks an example"


def test_top_level_help_lists_commands(cli):
    out = cli.ok("--help", db=False).stdout
    for name in ("add", "list", "show", "close", "extend", "where"):
        assert name in out


def test_cli_import_stays_light():
    code = ("import sys, rectify.cli.app; heavy = [m for m in ('rich', 'sqlite_utils', 'dateutil.parser', 'openpyxl',"
            " 'python_calamine', 'docx', 'xlrd', 'rectify.migrations') if m in sys.modules]; print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == ""


def test_creating_a_ledger_does_not_load_numpy_or_pandas():
    # sqlite-utils loads them at import when installed (0.2-0.7 s measured); rectify hides them
    # during that import only: they stay importable for anyone else in the process.
    code = ("import sys, rectify.migrations; loaded = [m for m in ('numpy', 'pandas') if m in sys.modules]; "
            "import importlib.util; print(','.join(loaded), importlib.util.find_spec('json') is not None)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["True"], out
    try:
        import numpy  # noqa: F401  (only where installed: then it must still import after rectify's)
    except ImportError:
        return
    code = "import rectify.migrations, numpy; print(numpy.__name__)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "numpy"


@pytest.mark.parametrize("args", [("add", "A task"), ("list",), ("where",)])
def test_the_first_command_on_a_new_ledger_does_not_load_numpy(tmp_path, args):
    # Through the real program: a write creates the ledger and runs the migrations, a read of a missing
    # ledger migrates an empty one in memory; neither may load sqlite-utils' optional numpy (0.2 s idle).
    db = tmp_path / "new.db"
    res = subprocess.run([sys.executable, "-X", "importtime", "-m", "rectify", "--db", str(db), *args],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stderr[-2000:]
    loaded = {line.rsplit("|", 1)[-1].strip() for line in res.stderr.splitlines() if line.startswith("import time:")}
    assert "sqlite_utils" in loaded or args == ("where",), "the test must reach the migrations"
    assert not [name for name in loaded if name.split(".")[0] in ("numpy", "pandas")]


def test_python_dash_m_and_version():
    res = run_process("--version")
    assert res.returncode == 0 and res.stdout.startswith("rectify ")
    from rectify import __version__

    assert __version__ in res.stdout


def test_unexpected_errors_are_one_line(tmp_path):
    # A clock set to nonsense is reported, not a traceback.
    res = run_process("--db", str(tmp_path / "l.db"), "list", env={"RECTIFY_NOW": "not-a-time"})
    assert res.returncode == 2, res
    assert "Traceback" not in res.stderr and "RECTIFY_NOW" in res.stderr


def test_schema_version_constant_matches_migrations():
    from rectify import migrations, store

    assert store.KNOWN_SCHEMA == migrations.LATEST
