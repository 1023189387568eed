"""The education cards are in Lift's own words, cite one of the two source documents, and give no dose.

No card may share a run of 8 consecutive words with either document, nor keep one of their
sentences with a few words swapped. The documents are not in the repository:
tests/data/make_seed_shingles.py hashed their 8-word shingles into tests/data/seed_shingles.txt
and each sentence's content words into tests/data/seed_sentences.txt, and this test uses only
those hashes.
"""

import re
from pathlib import Path

import pytest

from lift.domain.education import MAX_WORDS, SOURCES, parse_card, word_count
from tests.copying import reworded_sentences, seed_sentences
from tests.data.make_seed_shingles import HASH_CHARS, SEED_FILES, content_word_hashes, normalised_words, shingle_hashes

REPO = Path(__file__).resolve().parents[2]
CARDS_DIR = REPO / "frontend" / "content" / "education"
CARD_FILES = sorted(CARDS_DIR.glob("*.md"))
SHINGLES = REPO / "tests" / "data" / "seed_shingles.txt"


def seed_hashes() -> set[str]:
    lines = SHINGLES.read_text(encoding="utf-8").splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def test_the_committed_hashes_are_hashes_only_and_cover_both_documents():
    hashes = seed_hashes()
    # ~1,400 words between the two documents give about as many 8-word shingles.
    assert len(hashes) > 1000
    assert all(len(h) == HASH_CHARS and int(h, 16) >= 0 for h in hashes)


def test_there_are_10_to_16_cards():
    assert 10 <= len(CARD_FILES) <= 16


def test_every_card_cites_one_of_the_two_source_documents_by_file_name():
    assert set(SOURCES) == set(SEED_FILES)
    for path in CARD_FILES:
        card = parse_card(path.stem, path.read_text(encoding="utf-8"))
        assert card.source in SEED_FILES, path.name


@pytest.mark.parametrize("path", CARD_FILES, ids=lambda p: p.stem)
def test_no_card_shares_8_consecutive_words_with_a_source_document(path):
    card = parse_card(path.stem, path.read_text(encoding="utf-8"))
    copied = shingle_hashes(f"{card.title}\n{card.body}") & seed_hashes()
    assert not copied, f"{path.name} repeats {len(copied)} run(s) of 8 words from a source document"


@pytest.mark.parametrize("path", CARD_FILES, ids=lambda p: p.stem)
def test_every_card_is_150_words_or_fewer(path):
    card = parse_card(path.stem, path.read_text(encoding="utf-8"))
    assert word_count(card.body) <= MAX_WORDS


def test_the_committed_sentence_hashes_cover_both_documents():
    seeds = seed_sentences()
    assert len(seeds) > 60
    assert all(len(h) == 8 and int(h, 16) >= 0 for seed in seeds for h in seed)


@pytest.mark.parametrize("path", CARD_FILES, ids=lambda p: p.stem)
def test_no_card_keeps_a_source_sentence_with_words_swapped(path):
    card = parse_card(path.stem, path.read_text(encoding="utf-8"))
    close = reworded_sentences(f"{card.title}\n{card.body}", seed_sentences())
    assert not close, f"{path.name} keeps source sentences with a few words changed: {close}"


def test_the_sentence_check_finds_a_source_sentence_with_words_swapped():
    source = [content_word_hashes("Standard antidepressants generally take several weeks to provide relief.")]
    assert reworded_sentences("Standard antidepressants usually take several weeks to bring relief.", source)
    assert reworded_sentences("Relief takes several weeks with standard antidepressants, generally.", source)
    assert not reworded_sentences("With most antidepressants, you wait weeks before you notice a change.", source)


def test_the_check_sees_through_case_punctuation_and_hyphens():
    a = "Treatment‑resistant depression: it’s “common”, one study said, in the US."
    b = "treatment resistant depression its common one study said in the us"
    assert normalised_words(a) == b.split()
    assert shingle_hashes(a) == shingle_hashes(b) != set()


def test_the_check_finds_a_copied_run_inside_other_text():
    original = "one two three four five six seven eight nine ten"
    card = "Lift wrote this: Two three FOUR five, six seven eight nine! Then more."
    assert shingle_hashes(card) & shingle_hashes(original)
    assert not shingle_hashes("two three four five six seven eight") & shingle_hashes(original)


# A dose, a number of sprays or a strength is the clinic's to give, never a card's: a card
# that said "one spray goes into each nostril" described a dose the documents never give
# (a dose is set by the clinic and can be several sprays).
DOSING = re.compile(r"\b(\d+|one|two|three|four)\s+(sprays?|squirts?|devices?|puffs?)\b"
                    r"|\b\d+\s*(mg|ml|milligrams?)\b|\bmg/kg\b", re.IGNORECASE)


@pytest.mark.parametrize("path", CARD_FILES, ids=lambda p: p.stem)
def test_no_card_gives_a_dose(path):
    card = parse_card(path.stem, path.read_text(encoding="utf-8"))
    assert not DOSING.search(f"{card.title}\n{card.body}"), f"{path.name}: {DOSING.search(card.body).group(0)!r}"


def test_the_dose_check_finds_a_dose():
    for text in ("One spray goes into each nostril.", "two sprays", "56 mg", "0.5 mg/kg", "3 devices"):
        assert DOSING.search(text), text
    assert not DOSING.search("a nasal spray used in both nostrils; your clinic sets the dose")
