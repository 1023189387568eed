"""The education cards: loaded once at start-up, listed on /learn, one page per card.

The cards are open to everyone, signed in or not, because the crisis region links to one of
them and must work for anyone who sees it.
"""

from __future__ import annotations

from pathlib import Path

from litestar import Request, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Response

from lift.domain.education import Card, parse_card, sorted_cards
from lift.settings import FRONTEND_DIR
from lift.web.rendering import render

EDUCATION_DIR = FRONTEND_DIR / "content" / "education"


def load_cards(folder: Path = EDUCATION_DIR) -> dict[str, Card]:
    """Every card, by slug, in reading order. A card that breaks the rules stops start-up
    with CardError: an unsourced card must never be served."""
    cards = [parse_card(path.stem, path.read_text(encoding="utf-8")) for path in folder.glob("*.md")]
    return {card.slug: card for card in sorted_cards(cards)}


@get("/learn", name="learn")
async def learn(request: Request) -> Response:
    return render(request, "education/index.html", cards=list(request.app.state.education.values()))


@get("/learn/{slug:str}")
async def learn_card(request: Request, slug: FromPath[str]) -> Response:
    card = request.app.state.education.get(slug)
    if card is None:
        raise NotFoundException()
    return render(request, "education/card.html", card=card)
