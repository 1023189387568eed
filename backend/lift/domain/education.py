"""Education cards: front matter, the rules every card must meet, and a safe Markdown subset.

A card is a Markdown file written in Lift's own words from one of the two source documents
(SOURCES below), and it names that document. A card without a known source is an
error, not a warning: an unsourced health claim must never reach a patient.

The renderer understands only what cards need — paragraphs, **bold**, "- " lists and links to
paths on this site — and escapes everything else, so no HTML in a card can reach the page.
"""

from __future__ import annotations

import re
from html import escape

import msgspec
from markupsafe import Markup

# How a card names its document. Only a title the document itself carries is put in quotation
# marks: the newsletter has one and names who answered; the article as kept has no title or
# author (its one heading, "Ketamine for depression: ...", heads a section), so it is described.
SOURCES = {
    "000_2ff687e3752922c8.txt":
        "Mind Matters newsletter, “What is esketamine and who may benefit from using it?”, "
        "answered by Sue Wolff, PMHNP",
    "001_bbfe915b9883af78.txt":
        "A patient-education article on ketamine and esketamine for treatment-resistant depression",
}
MAX_WORDS = 150
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
FRONT_MATTER_KEYS = frozenset({"title", "source", "tags", "order"})


class CardError(ValueError):
    """A card file that breaks the rules; the message names the file and the rule."""


class Card(msgspec.Struct, frozen=True, kw_only=True):
    slug: str
    title: str
    source: str
    tags: tuple[str, ...]
    body: str
    order: int = 100

    @property
    def source_title(self) -> str:
        return SOURCES[self.source]

    @property
    def html(self) -> Markup:
        return render_markdown(self.body)


def word_count(text: str) -> int:
    return len(re.findall(r"[\w’'-]+", text))


def _front_matter(slug: str, text: str) -> tuple[dict[str, str], str]:
    lines = text.replace("\r\n", "\n").split("\n")
    if not lines or lines[0].strip() != "---":
        raise CardError(f"{slug}: a card starts with front matter between two '---' lines")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise CardError(f"{slug}: the front matter has no closing '---' line") from None
    fields: dict[str, str] = {}
    for line in lines[1:end]:
        if not line.strip():
            continue
        key, sep, value = line.partition(":")
        key = key.strip()
        if not sep or key not in FRONT_MATTER_KEYS:
            raise CardError(f"{slug}: unknown front matter line {line.strip()!r}")
        fields[key] = value.strip()
    return fields, "\n".join(lines[end + 1:]).strip()


def parse_card(slug: str, text: str) -> Card:
    """A card from its file; CardError for a missing title or source, an unknown source, or
    a body over MAX_WORDS."""
    if not SLUG.match(slug):
        raise CardError(f"{slug}: a card's file name is lowercase words joined by hyphens")
    fields, body = _front_matter(slug, text)
    title = fields.get("title", "").strip("\"'")
    source = fields.get("source", "")
    if not title:
        raise CardError(f"{slug}: the front matter needs a title")
    if not source:
        raise CardError(f"{slug}: the front matter needs a source, one of {', '.join(SOURCES)}")
    if source not in SOURCES:
        raise CardError(f"{slug}: source {source!r} is not one of {', '.join(SOURCES)}")
    if not body:
        raise CardError(f"{slug}: the card has no text")
    if (words := word_count(body)) > MAX_WORDS:
        raise CardError(f"{slug}: {words} words; a card has at most {MAX_WORDS}")
    tags = tuple(t.strip() for t in fields.get("tags", "").strip("[]").split(",") if t.strip())
    try:
        order = int(fields.get("order", "100"))
    except ValueError:
        raise CardError(f"{slug}: order must be a whole number") from None
    return Card(slug=slug, title=title, source=source, tags=tags, body=body, order=order)


def sorted_cards(cards: list[Card]) -> list[Card]:
    return sorted(cards, key=lambda c: (c.order, c.title))


# Inline Markdown, applied to text that is already HTML-escaped.
BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
LINK = re.compile(r"\[([^\[\]]+)\]\(([^()\s]+)\)")
# A path on this site: one leading slash (never "//host"), then plain path characters.
SAFE_PATH = re.compile(r"^/(?!/)[A-Za-z0-9\-._~/]*(#[A-Za-z0-9\-_]+)?$")
LIST_ITEM = re.compile(r"^\s*[-*]\s+(.*)$")


def _link(match: re.Match) -> str:
    text, target = match.group(1), match.group(2)
    if not SAFE_PATH.match(target):
        return text
    return f'<a href="{target}">{text}</a>'


def _inline(text: str) -> str:
    html = escape(text, quote=True)
    html = LINK.sub(_link, html)
    return BOLD.sub(r"<strong>\1</strong>", html)


def render_markdown(source: str) -> Markup:
    """Paragraphs, "- " lists, **bold** and same-site links; all other text is escaped."""
    blocks = re.split(r"\n\s*\n", source.replace("\r\n", "\n").strip())
    out = []
    for block in blocks:
        lines = [line for line in block.split("\n") if line.strip()]
        if not lines:
            continue
        if all(LIST_ITEM.match(line) for line in lines):
            items = "".join(f"<li>{_inline(LIST_ITEM.match(line).group(1))}</li>" for line in lines)
            out.append(f"<ul>{items}</ul>")
        else:
            out.append(f"<p>{_inline(' '.join(line.strip() for line in lines))}</p>")
    # Every piece of text above went through html.escape; only our own tags are unescaped.
    return Markup("\n".join(out))
