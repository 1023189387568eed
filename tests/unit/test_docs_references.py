"""The docs name the tests that prove each control: every test they name must exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
REFERENCE = re.compile(r"`(tests/[\w/]+\.py)::(\w+)")
DOCS = sorted((REPO / "docs").glob("*.md")) + [REPO / "README.md"]


@pytest.mark.parametrize("doc", DOCS, ids=lambda path: path.name)
def test_every_test_a_doc_names_exists(doc):
    missing = []
    for path, name in REFERENCE.findall(doc.read_text()):
        source = REPO / path
        if not source.exists() or not re.search(rf"^(async )?def {name}\(", source.read_text(), re.MULTILINE):
            missing.append(f"{path}::{name}")
    assert missing == [], f"{doc.name} names tests that do not exist"


def test_the_security_doc_names_tests_at_all():
    assert len(REFERENCE.findall((REPO / "docs" / "security.md").read_text())) > 50
