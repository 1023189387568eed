"""A deployment outside the US changes only the crisis resources file (design.md section 2):
then no page may tell a patient in crisis to call a US number the file does not list."""

import re

import pytest

from lift.settings import Settings
from tests.integration.sharing_helpers import shared_with, user_id

UK_RESOURCES = """
emergency_number = "999"
[[lines]]
name = "Samaritans"
call = "116 123"
[[lines]]
name = "Shout"
text = "85258"
text_body = "SHOUT"
"""


@pytest.fixture
def settings(tmp_path) -> Settings:
    resources = tmp_path / "uk.toml"
    resources.write_text(UK_RESOURCES)
    return Settings(data_dir=str(tmp_path), cookie_secure=False, secret_key="test-secret-" * 4,
                    crisis_resources=str(resources))


def assert_no_us_numbers(html: str) -> None:
    assert not re.search(r"\b(988|741741|911)\b", html)
    assert "Crisis Text Line" not in html


@pytest.mark.parametrize("thoughts", [1, 2, 3])
async def test_every_thoughts_answer_names_only_the_deployments_own_numbers(patient, thoughts):
    html = (await patient.check_in(thoughts=thoughts)).text
    assert 'aria-labelledby="crisis-title"' in html
    assert_no_us_numbers(html)


async def test_a_plan_or_intent_is_told_to_call_the_emergency_number_or_the_first_line(patient):
    html = (await patient.check_in(thoughts=3)).text
    assert "If you might act on these thoughts, call 999 or 116 123 now" in html


async def test_thoughts_of_ending_life_are_told_each_of_the_deployments_lines(patient):
    html = (await patient.check_in(thoughts=2)).text
    assert "Call 116 123, or text SHOUT to 85258. If you are in danger, call 999." in html
    await patient.post("/safety-plan", {"care_team_phone": "020 7946 0000"})
    html = (await patient.check_in(thoughts=2)).text
    assert "Call 116 123, text SHOUT to 85258, or contact your care team. If you are in danger, call 999." in html


async def test_phq9_item_9_names_only_the_deployments_own_numbers(patient):
    form = {f"phq9_{n}": "1" for n in range(1, 10)} | {"phq9_9": "2", "difficulty": "1"}
    html = (await patient.post("/scales/phq9", form)).text
    assert 'aria-labelledby="crisis-title"' in html
    assert_no_us_numbers(html)


@pytest.mark.parametrize("path", ["/help", "/offline/help", "/offline/checkin", "/checkin", "/scales/phq9"])
async def test_help_the_footer_and_the_kept_copies_name_only_the_deployments_own_numbers(patient, path):
    html = (await patient.get(path)).text
    assert "call 999 or 116 123" in html.lower()
    assert_no_us_numbers(html)


async def test_numbers_written_with_spaces_make_well_formed_links(patient):
    """RFC 3966 has no spaces in a tel: number: "tel:116 123" is not one to dial."""
    html = (await patient.check_in(thoughts=2)).text
    assert 'href="tel:116123" aria-label="Call 116 123, Samaritans">Call 116 123 <span class="sub">Samaritans<' in html
    assert 'href="sms:85258?&amp;body=SHOUT"' in html
    assert not re.search(r'href="(tel|sms):[^"]*[ ()]', html)


async def test_the_safety_plan_form_suggests_the_deployments_own_line(patient):
    html = (await patient.get("/safety-plan")).text
    assert "crisis lines such as Samaritans." in html
    assert_no_us_numbers(html)


async def test_a_caregivers_guidance_names_the_deployments_own_line(patient, people, database):
    carer = await shared_with(patient, people("carer@example.com"))
    html = (await carer.get(f"/caregiver/patients/{user_id(database, patient.email)}")).text
    assert "help them call 116 123 or contact their care team" in html
    assert "You can call 116 123 for yourself as well" in html
    assert_no_us_numbers(html)
