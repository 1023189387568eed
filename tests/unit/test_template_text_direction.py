"""Text a person typed is shown in its own direction wherever it appears.

A note or a clinic's advice written in Arabic, Hebrew or Persian, read left to right, puts a
closing "!" or "." on the wrong side of the sentence. Every place that shows such text (marked
`note-text` for its wrapping) also takes `dir="auto"`, on the patient's pages and on the pages
their caregiver and clinician read.
"""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "frontend" / "templates"
NOTE_TEXT = re.compile(r"<[a-z]+[^>]*class=\"[^\"]*\bnote-text\b[^\"]*\"[^>]*>")


def test_every_element_showing_typed_text_takes_its_direction_from_the_text():
    found, missing = 0, []
    for template in sorted(TEMPLATES.rglob("*.html")):
        for tag in NOTE_TEXT.findall(template.read_text()):
            found += 1
            if 'dir="auto"' not in tag:
                missing.append(f"{template.relative_to(TEMPLATES)}: {tag}")
    assert found >= 10, "the pattern no longer finds the notes"
    assert missing == []


def test_the_care_team_name_in_its_call_button_is_isolated_from_the_words_around_it():
    """"Call" + a right-to-left name ending in "." would otherwise put the full stop first."""
    button = (TEMPLATES / "partials" / "_crisis_call_care_team.html").read_text()
    assert re.search(r"Call <bdi>\{\{ plan\.care_team_name[^}]*\}\}</bdi>", button)
