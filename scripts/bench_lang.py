"""How much Chinese costs: `rectify add` under zh_CN against en_US.

    python scripts/bench_lang.py [RUNS]

Runs `python -m rectify add` RUNS times per language (default 20),
alternating, each on its own ledger created beforehand (so neither pays for
creating the file), and prints the median wall time of each and the ratio.
Bytecode caching stays as it is for users (PYTHONDONTWRITEBYTECODE unset).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    base = {k: v for k, v in os.environ.items()
            if k not in ("PYTHONDONTWRITEBYTECODE", "RECTIFY_LANG", "LC_ALL", "LC_MESSAGES", "LANG")}
    with tempfile.TemporaryDirectory() as tmp:
        envs = {lang: {**base, "LANG": locale, "RECTIFY_DB": str(Path(tmp) / f"{lang}.db")}
                for lang, locale in (("en", "en_US.UTF-8"), ("zh", "zh_CN.UTF-8"))}
        command = [sys.executable, "-m", "rectify", "add", "全面清理超期未报销单据", "--kind", "immediate",
                   "--due", "2026-12-31", "--unit", "财务处", "--owner", "李华"]
        for env in envs.values():  # create the ledgers and warm the caches
            for _ in range(2):
                subprocess.run(command, env=env, check=True, capture_output=True)
        times: dict[str, list[float]] = {lang: [] for lang in envs}
        for _ in range(runs):
            for lang, env in envs.items():
                start = time.perf_counter()
                subprocess.run(command, env=env, check=True, capture_output=True)
                times[lang].append(time.perf_counter() - start)
    en, zh = (statistics.median(times[lang]) * 1000 for lang in ("en", "zh"))
    print(f"rectify add, median of {runs}: en {en:.1f} ms, zh {zh:.1f} ms, zh/en {zh / en:.3f}")


if __name__ == "__main__":
    main()
