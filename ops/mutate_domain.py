"""Mutation testing of one pure domain module against the unit tests (docs/mutation.md).

Each mutant changes one thing (a comparison flipped or loosened, an integer off by one, `and`
for `or`, a `not` dropped, an `if` negated or never taken, `+` for `-`, `min` for `max`, True for
False), is written over the module, and the tests run; the module is restored afterwards, also
on Ctrl-C or kill. A mutant that no test fails "survives" and is listed with its line.

Pytest's start (its plugins import hypothesis, schemathesis, faker…) takes ten times longer than
the domain tests, so a parent process imports all that once and forks a child per mutant; the
child imports `lift` and `tests` afresh, so it sees the mutated file. The named test files run
first (-x); a mutant they miss is run against --then (all of tests/unit unless told) before it
counts as a survivor.

    .venv/bin/python ops/mutate_domain.py backend/lift/domain/scales.py tests/unit/test_scales.py
        [--then tests/unit/test_trends.py ...] [--lines 260-520] [--sample 150 --seed 1] [--only 12,40]
"""

from __future__ import annotations

import argparse
import ast
import copy
import importlib
import importlib.metadata
import os
import random
import signal
import sys
import time
from pathlib import Path

SWAP_COMPARE = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt,
                ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.In: ast.NotIn, ast.NotIn: ast.In,
                ast.Is: ast.IsNot, ast.IsNot: ast.Is}
FLIP_COMPARE = {ast.Lt: ast.Gt, ast.Gt: ast.Lt, ast.LtE: ast.GtE, ast.GtE: ast.LtE}
SWAP_BINOP = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.FloorDiv, ast.FloorDiv: ast.Mult,
              ast.Div: ast.Mult}
SWAP_CALL = {"min": "max", "max": "min", "any": "all", "all": "any"}


def _variants(node: ast.AST) -> list[tuple[str, object]]:
    """The mutations of one node, each as (description, argument for _apply)."""
    out: list[tuple[str, object]] = []
    if isinstance(node, ast.Compare):
        for i, op in enumerate(node.ops):
            for table in (SWAP_COMPARE, FLIP_COMPARE):
                if type(op) in table:
                    out.append((f"{type(op).__name__} -> {table[type(op)].__name__}", ("cmp", i, table[type(op)])))
    elif isinstance(node, ast.BinOp) and type(node.op) in SWAP_BINOP:
        out.append((f"{type(node.op).__name__} -> {SWAP_BINOP[type(node.op)].__name__}", ("binop",)))
    elif isinstance(node, ast.BoolOp):
        out.append(("and <-> or", ("boolop",)))
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        out.append(("not dropped", ("unnot",)))
    elif isinstance(node, ast.Constant) and type(node.value) is bool:
        out.append((f"{node.value} -> {not node.value}", ("bool",)))
    elif isinstance(node, ast.Constant) and type(node.value) is int:
        out.append((f"{node.value} -> {node.value + 1}", ("int", 1)))
        out.append((f"{node.value} -> {node.value - 1}", ("int", -1)))
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in SWAP_CALL:
        out.append((f"{node.func.id} -> {SWAP_CALL[node.func.id]}", ("call",)))
    if isinstance(node, (ast.If, ast.IfExp, ast.While)):
        out.append(("condition negated", ("negate",)))
        if isinstance(node, ast.If):
            out.append(("if never taken", ("never",)))
    return out


def _apply(node: ast.AST, how: tuple) -> ast.AST:
    kind = how[0]
    if kind == "cmp":
        node.ops[how[1]] = how[2]()
    elif kind == "binop":
        node.op = SWAP_BINOP[type(node.op)]()
    elif kind == "boolop":
        node.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
    elif kind == "unnot":
        return node.operand
    elif kind == "bool":
        node.value = not node.value
    elif kind == "int":
        node.value += how[1]
    elif kind == "call":
        node.func.id = SWAP_CALL[node.func.id]
    elif kind == "negate":
        node.test = ast.UnaryOp(op=ast.Not(), operand=node.test)
    elif kind == "never":
        node.test = ast.Constant(value=False)
    return node


def _not_logic(tree: ast.AST) -> set[int]:
    """Nodes whose mutants could only be equivalent: struct options (frozen=True, kw_only=True:
    no code sets or hashes differently for them) and `if TYPE_CHECKING:` (annotations only)."""
    skip = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.ClassDef, ast.Call)):
            skip |= {id(k.value) for k in node.keywords if k.arg in ("frozen", "kw_only")}
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            skip.add(id(node))
    return skip


def mutants(source: str) -> list[tuple[int, str, str]]:
    """Every mutant as (line, description, source), in a stable order."""
    tree = ast.parse(source)
    skip = _not_logic(tree)
    found = []
    for index, node in enumerate(ast.walk(tree)):
        if id(node) in skip:
            continue
        for description, how in _variants(node):
            found.append((index, getattr(node, "lineno", 0), description, how))
    out = []
    for index, line, description, how in found:
        mutated = copy.deepcopy(tree)
        target = next(n for i, n in enumerate(ast.walk(mutated)) if i == index)
        replaced = _apply(target, how)
        if replaced is not target:
            _replace(mutated, target, replaced)
        out.append((line, description, ast.unparse(ast.fix_missing_locations(mutated))))
    return out


def _replace(tree: ast.AST, old: ast.AST, new: ast.AST) -> None:
    for parent in ast.walk(tree):
        for field, value in ast.iter_fields(parent):
            if value is old:
                setattr(parent, field, new)
                return
            if isinstance(value, list) and any(v is old for v in value):
                value[[i for i, v in enumerate(value) if v is old][0]] = new
                return


def _preload(test_files: list[str]) -> None:
    """Import pytest, its plugins and every third-party module the tests use, then forget
    `lift` and `tests` so each child imports them from disk."""
    import pytest  # noqa: F401
    for entry in importlib.metadata.entry_points(group="pytest11"):
        importlib.import_module(entry.value.split(":")[0])
    for path in test_files:
        importlib.import_module(path.removesuffix(".py").replace("/", "."))
    for name in [n for n in sys.modules if n.split(".")[0] in ("lift", "tests")]:
        del sys.modules[name]


def run_tests(args: list[str], timeout: float) -> int:
    """Pytest's exit code in a forked child; -1 when it ran past `timeout` (an endless loop)."""
    pid = os.fork()
    if pid == 0:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.dup2(null, 2)
        import pytest
        os._exit(int(pytest.main(["-x", "-q", "-p", "no:cacheprovider", *args])))
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                return os.waitstatus_to_exitcode(status)
            time.sleep(0.05)
    except BaseException:
        _stop(pid)
        raise
    _stop(pid)
    return -1


def _stop(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("module")
    parser.add_argument("tests", nargs="+")
    parser.add_argument("--sample", type=int, help="test a random sample of this many mutants")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", help="comma-separated mutant numbers")
    parser.add_argument("--lines", help="only mutants on these lines, e.g. 260-520")
    parser.add_argument("--then", nargs="+", default=["tests/unit"],
                        help="what a mutant the named tests miss runs against next")
    parser.add_argument("--timeout", type=float, default=120)
    options = parser.parse_args()
    # Either signal restores the module (a shell starts a background job ignoring SIGINT).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped"))
    signal.signal(signal.SIGINT, signal.default_int_handler)
    sys.dont_write_bytecode = True  # two mutants of one size in one second would share a .pyc
    sys.path[:0] = ["backend", "."]
    module = Path(options.module)
    original = module.read_text()
    all_mutants = mutants(original)
    numbers = list(range(len(all_mutants)))
    if options.lines:
        low, high = map(int, options.lines.split("-"))
        numbers = [n for n in numbers if low <= all_mutants[n][0] <= high]
    if options.only:
        numbers = [int(n) for n in options.only.split(",")]
    elif options.sample and options.sample < len(numbers):
        numbers = sorted(random.Random(options.seed).sample(numbers, options.sample))
    _preload(options.tests)
    pycache = module.parent / "__pycache__"
    survivors = killed = 0
    try:
        module.write_text(ast.unparse(ast.parse(original)))
        if run_tests(["tests/unit"], options.timeout) != 0:
            sys.exit("tests/unit fails on the unmutated (unparsed) module; fix that first")
        for number in numbers:
            line, description, source = all_mutants[number]
            module.write_text(source)
            for cached in pycache.glob(f"{module.stem}.*.pyc"):
                cached.unlink()
            code = run_tests(options.tests, options.timeout)
            if code == 0:
                code = run_tests(options.then, options.timeout)
            if code == 0:
                survivors += 1
                print(f"SURVIVED #{number} line {line}: {description}", flush=True)
            else:
                killed += 1
                print(f"killed #{number}", flush=True)
    finally:
        module.write_text(original)
    print(f"{module}: {len(all_mutants)} mutants, {len(numbers)} run, {killed} killed, {survivors} survived")


if __name__ == "__main__":
    main()
