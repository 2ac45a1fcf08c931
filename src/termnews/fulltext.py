"""The whole story: an article's web page fetched and its main text extracted.

readability-lxml finds the main block of a page (the article, without the
navigation, sidebars, comments and footer); it is imported only when a page
is extracted (about 35 ms). Links and images in the result are made absolute
against the page's address, scripts, styles and forms dropped, and the text
passes the same sanitizing step as feed content; the caller stores it beside
the feed's own text, never over it. A page with too little text (a gallery,
a login wall) is a failure with a reason, not an empty article.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from termnews.sanitize import LIMITS, clean_text
from termnews.text import html_to_text, is_fetchable_url

if TYPE_CHECKING:
    from termnews.fetch import HttpClient
    from termnews.models import HttpOptions

#: Fewer words than this in the extracted block: not an article.
MIN_WORDS = 40
_PAGE_LIMIT = 5 * 1024 * 1024


class ExtractionError(ValueError):
    """Why a page gave no article text, in words for the person."""


@dataclass(frozen=True)
class FullText:
    """An extracted body (sanitized HTML), or why there is none."""

    body: str | None
    error: str | None = None


def extract(page: bytes, url: str) -> str:
    """The main text of an HTML page as sanitized HTML; raises ExtractionError."""
    import lxml.html
    from lxml.etree import ParserError
    from readability import Document

    try:
        summary = Document(page, url=url).summary(html_partial=True)  # finds the page's encoding
        tree = lxml.html.fromstring(summary)
    except (ParserError, ValueError, TypeError) as exc:
        raise ExtractionError(f"the page could not be read as HTML ({exc})") from None
    for bad in tree.xpath("//script|//style|//form|//iframe|//object|//embed|//noscript"):
        bad.drop_tree()
    try:
        tree.make_links_absolute(url, resolve_base_href=True)
    except ValueError:
        pass
    html = lxml.html.tostring(tree, encoding="unicode")
    words = len(html_to_text(html).split())
    if words < MIN_WORDS:
        raise ExtractionError(
            f"no article text found on the page (only {words} words outside menus and footers)"
        )
    return clean_text(html, LIMITS["body"])


def fetch_full_text(url: str | None, http: HttpClient, options: HttpOptions | None = None) -> FullText:
    """Fetch an article's page and extract its main text; never raises."""
    if not url or not is_fetchable_url(url):
        return FullText(None, "the article has no web page to fetch")
    got = http.get(url, options=options)
    if got.error or got.body is None:
        return FullText(None, f"could not fetch the page: {got.error or 'no answer'}")
    kind = got.content_type.split(";")[0].strip().lower()
    if kind and "html" not in kind and "xml" not in kind:
        return FullText(None, f"the page is not HTML ({kind})")
    try:
        return FullText(extract(got.body[:_PAGE_LIMIT], got.url))
    except ExtractionError as exc:
        return FullText(None, str(exc))
