"""Hostile payloads shared by the tests in tests/hostile/, and the checks on what reaches the screen.

Every payload is something a feed, a file or a server could send. The checks
look for the exact injected sequences (OSC 52 clipboard write, terminal title,
CSI clear screen, the C1 forms of both) and for any character the sanitizer
promises to remove.
"""

from __future__ import annotations

import re
from email.utils import formatdate

# Sequences a hostile feed would like to reach the terminal.
OSC52 = "\x1b]52;c;ZXZpbCBjbGlwYm9hcmQ=\x07"  # writes the clipboard
TITLE = "\x1b]0;pwned-title\x07"  # retitles the terminal window
TITLE_ST = "\x1b]2;pwned-st\x1b\\"  # the same, ended by ST
CLEAR = "\x1b[2J"  # clears the screen
C1_CSI = "\x9b2J"  # CSI as one C1 character
C1_OSC = "\x9d0;c1-title\x9c"  # OSC ... ST as C1 characters
BIDI = "\u202egnp.exe"  # right-to-left override
MARKUP_CLICK = "[@click=app.quit]press me[/]"  # a live action if parsed as markup
MARKUP_CLOSE = "[/]"  # MarkupError if parsed as markup
MARKUP_STYLE = "[bold red on white]styled?[/bold red on white]"

CONTROL_PAYLOADS = (OSC52, TITLE, TITLE_ST, CLEAR, C1_CSI, C1_OSC, BIDI)
MARKUP_PAYLOADS = (MARKUP_CLICK, MARKUP_CLOSE, MARKUP_STYLE)

# The sanitizer's promise: none of these survive (C0 but tab/newline, DEL, C1, bidi, surrogates).
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f\x80-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")

# Byte forms of what must never be written to the terminal by content. (The
# printable rest of a payload, "]0;pwned-title", may show as text once its ESC
# is gone: that is harmless and expected.)
INJECTED_BYTES = (
    b"\x1b]52;",  # no output of ours writes the clipboard
    b"\x1b]0;pwned",
    b"\x1b]2;pwned",
    b"\x1b]0;c1",
    b"\x1b]0;ref",
    b"\x1b[2J",  # Textual never clears this way (it redraws cells)
    b"\xc2\x9b",  # C1 CSI, UTF-8 encoded
    b"\xc2\x9d",  # C1 OSC
    b"\x9b2J",
    "\u202e".encode(),
)


def assert_clean(text: str, where: str = "") -> None:
    """No control character, C1, bidi override or lone surrogate in `text`."""
    bad = UNSAFE.search(text)
    assert bad is None, (
        f"{where}: unsafe character {bad.group(0)!r} at {bad.start()} in {text[max(0, bad.start() - 20) : bad.start() + 20]!r}"
    )


def injected(label: str) -> str:
    """A field value carrying every control payload and every markup payload."""
    return f"{label} " + " ".join(CONTROL_PAYLOADS) + " " + " ".join(MARKUP_PAYLOADS) + " end"


def xml_escape(text: str) -> str:
    """Escape for XML text, writing control characters as character references.

    (XML 1.0 forbids raw C0 characters; feeds in the wild send them as
    references or raw, so tests use both.)
    """
    out = []
    for ch in text:
        if ch == "&":
            out.append("&amp;")
        elif ch == "<":
            out.append("&lt;")
        elif ch == ">":
            out.append("&gt;")
        elif ord(ch) < 0x20 and ch not in "\t\n" or 0x7F <= ord(ch) <= 0x9F:
            out.append(f"&#{ord(ch)};")
        else:
            out.append(ch)
    return "".join(out)


def hostile_rss(prefix: str = "Evil", *, raw_controls: bool = False, n: int = 2) -> bytes:
    """An RSS 2.0 feed whose every field carries the payloads.

    `raw_controls` puts the control characters in the document raw (not well
    formed: feedparser's loose parser takes it), else as character references.
    """
    esc = (lambda s: s.replace("&", "&amp;").replace("<", "&lt;")) if raw_controls else xml_escape
    items = []
    for i in range(n):
        title = esc(injected(f"{prefix} title {i}"))
        author = esc(injected(f"{prefix} author"))
        body = esc(f"<p>{injected(prefix + ' body')}</p><p>&#27;]0;ref-title&#7; and &amp;#x9b;2J</p>")
        items.append(
            "<item>"
            f"<title>{title}</title>"
            f"<link>http://example.org/{prefix.lower()}/{i}?x={esc(CLEAR)}</link>"
            f"<guid>http://example.org/{prefix.lower()}/{i}</guid>"
            f"<dc:creator>{author}</dc:creator>"
            f"<pubDate>{formatdate(1_700_000_000 + i * 60, usegmt=True)}</pubDate>"
            f"<description>{body}</description>"
            f'<enclosure url="http://example.org/a{i}.mp3{esc(TITLE)}" length="1" type="audio/mpeg"/>'
            "</item>"
        )
    doc = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
        f"<title>{esc(injected('channel'))}</title><link>http://example.org/</link><description>d</description>"
        + "".join(items)
        + "</channel></rss>\n"
    )
    return doc.encode("utf-8")


def hostile_atom(prefix: str = "EvilAtom") -> bytes:
    e = xml_escape
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{e(injected('feed'))}</title><id>urn:x</id><updated>2024-01-01T00:00:00Z</updated>"
        "<entry>"
        f'<title type="html">{e(injected(prefix + " title"))}</title>'
        f"<id>urn:{prefix}:1</id><updated>2024-01-01T00:00:00Z</updated>"
        f"<author><name>{e(injected(prefix + ' author'))}</name><email>a@b.c</email></author>"
        f'<link rel="alternate" type="text/html" href="http://example.org/{prefix}?{e(OSC52)}"/>'
        f'<link rel="enclosure" href="http://example.org/{prefix}.ogg{e(C1_CSI)}"/>'
        f'<content type="html">{e("<b>" + injected(prefix + " body") + "</b>")}</content>'
        "</entry></feed>\n"
    ).encode()


def hostile_json(prefix: str = "EvilJson") -> bytes:
    import json

    return json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": injected("json feed"),
            "items": [
                {
                    "id": f"{prefix}-1",
                    "title": injected(prefix + " title"),
                    "url": "http://example.org/j?" + TITLE,
                    "authors": [{"name": injected(prefix + " author")}],
                    "content_text": injected(prefix + " body") + " \ud800 lone",
                    "attachments": [{"url": "http://example.org/j.mp3" + CLEAR}],
                },
                {
                    "id": f"{prefix}-2",
                    "title": injected(prefix + " html"),
                    "content_html": "<p>" + injected(prefix + " html body") + "</p>&#27;[2J&#x202e;",
                },
            ],
        }
    ).encode("utf-8")
