"""Run many rectify command lines in one process (for tests/test_i18n.py).

    python tests/cli_batch.py < cases.json > results.json

``cases`` is a list of ``{"argv": [...], "env": {...}, "input": "..."}``; each
result is ``{"code", "stdout", "stderr", "exception"}``. The language comes
from the environment, as a user's does, when the app is built (``build_app``): help
texts and typer's own words are fixed then. One process for a whole language
keeps the suite fast (a process per command line would cost seconds).
"""

from __future__ import annotations

import json
import os
import sys

from typer.testing import CliRunner

from rectify.cli.app import build_app, choose_language


def main() -> None:
    cases = json.load(sys.stdin)
    runner = CliRunner()
    results = []
    for case in cases:
        env = {**os.environ, **(case.get("env") or {})}
        app = build_app(choose_language(case["argv"], env))
        res = runner.invoke(app, case["argv"], env=case.get("env"), input=case.get("input"), catch_exceptions=True)
        exc = res.exception if res.exception and not isinstance(res.exception, SystemExit) else None
        results.append({"code": res.exit_code, "stdout": res.stdout, "stderr": res.stderr,
                        "exception": repr(exc) if exc else None})
    json.dump(results, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
