"""Article bodies to Markdown for the reader, to readable text for a printout, and the links they hold.

Every body (plain text, Markdown, HTML) becomes Markdown here and nowhere
else. Plain text is escaped so that nothing in it is read as Markdown; HTML is
converted by markdownify with images turned into `[image: alt]` placeholders
(never fetched) and scripts dropped. The result passes through
`sanitize.clean_text` again, because decoding HTML entities can produce
control characters that were not in the raw text.

A printout (`termnews show`) has the reader's shape, but is read as text, not
rendered: nothing in it is escaped, paragraphs are wrapped, links print whole.
"""

from __future__ import annotations

import functools
import re
import textwrap
import warnings
from collections.abc import Callable

from termnews.models import Article, BodyFormat, Enclosure
from termnews.sanitize import clean_line, clean_text
from termnews.text import MINUTE, format_date, html_to_text

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~&=])")
_SCRIPT = re.compile(r"<(script|style|template|head)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
# Character references a Markdown viewer would decode: `&#x202E;`, `&#8238;`.
_CHAR_REF = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,9}));")
_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_MD_LINK = re.compile(r"\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)|<((?:https?|mailto):[^>\s]+)>")
_URL = re.compile(r"\b(?:https?://|mailto:)[^\s<>\"'\])]+")
_SINGLE_BREAK = re.compile(r"(?<=[^\n])[ \t]*\n(?=[^\n])")
_HREF = re.compile(r"<a\b[^>]*?\bhref\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+))", re.IGNORECASE)


def escape_markdown(text: str) -> str:
    """Make plain text show as written when read as Markdown."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def _image(alt: str, plain: bool) -> str:
    """The placeholder of an image: never fetched, its words shown."""
    if plain:
        return f"[image{': ' + alt if alt else ''}]"
    return f"\\[image{': ' + escape_markdown(alt) if alt else ''}\\]"


@functools.cache
def _converter(plain: bool = False, width: int = 0):
    """markdownify for the reader (Markdown escaped), or `plain` for a printout (nothing
    escaped, paragraphs wrapped at `width`)."""
    from bs4 import MarkupResemblesLocatorWarning
    from markdownify import MarkdownConverter

    # A body that looks like a file name or URL is still a body: no warning on the screen.
    warnings.filterwarnings("ignore", category=MarkupResemblesLocatorWarning)

    class Converter(MarkdownConverter):
        def convert_img(self, el, text, parent_tags):
            return _image(clean_line(el.attrs.get("alt") or el.attrs.get("title") or ""), plain)

    if plain:
        return Converter(
            heading_style="ATX",
            bullets="-",
            escape_misc=False,
            escape_asterisks=False,
            escape_underscores=False,
            wrap=True,
            wrap_width=width,
        )
    return Converter(heading_style="ATX", escape_misc=True, bullets="-")


def html_to_markdown(html: str, *, plain: bool = False, width: int = 0) -> str:
    """HTML as Markdown for the reader, or (`plain`) as text wrapped at `width` for a printout."""
    try:
        return _converter(plain, width).convert(_SCRIPT.sub("", html))
    except Exception:  # BeautifulSoup rejects some broken markup: show its text instead
        text = html_to_text(html, lines=True)
        return _wrapped(text, width) if plain else escape_markdown(html_to_text(html))


def _drop_unsafe_refs(text: str) -> str:
    """Remove character references that would decode to something `clean_text` removes."""

    def check(match: re.Match[str]) -> str:
        code = int(match.group(1), 16) if match.group(1) else int(match.group(2))
        try:
            char = chr(code)
        except (ValueError, OverflowError):
            return ""
        return match.group(0) if clean_text(char) == char else ""

    return _CHAR_REF.sub(check, text)


def _escape_text_keeping_urls(text: str) -> str:
    """Escape plain text for Markdown, but keep its URLs whole, as autolinks."""
    parts: list[str] = []
    last = 0
    for match in _URL.finditer(text):
        parts.append(escape_markdown(text[last : match.start()]))
        parts.append(f"<{match.group(0)}>")
        last = match.end()
    parts.append(escape_markdown(text[last:]))
    return "".join(parts)


def _wrapped(text: str, width: int) -> str:
    """Each line of `text` folded at `width` (words and URLs whole), its line breaks kept."""
    return "\n".join(
        textwrap.fill(line, width, break_long_words=False, break_on_hyphens=False) if line.strip() else ""
        for line in text.splitlines()
    )


def body_markdown(body: str, body_format: BodyFormat, *, plain: bool = False, width: int = 80) -> str:
    """A body as Markdown for the reader, or (`plain`) as text for a printout, wrapped at `width`."""
    if body_format == "html":
        text = html_to_markdown(clean_text(body), plain=plain, width=width)
    elif body_format == "markdown":
        text = _MD_IMAGE.sub(
            lambda m: _image(m.group(1), True) if plain else f"\\[image: {escape_markdown(m.group(1))}\\]",
            _drop_unsafe_refs(body),
        )
    elif plain:
        text = _wrapped(body, width)
    else:
        # Plain text keeps its line breaks: each single one becomes a Markdown hard break.
        text = _SINGLE_BREAK.sub("  \n", _escape_text_keeping_urls(body))
    return clean_text(text).strip()


def body_links(body: str, body_format: BodyFormat) -> list[str]:
    if body_format == "html":
        found = [next(g for g in m.groups() if g is not None) for m in _HREF.finditer(body)]
    elif body_format == "markdown":
        found = [m.group(1) or m.group(2) for m in _MD_LINK.finditer(body)]
    else:
        found = _URL.findall(body)
    return [clean_line(url) for url in found if url.strip()]


def article_links(article: Article) -> list[str]:
    """The links the reader numbers: the article's own, each distinct one in its body
    and its comments page, then its enclosures and its image, so that each opens by
    its number."""
    files = [e.url for e in article.enclosures] + ([article.image] if article.image else [])
    pages = [
        url
        for url in [article.link or "", *body_links(article.body, article.body_format), article.comments_page]
        if url
    ]
    return list(dict.fromkeys([*(url for url in pages if url not in files), *files]))


def human_size(length: int) -> str:
    """A file's size as a person reads it: 812 bytes, 4.2 MB, 1.1 GB."""
    if length < 1000:
        return f"{length} bytes"
    size = float(length)
    for unit in ("kB", "MB", "GB", "TB"):
        size /= 1000
        if size < 1000 or unit == "TB":
            break
    return f"{size:.1f} {unit}" if size < 100 else f"{size:.0f} {unit}"


def _enclosure_line(number: int, enclosure: Enclosure, escape: Callable[[str], str]) -> str:
    about = ", ".join(
        part for part in (enclosure.type, human_size(enclosure.length) if enclosure.length else "") if part
    )
    return f"{number}. {escape(enclosure.url)}" + (f" ({escape(about)})" if about else "")


def article_markdown(article: Article) -> str:
    """The whole reader document: title, byline, body, numbered links, enclosures."""
    return _document(article, plain=False)


def article_text(article: Article, width: int = 80) -> str:
    """The article as a person or a script reads it in a terminal (`termnews show`): the
    reader's document with nothing escaped, the article's address under the byline,
    paragraphs wrapped at `width`, every link whole."""
    return _document(article, plain=True, width=width)


def _document(article: Article, *, plain: bool, width: int = 80) -> str:
    escape: Callable[[str], str] = str if plain else escape_markdown
    byline = " · ".join(
        escape(part)
        for part in (article.source, article.author or "", format_date(article.published, MINUTE))
        if part
    )
    parts = [f"# {escape(article.title)}"]
    if byline:
        parts.append(byline if plain else f"*{byline}*")
    if plain and article.link:
        parts.append(article.link)
    body = body_markdown(article.body, article.body_format, plain=plain, width=width)
    parts.append(body or ("(no text)" if plain else "*(no text)*"))
    links = article_links(article)
    number = {url: n for n, url in enumerate(links, 1)}
    files = {e.url for e in article.enclosures} | {article.image}
    pages = [url for url in links if url not in files]
    if pages:
        parts.append("## Links")
        parts.append(
            "\n".join(
                f"{number[url]}. {escape(url)}" + (" (comments)" if url == article.comments_page else "")
                for url in pages
            )
        )
    if article.enclosures:
        parts.append("## Enclosures")
        parts.append("\n".join(_enclosure_line(number[e.url], e, escape) for e in article.enclosures))
    if article.image:
        parts.append(f"## Image\n\n{number[article.image]}. {escape(article.image)}")
    return "\n\n".join(parts)
