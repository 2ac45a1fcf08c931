"""Hostile text: the sanitizing step, bodies to Markdown, and which links may be opened."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from termnews.render import body_markdown
from termnews.sanitize import TRUNCATED, clean_line, clean_text
from termnews.text import is_safe_url

# Textual's Markdown widget parses with this preset.
MD = MarkdownIt("gfm-like")

NEVER = ("\x1b", "\x9b", "\x07")


def rendered(markdown: str) -> tuple[str, set[str]]:
    """What a Markdown viewer would show as text, and the token types it would build."""
    text: list[str] = []
    kinds: set[str] = set()
    for token in MD.parse(markdown):
        kinds.add(token.type)
        for child in token.children or ():
            kinds.add(child.type)
            if child.type in ("text", "code_inline", "text_special"):
                text.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                text.append("\n")
        if token.type in ("code_block", "fence"):
            text.append(token.content)
        if token.type == "paragraph_close":
            text.append("\n\n")
    return "".join(text).strip(), kinds


def hrefs(markdown: str) -> list[str]:
    """The targets of the links a Markdown viewer would make clickable."""
    return [
        str(child.attrs["href"])
        for token in MD.parse(markdown)
        for child in token.children or ()
        if child.type == "link_open"
    ]


# -- clean_text ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("a\x1b[31mred\x1b[0m", "ared"),
        ("\x1b[38;2;255;0;0mrgb\x1b[?25l", "rgb"),
        ("\x1b]0;new title\x07rest", "rest"),
        ("\x1b]8;;https://x.org\x1b\\link\x1b]8;;\x1b\\", "link"),
        ("\x1b]0;no end\nnext line", "\nnext line"),
        (
            "ESC(B charset\x1b(B, keypad\x1b=, a lone one at the end\x1b",
            "ESC(B charset, keypad, a lone one at the end",
        ),
        ("csi\x9b2Jend", "csiend"),
        ("nel\x85 and \x80\x9f", "nel and "),
        ("abc\u202edcba", "abcdcba"),
        ("\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069x", "x"),
        ("del\x7fete", "delete"),
        ("nul\x00 bs\x08 vt\x0b ff\x0c so\x0e us\x1f", "nul bs vt ff so us"),
        ("tab\there\nnew line", "tab\there\nnew line"),
        ("crlf\r\nand cr\rend", "crlf\nand cr\nend"),
        ("café — 日本語 😀 “quotes”", "café — 日本語 😀 “quotes”"),
        ("[Photo via Getty Images]", "[Photo via Getty Images]"),
        ("", ""),
        (None, ""),
    ],
)
def test_clean_text(raw: str | None, clean: str) -> None:
    assert clean_text(raw) == clean


def test_clean_text_caps_with_visible_marker() -> None:
    assert TRUNCATED == " … truncated"
    capped = clean_text("x" * 50, 20)
    assert len(capped) == 20
    assert capped == "x" * (20 - len(TRUNCATED)) + " … truncated"
    assert clean_text("y" * 20, 20) == "y" * 20  # exactly at the limit: untouched
    assert clean_text("z" * 5, None) == "zzzzz"
    # The cap applies after removal: controls do not count against it.
    assert clean_text("\x00" * 100 + "ok", 10) == "ok"


def test_clean_line_collapses_white_space() -> None:
    assert clean_line("  two\n\tlines \x1b[1m  here ") == "two lines here"
    assert clean_line(None) == ""


def test_clean_line_removes_every_character_clean_text_removes() -> None:
    """Lines that need no cleaning skip the search; each code point, alone in a line, is
    still treated as the full cleaning treats it."""
    for code in range(0x110000):
        line = f"a{chr(code)}b"
        assert clean_line(line) == clean_text(" ".join(line.split())), hex(code)
    assert clean_line("x" * 30, 20) == clean_text("x" * 30, 20)


# -- body_markdown ------------------------------------------------------------------------------


def test_text_caption_in_brackets_survives_markdown() -> None:
    body = "Russian President Vladimir Putin [Photo via Getty Images]\n\nMOSCOW (AGENCIES) – text."
    markdown = body_markdown(body, "text")
    text, kinds = rendered(markdown)
    assert "Russian President Vladimir Putin [Photo via Getty Images]" in text
    assert text == body
    assert "link_open" not in kinds


MARKUP_TOKENS = {
    "image",
    "em_open",
    "strong_open",
    "s_open",
    "heading_open",
    "bullet_list_open",
    "ordered_list_open",
    "blockquote_open",
    "html_inline",
    "html_block",
    "code_inline",
    "table_open",
    "hr",
}


@pytest.mark.parametrize(
    "body",
    [
        "[looks like](https://example.org/a-link)",
        "![looks like](https://example.org/an-image.png)",
        "[ref]: https://example.org",
        "[looks like][ref]\n\n[ref]: https://example.org",
        "*not emphasis* and _not either_ and **nor this**",
        "# not a heading",
        "not a heading either\n===",
        "1. not a list",
        "1) nor this",
        "- not a bullet",
        "+ nor this",
        "> not a quote",
        "<b>not html</b> &amp; not an entity &#27;",
        "<div>\nnot a block\n</div>",
        "`not code` ~~not struck~~ | not | a | table |",
        "| a | b |\n|---|---|\n| c | d |",
        "a\\backslash and trailing one\\",
        "----",
        "<https://example.org> is not an autolink",
    ],
)
def test_text_bodies_show_exactly_as_written(body: str) -> None:
    markdown = body_markdown(body, "text")
    text, kinds = rendered(markdown)
    assert text == body
    assert not kinds & MARKUP_TOKENS
    # No Markdown link syntax became a link: whatever is clickable shows its own address.
    for token in MD.parse(markdown):
        children = token.children or []
        for n, child in enumerate(children):
            if child.type == "link_open":
                assert children[n + 1].content.startswith("https://"), children[n + 1].content


def test_urls_in_text_bodies_link_to_the_whole_address() -> None:
    body = "Read more at https://example.org/a-link today."
    assert hrefs(body_markdown(body, "text")) in ([], ["https://example.org/a-link"])


def test_html_images_become_placeholders() -> None:
    html = (
        '<p>Before <img src="https://example.org/heron.png" alt="A heron [fishing]"> after.</p>'
        '<p><img src="https://example.org/no-alt.png"></p>'
    )
    markdown = body_markdown(html, "html")
    text, kinds = rendered(markdown)
    assert "Before [image: A heron [fishing]] after." in text
    assert "[image]" in text
    assert "image" not in kinds
    assert "heron.png" not in markdown


def test_markdown_images_become_placeholders_and_links_stay() -> None:
    body = "See ![A *keyboard*](https://example.org/k.png) and [the guide](https://example.org/g)."
    text, kinds = rendered(body_markdown(body, "markdown"))
    assert text == "See [image: A *keyboard*] and the guide."
    assert "image" not in kinds
    assert "link_open" in kinds


def test_html_scripts_are_dropped() -> None:
    html = "<p>Visible</p><script>alert('x')</script><style>p{}</style><p>Also</p>"
    text, _ = rendered(body_markdown(html, "html"))
    assert "Visible" in text and "Also" in text
    assert "alert" not in text and "p{}" not in text


def test_html_document_head_is_not_shown() -> None:
    html = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Page title</title></head>"
        "<body><p>Text of the page.</p></body></html>"
    )
    assert body_markdown(html, "html") == "Text of the page."


@pytest.mark.parametrize(
    "html",
    [
        "<p>one&#27;[2Jtwo</p>",
        "<p>&#x1b;]0;title&#7; bell</p>",
        "<p>&#X1B;&#0027;&#155;&#x9b;&#x9B;</p>",
        '<p><img alt="&#27;[31m" src="x.png"><a href="https://e.org/&#27;">l&#7;</a></p>',
        "<p>&#8238;reversed&#x202e;</p>",
    ],
)
def test_html_entities_do_not_produce_control_characters(html: str) -> None:
    markdown = body_markdown(html, "html")
    text, _ = rendered(markdown)
    for out in (markdown, text):
        for ch in (*NEVER, "\u202e"):
            assert ch not in out


def test_markdown_entities_do_not_produce_bidi_overrides() -> None:
    text, _ = rendered(body_markdown("before &#x202E; after &#8238;", "markdown"))
    assert "\u202e" not in text


# -- links --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org",
        "https://example.org/a/b?c=d&e=f#g",
        "HTTPS://EXAMPLE.ORG/",
        "mailto:someone@example.org",
        "https://例え.jp/パス",
    ],
)
def test_safe_urls(url: str) -> None:
    assert is_safe_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(document.cookie)",
        "file:///etc/passwd",
        "file://localhost/etc/passwd",
        "-x",
        "--new-window=https://example.org",
        "-https://example.org",
        "ftp://example.org/file",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox",
        "//example.org/no-scheme",
        "",
        " https://example.org",
        "https://example.org/a b",
        "https://example.org/a\tb",
        "https://example.org/a\nb",
        "https://example.org/a\rb",
        "https://example.org/\x1b[2J",
        "https://example.org/\x00",
        "https://example.org/\x07",
        "https://example.org/\x7f",
        "https://example.org/\u00a0",
        "https://example.org/\u2028",
    ],
)
def test_unsafe_urls(url: str) -> None:
    assert not is_safe_url(url)


@pytest.mark.parametrize("url", ["https://example.org/\x9b2J", "https://example.org/\u202egnp.exe"])
def test_unsafe_urls_with_c1_or_bidi(url: str) -> None:
    assert not is_safe_url(url)


# -- properties -----------------------------------------------------------------------------------

# Mostly-hostile text: controls, bidi marks, Markdown and HTML syntax, entities, ordinary words.
_FRAGMENTS = st.sampled_from(
    [
        "\x1b",
        "\x1b[31m",
        "\x1b]0;t\x07",
        "\x9b",
        "\x07",
        "\x00",
        "\x7f",
        "\x85",
        "\r",
        "\r\n",
        "\n",
        "\t",
        "\u202e",
        "\u2066",
        "&#27;",
        "&#x1b;",
        "&#155;",
        "&#x9b;",
        "&#7;",
        "&#0;",
        "&#8238;",
        "&amp;",
        "&",
        "&#",
        ";",
        "<",
        ">",
        "<p>",
        "</p>",
        "<img alt='",
        '<img alt="\x1b">',
        "<a href='javascript:x'>",
        "</a>",
        "<script>",
        "</script>",
        "<!--",
        "-->",
        "<![CDATA[",
        "]]>",
        "[",
        "]",
        "(",
        ")",
        "![",
        "](",
        "*",
        "_",
        "`",
        "#",
        "\\",
        "|",
        "~",
        "-",
        "1.",
        "> ",
        "    ",
        "word",
        "Putin",
        " ",
        "é",
        "😀",
    ]
)
HOSTILE = st.one_of(
    st.text(),
    st.text(alphabet=st.characters(codec="utf-8", categories=("Cc", "Cf", "Zs", "P", "S", "L"))),
    st.lists(_FRAGMENTS | st.text(max_size=5), max_size=40).map("".join),
)
# As a JSON feed can deliver it: with lone surrogates.
HOSTILE_WITH_SURROGATES = st.one_of(
    HOSTILE,
    st.lists(
        _FRAGMENTS | st.sampled_from(["\ud800", "\udfff", "\udc80"]) | st.text(max_size=5),
        max_size=40,
    ).map("".join),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(HOSTILE_WITH_SURROGATES)
def test_clean_text_never_leaves_control_characters(text: str) -> None:
    out = clean_text(text)
    for ch in (*NEVER, "\x00", "\x7f", "\r", "\u202e", "\u2066"):
        assert ch not in out
    out.encode("utf-8")  # no lone surrogates left
    assert all(ch in "\t\n" or ord(ch) >= 32 for ch in out)
    capped = clean_text(text, 50)
    assert len(capped) <= 50


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(HOSTILE_WITH_SURROGATES, st.sampled_from(["text", "markdown", "html"]))
def test_body_markdown_never_raises_or_leaves_controls(text: str, body_format: str) -> None:
    markdown = body_markdown(text, body_format)  # type: ignore[arg-type]
    assert isinstance(markdown, str)
    markdown.encode("utf-8")  # no lone surrogates either
    for ch in NEVER:
        assert ch not in markdown
    # Nor once a Markdown viewer has decoded its escapes and entities.
    shown, _ = rendered(markdown)
    for ch in NEVER:
        assert ch not in shown


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(HOSTILE_WITH_SURROGATES, st.sampled_from(["text", "markdown", "html"]))
def test_stored_bodies_render_without_error(text: str, body_format: str) -> None:
    """What update stores (clean_text of anything) always renders."""
    markdown = body_markdown(clean_text(text), body_format)  # type: ignore[arg-type]
    for ch in NEVER:
        assert ch not in markdown
    markdown.encode("utf-8")


def test_html_body_with_lone_surrogate_renders() -> None:
    out = body_markdown("a plain \ud800 body", "html")
    out.encode("utf-8")
    assert " ".join(out.split()) == "a plain body"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E) | st.sampled_from("éß日😀")))
def test_text_round_trips_through_markdown(line: str) -> None:
    """Any printable single line of plain text shows exactly as written."""
    shown, _ = rendered(body_markdown(line, "text"))
    assert shown == line.strip(" ")
