"""Hash every 8-word run ("shingle") of the two source documents into seed_shingles.txt.

The education cards must be in Lift's own words. The documents are not part of the
repository, so only these hashes are committed, and tests/unit/test_education_copying.py
checks every card against them. Regenerate after a source document changes:

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


def main(seed_dir: Path) -> int:
    hashes: set[str] = set()
    for name in SEED_FILES:
        hashes |= shingle_hashes((seed_dir / name).read_text(encoding="utf-8"))
    header = (f"# sha256[:{HASH_CHARS}] of each normalised {SHINGLE_WORDS}-word shingle of "
              f"{', '.join(SEED_FILES)}; made by tests/data/make_seed_shingles.py\n")
    OUTPUT.write_text(header + "".join(f"{h}\n" for h in sorted(hashes)), encoding="utf-8")
    print(f"wrote {len(hashes)} hashes to {OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SEEDS))
