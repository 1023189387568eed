"""Mutation testing (docs/mutation.md): one small change at a time to the code, then the tests
that should notice it. A mutant that no test fails "survives" and is printed with its line.

    .venv/bin/python ops/mutate.py MODULE TEST... [--then TEST...]    # one module, e.g. a domain rule
    .venv/bin/python ops/mutate.py --crisis [MODULE]                  # the crisis path, or one of its modules
        [--list] [--lines 260-520] [--sample 150 --seed 1] [--only 12,40] [--first N]
        [--ops crisis|domain] [--out FILE] [--recheck FILE [--fast]]

The changes: a comparison loosened or reversed, `and` for `or` or an operand dropped, a `not`
dropped, a condition negated or its branch never taken, an integer off by one, True for False, a
string wrapped in XX, a return made None, `+` for `-`, `min` for `max`. `--ops` keeps the changes
one of the two earlier scripts made (mutate_crisis.py, mutate_domain.py), so their counts in
docs/mutation.md can be reproduced. Each mutant is written over its module, its test stages run
with -x (the next only if the one before passed), and the module is put back, also on Ctrl-C or
kill: run it in a clone you are not editing. Pytest's start (its plugins import hypothesis,
schemathesis, faker…) is paid once: a parent imports all that and forks a child per mutant,
which imports `lift` and `tests` afresh, so it sees the mutated file. Browser tests never run.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import importlib.metadata
import json
import os
import random
import signal
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# --crisis: module -> the top-level names (functions, classes, assignments) on the crisis path; None: all.
CRISIS_TARGETS: dict[str, tuple[str, ...] | None] = {
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


def crisis_stages(rel: str, full: bool) -> list[list[str]]:
    """The tests likeliest to kill a mutant of `rel`, first; `full` (--recheck) adds the rest of
    tests/unit and every integration file that mentions the crisis."""
    if rel.endswith("pwa.py"):
        stages = [["tests/integration/test_offline_sync.py"], INTEGRATION_CRISIS, UNIT_CRISIS]
    elif "/web/" in rel:
        stages = [INTEGRATION_CRISIS, UNIT_CRISIS]
    else:
        stages = [UNIT_CRISIS]  # pure rules: their unit tests should kill every mutant
    if full:
        seen = {path for stage in stages for path in stage}
        unit = sorted((ROOT / "tests/unit").glob("test_*.py"))
        crisis = [p for p in sorted((ROOT / "tests/integration").glob("test_*.py")) if "crisis" in p.read_text().lower()]
        stages += [[str(p.relative_to(ROOT)) for p in found if str(p.relative_to(ROOT)) not in seen]
                   for found in (unit, crisis)]
    return [stage for stage in stages if stage]  # pytest with no paths would run every test


# Which script made a change before: C mutate_crisis.py, D mutate_domain.py (--ops keeps one).
C, D, CD = "c", "d", "cd"
SWAP_COMPARE = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt,
                ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.In: ast.NotIn, ast.NotIn: ast.In,
                ast.Is: ast.IsNot, ast.IsNot: ast.Is}
FLIP_COMPARE = {ast.Lt: ast.Gt, ast.Gt: ast.Lt, ast.LtE: ast.GtE, ast.GtE: ast.LtE}
SWAP_BINOP = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.FloorDiv, ast.FloorDiv: ast.Mult,
              ast.Div: ast.Mult}
SWAP_CALL = {"min": "max", "max": "min", "any": "all", "all": "any"}


def _set(node: ast.AST, field: str, value) -> None:
    setattr(node, field, value)


def mutations(node: ast.AST, no_strings: set[int]):
    """(description, change, which scripts made it) for one node; a change mutates the node in
    place, or returns what takes its place."""
    if isinstance(node, ast.Compare):
        for i, op in enumerate(node.ops):
            for table, made in ((SWAP_COMPARE, CD), (FLIP_COMPARE, D)):
                if type(op) in table:
                    new, which = table[type(op)], f" (comparison {i + 1})" if len(node.ops) > 1 else ""
                    yield f"{type(op).__name__} -> {new.__name__}{which}", lambda n, i=i, new=new: n.ops.__setitem__(i, new()), made
    elif isinstance(node, ast.BinOp) and type(node.op) in SWAP_BINOP:
        new = SWAP_BINOP[type(node.op)]
        yield f"{type(node.op).__name__} -> {new.__name__}", lambda n, new=new: _set(n, "op", new()), D
    elif isinstance(node, ast.BoolOp):
        new = ast.Or if isinstance(node.op, ast.And) else ast.And
        yield f"{type(node.op).__name__} -> {new.__name__}", lambda n, new=new: _set(n, "op", new()), CD
        for i in range(len(node.values)):
            # Of two operands, the other takes the BoolOp's place.
            yield f"drop operand {i} of {type(node.op).__name__}", lambda n, i=i: (
                n.values[1 - i] if len(n.values) == 2 else _set(n, "values", n.values[:i] + n.values[i + 1:])), C
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        yield "drop not", lambda n: n.operand, CD
    elif isinstance(node, ast.Constant) and isinstance(node.value, bool):
        yield f"{node.value} -> {not node.value}", lambda n: _set(n, "value", not n.value), CD if id(node) not in no_strings else D
    elif isinstance(node, ast.Constant) and isinstance(node.value, int):
        v = node.value
        for new in (v + 1, v - 1):  # mutate_crisis.py made one: 0 -> 1, 1 -> 0, else v + 1
            made = CD if new == {0: 1, 1: 0}.get(v, v + 1) and id(node) not in no_strings else D
            yield f"{v} -> {new}", lambda n, new=new: _set(n, "value", new), made
    elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in no_strings:
        yield f"string {node.value[:30]!r} -> 'XX'", lambda n: _set(n, "value", f"XX{n.value}XX" if n.value else "XX"), C
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in SWAP_CALL:
        yield f"{node.func.id} -> {SWAP_CALL[node.func.id]}", lambda n: _set(n.func, "id", SWAP_CALL[n.func.id]), D
    elif isinstance(node, ast.Return) and node.value is not None and not (
            isinstance(node.value, ast.Constant) and node.value.value is None):
        yield "return None", lambda n: _set(n, "value", ast.Constant(None)), C
    if isinstance(node, (ast.If, ast.IfExp, ast.While)):
        yield "negate condition", lambda n: _set(n, "test", ast.UnaryOp(ast.Not(), n.test)), CD
        if isinstance(node, ast.If):
            yield "condition -> False (drop branch)", lambda n: _set(n, "test", ast.Constant(False)), CD


def _skips(tree: ast.AST) -> tuple[set[int], set[int]]:
    """Nodes mutate_domain.py left alone, as their mutants can only be equivalent (struct options
    frozen=True and kw_only=True: nothing sets or hashes differently for them; `if TYPE_CHECKING:`:
    annotations only); and docstrings and f-strings' pieces, which are not strings to wrap."""
    not_logic, no_strings = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.ClassDef, ast.Call)):
            not_logic |= {id(k.value) for k in node.keywords if k.arg in ("frozen", "kw_only")}
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            not_logic.add(id(node))
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                no_strings.add(id(body[0].value))
        if isinstance(node, ast.JoinedStr):
            no_strings |= {id(part) for part in ast.walk(node)}
    return not_logic, no_strings


def _nodes(tree: ast.Module, names: tuple[str, ...] | None) -> list[ast.AST]:
    """The nodes to mutate, in ast.walk's order: all of them, or those within the top-level
    functions, classes and assignments `names` names."""
    if names is None:
        return list(ast.walk(tree))
    roots = []
    for stmt in tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and stmt.name in names:
            roots.append(stmt)
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            if any(isinstance(t, ast.Name) and t.id in names for t in targets):
                roots.append(stmt)
    inside = {id(n) for root in roots for n in ast.walk(root)}
    return [n for n in ast.walk(tree) if id(n) in inside]


def _all_mutations(tree: ast.Module, names, ops: str):
    """(node's index, node, description, change) for every mutant of `ops` ("cd": either script's)."""
    not_logic, no_strings = _skips(tree)
    for index, node in enumerate(_nodes(tree, names)):
        for description, change, made in mutations(node, no_strings):
            if id(node) in not_logic:
                made = made.replace(D, "")
            if set(made) & set(ops):
                yield index, node, description, change


def enumerate_mutants(rel: str, names, ops: str) -> list[dict]:
    source = (ROOT / rel).read_text()
    return [{"module": rel, "line": getattr(node, "lineno", 0), "node": index, "desc": description,
             "code": (ast.get_source_segment(source, node) or "")[:80]}
            for index, node, description, _ in _all_mutations(ast.parse(source), names, ops)]


def _replace(tree: ast.AST, old: ast.AST, new: ast.AST) -> None:
    """Put `new` where `old` is in `tree`."""
    for parent in ast.walk(tree):
        for field, value in ast.iter_fields(parent):
            if value is old:
                setattr(parent, field, new)
                return
            if isinstance(value, list) and any(v is old for v in value):
                value[[id(v) for v in value].index(id(old))] = new
                return


def apply(source: str, names, mutant: dict) -> str:
    """The module's source with `mutant` in it, as ast.unparse writes it."""
    tree = ast.parse(source)
    for index, node, description, change in _all_mutations(tree, names, CD):
        if index == mutant["node"] and description == mutant["desc"]:
            replaced = change(node)
            if isinstance(replaced, ast.AST):
                _replace(tree, node, replaced)
            return ast.unparse(ast.fix_missing_locations(tree))
    raise LookupError(f"no mutant {mutant['desc']!r} at node {mutant['node']}")


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


def run_tests(paths: list[str], timeout: float) -> tuple[bool, str]:
    """Pytest -x on `paths` in a forked child: (failed, the first failure's line). Past
    `timeout` (an endless loop) counts as failed."""
    with tempfile.TemporaryFile("w+") as output:
        pid = os.fork()
        if pid == 0:
            os.dup2(output.fileno(), 1)
            os.dup2(output.fileno(), 2)
            import pytest
            os._exit(int(pytest.main(["-x", "-q", "-p", "no:cacheprovider", *paths])))
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                done, status = os.waitpid(pid, os.WNOHANG)
                if done:
                    break
                time.sleep(0.05)
            else:
                _stop(pid)
                return True, f"timed out after {timeout:.0f} s"
        except BaseException:
            _stop(pid)
            raise
        if os.waitstatus_to_exitcode(status) == 0:
            return False, ""
        output.seek(0)
        lines = output.read().splitlines() or ["(no output)"]
        failed = [line for line in lines if line.startswith(("FAILED", "ERROR"))]
        return True, (failed[0] if failed else lines[-1])[:200]


def _stop(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)


def run_stages(stages: list[list[str]], timeout: float) -> tuple[bool, str]:
    for stage in stages:
        killed, why = run_tests(stage, timeout)
        if killed:
            return True, why
    return False, ""


def _targets(options) -> list[tuple[str, tuple[str, ...] | None, list[list[str]]]]:
    """(module, names, test stages) for each module this run mutates."""
    if options.crisis:
        full = bool(options.recheck) and not options.fast
        return [(rel, names, crisis_stages(rel, full)) for rel, names in CRISIS_TARGETS.items()
                if options.module in (None, rel)]
    if not options.module or not options.tests:
        sys.exit("name a module and its tests, or use --crisis")
    return [(options.module, None, [options.tests, options.then])]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("module", nargs="?", help="the module to mutate (with --crisis: one of its modules)")
    parser.add_argument("tests", nargs="*", help="the tests to run first")
    parser.add_argument("--crisis", action="store_true", help="the crisis path's modules, each with its tests")
    parser.add_argument("--then", nargs="+", default=["tests/unit"],
                        help="what a mutant the named tests miss runs against next")
    parser.add_argument("--list", action="store_true", help="list the mutants, run nothing")
    parser.add_argument("--lines", help="only mutants on these lines, e.g. 260-520")
    parser.add_argument("--sample", type=int, help="test a random sample of this many mutants")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", help="comma-separated mutant numbers")
    parser.add_argument("--first", type=int, default=0, help="start at this mutant number")
    parser.add_argument("--ops", choices=("crisis", "domain"), help="only the changes that script made")
    parser.add_argument("--out", help="write the results here (JSON)")
    parser.add_argument("--recheck", help="a results file: run its survivors again (--crisis: every stage)")
    parser.add_argument("--fast", action="store_true", help="with --recheck: the fast stages only")
    parser.add_argument("--timeout", type=float, default=120)
    options = parser.parse_args()
    ops = {"crisis": C, "domain": D}.get(options.ops, CD)
    # Paths as from the repository's root, which the tests run in.
    relative = lambda path: os.path.relpath(os.path.abspath(path), ROOT)  # noqa: E731
    options.module = options.module and relative(options.module)
    options.tests, options.then = [relative(p) for p in options.tests], [relative(p) for p in options.then]
    os.chdir(ROOT)
    sys.path[:0] = [str(ROOT / "backend"), str(ROOT)]

    # Number every mutant of the run; the options pick which to test.
    mutants = [dict(m, names=names, stages=stages) for rel, names, stages in _targets(options)
               for m in enumerate_mutants(rel, names, ops)]
    for number, m in enumerate(mutants):
        m["number"] = number
    if options.lines:
        low, high = map(int, options.lines.split("-"))
        mutants = [m for m in mutants if low <= m["line"] <= high]
    if options.recheck:
        # By the code and the change, not the position: the file may have changed since.
        survivors = {(r["module"], r["desc"], r["code"]) for r in json.loads(Path(options.recheck).read_text())
                     if not r["killed"]}
        mutants = [m for m in mutants if (m["module"], m["desc"], m["code"]) in survivors]
    if options.only:
        wanted = {int(n) for n in options.only.split(",")}
        mutants = [m for m in mutants if m["number"] in wanted]
    elif options.sample and options.sample < len(mutants):
        mutants = sorted(random.Random(options.seed).sample(mutants, options.sample), key=lambda m: m["number"])
    mutants = [m for m in mutants if m["number"] >= options.first]
    if options.list:
        for m in mutants:
            print(f"#{m['number']} {m['module']}:{m['line']}: {m['desc']}: {m['code']}")
        return

    # Either signal puts the module back (a shell starts a background job ignoring SIGINT).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped"))
    signal.signal(signal.SIGINT, signal.default_int_handler)
    sys.dont_write_bytecode = True  # two mutants of one size in one second would share a .pyc
    _preload(sorted({path for m in mutants for stage in m["stages"] for path in stage if path.endswith(".py")}))
    results: list[dict] = []
    try:
        for rel in dict.fromkeys(m["module"] for m in mutants):
            _run_module(rel, [m for m in mutants if m["module"] == rel], options.timeout, results)
    finally:
        if options.out:
            Path(options.out).write_text(json.dumps(results, indent=1))
    for rel in dict.fromkeys(r["module"] for r in results):
        mine = [r for r in results if r["module"] == rel]
        print(f"{rel}: {len(mine)} mutants run, {sum(r['killed'] for r in mine)} killed, "
              f"{sum(not r['killed'] for r in mine)} survived")


def _run_module(rel: str, mutants: list[dict], timeout: float, results: list[dict]) -> None:
    """Test each of one module's mutants with its stages, adding to `results` as it goes."""
    path, names, stages = ROOT / rel, mutants[0]["names"], mutants[0]["stages"]
    original = path.read_text()
    try:
        # The module as ast.unparse writes it must pass as it is, or every mutant "dies".
        _write(path, ast.unparse(ast.parse(original)))
        killed, why = run_stages(stages, timeout)
        if killed:
            sys.exit(f"{rel} fails its tests once unparsed; fix that first: {why}")
        for m in mutants:
            start = time.monotonic()
            _write(path, apply(original, names, m))
            killed, why = run_stages(stages, timeout)
            result = {k: m[k] for k in ("number", "module", "line", "node", "desc", "code")}
            results.append(dict(result, killed=killed, by=why, seconds=round(time.monotonic() - start, 1)))
            print(f"{'killed  ' if killed else 'SURVIVED'} #{m['number']} {rel}:{m['line']} {m['desc']}: "
                  f"{m['code']} ({results[-1]['seconds']} s) {why}", flush=True)
    finally:
        _write(path, original)


def _write(path: Path, source: str) -> None:
    path.write_text(source)
    for cached in (path.parent / "__pycache__").glob(f"{path.stem}.*.pyc"):
        cached.unlink()


if __name__ == "__main__":
    main()
