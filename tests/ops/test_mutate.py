"""ops/mutate.py makes the changes both earlier mutation scripts made, each mutant once."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "ops" / "mutate.py"
spec = importlib.util.spec_from_file_location("mutate", SCRIPT)
mutate = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mutate)

SOURCE = '''"""A module."""
import msgspec


class Line(msgspec.Struct, frozen=True):
    number: str


def pick(a: int, b: bool) -> str:
    if a <= 1 and not b:
        return str(min(a, 2) + 1)
    return "none left"
'''


def _descriptions(tmp_path, ops):
    module = tmp_path / "module.py"
    module.write_text(SOURCE)
    return {m["desc"] for m in mutate.enumerate_mutants(str(module), None, ops)}


def test_each_preset_keeps_the_changes_its_earlier_script_made_and_the_default_makes_them_all(tmp_path):
    crisis, domain, both = (_descriptions(tmp_path, ops) for ops in ("c", "d", "cd"))
    # Only the crisis script dropped an operand, wrapped strings, returned None, mutated frozen=True.
    assert {"drop operand 0 of And", "string 'none left' -> 'XX'", "return None", "True -> False"} <= crisis - domain
    # Only the domain script reversed a comparison, swapped + and min, made each integer both ways.
    assert {"LtE -> GtE", "Add -> Sub", "min -> max", "1 -> 2", "2 -> 1"} <= domain - crisis
    assert {"LtE -> Lt", "And -> Or", "drop not", "negate condition", "1 -> 0", "2 -> 3"} <= crisis & domain
    assert both == crisis | domain
    # Neither touched a docstring.
    assert not any("A module" in d for d in both)


def test_each_comparison_of_a_chain_is_its_own_mutant():
    source = "def mild(score):\n    return 0 <= score <= 3\n"
    mutants = [m for m in mutate._all_mutations(ast.parse(source), None, "cd")
               if m[2].startswith("LtE -> Lt ")]
    sources = {mutate.apply(source, None, {"node": index, "desc": desc}).splitlines()[1].strip()
               for index, _, desc, _ in mutants}
    assert sources == {"return 0 < score <= 3", "return 0 <= score < 3"}


def test_dropping_one_of_two_operands_leaves_the_other_in_its_place():
    source = "def both(a, b):\n    return a and b\n"
    tree = ast.parse(source)
    index = next(i for i, _, desc, _ in mutate._all_mutations(tree, None, "cd") if desc == "drop operand 0 of And")
    assert mutate.apply(source, None, {"node": index, "desc": "drop operand 0 of And"}).endswith("return b")
