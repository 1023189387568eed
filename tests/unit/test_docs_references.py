"""The docs name the tests that prove each control: every test they name must exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
REFERENCE = re.compile(r"`(tests/[\w/]+\.py)::(\w+)")
# A test named alone, without its file (`test_rarer_advice_moves_the_page_only_a_little`).
BARE_NAME = re.compile(r"`(test_\w+)`")
DOCS = sorted((REPO / "docs").glob("*.md")) + [REPO / "README.md"]


@pytest.mark.parametrize("doc", DOCS, ids=lambda path: path.name)
def test_every_test_a_doc_names_exists(doc):
    missing = []
    for path, name in REFERENCE.findall(doc.read_text()):
        source = REPO / path
        if not source.exists() or not re.search(rf"^(async )?def {name}\(", source.read_text(), re.MULTILINE):
            missing.append(f"{path}::{name}")
    assert missing == [], f"{doc.name} names tests that do not exist"


@pytest.mark.parametrize("doc", DOCS, ids=lambda path: path.name)
def test_every_test_a_doc_names_without_its_file_exists_in_some_test_file(doc):
    names = set(BARE_NAME.findall(doc.read_text()))
    defined = set()
    for source in (REPO / "tests").rglob("test_*.py"):
        defined.update(re.findall(r"^(?:async )?def (test_\w+)\(", source.read_text(), re.MULTILINE))
    missing = sorted(names - defined)
    assert missing == [], f"{doc.name} names tests that do not exist: {missing}"


def test_the_security_doc_names_tests_at_all():
    assert len(REFERENCE.findall((REPO / "docs" / "security.md").read_text())) > 50
