"""Sheets in and out: import of an office-style workbook, export to xlsx against CSV.

    python3 bench/exchange.py [--n 5000] [--runs 5]

Kept outside the test suite; see bench/README.md ("Sheets in and out"). Every
command is a whole process, timed in alternation after one warm-up (run.py's
launcher and ``compare``), medians in one table, with the targets of issue 14:
import of the 5,000-row workbook ≤ 1.0 s, xlsx export ≤ 3 × the CSV export of
the same ledger. The reader rows time reading the same workbook's cells and
merged ranges alone, through each library that could do it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as B  # noqa: E402  (the launcher, compare, the generated ledger)

TITLE = "XX市2026年巡察反馈问题整改落实情况台账"
TOP = ["序号", "问题类别", "具体问题", "整改措施", "整改目标", "整改类型", "责任领导", "责任单位", None, "整改时限",
       "整改进展", "完成情况", "佐证材料", "备注"]
SUB = [None] * 7 + ["牵头单位", "责任人"] + [None] * 5
KINDS = ["立行立改", "长期坚持", None]
STATES = ["已完成", "整改中", "未启动", "整改中 50%"]


def office_workbook(path: Path, n: int, seed: int = 1) -> None:
    """An office's ledger of ``n`` measures as people make it: a title row, a
    two-row header, group rows (一、…方面), each problem merged over its two
    or three measures (序号, 类别, 问题, 责任领导), dates as date cells and as
    text, a footer."""
    from openpyxl import Workbook

    rnd = random.Random(seed)
    wb = Workbook()
    ws = wb.active
    ws.title = "整改台账"
    ws.append([TITLE])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(TOP))
    ws.append(TOP)
    ws.append(SUB)
    for c, (top, sub) in enumerate(zip(TOP, SUB), start=1):
        if top and not sub and (c == len(TOP) or TOP[c] is not None):
            ws.merge_cells(start_row=2, start_column=c, end_row=3, end_column=c)
    ws.merge_cells(start_row=2, start_column=8, end_row=2, end_column=9)
    row, made, problem, group = 4, 0, 0, 0
    while made < n:
        if problem % 50 == 0:
            group += 1
            ws.append([f"{'一二三四五六七八九十'[group % 10]}、{B.CATEGORIES[group % 5]}方面"])
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(TOP))
            row += 1
        problem += 1
        measures = min(rnd.choice([1, 2, 3]), n - made)
        text = f"{rnd.choice(B.OBJECTS)}存在问题（第{problem}项），{rnd.choice(B.VERBS)}不到位"
        for i in range(measures):
            made += 1
            unit = rnd.choice(B.UNITS)
            due = date(2026, 1, 1) + timedelta(days=rnd.randrange(700))
            due_cell: object = due if made % 4 else f"{due.year}年{due.month}月底前"
            ws.append([problem if i == 0 else None, B.CATEGORIES[group % 5] if i == 0 else None,
                       text if i == 0 else None, f"{rnd.choice(B.VERBS)}{rnd.choice(B.OBJECTS)}（措施{made}）",
                       "问题整改到位", rnd.choice(KINDS), "分管领导" if i == 0 else None, unit,
                       rnd.choice(B.OWNERS), due_cell, "已制定方案，正在推进" if made % 3 else None,
                       rnd.choice(STATES), "整改报告.pdf" if made % 5 == 0 else None, None])
        if measures > 1:
            for col in (1, 2, 3, 7):
                ws.merge_cells(start_row=row, start_column=col, end_row=row + measures - 1, end_column=col)
        row += measures
    ws.append([])
    ws.append(["填表人：张三", None, None, None, None, "审核人：李四"])
    wb.save(path)


READERS = {
    "calamine": "from rectify.exchange.tables import read_tables; t = read_tables(sys.argv[1])",
    "openpyxl": ("import openpyxl; wb = openpyxl.load_workbook(sys.argv[1], data_only=True)\n"
                 "for ws in wb.worksheets: rows = [list(r) for r in ws.iter_rows(values_only=True)]; "
                 "m = [r.bounds for r in ws.merged_cells.ranges]"),
    "openpyxl read-only": ("import openpyxl; wb = openpyxl.load_workbook(sys.argv[1], data_only=True, read_only=True)\n"
                           "for ws in wb.worksheets: rows = [list(r) for r in ws.iter_rows(values_only=True)]"),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=5_000, help="measures in the workbook and tasks exported (default 5000)")
    ap.add_argument("--runs", type=int, default=5, help="timed runs per command (default 5), after one warm-up")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder and print its path")
    args = ap.parse_args()
    B.LAUNCH = B.Launcher()
    tmp = Path(tempfile.mkdtemp(prefix="rectify-bench-x-"))
    base = {k: v for k, v in B.os.environ.items()
            if k not in ("PYTHONDONTWRITEBYTECODE", "RECTIFY_NOW", "RECTIFY_DB", "RECTIFY_LANG", "LC_ALL",
                         "LC_MESSAGES", "PYTHONPATH")}
    base.update(TZ="UTC", LANG="C.UTF-8", HOME=str(tmp), COLUMNS="120", PYTHONPATH=str(B.ROOT / "src"),
                RECTIFY_LANG="zh")
    rectify = [B.PY, "-m", "rectify"]
    try:
        book = tmp / "office.xlsx"
        office_workbook(book, args.n)
        empty = tmp / "empty.db"
        subprocess.run([B.PY, "-c", "import sys; from rectify.store import Ledger; Ledger.open(sys.argv[1], write=True)",
                        str(empty)], env=base, check=True)
        # The same rows as CSV: what the xlsx import is compared with.
        as_csv = tmp / "office.csv"
        subprocess.run([B.PY, "-c", "import csv, sys\nfrom rectify.exchange.tables import read_tables\n"
                        "t = read_tables(sys.argv[1])[0]\n"
                        "with open(sys.argv[2], 'w', encoding='utf-8-sig', newline='') as f:\n"
                        "    csv.writer(f).writerows([['' if v is None else v for v in r] for r in t.grid])",
                        str(book), str(as_csv)], env=base, check=True)
        imp = tmp / "imp.db"
        results = {}

        def env(db: Path) -> dict:
            return {**base, "RECTIFY_DB": str(db)}

        measured = B.compare([
            B.Step("xlsx", rectify + ["import", str(book)], env(imp), lambda: B.copy_file(empty, imp)),
            B.Step("csv", rectify + ["import", str(as_csv)], env(imp), lambda: B.copy_file(empty, imp)),
        ], args.runs, tmp)
        results["import"] = (measured["xlsx"], measured["csv"])
        check = json.loads(subprocess.run(rectify + ["summary", "--json"], env=env(imp), capture_output=True,
                                          text=True, check=True).stdout)
        if check["total"] != args.n:
            sys.exit(f"bench: the workbook imported as {check['total']} tasks, not {args.n}")

        readers = B.compare([B.Step(name, [B.PY, "-c", "import sys\n" + code, str(book)], base)
                             for name, code in READERS.items()], args.runs, tmp)
        results["read: openpyxl / calamine"] = (readers["openpyxl"], readers["calamine"])
        results["read: openpyxl read-only / calamine"] = (readers["openpyxl read-only"], readers["calamine"])

        now = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
        rect, _tw = B.generate(args.n, 1, now, 730)
        (tmp / "ledger.json").write_text(json.dumps(rect, ensure_ascii=False))
        ledger = tmp / "ledger.db"
        B.copy_file(empty, ledger)
        B.run(rectify + ["import", str(tmp / "ledger.json")], env(ledger), tmp)
        measured = B.compare([
            B.Step("xlsx", rectify + ["export", "--output", str(tmp / "out.xlsx")], env(ledger)),
            B.Step("csv", rectify + ["export", "--output", str(tmp / "out.csv")], env(ledger)),
        ], args.runs, tmp)
        results["export"] = (measured["xlsx"], measured["csv"])
        print_table(args, results, now)
    finally:
        B.LAUNCH.close()
        if args.keep:
            print(f"bench: kept {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


LABELS = {
    "import": ("`rectify import office.xlsx`", "`rectify import office.csv` (same rows)", "≤ 1.0 s"),
    "read: openpyxl / calamine": ("openpyxl, cells and merges", "calamine (`read_tables`)", None),
    "read: openpyxl read-only / calamine": ("openpyxl read-only, no merges", "calamine (`read_tables`)", None),
    "export": ("`rectify export --output out.xlsx`", "`rectify export --output out.csv`", "≤ 3 ×"),
}


def machine() -> str:
    """The machine line of run.py, less Taskwarrior's version (not needed here)."""
    info = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), "?")
    mem = next((line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), "0")
    return (f"{os.cpu_count()} CPUs ({cpu}), {int(mem) / 1024 / 1024:.1f} GiB RAM, {platform.system()} "
            f"{platform.release()}, Python {platform.python_version()}")


def print_table(args, results: dict, now: datetime) -> None:
    print(f"\nN = {args.n:,}; median of {args.runs} runs after one warm-up, whole processes; {now:%Y-%m-%d %H:%M} UTC")
    print(f"Machine: {machine()}; load average {os.getloadavg()[0]:.1f} at the end\n")
    print("| what | A | ms | peak MB | B | ms | peak MB | A / B | target | |")
    print("|---|---|--:|--:|---|--:|--:|--:|--:|---|")
    for name, (a, b) in results.items():
        la, lb, target = LABELS[name]
        ratio = a.median / b.median
        verdict = "info"
        if target == "≤ 1.0 s":
            verdict = "pass" if a.median <= 1.0 else "miss"
        elif target == "≤ 3 ×":
            verdict = "pass" if ratio <= 3 else "miss"
        print(f"| {name} | {la} | {a.median * 1000:.0f} | {a.peak_mb:.0f} | {lb} | {b.median * 1000:.0f} | "
              f"{b.peak_mb:.0f} | {ratio:.2f} | {target or '—'} | {verdict} |")


if __name__ == "__main__":
    main()
