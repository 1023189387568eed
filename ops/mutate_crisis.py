"""Mutation testing of the crisis path: one small change at a time to the code that decides
whether, and how, Get help now appears, then the tests that should notice it.

    PYTHONPATH=backend .venv/bin/python ops/mutate_crisis.py [--list] [--only PATH] [--out FILE]
    PYTHONPATH=backend .venv/bin/python ops/mutate_crisis.py --recheck FILE   # survivors, every stage

Each mutant (a comparison or `and`/`or` flipped, a condition negated or its branch dropped, an
operand or `not` dropped, a constant changed, a string wrapped in XX, a return made None) is
written over its file with ast.unparse, the fast tests run with -x (a pure rule's unit tests; a
web module's crisis integration tests first), and the file is put back. --recheck runs the
survivors of an earlier run against all of tests/unit and every integration file that mentions
the crisis. Results go to FILE (JSON); docs/mutation.md says which survivors are equivalent and
which test kills the rest. Slow (minutes): not part of `make test`; browser tests are not run.
It rewrites source files while it runs: run it in a copy of the repository (`git worktree add`).
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")

# module -> the top-level names (functions, classes, assignments) on the crisis path; None: all.
TARGETS: dict[str, tuple[str, ...] | None] = {
    "backend/lift/domain/crisis.py": None,
    "backend/lift/web/crisis.py": None,
    "backend/lift/domain/checkins.py": ("ThoughtsAnswer", "panel_thoughts", "thoughts_answer"),
    "backend/lift/domain/scales.py": ("Answer", "PHQ9_ITEM9", "item9_answer", "item_answer",
                                      "kept_for_question_9", "kept_beside", "supersedes"),
    "backend/lift/domain/safety_plan.py": ("has_steps", "has_care_team", "dialable", "tel_link"),
    "backend/lift/domain/forms.py": ("read_answer",),
    "backend/lift/web/errors.py": ("CRISIS_SENSITIVE_PATHS", "HELP_PATH", "_crisis_sensitive",
                                   "_prompt_for_refused_form"),
    "backend/lift/web/pwa.py": ("offline_context", "with_offline_crisis"),
}

UNIT_CRISIS = ["tests/unit/test_crisis_rule.py", "tests/unit/test_crisis_wording.py",
               "tests/unit/test_checkin_rules.py", "tests/unit/test_scales.py",
               "tests/unit/test_safety_plan_rules.py", "tests/unit/test_form_parsing.py",
               "tests/unit/test_settings.py", "tests/unit/test_offline_rules.py"]
INTEGRATION_CRISIS = ["tests/integration/test_crisis_path.py",
                      "tests/integration/test_crisis_resources_abroad.py"]


def other_crisis_integration() -> list[str]:
    found = [str(p.relative_to(ROOT)) for p in sorted((ROOT / "tests/integration").glob("test_*.py"))
             if "crisis" in p.read_text().lower()]
    return [p for p in found if p not in INTEGRATION_CRISIS]


def other_unit() -> list[str]:
    return [str(p.relative_to(ROOT)) for p in sorted((ROOT / "tests/unit").glob("test_*.py"))
            if str(p.relative_to(ROOT)) not in UNIT_CRISIS]


def fast_stages(rel: str) -> list[list[str]]:
    """The tests likeliest to kill a mutant of `rel`, first."""
    if rel.endswith("pwa.py"):
        return [["tests/integration/test_offline_sync.py"], INTEGRATION_CRISIS, UNIT_CRISIS]
    if "/web/" in rel:
        return [INTEGRATION_CRISIS, UNIT_CRISIS]
    return [UNIT_CRISIS]  # pure rules: their unit tests should kill every mutant


def full_stages(rel: str) -> list[list[str]]:
    """Every test file the crisis path's tests live in: the fast ones, then all of tests/unit and
    every integration file that mentions the crisis (--recheck: for the survivors only)."""
    seen = [path for stage in fast_stages(rel) for path in stage]
    return [*fast_stages(rel), [p for p in other_unit() if p not in seen],
            [p for p in other_crisis_integration() if p not in seen]]

SWAP_COMPARE = {ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Lt: ast.LtE, ast.LtE: ast.Lt,
                ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.Is: ast.IsNot, ast.IsNot: ast.Is,
                ast.In: ast.NotIn, ast.NotIn: ast.In}


def _docstring_ids(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def _in_scope(tree: ast.Module, names: tuple[str, ...] | None) -> list[ast.AST]:
    roots = []
    for stmt in tree.body:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)) or (
                isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)):
            continue
        if names is None:
            roots.append(stmt)
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and stmt.name in names:
            roots.append(stmt)
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            if any(isinstance(t, ast.Name) and t.id in names for t in targets):
                roots.append(stmt)
    return roots


def mutations(node: ast.AST, docstrings: set[int]):
    """(description, function that mutates the node in a copy of the tree) for one node."""
    if isinstance(node, ast.Compare):
        for i, op in enumerate(node.ops):
            if type(op) in SWAP_COMPARE:
                new = SWAP_COMPARE[type(op)]
                yield f"{type(op).__name__} -> {new.__name__}", lambda n, i=i, new=new: n.ops.__setitem__(i, new())
    elif isinstance(node, ast.BoolOp):
        new = ast.Or if isinstance(node.op, ast.And) else ast.And
        yield f"{type(node.op).__name__} -> {new.__name__}", lambda n, new=new: setattr(n, "op", new())
        for i in range(len(node.values)):
            # Of two operands, _apply puts the other in the BoolOp's place.
            yield f"drop operand {i} of {type(node.op).__name__}", \
                lambda n, i=i: setattr(n, "values", n.values[:i] + n.values[i + 1:])
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        yield "drop not", None  # _apply puts the operand in its place
    elif isinstance(node, (ast.If, ast.IfExp, ast.While)):
        yield "negate condition", lambda n: setattr(n, "test", ast.UnaryOp(ast.Not(), n.test))
        if isinstance(node, ast.If):
            yield "condition -> False (drop branch)", lambda n: setattr(n, "test", ast.Constant(False))
    elif isinstance(node, ast.Constant) and id(node) not in docstrings:
        v = node.value
        if isinstance(v, bool):
            yield f"{v} -> {not v}", lambda n: setattr(n, "value", not n.value)
        elif isinstance(v, int):
            new = {0: 1, 1: 0}.get(v, v + 1)
            yield f"{v} -> {new}", lambda n, new=new: setattr(n, "value", new)
        elif isinstance(v, str):
            yield f"string {v[:30]!r} -> 'XX'", lambda n: setattr(n, "value", "XX" + n.value + "XX" if n.value else "XX")
    elif isinstance(node, ast.Return) and node.value is not None and not (
            isinstance(node.value, ast.Constant) and node.value.value is None):
        yield "return None", lambda n: setattr(n, "value", ast.Constant(None))


def enumerate_mutants(rel: str, names):
    source = (ROOT / rel).read_text()
    tree = ast.parse(source)
    docstrings = _docstring_ids(tree)
    out = []
    nodes = [n for root in _in_scope(tree, names) for n in ast.walk(root)]
    # The pieces of an f-string are left alone: wrapping them is the whole f-string's mutant.
    for node in nodes:
        if isinstance(node, ast.JoinedStr):
            for part in ast.walk(node):
                docstrings.add(id(part))
    for index, node in enumerate(nodes):
        for desc, _ in mutations(node, docstrings):
            out.append({"module": rel, "line": getattr(node, "lineno", 0), "node": index,
                        "desc": desc, "code": (ast.get_source_segment(source, node) or "")[:80]})
    return out


def _replace(tree: ast.AST, target: ast.AST, new: ast.AST) -> None:
    """Put `new` where `target` is in `tree`."""
    for parent in ast.walk(tree):
        for field, value in ast.iter_fields(parent):
            if value is target:
                setattr(parent, field, new)
            elif isinstance(value, list) and any(v is target for v in value):
                value[[id(v) for v in value].index(id(target))] = new


def _apply(source: str, names, mutant: dict) -> str:
    tree = ast.parse(source)
    docstrings = _docstring_ids(tree)
    nodes = [n for root in _in_scope(tree, names) for n in ast.walk(root)]
    target = nodes[mutant["node"]]
    for desc, change in mutations(target, docstrings):
        if desc == mutant["desc"]:
            break
    if mutant["desc"] == "drop not":
        _replace(tree, target, target.operand)
    elif mutant["desc"].startswith("drop operand") and len(target.values) == 2:
        _replace(tree, target, target.values[1 - int(mutant["desc"].split()[2])])  # `a and b`: b
    else:
        change(target)
    return ast.unparse(ast.fix_missing_locations(tree))


def run_stages(env, stages) -> tuple[bool, str]:
    for stage in stages:
        if not stage:
            continue  # pytest with no paths would run every test
        result = subprocess.run([PYTHON, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *stage],
                                cwd=ROOT, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            failed = [line for line in result.stdout.splitlines() if line.startswith(("FAILED", "ERROR"))]
            return True, (failed[0] if failed else result.stdout.strip().splitlines()[-1])[:200]
    return False, ""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--list", action="store_true")
    parser.add_argument("--only", help="a path in TARGETS")
    parser.add_argument("--first", type=int, default=0)
    parser.add_argument("--out", default="mutation-crisis.json")
    parser.add_argument("--recheck", help="a results file: run its survivors against every stage")
    parser.add_argument("--fast", action="store_true", help="with --recheck: the fast stages only")
    args = parser.parse_args()
    # Stopped (kill), it still puts back the file it was mutating: see `finally` below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped"))
    survivors = None
    if args.recheck:
        # By the code and the change, not the position: the file may have changed since.
        survivors = {(r["module"], r["desc"], r["code"]) for r in json.loads(Path(args.recheck).read_text())
                     if not r["killed"]}
    env = {**os.environ, "PYTHONPATH": str(ROOT / "backend"), "PYTHONDONTWRITEBYTECODE": "1"}
    results = []
    for rel, names in TARGETS.items():
        if args.only and rel != args.only:
            continue
        mutants = enumerate_mutants(rel, names)
        if survivors is not None:
            mutants = [m for m in mutants if (rel, m["desc"], m["code"]) in survivors]
            if not mutants:
                continue
        if args.list:
            for m in mutants:
                print(f"{rel}:{m['line']}: {m['desc']}: {m['code']}")
            continue
        path = ROOT / rel
        original = path.read_text()
        stages = full_stages(rel) if args.recheck and not args.fast else fast_stages(rel)
        try:
            # The file as ast.unparse writes it must pass as it is, or every mutant "dies".
            path.write_text(ast.unparse(ast.parse(original)))
            shutil.rmtree(path.parent / "__pycache__", ignore_errors=True)
            killed, why = run_stages(env, stages)
            if killed:
                sys.exit(f"{rel} fails its tests once unparsed: {why}")
            for m in mutants[args.first:]:
                start = time.monotonic()
                path.write_text(_apply(original, names, m))
                shutil.rmtree(path.parent / "__pycache__", ignore_errors=True)
                killed, why = run_stages(env, stages)
                m.update(killed=killed, by=why, seconds=round(time.monotonic() - start, 1))
                results.append(m)
                print(f"{'killed  ' if killed else 'SURVIVED'} {rel}:{m['line']} {m['desc']}: {m['code']}"
                      f" ({m['seconds']} s) {why}", flush=True)
        finally:
            path.write_text(original)
            shutil.rmtree(path.parent / "__pycache__", ignore_errors=True)
            (ROOT / args.out).write_text(json.dumps(results, indent=1))
    if not args.list:
        for rel in TARGETS:
            mine = [r for r in results if r["module"] == rel]
            if mine:
                print(f"{rel}: {len(mine)} mutants, {sum(r['killed'] for r in mine)} killed")


if __name__ == "__main__":
    main()
