"""Whether a text keeps a sentence of the source documents with a few words swapped: the
check that education cards and caregiver guidance are in Lift's own words, beside the 8-word
shingle check (tests/data/make_seed_shingles.py makes both hash files)."""

from __future__ import annotations

from pathlib import Path

from tests.data.make_seed_shingles import content_word_hashes, sentences

SEED_SENTENCES = Path(__file__).resolve().parent / "data" / "seed_sentences.txt"

# A sentence of at least 6 content words may share at most this share of them with any
# one source sentence, counted as a set and in order. Lists of side effects are shorter; the
# sentences this caught had kept the source's words with a verb or two swapped.
MIN_CONTENT_WORDS = 6
MAX_SHARED = 0.6


def seed_sentences() -> list[list[str]]:
    lines = SEED_SENTENCES.read_text(encoding="utf-8").splitlines()
    return [line.split() for line in lines if line.strip() and not line.startswith("#")]


def in_order(a: list[str], b: list[str]) -> int:
    """How many of a's words b has in the same order (longest common subsequence)."""
    previous = [0] * (len(b) + 1)
    for word in a:
        current = [0]
        for j, other in enumerate(b):
            current.append(previous[j] + 1 if word == other else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


def closest_seed_share(sentence: str, seeds: list[list[str]]) -> float:
    words = content_word_hashes(sentence)
    return max(max(len(set(words) & set(seed)) / len(set(words)), in_order(words, seed) / len(words))
               for seed in seeds)


def reworded_sentences(text: str, seeds: list[list[str]]) -> list[str]:
    return [s for s in sentences(text) if len(content_word_hashes(s)) >= MIN_CONTENT_WORDS
            and closest_seed_share(s, seeds) >= MAX_SHARED]
