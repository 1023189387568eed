"""Hash the two source documents into what tests/unit/test_education_copying.py checks cards against.

The education cards must be in Lift's own words. The documents are not part of the
repository, so only hashes are committed:
- seed_shingles.txt: every 8-word run ("shingle"), for copied text;
- seed_sentences.txt: each sentence's content words, in order, one hash per word, for a
  sentence kept with a few words swapped, which has no 8-word run in common.

Regenerate after a source document changes:

    python tests/data/make_seed_shingles.py            # reads ../shared/seeds
    python tests/data/make_seed_shingles.py SEED_DIR

Words are compared lowercased, with apostrophes dropped ("don't" -> "dont") and all other
punctuation turned into spaces, so "treatment-resistant" and "treatment resistant" match.
"""

from __future__ import annotations

import hashlib
import re
import sys
import unicodedata
from pathlib import Path

SHINGLE_WORDS = 8
HASH_CHARS = 16
HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "seed_shingles.txt"
SENTENCES_OUTPUT = HERE / "seed_sentences.txt"
DEFAULT_SEEDS = HERE.parents[1].parent / "shared" / "seeds"
SEED_FILES = ("000_2ff687e3752922c8.txt", "001_bbfe915b9883af78.txt")


def normalised_words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"['’‘`´]", "", text)
    text = re.sub(r"[^\w\s]|_", " ", text)
    return text.split()


def shingle_hash(words: list[str]) -> str:
    return hashlib.sha256(" ".join(words).encode("utf-8")).hexdigest()[:HASH_CHARS]


def shingle_hashes(text: str, size: int = SHINGLE_WORDS) -> set[str]:
    words = normalised_words(text)
    return {shingle_hash(words[i:i + size]) for i in range(len(words) - size + 1)}


# Words that carry no content: a paraphrase keeps the content words and changes these.
STOP_WORDS = frozenset("""
a about after all also an and any are as at be been before being both but by can could did
do does each for from had has have he her here his how i if in into is it its may me might
more most my no not of on or other our out over she should so some such than that the their
them then there these they this those to up very was we were what when where which who whom
will with would you your
""".split())
SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "ied", "es", "ed", "ly", "s")
WORD_HASH_CHARS = 8


def stem(word: str) -> str:
    """A crude stem, enough that "relieves" and "relieved" count as one word."""
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[:-len(suffix)]
    return word


def sentences(text: str) -> list[str]:
    """Sentences, clauses after a semicolon or colon, and list items, each on its own."""
    return [part for part in re.split(r"(?<=[.!?;:])\s+|\n+", text) if part.strip()]


def content_word_hashes(sentence: str) -> list[str]:
    words = [stem(w) for w in normalised_words(sentence) if w not in STOP_WORDS and len(w) > 2]
    return [hashlib.sha256(w.encode("utf-8")).hexdigest()[:WORD_HASH_CHARS] for w in words]


def main(seed_dir: Path) -> int:
    hashes: set[str] = set()
    for name in SEED_FILES:
        hashes |= shingle_hashes((seed_dir / name).read_text(encoding="utf-8"))
    header = (f"# sha256[:{HASH_CHARS}] of each normalised {SHINGLE_WORDS}-word shingle of "
              f"{', '.join(SEED_FILES)}; made by tests/data/make_seed_shingles.py\n")
    OUTPUT.write_text(header + "".join(f"{h}\n" for h in sorted(hashes)), encoding="utf-8")
    print(f"wrote {len(hashes)} hashes to {OUTPUT}")
    lines = [" ".join(content_word_hashes(s)) for name in SEED_FILES
             for s in sentences((seed_dir / name).read_text(encoding="utf-8"))]
    header = (f"# each sentence's content words, in order, as sha256[:{WORD_HASH_CHARS}] of each; "
              f"{', '.join(SEED_FILES)}; made by tests/data/make_seed_shingles.py\n")
    SENTENCES_OUTPUT.write_text(header + "".join(f"{line}\n" for line in lines if line), encoding="utf-8")
    print(f"wrote {len(lines)} sentences to {SENTENCES_OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SEEDS))
