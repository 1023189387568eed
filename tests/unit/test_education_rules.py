"""Card front matter, the rules every card meets, and the safe Markdown subset."""

import pytest

from lift.domain.education import MAX_WORDS, SOURCES, CardError, parse_card, render_markdown

NEWSLETTER, ARTICLE = sorted(SOURCES)


def card_text(front: str, body: str = "A short card in Lift's own words.") -> str:
    return f"---\n{front}\n---\n{body}\n"


def test_it_reads_title_source_tags_and_order():
    card = parse_card("how-fast", card_text(f'title: "How fast: it can work"\nsource: {ARTICLE}\n'
                                            "tags: what to expect, speed\norder: 9"))
    assert (card.title, card.source, card.tags, card.order) == (
        "How fast: it can work", ARTICLE, ("what to expect", "speed"), 9)
    assert card.source_title == SOURCES[ARTICLE]
    assert card.body == "A short card in Lift's own words."


def test_each_document_is_named_as_it_names_itself():
    # The newsletter's own title and who answered; the article has no title of its own, so
    # none is made up for it in quotation marks.
    assert "What is esketamine and who may benefit from using it?" in SOURCES[NEWSLETTER]
    assert "Sue Wolff, PMHNP" in SOURCES[NEWSLETTER]
    assert not set("“”\"") & set(SOURCES[ARTICLE])


def test_a_card_without_a_source_is_refused():
    with pytest.raises(CardError, match="needs a source"):
        parse_card("no-source", card_text("title: Unsourced"))


def test_a_card_citing_anything_but_the_two_documents_is_refused():
    for source in ("wikipedia.org", "002_other.txt", NEWSLETTER.upper()):
        with pytest.raises(CardError, match="is not one of"):
            parse_card("elsewhere", card_text(f"title: Elsewhere\nsource: {source}"))


@pytest.mark.parametrize("text, message", [
    (card_text(f"source: {ARTICLE}"), "needs a title"),
    ("title: x\nsource: y\n\nBody", "starts with front matter"),
    (f"---\ntitle: x\nsource: {ARTICLE}\nBody", "no closing"),
    (card_text(f"title: x\nsource: {ARTICLE}\nauthor: someone"), "unknown front matter"),
    (card_text(f"title: x\nsource: {ARTICLE}", body=""), "no text"),
    (card_text(f"title: x\nsource: {ARTICLE}\norder: first"), "order"),
])
def test_it_refuses_a_malformed_card(text, message):
    with pytest.raises(CardError, match=message):
        parse_card("bad-card", text)


def test_a_card_over_the_word_limit_is_refused():
    ok = parse_card("long", card_text(f"title: Long\nsource: {ARTICLE}", " ".join(["word"] * MAX_WORDS)))
    assert ok.title == "Long"
    with pytest.raises(CardError, match=f"{MAX_WORDS + 1} words"):
        parse_card("long", card_text(f"title: Long\nsource: {ARTICLE}", " ".join(["word"] * (MAX_WORDS + 1))))


@pytest.mark.parametrize("slug", ["Bad", "../etc", "a_b", "-x", ""])
def test_a_card_file_name_is_lowercase_words_and_hyphens(slug):
    with pytest.raises(CardError):
        parse_card(slug, card_text(f"title: x\nsource: {ARTICLE}"))


# Markdown --------------------------------------------------------------------------------


def test_it_renders_paragraphs_bold_and_lists():
    html = render_markdown("First line\nsame paragraph with **bold**.\n\n- one\n- **two**\n\nLast.")
    assert html == ("<p>First line same paragraph with <strong>bold</strong>.</p>\n"
                    "<ul><li>one</li><li><strong>two</strong></li></ul>\n<p>Last.</p>")


@pytest.mark.parametrize("source", [
    "<script>alert(1)</script>", '<img src=x onerror="alert(1)">', "<a href='/x'>x</a>",
    "**<b>bold</b>**", "- <iframe src=//evil.example>",
])
def test_raw_html_in_a_card_is_escaped_never_passed_through(source):
    html = render_markdown(source)
    for tag in ("<script", "<img", "<iframe", "<b>", "<a href='/x'>"):
        assert tag not in html
    assert "&lt;" in html


def test_links_to_paths_on_this_site_become_links():
    assert render_markdown("[get help now](/help)") == '<p><a href="/help">get help now</a></p>'
    assert render_markdown("[cards](/learn/side-effects#top)") == '<p><a href="/learn/side-effects#top">cards</a></p>'


@pytest.mark.parametrize("target", [
    "javascript:alert(1)", "https://evil.example", "//evil.example/x", "data:text/html,hi",
    "/x\"onmouseover=\"alert(1)", "help", "/a?b=<c>", "mailto:a@b.c",
])
def test_any_other_link_is_shown_as_plain_text(target):
    html = render_markdown(f"[click]({target})")
    assert "<a" not in html
    assert "click" in html


def test_link_text_is_escaped_too():
    assert render_markdown("[<b>x</b>](/help)") == '<p><a href="/help">&lt;b&gt;x&lt;/b&gt;</a></p>'
