"""Every location rectify uses, resolved in one place.

The ledger: ``--db PATH``, then ``RECTIFY_DB``, then ``ledger.db`` in the
user's data directory (``RECTIFY_HOME`` overrides that directory, for tests).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def data_dir() -> Path:
    home = os.environ.get("RECTIFY_HOME")
    if home:
        return Path(home)
    if sys.platform == "win32":
        base = os.environ.get("APPDATA") or str(Path.home() / "AppData" / "Roaming")
        return Path(base) / "rectify"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "rectify"
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "rectify"


def ledger_path(option: str | None = None) -> tuple[Path, str]:
    """The ledger path in use, and where it came from ("--db", "RECTIFY_DB", "default")."""
    if option:
        return Path(option).expanduser(), "--db"
    env = os.environ.get("RECTIFY_DB")
    if env:
        return Path(env).expanduser(), "RECTIFY_DB"
    return data_dir() / "ledger.db", "default"


def evidence_dir(ledger: Path) -> Path:
    """The managed evidence folder beside a ledger: ``ledger.db`` -> ``ledger.evidence/``."""
    return ledger.with_name(ledger.stem + ".evidence")
