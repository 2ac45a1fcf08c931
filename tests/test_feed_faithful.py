"""Real feeds read as faithfully as the best readers read them.

`tests/feeds/faithful/` holds one small document per class of real feed
(titles, authors, dates, relative URLs, link fallbacks, media, missing titles,
comment threads, duplicate ids, odd documents, JSON of the wrong types, plain
text); `tests/feeds/faithful-expected/` the records each must give. Every
document is read as a file (the local source) and over HTTP (the feed source);
`test_feed_differential.py` checks the fast path and feedparser agree on them.

Relative URLs resolve against the document's address over HTTP and against the
site's (the channel's `<link>`, http://site.example/blog/) in a file: the
expected records write that origin as `{site}`, and each document is served
under /blog/ so that both read the same.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from termnews.models import ArticleData, FetchContext, SourceSpec
from termnews.sources.feed import FeedSource
from termnews.sources.local import LocalSource
from termnews.update import clean_article

CORPUS = Path(__file__).resolve().parent / "feeds" / "faithful"
EXPECTED = CORPUS.parent / "faithful-expected"
DOCUMENTS = sorted(p.name for p in CORPUS.iterdir())
SITE = "http://site.example"


def expected(name: str, site: str) -> dict:
    text = (EXPECTED / f"{name}.json").read_text(encoding="utf-8")
    return json.loads(text.replace("{site}", site))


def record(article: ArticleData) -> dict:
    stamp = article.published
    return {
        "title": article.title,
        "link": article.link,
        "guid": article.guid,
        "author": article.author,
        "published": None
        if stamp is None
        else datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "body": article.body,
        "body_format": article.body_format,
        "enclosures": [[e.url, e.type, e.length] for e in article.enclosures],
        "image": article.image,
        "comments_url": article.comments_url,
        "comments_page": article.comments_page,
    }


def test_every_document_has_its_expected_records():
    assert sorted(p.name.removesuffix(".json") for p in EXPECTED.iterdir()) == DOCUMENTS
    assert len(DOCUMENTS) >= 20


def test_the_corpus_read_as_files_by_the_local_source():
    result = LocalSource(SourceSpec("faithful", "local", str(CORPUS))).fetch(FetchContext())
    assert result.error is None and not result.warnings
    by_file: dict[str, list[dict]] = {name: [] for name in DOCUMENTS}
    for article in result.articles:
        name, _, guid = (article.guid or "").partition("#")
        # A feed file's entries are identified within the file: "name#guid" (or link, or title).
        by_file[name].append(record(clean_article(article)) | {"guid": guid})
    for name in DOCUMENTS:
        want = [r | {"guid": r["guid"] or r["link"] or r["title"]} for r in expected(name, SITE)["records"]]
        assert by_file[name] == want, name


@pytest.mark.parametrize("name", DOCUMENTS)
def test_the_corpus_read_over_http(server, name: str):
    kind = "application/feed+json" if name.endswith(".json") else "application/xml"
    server.feed(f"/blog/{name}", (CORPUS / name).read_bytes(), kind)
    spec = SourceSpec(name, "feed", server.url(f"/blog/{name}"))
    result = FeedSource(spec).fetch(FetchContext())
    assert result.error is None
    origin = server.url("/").rstrip("/")
    assert [record(a) for a in result.articles] == expected(name, origin)["records"]
