"""The Learn pages: every card is listed and rendered with its source, and the crisis region
links to the suicidal-thoughts card."""

from __future__ import annotations

from pathlib import Path

import pytest

from lift.domain.education import SOURCES, CardError
from lift.domain.treatment import clinic_contact_reasons
from lift.web.education import EDUCATION_DIR, load_cards

CARD_SLUGS = sorted(path.stem for path in EDUCATION_DIR.glob("*.md"))


def test_every_card_in_the_repository_passes_the_front_matter_rules():
    # load_cards raises CardError for a card without a (known) source, failing this run;
    # create_app loads the same cards, so such a card also stops the app from starting.
    cards = load_cards()
    assert sorted(cards) == CARD_SLUGS
    assert all(card.source in SOURCES for card in cards.values())


def test_a_folder_with_an_unsourced_card_does_not_load(tmp_path: Path):
    (tmp_path / "fine.md").write_text(f"---\ntitle: Fine\nsource: {sorted(SOURCES)[0]}\n---\nText.\n")
    (tmp_path / "unsourced.md").write_text("---\ntitle: Unsourced\ntags: x\n---\nA claim with no source.\n")
    with pytest.raises(CardError, match="unsourced: the front matter needs a source"):
        load_cards(tmp_path)


async def test_the_learn_page_lists_every_card_for_anyone(stranger, patient):
    cards = load_cards()
    for person in (stranger, patient):
        response = await person.get("/learn")
        assert response.status_code == 200
        for slug, card in cards.items():
            assert f'href="/learn/{slug}"' in response.text
            assert card.title.replace("'", "&#39;") in response.text


@pytest.mark.parametrize("slug", CARD_SLUGS)
async def test_each_card_page_shows_its_text_and_names_its_source(stranger, slug):
    card = load_cards()[slug]
    response = await stranger.get(f"/learn/{slug}")
    assert response.status_code == 200
    assert f"Source: {SOURCES[card.source]}" in response.text
    assert str(card.html) in response.text


async def test_an_unknown_card_is_not_found(stranger):
    for path in ("/learn/no-such-card", "/learn/..%2Fsecrets", "/learn/SIDE-EFFECTS"):
        assert (await stranger.get(path)).status_code == 404, path


async def test_the_crisis_region_links_to_the_suicidal_thoughts_card(stranger, patient):
    help_page = (await stranger.get("/help")).text
    region = help_page[help_page.index('id="crisis"'):help_page.index("</section>")]
    assert 'href="/learn/suicidal-thoughts"' in region
    checkin = (await patient.check_in(thoughts=2)).text
    region = checkin[checkin.index('id="crisis"'):checkin.index('id="saved-title"')]
    assert 'href="/learn/suicidal-thoughts"' in region


async def test_the_suicidal_thoughts_card_links_back_to_get_help(stranger):
    html = (await stranger.get("/learn/suicidal-thoughts")).text
    assert '<a href="/help">get help now</a>' in html


def test_the_side_effects_card_gives_the_same_clinic_rule_as_the_session_log():
    body = " ".join(load_cards()["side-effects"].body.split())
    # Each case in which a logged session says "contact your clinic", and how the card says it.
    cases = {
        "a side effect is severe": clinic_contact_reasons({"dizziness": "severe"}),
        "any bladder pain": clinic_contact_reasons({"bladder": "mild"}),
        "blood pressure after a session is very high": clinic_contact_reasons({}, bp_after="190/100"),
        "back to normal by the next day": clinic_contact_reasons({}, back_to_normal="next_day"),
    }
    for words, reasons in cases.items():
        assert reasons and words in body, words


def test_the_treatment_day_card_says_what_the_day_holds():
    body = " ".join(load_cards()["treatment-day"].body.split())
    for words in ("two hours", "blood pressure and heart rate can go up", "arrange a ride home",
                  "blood pressure before and after"):
        assert words in body, words


async def test_the_account_page_links_to_treatment_and_learn(patient):
    html = (await patient.get("/account")).text
    assert '<a href="/treatment">Treatment</a>' in html and '<a href="/learn">Learn</a>' in html
