"""rectify against Taskwarrior on the same ledger: times, ratios, peak memory.

    python3 bench/run.py --n 100000 --runs 5 [--slow-runs 3] [--seed 1]

Kept outside the test suite; see bench/README.md for what it measures and how.
It generates one seeded ledger of N tasks in both formats, times each pair of
commands in alternation as whole processes (median of --runs, after one
warm-up), records each child's peak memory (max RSS, from wait4), and prints a
markdown table with the targets of issue 5.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
UNITS = ["财务处", "资产处", "人事处", "科研处", "教务处", "学生处", "后勤处", "基建处", "信息中心", "图书馆",
         "国资处", "审计处", "采购中心", "保卫处", "工会", "研究生院", "国际处", "档案馆", "校医院", "继续教育学院"]
OWNERS = ["李华", "王芳", "张伟", "刘洋", "陈静", "杨磊", "赵敏", "黄强", "周杰", "吴琳", "徐明", "孙丽"]
VERBS = ["全面清理", "规范", "建立健全", "开展专项检查", "整改落实", "完善", "修订", "严格执行"]
OBJECTS = ["超期未报销单据", "固定资产台账", "政府采购流程", "公务接待制度", "科研经费管理", "合同审批",
           "三公经费支出", "工程项目结算", "津贴补贴发放", "信息系统权限"]
CATEGORIES = ["财务管理", "资产管理", "采购管理", "作风建设", "科研管理"]


# -- the ledger, in both formats ---------------------------------------------


def tw_time(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%SZ")


def generate(n: int, seed: int, now: datetime, span_days: int) -> tuple[list[dict], list[dict]]:
    """N tasks as (rectify import objects, Taskwarrior import objects).

    About 30% overdue (unfinished, due before today), 15% closed, the rest
    unfinished and due from today on; 20 units; half immediate. Of the
    unfinished tasks a third are in progress, with a progress note. Every
    task has a consistent history, so the reports have events to read."""
    rng = random.Random(seed)
    today = now.date()
    rect, tw = [], []
    for i in range(n):
        uid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        created = now - timedelta(days=rng.uniform(1, span_days))
        created = created.replace(microsecond=0)
        kind = "immediate" if i % 2 == 0 else "long_term"
        unit = UNITS[i % len(UNITS)]
        owner = rng.choice(OWNERS)
        title = f"{rng.choice(VERBS)}{rng.choice(OBJECTS)}（第{i + 1}项）"
        roll = rng.random()
        history = [{"at": created.isoformat(), "action": "add", "field": None, "old": None, "new": title,
                    "note": None, "actor": owner}]
        closed_at = started = None
        status, progress = "open", 0
        if roll < 0.15:  # closed
            due = today + timedelta(days=rng.randint(-120, 120))
            span = (now - created).total_seconds()
            started = created + timedelta(seconds=span * 0.2)
            submitted = created + timedelta(seconds=span * 0.6)
            closed_at = (created + timedelta(seconds=span * 0.8)).replace(microsecond=0)
            status, progress = "closed", 100
            steps = [(started, "start", "status", "open", "in_progress", None),
                     (submitted, "submit", "status", "in_progress", "submitted", None),
                     (closed_at, "close", "status", "submitted", "closed", None),
                     (closed_at, "close", "closed_at", None, closed_at.isoformat(), None),
                     (closed_at, "close", "closed_by", None, "复核组", None),
                     (closed_at, "close", "progress", "0", "100", None)]
        else:
            if roll < 0.45:  # overdue
                due = today - timedelta(days=rng.randint(1, 120))
            else:
                due = today + timedelta(days=rng.randint(0, 180))
            steps = []
            if rng.random() < 1 / 3:
                started = (created + (now - created) / 2).replace(microsecond=0)
                status, progress = "in_progress", 40
                steps = [(started, "progress", "progress", "0", "40", "已制定整改方案"),
                         (started, "start", "status", "open", "in_progress", None)]
        for at, action, fld, old, new, note in steps:
            history.append({"at": at.replace(microsecond=0).isoformat(), "action": action, "field": fld,
                            "old": old, "new": new, "note": note, "actor": owner})
        rect.append({"uid": uid, "title": title, "kind": kind, "status": status, "due": due.isoformat(),
                     "unit": unit, "owner": owner, "category": CATEGORIES[i % len(CATEGORIES)],
                     "progress": progress, "created": created.isoformat(),
                     "closed_at": closed_at.isoformat() if closed_at else None,
                     "closed_by": "复核组" if closed_at else None, "history": history})
        t = {"uuid": uid, "description": title, "status": "completed" if closed_at else "pending",
             "entry": tw_time(created), "modified": tw_time(closed_at or created),
             "due": due.strftime("%Y%m%dT000000Z"), "project": unit, "tags": [kind]}
        if closed_at:
            t["end"] = tw_time(closed_at)
        elif started:
            t["start"] = tw_time(started)
        tw.append(t)
    return rect, tw


# -- running and measuring ----------------------------------------------------


@dataclass
class Measure:
    times: list[float] = field(default_factory=list)
    rss_kb: list[int] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def peak_mb(self) -> float:
        return max(self.rss_kb) / 1024


# Peak memory is the child's ru_maxrss from wait4. Linux carries that
# high-water mark across fork and exec, so a child spawned by this process
# (which holds the generated ledger) would report this process's size. Every
# command is therefore spawned by a small launcher, started before anything
# is generated: its own few MB are the floor of every figure.
LAUNCHER = r"""
import json, os, sys, time
for line in sys.stdin:
    job = json.loads(line)
    actions = [(os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
               (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
               (os.POSIX_SPAWN_OPEN, 2, job["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)]
    os.chdir(job["cwd"])
    start = time.perf_counter()
    pid = os.posix_spawn(job["cmd"][0], job["cmd"], job["env"], file_actions=actions)
    _pid, status, usage = os.wait4(pid, 0)
    elapsed = time.perf_counter() - start
    print(json.dumps({"elapsed": elapsed, "rss_kb": usage.ru_maxrss, "rc": os.waitstatus_to_exitcode(status)}),
          flush=True)
"""


class Launcher:
    def __init__(self):
        self.proc = subprocess.Popen([PY, "-S", "-c", LAUNCHER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True, env={})

    def run(self, cmd: list[str], env: dict, cwd: Path) -> tuple[float, int]:
        """Run one whole process; return (wall seconds, max RSS in KiB)."""
        with tempfile.NamedTemporaryFile(suffix=".err") as err:
            exe = cmd[0] if os.path.isabs(cmd[0]) else shutil.which(cmd[0])
            self.proc.stdin.write(json.dumps({"cmd": [exe, *cmd[1:]], "env": env, "cwd": str(cwd),
                                              "stderr": err.name}) + "\n")
            self.proc.stdin.flush()
            result = json.loads(self.proc.stdout.readline())
            if result["rc"] != 0:
                sys.exit(f"bench: {' '.join(cmd)} exited {result['rc']}:\n"
                         f"{Path(err.name).read_text(errors='replace')}")
        return result["elapsed"], result["rss_kb"]

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait()


LAUNCH: Launcher | None = None


def run(cmd: list[str], env: dict, cwd: Path) -> tuple[float, int]:
    return LAUNCH.run(cmd, env, cwd)


@dataclass
class Step:
    """One side of a pair: a command, and how to prepare a fresh copy (untimed)."""

    name: str
    cmd: list[str]
    env: dict
    prepare: object = None  # callable run before each timing, or None


def compare(steps: list[Step], runs: int, cwd: Path) -> dict[str, Measure]:
    """One warm-up each, then ``runs`` rounds, alternating the steps in each round."""
    out = {s.name: Measure() for s in steps}
    for round_ in range(runs + 1):
        order = steps if round_ % 2 == 0 else list(reversed(steps))
        for s in order:
            if s.prepare:
                s.prepare()
            elapsed, rss = run(s.cmd, s.env, cwd)
            if round_:  # round 0 is the warm-up
                out[s.name].times.append(elapsed)
                out[s.name].rss_kb.append(rss)
    return out


def ensure_taskwarrior() -> str:
    found = shutil.which("task")
    if found:
        return found
    print("bench: Taskwarrior is missing; installing it with apt-get", file=sys.stderr)
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    subprocess.run(sudo + ["apt-get", "update", "-q"], check=True)
    subprocess.run(sudo + ["apt-get", "install", "-y", "-q", "taskwarrior"], check=True)
    return shutil.which("task") or sys.exit("bench: could not install Taskwarrior")


def _flushed(path: Path) -> None:
    """fsync a fresh copy, so its dirty pages are not flushed by the fsync of
    the command timed next (SQLite's commit would pay for the whole copy)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def copy_dir(src: Path, dst: Path) -> None:
    shutil.rmtree(dst, ignore_errors=True)
    shutil.copytree(src, dst)
    for path in dst.iterdir():
        _flushed(path)


def copy_file(src: Path, dst: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(str(dst) + suffix).unlink(missing_ok=True)
    shutil.copyfile(src, dst)
    _flushed(dst)


# -- the bench ----------------------------------------------------------------

TARGETS = {  # name: (target ratio, what it is compared with)
    "import": 1.0, "add": 0.25, "list --overdue": 0.10, "summary": 0.20, "weekly": 0.02,
    "cold start": 6.0, "add zh/en": 1.10, "CLI start": None,
}
SUMMARY_RSS_MB = 80


def machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = next(l for l in Path("/proc/meminfo").read_text().splitlines() if l.startswith("MemTotal"))
        ram = f"{int(mem.split()[1]) / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        ram = "?"
    tw = subprocess.run(["task", "--version"], capture_output=True, text=True).stdout.strip()
    return (f"{os.cpu_count()} CPUs ({cpu}), {ram} RAM, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, Taskwarrior {tw}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=10_000, help="tasks in the ledger (default 10000)")
    ap.add_argument("--runs", type=int, default=5, help="timed runs per command (default 5), after one warm-up")
    ap.add_argument("--slow-runs", type=int, default=None,
                    help="timed runs for the slow pairs, import and weekly (default: --runs)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--span-days", type=int, default=730,
                    help="tasks were recorded over this many days before today (default 730: two years, "
                         "several rounds of inspection)")
    ap.add_argument("--only", default=None, help="comma-separated pairs to run: "
                    "import,list,summary,add,weekly,cold,lang (default all)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder and print its path")
    args = ap.parse_args()
    slow_runs = args.slow_runs or args.runs
    only = set(args.only.split(",")) if args.only else {"import", "list", "summary", "add", "weekly", "cold", "lang"}
    task = ensure_taskwarrior()
    global LAUNCH
    LAUNCH = Launcher()

    now = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
    tmp = Path(tempfile.mkdtemp(prefix="rectify-bench-"))
    base = {k: v for k, v in os.environ.items()
            if k not in ("PYTHONDONTWRITEBYTECODE", "RECTIFY_NOW", "RECTIFY_DB", "RECTIFY_LANG",
                         "LC_ALL", "LC_MESSAGES", "TASKRC", "TASKDATA", "PYTHONPATH")}
    # One clock for both: UTC, the real time (Taskwarrior has no clock override).
    base.update(TZ="UTC", LANG="C.UTF-8", HOME=str(tmp), COLUMNS="120")
    src = str(ROOT / "src")
    base["PYTHONPATH"] = src
    try:
        print(f"bench: generating {args.n} tasks (seed {args.seed}) in {tmp}", file=sys.stderr)
        rect, tw = generate(args.n, args.seed, now, args.span_days)
        rect_json, tw_json = tmp / "ledger.json", tmp / "tasks.json"
        rect_json.write_text(json.dumps(rect, ensure_ascii=False))
        tw_json.write_text(json.dumps(tw, ensure_ascii=False))
        del rect, tw

        def rectify_env(db: Path, lang: str = "en") -> dict:
            return {**base, "RECTIFY_DB": str(db), "RECTIFY_LANG": lang}

        def tw_env(data: Path) -> dict:
            rc = data.parent / (data.name + ".rc")
            # confirmation off: no prompt; news.version: no "what's new" nag;
            # hooks off (there are none). gc stays on, as users run it: the
            # settled data is made once below, before any timing.
            rc.write_text(f"data.location={data}\nconfirmation=off\nhooks=off\nnews.version=2.6.0\n"
                          "verbose=blank,label,footnote\n")
            data.mkdir(parents=True, exist_ok=True)
            return {**base, "TASKRC": str(rc), "TASKDATA": str(data)}

        rectify = [PY, "-m", "rectify"]
        # The empty ledger the import goes into, and the imported ones.
        empty_db = tmp / "empty.db"
        subprocess.run([PY, "-c", "import sys; from rectify.store import Ledger; Ledger.open(sys.argv[1], write=True)",
                        str(empty_db)], env=base, check=True)
        ledger_db, tw_data = tmp / "ledger.db", tmp / "taskdata"
        print("bench: importing the ledger into both", file=sys.stderr)
        copy_file(empty_db, ledger_db)
        run(rectify + ["import", str(rect_json)], rectify_env(ledger_db), tmp)
        tw_env_main = tw_env(tw_data)
        run([task, "import", str(tw_json)], tw_env_main, tmp)
        run([task, "list"], tw_env_main, tmp)  # lets gc settle the files once
        check_agreement(task, rectify, rectify_env(ledger_db), tw_env_main, tmp)

        results: dict[str, dict[str, Measure]] = {}

        if "import" in only:
            imp_db, imp_data = tmp / "imp.db", tmp / "imp-data"
            imp_env = tw_env(imp_data)
            results["import"] = pair(compare([
                Step("rectify", rectify + ["import", str(rect_json)], rectify_env(imp_db),
                     lambda: copy_file(empty_db, imp_db)),
                Step("taskwarrior", [task, "import", str(tw_json)], imp_env,
                     lambda: (shutil.rmtree(imp_data, ignore_errors=True), imp_data.mkdir())),
            ], slow_runs, tmp))
        if "list" in only:
            results["list --overdue"] = pair(compare([
                Step("rectify", rectify + ["list", "--overdue"], rectify_env(ledger_db)),
                Step("taskwarrior", [task, "due.before:today", "list"], tw_env_main),
            ], args.runs, tmp))
        if "summary" in only:
            results["summary"] = pair(compare([
                Step("rectify", rectify + ["summary"], rectify_env(ledger_db)),
                Step("taskwarrior", [task, "summary"], tw_env_main),
            ], args.runs, tmp))
        if "add" in only or "lang" in only:
            add_db, add_zh_db, add_data = tmp / "add.db", tmp / "add-zh.db", tmp / "add-data"
            add_env = tw_env(add_data)
            fields = ["全面清理超期未报销单据", "--kind", "immediate", "--due", (now.date() + timedelta(days=30)).isoformat(),
                      "--unit", "财务处", "--owner", "李华"]
            steps = [Step("rectify", rectify + ["add", *fields], rectify_env(add_db),
                          lambda: copy_file(ledger_db, add_db))]
            if "add" in only:
                steps.append(Step("taskwarrior", [task, "add", "全面清理超期未报销单据", "project:财务处", "+immediate",
                                                  f"due:{(now.date() + timedelta(days=30)).isoformat()}"],
                                  add_env, lambda: copy_dir(tw_data, add_data)))
            if "lang" in only:
                steps.append(Step("rectify zh", rectify + ["add", *fields], rectify_env(add_zh_db, "zh"),
                                  lambda: copy_file(ledger_db, add_zh_db)))
            measured = compare(steps, args.runs, tmp)
            if "add" in only:
                results["add"] = pair(measured)
            if "lang" in only:
                results["add zh/en"] = pair(measured, "rectify zh", "rectify")
        if "weekly" in only:
            results["weekly"] = pair(compare([
                Step("rectify", rectify + ["weekly"], rectify_env(ledger_db)),
                Step("taskwarrior", [task, "burndown.weekly"], tw_env_main),
            ], slow_runs, tmp))
        if "cold" in only:
            measured = compare([
                Step("rectify", rectify + ["--version"], rectify_env(ledger_db)),
                Step("python", [PY, "-c", "pass"], base),
                Step("cli", rectify + ["where"], rectify_env(ledger_db)),
            ], max(args.runs, 10), tmp)
            results["cold start"] = pair(measured, "rectify", "python")
            # Not a target: --version answers before the CLI is loaded, so
            # also show the start of a command that loads it.
            results["CLI start"] = pair(measured, "cli", "python")
        print_table(args, slow_runs, results, now)
    finally:
        LAUNCH.close()
        if args.keep:
            print(f"bench: kept {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def pair(measured: dict[str, "Measure"], ours: str = "rectify", theirs: str = "taskwarrior") -> dict[str, "Measure"]:
    """One row of the table: rectify's measure, and the baseline it is compared with."""
    return {"rectify": measured[ours], "baseline": measured[theirs]}


def check_agreement(task: str, rectify: list[str], renv: dict, tenv: dict, cwd: Path) -> None:
    """Both tools see the same ledger: the same number of tasks overdue today."""
    ours = json.loads(subprocess.run(rectify + ["summary", "--json"], env=renv, cwd=cwd, check=True,
                                     capture_output=True, text=True).stdout)
    theirs = int(subprocess.run([task, "due.before:today", "status:pending", "count"], env=tenv, cwd=cwd,
                                check=True, capture_output=True, text=True).stdout.split()[0])
    if ours["overdue"] != theirs:
        sys.exit(f"bench: the tools disagree on the overdue tasks: rectify {ours['overdue']}, Taskwarrior {theirs}")
    print(f"bench: {ours['total']} tasks, {ours['overdue']} overdue in both, {ours['closed']} closed", file=sys.stderr)


LABELS = {
    "import": ("`rectify import` (JSON)", "`task import`"),
    "list --overdue": ("`rectify list --overdue` (first page)", "`task due.before:today list`"),
    "summary": ("`rectify summary`", "`task summary`"),
    "add": ("`rectify add`", "`task add`"),
    "weekly": ("`rectify weekly`", "`task burndown.weekly`"),
    "cold start": ("`rectify --version`", "`python -c pass`"),
    "add zh/en": ("`rectify add`, zh", "`rectify add`, en"),
    "CLI start": ("`rectify where`", "`python -c pass`"),
}


def print_table(args, slow_runs: int, results: dict[str, dict[str, Measure]], now: datetime) -> None:
    print(f"\nN = {args.n:,} tasks recorded over {args.span_days} days, seed {args.seed}; median of {args.runs} runs "
          f"({slow_runs} for import and weekly) after one warm-up; {now:%Y-%m-%d %H:%M} UTC")
    print(f"Machine: {machine()}")
    floor = run(["/bin/true"], {}, Path("/"))[1] / 1024
    print(f"Peak memory is each child's max RSS; the launcher's share sets a floor of {floor:.0f} MB.")
    if args.n != 100_000:
        print("The targets are set for N = 100,000; pass and miss are shown for reference.")
    print()
    print("| pair | rectify | ms | peak MB | compared with | ms | peak MB | ratio | target | |")
    print("|---|---|--:|--:|---|--:|--:|--:|--:|---|")
    for name, row in results.items():
        a, b = row["rectify"], row["baseline"]
        ratio = a.median / b.median
        target = TARGETS[name]
        goal, verdict = ("—", "info") if target is None else (f"≤ {target:g}", "pass" if ratio <= target else "miss")
        la, lb = LABELS[name]
        print(f"| {name} | {la} | {a.median * 1000:.0f} | {a.peak_mb:.0f} | {lb} | {b.median * 1000:.0f} | "
              f"{b.peak_mb:.0f} | {ratio:.3f} | {goal} | {verdict} |")
    if "summary" in results:
        peak = results["summary"]["rectify"].peak_mb
        print(f"\n`rectify summary` peak memory: {peak:.0f} MB (target < {SUMMARY_RSS_MB} MB): "
              f"{'pass' if peak < SUMMARY_RSS_MB else 'miss'}")


if __name__ == "__main__":
    main()
