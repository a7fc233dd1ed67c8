"""ruff and mypy over the code, with the project's own configuration
(pyproject.toml, [tool.ruff] and [tool.mypy]); README, "Development"."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run(tool: str, *args: str) -> subprocess.CompletedProcess[str]:
    if importlib.util.find_spec(tool) is None:
        pytest.skip(f'{tool} is not installed (it comes with: pip install -e ".[test]")')
    return subprocess.run([sys.executable, "-m", tool, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)


def test_ruff_finds_nothing() -> None:
    # --no-cache: xdist may run this beside another checkout's run; the check takes well under a second.
    res = _run("ruff", "check", "--no-cache", "src", "tests")
    assert res.returncode == 0, f"ruff check:\n{res.stdout}{res.stderr}"


def test_mypy_finds_nothing() -> None:
    # The cache in .mypy_cache (git-ignored) makes a repeated run take seconds; the first takes about a minute.
    res = _run("mypy")
    assert res.returncode == 0, f"mypy:\n{res.stdout}{res.stderr}"


def _rectify_imports() -> dict[str, set[str]]:
    """Each module of src/rectify and the rectify modules it imports, at the
    top or inside a function alike (``from rectify.render import problems``
    names the module rectify.render.problems)."""
    import ast

    src = ROOT / "src"
    modules = {".".join(p.relative_to(src).with_suffix("").parts).removesuffix(".__init__"): p
               for p in (src / "rectify").rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(a.name for a in node.names if a.name in modules)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and node.module in modules:
                subs = {f"{node.module}.{a.name}" for a in node.names} & modules.keys()
                found.update(subs or {node.module})
        graph[name] = found - {name}
    return graph


def test_no_import_cycle() -> None:
    graph = _rectify_imports()
    cycles = []
    for start in sorted(graph):
        # Depth-first from each module back to itself; a cycle is reported from its smallest member.
        stack = [(start, [start])]
        while stack:
            node, trail = stack.pop()
            for nxt in sorted(graph[node]):
                if nxt == start:
                    cycles.append(trail)
                elif nxt > start and nxt not in trail:
                    stack.append((nxt, trail + [nxt]))
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c + [c[0]]) for c in cycles[:10])


def test_one_letter_aliases_mean_one_module() -> None:
    # `L` was the ledger in one module and the layout in another; `C` classify or columns.
    import ast

    meanings: dict[str, set[str]] = {}
    for path in (ROOT / "src" / "rectify").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for a in node.names:
                    if a.asname and len(a.asname) == 1:
                        target = a.name if isinstance(node, ast.Import) else f"{node.module}.{a.name}"
                        meanings.setdefault(a.asname, set()).add(target)
    mixed = {alias: sorted(targets) for alias, targets in meanings.items() if len(targets) > 1}
    assert not mixed, f"one-letter aliases with more than one meaning: {mixed}"
