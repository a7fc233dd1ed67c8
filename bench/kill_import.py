"""Kill `rectify import` with SIGKILL at many points and check the ledger each time.

    python bench/kill_import.py [--tasks 30000] [--kills 40] [--seed 1] [--empty]

The heavy version of tests/test_robustness.py's interrupted import: one
complete import is timed first; then each run starts from the same seeded
ledger and is killed at a random moment of that span, or once the -wal file
has grown past a random size (the import's pages reach the WAL only at
COMMIT, so that is where the dangerous moments are). After each kill:
``PRAGMA integrity_check`` must say ok and the import must be whole or absent
(task, event and problem counts equal to the seed's or to the complete
run's). Exits 1 on the first violation. With --empty the seed ledger has no
tasks, so the import is a bulk load with SQLite's rollback journal
(``Ledger.rollback_journal``): the size watched is then the ledger file's,
which grows as the commit writes it. Outside the test suite: it takes
about a minute.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path


def rectify(db: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "rectify", "--db", str(db), *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def counts(db: Path) -> tuple[int, ...]:
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok", db
        return tuple(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("task", "event", "problem"))
    finally:
        conn.close()


def wal_size(db: Path) -> int:
    try:
        return os.path.getsize(str(db) + "-wal")
    except OSError:
        return -1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=30000)
    parser.add_argument("--kills", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--empty", action="store_true", help="start from an empty ledger: a bulk load")
    opts = parser.parse_args()
    rng = random.Random(opts.seed)
    os.environ.setdefault("RECTIFY_NOW", "2026-11-25T09:00:00")
    work = Path(tempfile.mkdtemp(prefix="kill_import."))
    source = work / "tasks.json"
    source.write_text(json.dumps([{"title": f"Imported measure {i}", "unit": f"Unit {i % 20}",
                                   "owner": f"Owner {i % 50}", "kind": ["immediate", "long_term"][i % 2],
                                   "due": f"2027-{i % 12 + 1:02d}-15", "problem": {"description": f"Finding {i // 3}"}}
                                  for i in range(opts.tasks)]))
    seed = work / "seed.db"
    if opts.empty:
        (work / "nothing.json").write_text("[]")
        assert rectify(seed, "import", str(work / "nothing.json")).wait() == 0
        size = os.path.getsize
    else:
        assert rectify(seed, "add", "before the import").wait() == 0
        size = wal_size
    before = counts(seed)
    whole_db = work / "whole.db"
    shutil.copy(seed, whole_db)
    start = time.monotonic()
    proc = rectify(whole_db, "import", str(source))
    largest_wal = 0
    while proc.poll() is None:
        largest_wal = max(largest_wal, size(whole_db))
        time.sleep(0.0005)
    assert proc.returncode == 0
    span = time.monotonic() - start
    whole = counts(whole_db)
    print(f"{opts.tasks} tasks import in {span:.2f} s, the {'ledger' if opts.empty else '-wal'} file growing to {largest_wal} bytes; "
          f"killing {opts.kills} times")
    outcomes = Counter()
    for n in range(opts.kills):
        db = work / f"run{n}.db"
        shutil.copy(seed, db)
        by_time = n % 2 == 0
        moment = rng.uniform(0, span * 1.05)
        threshold = rng.randint(1, int(largest_wal * 1.05) + 1)
        proc = rectify(db, "import", str(source))
        t0 = time.monotonic()
        killed = False
        while proc.poll() is None:
            if (time.monotonic() - t0 >= moment) if by_time else (size(db) >= threshold):
                proc.send_signal(signal.SIGKILL)
                killed = proc.wait() == -signal.SIGKILL
                break
            time.sleep(0.0005)
        proc.wait()
        got = counts(db)
        state = "whole" if got == whole else "absent" if got == before else "BROKEN"
        point = f"t={moment:.3f}s" if by_time else f"size>={threshold}"
        print(f"  kill {n:>3} at {point:<14} {'killed' if killed else 'finished':<8} -> {state}")
        outcomes[(killed, state)] += 1
        if state == "BROKEN":
            print(f"the import is neither whole nor absent: {got} (seed {before}, whole {whole}); kept in {work}")
            return 1
        if n % 10 == 0:  # now and then, the import again: it must complete the ledger
            if rectify(db, "import", str(source)).wait() != 0 or counts(db) != whole:
                print(f"a second import after kill {n} did not complete the ledger; kept in {work}")
                return 1
        db.unlink()
    print("outcomes:", {f"{'killed' if k else 'finished'} {s}": c for (k, s), c in sorted(outcomes.items())})
    shutil.rmtree(work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
